"""``servicerequest_to_approvers_v2`` (docs/email-jobs.md#servicerequest_to_approvers_v2): ask
approvers to decide a service request.

Every active approver of the organisation is e-mailed, one slot per approver. With no active
approver the request goes to the support desk instead of vanishing (docs/original-bugs.md#item-31).
"""

from dataclasses import dataclass
from typing import Any

from domain.model import JobContext
from domain.use_cases.approvers.emails import no_approver_message
from domain.use_cases.approvers.request import ApproverRequestSender
from domain.use_cases.email.fields import RequiredText, WirePayload, roles_or_default, sent_values

TEMPLATE = "userRequestToApproverForServiceAccess"


class AskApproversForServiceAccess(WirePayload):
    """Payload of ``sendServiceRequestToApprovers(senderName, senderEmail, orgId, orgName,
    requestedServiceName, requestedSubServices, rejectServiceUrl, approveServiceUrl, helpUrl)``.

    The URLs are complete links built by the services app and are passed on unchanged.
    """

    org_id: RequiredText
    sender_name: str | None = None
    sender_email: str | None = None
    org_name: str | None = None
    requested_service_name: str | None = None
    requested_sub_services: list[str] | None = None
    approve_service_url: str | None = None
    reject_service_url: str | None = None
    help_url: str | None = None


@dataclass(frozen=True, kw_only=True)
class AskApproversForServiceAccessUseCase:
    """One e-mail per active approver, or one support request when there is none."""

    template_keys = frozenset({TEMPLATE})

    sender: ApproverRequestSender

    async def __call__(
        self, command: AskApproversForServiceAccess, context: JobContext
    ) -> dict[str, int]:
        return await self.sender.send(
            context,
            organisation_id=command.org_id,
            template=TEMPLATE,
            personalisation=lambda: _personalisation(command),
            support_request={
                "name": command.sender_name,
                "email": command.sender_email,
                "orgName": command.org_name,
                "service": command.requested_service_name,
                "message": no_approver_message(
                    "Service access",
                    command.requested_service_name,
                    command.org_name,
                    command.requested_sub_services,
                ),
            },
        )


def _personalisation(command: AskApproversForServiceAccess) -> dict[str, Any]:
    return {
        **sent_values(
            command,
            {
                "orgName": "org_name",
                "senderName": "sender_name",
                "senderEmail": "sender_email",
                "requestedServiceName": "requested_service_name",
                "approveServiceUrl": "approve_service_url",
                "rejectServiceUrl": "reject_service_url",
                "helpUrl": "help_url",
            },
        ),
        "requestedSubServices": roles_or_default(command.requested_sub_services),
    }
