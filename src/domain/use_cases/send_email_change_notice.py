"""``notifychangeemail_v1`` (catalogue §2.7): warn the old address that the e-mail is changing."""

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from domain.model import EmailMessage, JobContext, PlatformLinks
from domain.use_cases.email_delivery import EmailDelivery
from domain.use_cases.email_fields import Recipient, plain_text, sent_values
from domain.use_cases.settings_required import link

TEMPLATE = "notifyChangeEmailAddress"


class SendEmailChangeNotice(BaseModel):
    """Payload of ``sendNotifyMigratedEmail``; ``email`` is the old address."""

    model_config = ConfigDict(frozen=True, extra="ignore", alias_generator=to_camel)

    email: Recipient
    first_name: str | None = None
    last_name: str | None = None
    new_email: str | None = None


class SendEmailChangeNoticeUseCase:
    """One e-mail to the old address naming the new one."""

    def __init__(self, *, delivery: EmailDelivery, links: PlatformLinks) -> None:
        self._delivery = delivery
        self._links = links

    async def __call__(self, command: SendEmailChangeNotice, context: JobContext) -> dict[str, int]:
        personalisation = {
            **sent_values(
                command,
                {"firstName": "first_name", "lastName": "last_name", "newEmail": "new_email"},
            ),
            "profileUrl": link(self._links, "profile_url"),
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
