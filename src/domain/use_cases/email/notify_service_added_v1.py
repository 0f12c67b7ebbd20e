"""``userserviceadded_v1`` (docs/email-jobs.md#userserviceadded_v1): tell a user a service was
added (legacy template)."""

from dataclasses import dataclass

from domain.model import JobContext, PlatformLinks
from domain.use_cases.email.delivery import EmailDelivery
from domain.use_cases.email.fields import NAMES, UserEmailPayload, sent_values
from domain.use_cases.email.sending import email_to, help_contact_url, link, send_one

TEMPLATE = "userRequestForServiceApprovedV1"


class NotifyServiceAddedV1(UserEmailPayload):
    """Payload of ``sendServiceAdded(email, firstName, lastName)``."""


@dataclass(frozen=True, kw_only=True)
class NotifyServiceAddedV1UseCase:
    """One e-mail to the user with links to Services and the help site."""

    template_keys = frozenset({TEMPLATE})

    delivery: EmailDelivery
    links: PlatformLinks

    async def __call__(self, command: NotifyServiceAddedV1, context: JobContext) -> dict[str, int]:
        personalisation = {
            **sent_values(command, NAMES),
            "signInUrl": link(self.links, "services_url"),
            "helpUrl": help_contact_url(self.links),
        }
        return await send_one(
            self.delivery, context, email_to(TEMPLATE, command.email, personalisation)
        )
