"""``sub_service_request_to_approvers`` (catalogue §2.21): ask approvers to grant extra roles.

Every active approver of the organisation is e-mailed, one slot per approver. With no active
approver the request goes to the support desk instead of vanishing (§6 item 31).
"""

from domain.model import EmailMessage, JobContext, JsonObject, PlatformLinks
from domain.use_cases.approver_emails import (
    approver_messages,
    approver_names,
    escalate_to_support,
    no_approver_message,
)
from domain.use_cases.approvers import active_approvers
from domain.use_cases.email_delivery import EmailDelivery
from domain.use_cases.email_fields import RequiredText, sent_values
from domain.use_cases.service_emails import (
    WirePayload,
    email_to,
    help_contact_url,
    roles_or_default,
)
from ports.directories import OrganisationDirectory, UserDirectory
from ports.job_publisher import JobPublisher
from ports.state_store import DeliveryLog

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


class AskApproversForSubServiceAccessUseCase:
    """One e-mail per active approver, or one support request when there is none."""

    def __init__(
        self,
        *,
        delivery: EmailDelivery,
        links: PlatformLinks,
        organisations: OrganisationDirectory,
        users: UserDirectory,
        publisher: JobPublisher,
        delivery_log: DeliveryLog,
    ) -> None:
        self._delivery = delivery
        self._links = links
        self._organisations = organisations
        self._users = users
        self._publisher = publisher
        self._delivery_log = delivery_log

    async def __call__(
        self, command: AskApproversForSubServiceAccess, context: JobContext
    ) -> dict[str, int]:
        approvers = await active_approvers(
            command.org_id, organisations=self._organisations, users=self._users
        )
        if not approvers:
            escalated = await self._escalate(command, context)
            return {"sent": 0, "skipped": 0, "support_requests": int(escalated)}
        shared = {
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
            "contactUsUrl": help_contact_url(self._links),
        }

        def build(approver: JsonObject) -> EmailMessage:
            personalisation = {
                **approver_names(approver, first="firstName", last="lastName"),
                **shared,
            }
            return email_to(TEMPLATE, str(approver["email"]), personalisation)

        report = await self._delivery.send_all(context, approver_messages(approvers, build))
        return report.as_result()

    async def _escalate(
        self, command: AskApproversForSubServiceAccess, context: JobContext
    ) -> bool:
        return await escalate_to_support(
            context,
            organisation_id=command.org_id,
            request={
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
            organisations=self._organisations,
            publisher=self._publisher,
            delivery_log=self._delivery_log,
        )
