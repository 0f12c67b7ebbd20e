"""``organisation_request_outcome_to_approvers`` (catalogue §2.5): tell the other approvers.

When an approver decides an organisation request, the organisation's other active approvers
are told, through the same sender as §2.16 and §2.20. Unlike those, the payload carries no
roles, so ``requestedSubServices`` is neither read nor passed on.
"""

from typing import Any

from domain.model import JobContext
from domain.use_cases.approvers.outcome import (
    OUTCOME_FIELDS,
    ApproverOutcome,
    OutcomeToApproversSender,
)
from domain.use_cases.email.fields import sent_values

APPROVED_TEMPLATE = "userRequestForOrganisationAccessApprovedToApprovers"
REJECTED_TEMPLATE = "userRequestForOrganisationAccessRejectedToApprovers"
PLAIN_TEXT_KEYS = ("approverFirstName", "approverLastName", "endUserName", "orgName", "reason")


class NotifyApproversOfOrganisationRequestOutcome(ApproverOutcome):
    """Payload of ``sendOrganisationRequestOutcomeToApprovers`` (either generation)."""

    approved: Any = None
    reason: str | None = None


class NotifyApproversOfOrganisationRequestOutcomeUseCase:
    """One e-mail per other active approver, saying the request was approved or rejected."""

    template_keys = frozenset({APPROVED_TEMPLATE, REJECTED_TEMPLATE})

    def __init__(self, *, sender: OutcomeToApproversSender) -> None:
        self._sender = sender

    async def __call__(
        self, command: NotifyApproversOfOrganisationRequestOutcome, context: JobContext
    ) -> dict[str, int]:
        return await self._sender.send(
            command,
            context,
            approved_template=APPROVED_TEMPLATE,
            rejected_template=REJECTED_TEMPLATE,
            passed_on=sent_values(command, OUTCOME_FIELDS),
            plain_text_keys=PLAIN_TEXT_KEYS,
        )
