"""``sub_service_request_to_approvers`` (docs/email-jobs.md#sub_service_request_to_approvers): ask
approvers to grant extra roles.

Every active approver of the organisation is e-mailed, one slot per approver. With no active
approver the request goes to the support desk instead of vanishing (docs/original-bugs.md#item-31).
"""

from dataclasses import dataclass
from typing import Any

from domain.model import JobContext, PlatformLinks
from domain.use_cases.approvers.emails import no_approver_message
from domain.use_cases.approvers.request import ApproverRequestSender
from domain.use_cases.email.fields import RequiredText, WirePayload, roles_or_default, sent_values
from domain.use_cases.email.sending import help_contact_url

TEMPLATE = "userRequestToApproverForSubServiceAccess"


class AskApproversForSubServiceAccess(WirePayload):
    """Payload of ``sendSubServiceRequestToApprovers(senderFirstName, senderLastName,
    senderEmail, orgId, orgName, serviceName, requestedSubServices, rejectUrl, approveUrl,
    helpUrl)``. The URLs are complete links built by the services app, passed on unchanged."""

    org_id: RequiredText
    sender_first_name: str | None = None
    sender_last_name: str | None = None
    sender_email: str | None = None
    org_name: str | None = None
    service_name: str | None = None
    requested_sub_services: list[str] | None = None
    approve_url: str | None = None
    reject_url: str | None = None
    help_url: str | None = None

    def sender_name(self) -> str:
        """First and last name; a missing part is left out (the original wrote ``undefined``)."""
        return " ".join(part for part in (self.sender_first_name, self.sender_last_name) if part)


@dataclass(frozen=True, kw_only=True)
class AskApproversForSubServiceAccessUseCase:
    """One e-mail per active approver, or one support request when there is none."""

    template_keys = frozenset({TEMPLATE})

    sender: ApproverRequestSender
    links: PlatformLinks

    async def __call__(
        self, command: AskApproversForSubServiceAccess, context: JobContext
    ) -> dict[str, int]:
        return await self.sender.send(
            context,
            organisation_id=command.org_id,
            template=TEMPLATE,
            personalisation=lambda: self._personalisation(command),
            support_request={
                "name": command.sender_name() or None,
                "email": command.sender_email,
                "orgName": command.org_name,
                "service": command.service_name,
                "message": no_approver_message(
                    "Role",
                    command.service_name,
                    command.org_name,
                    command.requested_sub_services,
                ),
            },
        )

    def _personalisation(self, command: AskApproversForSubServiceAccess) -> dict[str, Any]:
        return {
            **sent_values(
                command,
                {
                    "orgName": "org_name",
                    "serviceName": "service_name",
                    "approveUrl": "approve_url",
                    "rejectUrl": "reject_url",
                    "helpUrl": "help_url",
                },
            ),
            "senderName": command.sender_name(),
            "requestedSubServices": roles_or_default(command.requested_sub_services),
            "contactUsUrl": help_contact_url(self.links),
        }
