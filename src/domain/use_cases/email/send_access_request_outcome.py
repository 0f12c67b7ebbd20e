"""``accessrequest_v1`` (docs/email-jobs.md#accessrequest_v1): tell a user whether they may join an
organisation."""

from dataclasses import dataclass
from typing import Any

from domain.model import JobContext, PlatformLinks
from domain.use_cases.email.delivery import EmailDelivery
from domain.use_cases.email.fields import Recipient, WirePayload, reason_text, sent_values
from domain.use_cases.email.sending import email_to, help_contact_url, link, send_one

APPROVED_TEMPLATE = "userRequestForOrganisationAccessApproved"
REJECTED_TEMPLATE = "userRequestForOrganisationAccessRejected"
PLAIN_TEXT_KEYS = ("orgName", "name", "reason")


class SendAccessRequestOutcome(WirePayload):
    """Payload of ``NotificationClient.sendAccessRequest``.

    ``approved`` is any JSON value: only the boolean ``true`` means approved (the original's
    ``=== true``; the string ``"true"`` is a rejection). A non-string ``reason`` is refused.
    """

    email: Recipient
    name: str | None = None
    org_name: str | None = None
    approved: Any = None
    reason: str | None = None


@dataclass(frozen=True, kw_only=True)
class SendAccessRequestOutcomeUseCase:
    """One e-mail to the requester: approved or rejected, with the reason when rejected."""

    template_keys = frozenset({APPROVED_TEMPLATE, REJECTED_TEMPLATE})

    delivery: EmailDelivery
    links: PlatformLinks

    async def __call__(
        self, command: SendAccessRequestOutcome, context: JobContext
    ) -> dict[str, int]:
        approved = command.approved is True
        reason = reason_text(command.reason, approved=approved)
        personalisation = {
            **sent_values(command, {"orgName": "org_name", "name": "name"}),
            "showReasonHeader": reason != "",
            "reason": reason,
            "servicesUrl": link(self.links, "services_url"),
            "helpUrl": help_contact_url(self.links),
        }
        template = APPROVED_TEMPLATE if approved else REJECTED_TEMPLATE
        message = email_to(template, command.email, personalisation, PLAIN_TEXT_KEYS)
        return await send_one(self.delivery, context, message)
