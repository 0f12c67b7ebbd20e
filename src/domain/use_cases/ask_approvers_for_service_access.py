"""``servicerequest_to_approvers_v2`` (catalogue §2.15): ask approvers to decide a service request.

Every active approver of the organisation is e-mailed, one slot per approver. With no active
approver the request goes to the support desk instead of vanishing (§6 item 31).
"""

from domain.model import EmailMessage, JobContext, JsonObject
from domain.use_cases.approver_emails import (
    approver_messages,
    approver_names,
    escalate_to_support,
    no_approver_message,
)
from domain.use_cases.approvers import active_approvers
from domain.use_cases.email_delivery import EmailDelivery
from domain.use_cases.email_fields import RequiredText, sent_values
from domain.use_cases.service_emails import WirePayload, email_to, roles_or_default
from ports.directories import OrganisationDirectory, UserDirectory
from ports.job_publisher import JobPublisher
from ports.state_store import DeliveryLog

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


class AskApproversForServiceAccessUseCase:
    """One e-mail per active approver, or one support request when there is none."""

    def __init__(
        self,
        *,
        delivery: EmailDelivery,
        organisations: OrganisationDirectory,
        users: UserDirectory,
        publisher: JobPublisher,
        delivery_log: DeliveryLog,
    ) -> None:
        self._delivery = delivery
        self._organisations = organisations
        self._users = users
        self._publisher = publisher
        self._delivery_log = delivery_log

    async def __call__(
        self, command: AskApproversForServiceAccess, context: JobContext
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

        def build(approver: JsonObject) -> EmailMessage:
            personalisation = {
                **approver_names(approver, first="firstName", last="lastName"),
                **shared,
            }
            return email_to(TEMPLATE, str(approver["email"]), personalisation)

        report = await self._delivery.send_all(context, approver_messages(approvers, build))
        return report.as_result()

    async def _escalate(self, command: AskApproversForServiceAccess, context: JobContext) -> bool:
        return await escalate_to_support(
            context,
            organisation_id=command.org_id,
            request={
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
            organisations=self._organisations,
            publisher=self._publisher,
            delivery_log=self._delivery_log,
        )
