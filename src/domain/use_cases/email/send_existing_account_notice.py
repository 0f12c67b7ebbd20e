"""``registerexistinguser_v1`` (docs/email-jobs.md#registerexistinguser_v1): someone tried to
register an existing address."""

from dataclasses import dataclass

from domain.model import JobContext, PlatformLinks
from domain.use_cases.email.delivery import EmailDelivery
from domain.use_cases.email.fields import NAMES, UserEmailPayload, sent_values
from domain.use_cases.email.sending import email_to, help_contact_url, send_one

TEMPLATE = "notifyExistingUserWhenAttemptingToRegisterAgain"
DEFAULT_SERVICE_NAME = "DfE Sign-in"


class SendExistingAccountNotice(UserEmailPayload):
    """Payload of ``sendRegisterExistingUser``."""

    service_name: str | None = None
    return_url: str | None = None


@dataclass(frozen=True, kw_only=True)
class SendExistingAccountNoticeUseCase:
    """One e-mail to the address, pointing back to the service it tried to register for."""

    template_keys = frozenset({TEMPLATE})

    delivery: EmailDelivery
    links: PlatformLinks

    async def __call__(
        self, command: SendExistingAccountNotice, context: JobContext
    ) -> dict[str, int]:
        personalisation = {
            **sent_values(command, NAMES),
            "email": command.email,
            "serviceName": command.service_name or DEFAULT_SERVICE_NAME,
            **sent_values(command, {"returnUrl": "return_url"}),
            "helpUrl": help_contact_url(self.links),
        }
        return await send_one(
            self.delivery, context, email_to(TEMPLATE, command.email, personalisation)
        )
