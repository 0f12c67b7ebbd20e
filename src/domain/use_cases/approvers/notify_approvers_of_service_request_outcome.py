"""``service_request_outcome_to_approvers`` (catalogue §2.16): tell the other approvers that a
service request was approved or rejected."""

from domain.model import JobContext
from domain.use_cases.approvers.outcome import (
    SERVICE_OUTCOME_FIELDS,
    OutcomeToApprovers,
    OutcomeToApproversSender,
)
from domain.use_cases.email.fields import sent_values

APPROVED_TEMPLATE = "userRequestForServiceApprovedToApprovers"
REJECTED_TEMPLATE = "userRequestForServiceRejectedToApprovers"


class NotifyApproversOfServiceRequestOutcome(OutcomeToApprovers):
    """Payload of ``sendServiceRequestOutcomeToApprovers`` as the handler reads it."""

    requested_service_name: str | None = None


class NotifyApproversOfServiceRequestOutcomeUseCase:
    """One e-mail per other active approver naming the service and roles decided."""

    template_keys = frozenset({APPROVED_TEMPLATE, REJECTED_TEMPLATE})

    def __init__(self, *, sender: OutcomeToApproversSender) -> None:
        self._sender = sender

    async def __call__(
        self, command: NotifyApproversOfServiceRequestOutcome, context: JobContext
    ) -> dict[str, int]:
        return await self._sender.send(
            command,
            context,
            approved_template=APPROVED_TEMPLATE,
            rejected_template=REJECTED_TEMPLATE,
            passed_on=sent_values(
                command,
                {**SERVICE_OUTCOME_FIELDS, "requestedServiceName": "requested_service_name"},
            ),
        )
