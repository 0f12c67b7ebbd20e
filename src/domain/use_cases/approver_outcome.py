"""Tell an organisation's other approvers how a request was decided (catalogue §2.16, §2.20).

Same algorithm as §2.5: the organisation's active approvers minus the one who acted (compared
case-insensitively), each e-mailed once, keyed by user id so a retry reaches only those not yet
told. Nobody left means no e-mail and success (§6 item 30).

Producers drifted (Appendix A.3, §6 item 37): newer ones send ``organisationId``, ``email`` and
``name`` where the handlers read ``orgId``, ``endUserEmail`` and ``endUserName``; both are
accepted, the handler's names first.
"""

from collections.abc import Mapping
from typing import Any

from pydantic import AliasChoices, Field

from domain.model import EmailMessage, JobContext, JsonObject, PlatformLinks
from domain.use_cases.approver_emails import approver_messages, approver_names
from domain.use_cases.approvers import active_approvers
from domain.use_cases.email_delivery import DeliveryReport, EmailDelivery
from domain.use_cases.email_fields import RequiredText, reason_text, sent_values
from domain.use_cases.service_emails import WirePayload, email_to, help_contact_url
from ports.directories import OrganisationDirectory, UserDirectory


class OutcomeToApprovers(WirePayload):
    """Fields every ``*_outcome_to_approvers`` payload has.

    ``approved`` is any JSON value: only the boolean ``true`` means approved (the original's
    ``=== true``). ``approverUserId`` is required: without it the actor would be told too.
    """

    org_id: RequiredText = Field(validation_alias=AliasChoices("orgId", "organisationId"))
    approver_user_id: RequiredText
    end_user_name: str | None = Field(
        default=None, validation_alias=AliasChoices("endUserName", "name")
    )
    end_user_email: str | None = Field(
        default=None, validation_alias=AliasChoices("endUserEmail", "email")
    )
    org_name: str | None = None
    requested_sub_services: list[str] | None = None
    approved: Any = None
    reason: str | None = None


OUTCOME_FIELDS = {
    "endUserName": "end_user_name",
    "endUserEmail": "end_user_email",
    "orgName": "org_name",
    "requestedSubServices": "requested_sub_services",
}
"""Personalisation key → field of ``OutcomeToApprovers``, passed on as sent."""


class OutcomeToApproversSender:
    """Sends one job's outcome e-mails; the job modules choose templates and extra fields."""

    def __init__(
        self,
        *,
        delivery: EmailDelivery,
        links: PlatformLinks,
        organisations: OrganisationDirectory,
        users: UserDirectory,
    ) -> None:
        self._delivery = delivery
        self._links = links
        self._organisations = organisations
        self._users = users

    async def send(
        self,
        command: OutcomeToApprovers,
        context: JobContext,
        *,
        approved_template: str,
        rejected_template: str,
        details: Mapping[str, Any],
    ) -> dict[str, int]:
        """E-mail the other active approvers; ``details`` adds the job's own personalisation."""
        approvers = await active_approvers(
            command.org_id,
            organisations=self._organisations,
            users=self._users,
            excluding_user_id=command.approver_user_id,
        )
        if not approvers:
            return DeliveryReport(sent=0, skipped=0).as_result()
        approved = command.approved is True
        template = approved_template if approved else rejected_template
        reason = reason_text(command.reason, approved=approved)
        shared = {
            **sent_values(command, OUTCOME_FIELDS),
            **details,
            "showReasonHeader": reason != "",
            "reason": reason,
            "helpUrl": help_contact_url(self._links),
        }

        def build(approver: JsonObject) -> EmailMessage:
            personalisation = {
                **approver_names(approver, first="approverFirstName", last="approverLastName"),
                **shared,
            }
            return email_to(template, str(approver["email"]), personalisation)

        report = await self._delivery.send_all(context, approver_messages(approvers, build))
        return report.as_result()
