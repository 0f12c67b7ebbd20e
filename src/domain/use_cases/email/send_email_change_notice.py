"""``notifychangeemail_v1`` (docs/email-jobs.md#notifychangeemail_v1): warn the old address that
the e-mail is changing."""

from dataclasses import dataclass

from domain.model import JobContext, PlatformLinks
from domain.use_cases.email.delivery import EmailDelivery
from domain.use_cases.email.fields import NAMES, UserEmailPayload, sent_values
from domain.use_cases.email.sending import email_to, link, send_one

TEMPLATE = "notifyChangeEmailAddress"


class SendEmailChangeNotice(UserEmailPayload):
    """Payload of ``sendNotifyMigratedEmail``; ``email`` is the old address."""

    new_email: str | None = None


@dataclass(frozen=True, kw_only=True)
class SendEmailChangeNoticeUseCase:
    """One e-mail to the old address naming the new one."""

    template_keys = frozenset({TEMPLATE})

    delivery: EmailDelivery
    links: PlatformLinks

    async def __call__(self, command: SendEmailChangeNotice, context: JobContext) -> dict[str, int]:
        personalisation = {
            **sent_values(command, {**NAMES, "newEmail": "new_email"}),
            "profileUrl": link(self.links, "profile_url"),
            "helpUrl": link(self.links, "help_url"),
        }
        return await send_one(
            self.delivery, context, email_to(TEMPLATE, command.email, personalisation)
        )
