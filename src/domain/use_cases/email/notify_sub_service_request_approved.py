"""``sub_service_request_approved`` (docs/email-jobs.md#sub_service_request_approved): tell a user
their role request was approved."""

from dataclasses import dataclass

from domain.model import JobContext, PlatformLinks
from domain.use_cases.email.delivery import EmailDelivery
from domain.use_cases.email.fields import (
    SERVICE_DECISION_FIELDS,
    Permission,
    ServiceDecisionPayload,
    permission_name,
    sent_values,
)
from domain.use_cases.email.sending import email_to, help_contact_url, link, send_one

TEMPLATE = "userRequestsForSubServicesApproved"


class NotifySubServiceRequestApproved(ServiceDecisionPayload):
    """Payload of ``sendSubServiceRequestApproved(email, firstName, lastName, orgName,
    serviceName, requestedSubServices, permission = {})``."""

    permission: Permission | None = None


@dataclass(frozen=True, kw_only=True)
class NotifySubServiceRequestApprovedUseCase:
    """One e-mail to the user listing the roles granted."""

    template_keys = frozenset({TEMPLATE})

    delivery: EmailDelivery
    links: PlatformLinks

    async def __call__(
        self, command: NotifySubServiceRequestApproved, context: JobContext
    ) -> dict[str, int]:
        personalisation = {
            **sent_values(command, SERVICE_DECISION_FIELDS),
            "permissionName": permission_name(command.permission),
            "signInUrl": link(self.links, "services_url") + "/my-services",
            "helpUrl": help_contact_url(self.links),
        }
        return await send_one(
            self.delivery, context, email_to(TEMPLATE, command.email, personalisation)
        )
