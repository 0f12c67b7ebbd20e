"""The three ``*_outcome_to_approvers`` jobs: tell an organisation's other approvers how a
request was decided (docs/email-jobs.md#organisation_request_outcome_to_approvers,
#service_request_outcome_to_approvers, #sub_service_request_outcome_to_approvers).

One use case for the three jobs, told apart by their ``OutcomeEmails`` (templates and the
payload fields passed on) and their payload models: the organisation's active approvers minus
the one who acted (compared case-insensitively), each e-mailed once, keyed by user id so a
retry reaches only those not yet told. Nobody left means no e-mail and success
(docs/original-bugs.md#item-30).

Producers drifted (docs/email-jobs.md#producer-drift, docs/original-bugs.md#item-37): newer
ones send ``organisationId``, ``email`` and ``name`` where the handlers read ``orgId``,
``endUserEmail`` and ``endUserName``; both are accepted, the handler's names first.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import AliasChoices, Field

from domain.directory import DirectoryUser
from domain.model import EmailMessage, JobContext, PlatformLinks
from domain.use_cases.approvers.active import active_approvers
from domain.use_cases.approvers.emails import approver_messages, approver_names
from domain.use_cases.email.delivery import DeliveryReport, EmailDelivery
from domain.use_cases.email.fields import RequiredText, WirePayload, reason_text, sent_values
from domain.use_cases.email.sending import FREE_TEXT_KEYS, email_to, help_contact_url
from ports.directories import OrganisationDirectory, UserDirectory


class ApproverOutcome(WirePayload):
    """Fields every ``*_outcome_to_approvers`` payload starts with; each job adds its own after.

    ``approverUserId`` is required: without it the actor would be told too. ``approved`` is any
    JSON value: only the boolean ``true`` means approved (the original's ``=== true``).
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
    approved: Any = None
    reason: str | None = None


class NotifyApproversOfOrganisationRequestOutcome(ApproverOutcome):
    """Payload of ``sendOrganisationRequestOutcomeToApprovers`` (either generation): no roles."""


class OutcomeToApprovers(ApproverOutcome):
    """What the service and roles jobs add: the roles requested."""

    requested_sub_services: list[str] | None = None


class NotifyApproversOfServiceRequestOutcome(OutcomeToApprovers):
    """Payload of ``sendServiceRequestOutcomeToApprovers`` as the handler reads it."""

    requested_service_name: str | None = None


class NotifyApproversOfSubServiceRequestOutcome(OutcomeToApprovers):
    """Payload of ``sendSubServiceRequestOutcomeToApprovers`` as the handler reads it."""

    service_name: str | None = None


@dataclass(frozen=True)
class OutcomeEmails:
    """What one job sends: its two templates, the personalisation taken from its payload
    (``{key: field}``, passed on as sent) and its free-text keys in the order it reports them."""

    approved_template: str
    rejected_template: str
    passed_on: Mapping[str, str]
    plain_text_keys: Sequence[str] = FREE_TEXT_KEYS


_PASSED_ON = {
    "endUserName": "end_user_name",
    "endUserEmail": "end_user_email",
    "orgName": "org_name",
}
_ROLES_PASSED_ON = {**_PASSED_ON, "requestedSubServices": "requested_sub_services"}

ORGANISATION_REQUEST_OUTCOME = OutcomeEmails(
    "userRequestForOrganisationAccessApprovedToApprovers",
    "userRequestForOrganisationAccessRejectedToApprovers",
    _PASSED_ON,
    ("approverFirstName", "approverLastName", "endUserName", "orgName", "reason"),
)
SERVICE_REQUEST_OUTCOME = OutcomeEmails(
    "userRequestForServiceApprovedToApprovers",
    "userRequestForServiceRejectedToApprovers",
    {**_ROLES_PASSED_ON, "requestedServiceName": "requested_service_name"},
)
SUB_SERVICE_REQUEST_OUTCOME = OutcomeEmails(
    "userRequestForSubServicesApprovedToApprovers",
    "userRequestForSubServicesRejectedToApprovers",
    {**_ROLES_PASSED_ON, "serviceName": "service_name"},
)


@dataclass(frozen=True, kw_only=True)
class NotifyApproversOfOutcomeUseCase:
    """One e-mail per other active approver, saying the request was approved or rejected."""

    emails: OutcomeEmails
    delivery: EmailDelivery
    links: PlatformLinks
    organisations: OrganisationDirectory
    users: UserDirectory

    @property
    def template_keys(self) -> frozenset[str]:
        return frozenset({self.emails.approved_template, self.emails.rejected_template})

    async def __call__(self, command: ApproverOutcome, context: JobContext) -> dict[str, int]:
        approvers = await active_approvers(
            command.org_id,
            organisations=self.organisations,
            users=self.users,
            excluding_user_id=command.approver_user_id,
        )
        if not approvers:
            return DeliveryReport(sent=0, skipped=0).as_result()
        emails = self.emails
        approved = command.approved is True
        template = emails.approved_template if approved else emails.rejected_template
        reason = reason_text(command.reason, approved=approved)
        shared = {
            **sent_values(command, emails.passed_on),
            "showReasonHeader": reason != "",
            "reason": reason,
            "helpUrl": help_contact_url(self.links),
        }

        def build(approver: DirectoryUser) -> EmailMessage:
            personalisation = {
                **approver_names(approver, first="approverFirstName", last="approverLastName"),
                **shared,
            }
            return email_to(template, str(approver.email), personalisation, emails.plain_text_keys)

        report = await self.delivery.send_all(context, approver_messages(approvers, build))
        return report.as_result()
