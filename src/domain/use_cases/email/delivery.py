"""Send a job's e-mails at most once per recipient, even when the job is retried or redelivered.

Every e-mail job sends through ``EmailDelivery``: it checks the template keys before the first
send (so a missing template sends nothing), skips recipients already e-mailed by an earlier
attempt of the same job, and records each delivery right after Notify accepts it. An attempt
that died between Notify accepting and the record being written leaves no record: for
redelivered jobs Notify itself is asked whether the message's ``reference`` was accepted.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from domain.model import EmailMessage, JobContext
from ports.email import EmailSender
from ports.state_store import DeliveryLog


@runtime_checkable
class SendsEmail(Protocol):
    """A use case that e-mails names every template key it may send, so a deployment whose
    template map lacks one is refused at start-up rather than failing jobs later."""

    @property
    def template_keys(self) -> frozenset[str]: ...


@dataclass(frozen=True)
class DeliveryReport:
    """What one job did: JSON-serialisable, stored by BullMQ as the job's return value."""

    sent: int
    skipped: int

    def as_result(self) -> dict[str, int]:
        return {"sent": self.sent, "skipped": self.skipped}


@dataclass(frozen=True, kw_only=True)
class EmailDelivery:
    """Idempotent sending for one job: keys are ``<queue>:<job id>:<slot>``, no personal data."""

    email: EmailSender
    delivery_log: DeliveryLog

    def require_templates(self, template_keys: Iterable[str]) -> None:
        """Raise ``TemplateNotConfigured`` unless every key maps to a template."""
        self.email.require_templates(template_keys)

    async def send_all(
        self, context: JobContext, messages: Sequence[tuple[str, EmailMessage]]
    ) -> DeliveryReport:
        """Send ``(slot, message)`` pairs in order; ``slot`` names the recipient within the job
        (an index or a user id, never an e-mail address). Already-delivered slots are skipped."""
        self.require_templates({message.template_key for _, message in messages})
        sent = skipped = 0
        for slot, message in messages:
            key = context.reference(slot)
            if await self.delivery_log.was_delivered(key) or (
                context.redelivered and await self.email.was_sent(key)
            ):
                await self.delivery_log.record_delivered(key)
                skipped += 1
                continue
            await self.email.send(_with_reference(message, key))
            await self.delivery_log.record_delivered(key)
            sent += 1
        return DeliveryReport(sent=sent, skipped=skipped)


def _with_reference(message: EmailMessage, reference: str) -> EmailMessage:
    if message.reference is not None:
        return message
    return EmailMessage(
        template_key=message.template_key,
        recipient=message.recipient,
        personalisation=message.personalisation,
        reference=reference,
        plain_text_fields=message.plain_text_fields,
    )
