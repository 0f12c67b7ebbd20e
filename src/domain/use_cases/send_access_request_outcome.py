"""``accessrequest_v1`` (catalogue §2.2): tell a user whether they may join an organisation."""

from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from domain.model import EmailMessage, JobContext, PlatformLinks
from domain.use_cases.email_delivery import EmailDelivery
from domain.use_cases.email_fields import Recipient, plain_text, reason_text, sent_values
from domain.use_cases.settings_required import link

APPROVED_TEMPLATE = "userRequestForOrganisationAccessApproved"
REJECTED_TEMPLATE = "userRequestForOrganisationAccessRejected"


class SendAccessRequestOutcome(BaseModel):
    """Payload of ``NotificationClient.sendAccessRequest``.

    ``approved`` is any JSON value: only the boolean ``true`` means approved (the original's
    ``=== true``; the string ``"true"`` is a rejection). A non-string ``reason`` is refused.
    """

    model_config = ConfigDict(frozen=True, extra="ignore", alias_generator=to_camel)

    email: Recipient
    name: str | None = None
    org_name: str | None = None
    approved: Any = None
    reason: str | None = None


class SendAccessRequestOutcomeUseCase:
    """One e-mail to the requester: approved or rejected, with the reason when rejected."""

    def __init__(self, *, delivery: EmailDelivery, links: PlatformLinks) -> None:
        self._delivery = delivery
        self._links = links

    async def __call__(
        self, command: SendAccessRequestOutcome, context: JobContext
    ) -> dict[str, int]:
        approved = command.approved is True
        reason = reason_text(command.reason, approved=approved)
        personalisation = {
            **sent_values(command, {"orgName": "org_name", "name": "name"}),
            "showReasonHeader": reason != "",
            "reason": reason,
            "servicesUrl": link(self._links, "services_url"),
            "helpUrl": link(self._links, "help_url") + "/contact-us",
        }
        message = EmailMessage(
            template_key=APPROVED_TEMPLATE if approved else REJECTED_TEMPLATE,
            recipient=command.email,
            personalisation=personalisation,
            plain_text_fields=plain_text(personalisation, "orgName", "name", "reason"),
        )
        report = await self._delivery.send_all(context, [("0", message)])
        return report.as_result()
