"""``supportoverduerequest`` (docs/email-jobs.md#supportoverduerequest): remind someone of requests
waiting too long."""

from dataclasses import dataclass

from domain.model import JobContext, PlatformLinks
from domain.use_cases.email.delivery import EmailDelivery
from domain.use_cases.email.fields import Recipient, WirePayload, sent_values
from domain.use_cases.email.sending import email_to, help_contact_url, link, send_one

TEMPLATE = "supportRequestOverdue"


class RemindOverdueRequests(WirePayload):
    """Payload of ``sendSupportOverdueRequest(name, requestsCount, email)``; a count that is
    not a whole number is refused."""

    email: Recipient
    name: str | None = None
    requests_count: int | None = None


@dataclass(frozen=True, kw_only=True)
class RemindOverdueRequestsUseCase:
    """One e-mail with the number of overdue requests and a link to them."""

    template_keys = frozenset({TEMPLATE})

    delivery: EmailDelivery
    links: PlatformLinks

    async def __call__(self, command: RemindOverdueRequests, context: JobContext) -> dict[str, int]:
        personalisation = {
            **sent_values(command, {"name": "name", "requestsCount": "requests_count"}),
            "helpUrl": help_contact_url(self.links),
            "servicesUrl": link(self.links, "services_url") + "/access-requests",
        }
        return await send_one(
            self.delivery, context, email_to(TEMPLATE, command.email, personalisation)
        )
