"""``verifychangeemail_v1`` (catalogue §2.6): send the code that proves a new address is theirs."""

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from domain.model import EmailMessage, JobContext, PlatformLinks
from domain.use_cases.email_delivery import EmailDelivery
from domain.use_cases.email_fields import (
    Recipient,
    RequiredText,
    path_segment,
    plain_text,
    sent_values,
)
from domain.use_cases.settings_required import link

TEMPLATE = "verifyChangeEmailAddress"


class SendChangeEmailVerification(BaseModel):
    """Payload of ``sendVerifyChangeEmail``; ``email`` is the new address. A code is required."""

    model_config = ConfigDict(frozen=True, extra="ignore", alias_generator=to_camel)

    email: Recipient
    first_name: str | None = None
    last_name: str | None = None
    code: RequiredText
    uid: str | None = None


class SendChangeEmailVerificationUseCase:
    """One e-mail to the new address with the code and the profile page to enter it on."""

    def __init__(self, *, delivery: EmailDelivery, links: PlatformLinks) -> None:
        self._delivery = delivery
        self._links = links

    async def __call__(
        self, command: SendChangeEmailVerification, context: JobContext
    ) -> dict[str, int]:
        change_email_url = link(self._links, "profile_url") + "/change-email/"
        personalisation = {
            **sent_values(command, {"firstName": "first_name", "lastName": "last_name"}),
            "email": command.email,
            "code": command.code,
            "returnUrl": change_email_url + path_segment(command.uid) + "/verify"
            if command.uid
            else change_email_url + "verify",
            "helpUrl": link(self._links, "help_url"),
        }
        message = EmailMessage(
            template_key=TEMPLATE,
            recipient=command.email,
            personalisation=personalisation,
            plain_text_fields=plain_text(personalisation, "firstName", "lastName"),
        )
        report = await self._delivery.send_all(context, [("0", message)])
        return report.as_result()
