"""``userserviceadded_v1`` (docs/email-jobs.md#userserviceadded_v1): tell a user a service was
added (legacy template)."""

from domain.model import JobContext, PlatformLinks
from domain.use_cases.email.delivery import EmailDelivery
from domain.use_cases.email.fields import NAMES, UserEmailPayload, sent_values
from domain.use_cases.email.sending import email_to, help_contact_url, link, send_one

TEMPLATE = "userRequestForServiceApprovedV1"


class NotifyServiceAddedV1(UserEmailPayload):
    """Payload of ``sendServiceAdded(email, firstName, lastName)``."""


class NotifyServiceAddedV1UseCase:
    """One e-mail to the user with links to Services and the help site."""

    template_keys = frozenset({TEMPLATE})

    def __init__(self, *, delivery: EmailDelivery, links: PlatformLinks) -> None:
        self._delivery = delivery
        self._links = links

    async def __call__(self, command: NotifyServiceAddedV1, context: JobContext) -> dict[str, int]:
        personalisation = {
            **sent_values(command, NAMES),
            "signInUrl": link(self._links, "services_url"),
            "helpUrl": help_contact_url(self._links),
        }
        return await send_one(
            self._delivery, context, email_to(TEMPLATE, command.email, personalisation)
        )
