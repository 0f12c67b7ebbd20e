"""``userservicerejected_v1`` (docs/email-jobs.md#userservicerejected_v1) and
``sub_service_request_rejected`` (docs/email-jobs.md#sub_service_request_rejected): tell a user
their request for a service, or for roles within one, was rejected.

Both jobs behave alike and differ only in template, so one use case serves both.
"""

from dataclasses import dataclass

from domain.model import JobContext, PlatformLinks
from domain.use_cases.email.delivery import EmailDelivery
from domain.use_cases.email.fields import (
    SERVICE_DECISION_FIELDS,
    ServiceDecisionPayload,
    reason_text,
    sent_values,
)
from domain.use_cases.email.sending import email_to, help_contact_url, link, send_one

SERVICE_TEMPLATE = "userRequestForServiceRejected"
SUB_SERVICE_TEMPLATE = "userRequestsForSubServicesRejected"


class NotifyRequestRejected(ServiceDecisionPayload):
    """Payload of ``sendServiceRequestRejected`` / ``sendSubServiceRequestRejected(email,
    firstName, lastName, orgName, serviceName, requestedSubServices, reason)``; a non-string
    ``reason`` is refused."""

    reason: str | None = None


@dataclass(frozen=True, kw_only=True)
class NotifyRequestRejectedUseCase:
    """One e-mail to the user, with the approver's reason when one was given."""

    delivery: EmailDelivery
    links: PlatformLinks
    template_key: str

    @property
    def template_keys(self) -> frozenset[str]:
        return frozenset({self.template_key})

    async def __call__(self, command: NotifyRequestRejected, context: JobContext) -> dict[str, int]:
        reason = reason_text(command.reason)
        personalisation = {
            **sent_values(command, SERVICE_DECISION_FIELDS),
            "reason": reason,
            "showReasonHeader": reason != "",
            "signInUrl": link(self.links, "services_url") + "/my-services",
            "helpUrl": help_contact_url(self.links),
        }
        return await send_one(
            self.delivery, context, email_to(self.template_key, command.email, personalisation)
        )
