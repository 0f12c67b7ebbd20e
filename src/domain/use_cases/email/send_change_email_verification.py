"""``verifychangeemail_v1`` (docs/email-jobs.md#verifychangeemail_v1): send the code that proves a
new address is theirs."""

from dataclasses import dataclass

from domain.model import JobContext, PlatformLinks
from domain.use_cases.email.delivery import EmailDelivery
from domain.use_cases.email.fields import (
    NAMES,
    RequiredText,
    UserEmailPayload,
    path_segment,
    sent_values,
)
from domain.use_cases.email.sending import email_to, link, send_one

TEMPLATE = "verifyChangeEmailAddress"


class SendChangeEmailVerification(UserEmailPayload):
    """Payload of ``sendVerifyChangeEmail``; ``email`` is the new address. A code is required."""

    code: RequiredText
    uid: str | None = None


@dataclass(frozen=True, kw_only=True)
class SendChangeEmailVerificationUseCase:
    """One e-mail to the new address with the code and the profile page to enter it on."""

    template_keys = frozenset({TEMPLATE})

    delivery: EmailDelivery
    links: PlatformLinks

    async def __call__(
        self, command: SendChangeEmailVerification, context: JobContext
    ) -> dict[str, int]:
        change_email_url = link(self.links, "profile_url") + "/change-email/"
        personalisation = {
            **sent_values(command, NAMES),
            "email": command.email,
            "code": command.code,
            "returnUrl": change_email_url + path_segment(command.uid) + "/verify"
            if command.uid
            else change_email_url + "verify",
            "helpUrl": link(self.links, "help_url"),
        }
        return await send_one(
            self.delivery, context, email_to(TEMPLATE, command.email, personalisation)
        )
