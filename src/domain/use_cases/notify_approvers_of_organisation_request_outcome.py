"""``organisation_request_outcome_to_approvers`` (catalogue §2.5): tell the other approvers.

When an approver decides an organisation request, the organisation's other active approvers
are told. The acting approver is left out whatever the case of the ids; nobody left means no
e-mail and success (§6 item 30). Each approver is a delivery slot by user id, so a retry only
e-mails those not reached yet.

Producers drifted (Appendix A.3): newer ones send ``organisationId``, ``email`` and ``name``
where the handler read ``orgId``, ``endUserEmail`` and ``endUserName``; both are accepted.
"""

from typing import Any

import structlog
from pydantic import AliasChoices, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from domain.model import EmailMessage, JobContext, JsonObject, PlatformLinks
from domain.use_cases.approvers import active_approvers
from domain.use_cases.email_delivery import DeliveryReport, EmailDelivery
from domain.use_cases.email_fields import RequiredText, plain_text, reason_text, sent_values
from domain.use_cases.settings_required import link
from ports.directories import OrganisationDirectory, UserDirectory

log = structlog.get_logger(__name__)

APPROVED_TEMPLATE = "userRequestForOrganisationAccessApprovedToApprovers"
REJECTED_TEMPLATE = "userRequestForOrganisationAccessRejectedToApprovers"


class NotifyApproversOfOrganisationRequestOutcome(BaseModel):
    """Payload of ``sendOrganisationRequestOutcomeToApprovers`` (either generation)."""

    model_config = ConfigDict(frozen=True, extra="ignore", alias_generator=to_camel)

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


class NotifyApproversOfOrganisationRequestOutcomeUseCase:
    """One e-mail per other active approver, saying the request was approved or rejected."""

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

    async def __call__(
        self, command: NotifyApproversOfOrganisationRequestOutcome, context: JobContext
    ) -> dict[str, int]:
        approvers = await active_approvers(
            command.org_id,
            organisations=self._organisations,
            users=self._users,
            excluding_user_id=command.approver_user_id,
        )
        if not approvers:
            return DeliveryReport(sent=0, skipped=0).as_result()
        approved = command.approved is True
        reason = reason_text(command.reason, approved=approved)
        shared = {
            **sent_values(
                command,
                {
                    "endUserName": "end_user_name",
                    "endUserEmail": "end_user_email",
                    "orgName": "org_name",
                },
            ),
            "showReasonHeader": reason != "",
            "reason": reason,
            "helpUrl": link(self._links, "help_url") + "/contact-us",
        }
        template = APPROVED_TEMPLATE if approved else REJECTED_TEMPLATE
        messages = [
            (str(approver["sub"]).lower(), _message(template, approver, shared))
            for approver in approvers
            if _has_email(approver)
        ]
        report = await self._delivery.send_all(context, messages)
        return report.as_result()


def _has_email(approver: JsonObject) -> bool:
    if approver.get("email"):
        return True
    log.warning("approver_without_email_skipped", user_id=approver.get("sub"))
    return False


def _message(template: str, approver: JsonObject, shared: dict[str, Any]) -> EmailMessage:
    personalisation = {
        **{
            key: approver[field]
            for key, field in (
                ("approverFirstName", "given_name"),
                ("approverLastName", "family_name"),
            )
            if field in approver
        },
        **shared,
    }
    return EmailMessage(
        template_key=template,
        recipient=str(approver["email"]),
        personalisation=personalisation,
        plain_text_fields=plain_text(
            personalisation,
            "approverFirstName",
            "approverLastName",
            "endUserName",
            "orgName",
            "reason",
        ),
    )
