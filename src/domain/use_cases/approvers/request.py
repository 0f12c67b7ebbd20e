"""Ask an organisation's active approvers to decide a request
(docs/email-jobs.md#servicerequest_to_approvers_v2, #sub_service_request_to_approvers).

Every active approver of the organisation is e-mailed, one slot per approver. With no active
approver the request goes to the support desk instead of vanishing (docs/original-bugs.md#item-31).
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from domain.directory import DirectoryUser
from domain.model import EmailMessage, JobContext
from domain.use_cases.approvers.active import active_approvers
from domain.use_cases.approvers.emails import approver_messages, approver_names, escalate_to_support
from domain.use_cases.email.delivery import EmailDelivery
from domain.use_cases.email.sending import email_to
from ports.directories import OrganisationDirectory, UserDirectory
from ports.job_publisher import JobPublisher
from ports.state_store import DeliveryLog


@dataclass(frozen=True, kw_only=True)
class ApproverRequestSender:
    """Sends one job's request e-mails; the job modules choose the template and the fields."""

    delivery: EmailDelivery
    organisations: OrganisationDirectory
    users: UserDirectory
    publisher: JobPublisher
    delivery_log: DeliveryLog

    async def send(
        self,
        context: JobContext,
        *,
        organisation_id: str,
        template: str,
        personalisation: Callable[[], Mapping[str, Any]],
        support_request: Mapping[str, Any],
    ) -> dict[str, int]:
        """E-mail every active approver, or escalate ``support_request`` when there is none.

        ``personalisation`` is built only when there is someone to e-mail, so a setting it needs
        does not stop the escalation.
        """
        approvers = await active_approvers(
            organisation_id, organisations=self.organisations, users=self.users
        )
        if not approvers:
            escalated = await escalate_to_support(
                context,
                organisation_id=organisation_id,
                request=support_request,
                organisations=self.organisations,
                publisher=self.publisher,
                delivery_log=self.delivery_log,
            )
            return {"sent": 0, "skipped": 0, "support_requests": int(escalated)}
        shared = personalisation()

        def build(approver: DirectoryUser) -> EmailMessage:
            names = approver_names(approver, first="firstName", last="lastName")
            return email_to(template, str(approver.email), {**names, **shared})

        report = await self.delivery.send_all(context, approver_messages(approvers, build))
        return report.as_result()
