"""Ask an organisation's active approvers to decide a request
(docs/email-jobs.md#servicerequest_to_approvers_v2, #sub_service_request_to_approvers).

Every active approver of the organisation is e-mailed, one slot per approver. With no active
approver the request goes to the support desk instead of vanishing (docs/original-bugs.md#item-31).
"""

from collections.abc import Callable, Mapping
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


class ApproverRequestSender:
    """Sends one job's request e-mails; the job modules choose the template and the fields."""

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
            organisation_id, organisations=self._organisations, users=self._users
        )
        if not approvers:
            escalated = await escalate_to_support(
                context,
                organisation_id=organisation_id,
                request=support_request,
                organisations=self._organisations,
                publisher=self._publisher,
                delivery_log=self._delivery_log,
            )
            return {"sent": 0, "skipped": 0, "support_requests": int(escalated)}
        shared = personalisation()

        def build(approver: DirectoryUser) -> EmailMessage:
            names = approver_names(approver, first="firstName", last="lastName")
            return email_to(template, str(approver.email), {**names, **shared})

        report = await self._delivery.send_all(context, approver_messages(approvers, build))
        return report.as_result()
