"""Tell an organisation's other approvers how a request was decided (catalogue §2.5, §2.16,
§2.20).

One algorithm for the three jobs: the organisation's active approvers minus the one who acted
(compared case-insensitively), each e-mailed once, keyed by user id so a retry reaches only those
not yet told. Nobody left means no e-mail and success (§6 item 30).

Producers drifted (Appendix A.3, §6 item 37): newer ones send ``organisationId``, ``email`` and
``name`` where the handlers read ``orgId``, ``endUserEmail`` and ``endUserName``; both are
accepted, the handler's names first.
"""

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from pydantic import AliasChoices, Field

from domain.model import EmailMessage, JobContext, JsonObject, PlatformLinks
from domain.use_cases.approvers.active import active_approvers
from domain.use_cases.approvers.emails import approver_messages, approver_names
from domain.use_cases.email.delivery import DeliveryReport, EmailDelivery
from domain.use_cases.email.fields import RequiredText, reason_text
from domain.use_cases.email.sending import (
    FREE_TEXT_KEYS,
    WirePayload,
    email_to,
    help_contact_url,
)
from ports.directories import OrganisationDirectory, UserDirectory


class ApproverOutcome(WirePayload):
    """Fields every ``*_outcome_to_approvers`` payload starts with; each job adds its own after.

    ``approverUserId`` is required: without it the actor would be told too.
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


class OutcomeToApprovers(ApproverOutcome):
    """The service and roles jobs' payload (§2.16, §2.20).

    ``approved`` is any JSON value: only the boolean ``true`` means approved (the original's
    ``=== true``).
    """

    requested_sub_services: list[str] | None = None
    approved: Any = None
    reason: str | None = None


class Decision(Protocol):
    """What the sender reads from a job's payload (models are frozen, hence properties)."""

    @property
    def org_id(self) -> str: ...

    @property
    def approver_user_id(self) -> str: ...

    @property
    def approved(self) -> Any: ...

    @property
    def reason(self) -> str | None: ...


OUTCOME_FIELDS = {
    "endUserName": "end_user_name",
    "endUserEmail": "end_user_email",
    "orgName": "org_name",
}
"""Personalisation key → field of ``ApproverOutcome``, passed on as sent."""

SERVICE_OUTCOME_FIELDS = {**OUTCOME_FIELDS, "requestedSubServices": "requested_sub_services"}
"""Personalisation key → field of ``OutcomeToApprovers``, passed on as sent."""


class OutcomeToApproversSender:
    """Sends one job's outcome e-mails; the job modules choose templates and fields."""

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
        command: Decision,
        context: JobContext,
        *,
        approved_template: str,
        rejected_template: str,
        passed_on: Mapping[str, Any],
        plain_text_keys: Sequence[str] = FREE_TEXT_KEYS,
    ) -> dict[str, int]:
        """E-mail the other active approvers.

        ``passed_on`` is the job's personalisation taken from its payload; ``plain_text_keys``
        the free-text keys in the order the job reports them.
        """
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
            **passed_on,
            "showReasonHeader": reason != "",
            "reason": reason,
            "helpUrl": help_contact_url(self._links),
        }

        def build(approver: JsonObject) -> EmailMessage:
            personalisation = {
                **approver_names(approver, first="approverFirstName", last="approverLastName"),
                **shared,
            }
            return email_to(template, str(approver["email"]), personalisation, plain_text_keys)

        report = await self._delivery.send_all(context, approver_messages(approvers, build))
        return report.as_result()
