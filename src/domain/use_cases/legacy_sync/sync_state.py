"""CREATE or UPDATE from what was last sent, never an older snapshot after a newer one.

No row, or an empty ``last_action_sent`` → CREATE; otherwise UPDATE
(docs/legacy-sync.md#create-or-update). A failed send leaves the action as it was, so the next
message is CREATE again.

A push carries the place of its snapshot in production order (``SnapshotOrder``, stamped by
the fan-out). A push older than the newest snapshot the legacy service was already sent is
skipped: a retried push (up to 6 hours of retries) or one fanned out late never rolls an entity
back. That very snapshot again (a duplicate push job) is skipped too: each snapshot is applied
at most once. The store only ever raises the recorded order, so a push that raced past the
check still cannot lower it. A push without an order (enqueued by the Node fan-out during a
cut-over) is sent as the original did and leaves the recorded order alone.

A delivery record per job (``DeliveryLog``) stops a retry from sending again once the legacy
service accepted the job's message; the retry only writes the state the earlier attempt could
not. A worker dying during the SOAP call itself can still repeat a message (a SOAP service
cannot be asked what it received). Every failed send is recorded against the entity, so
``dsi-jobs sync-state list --failing`` shows entities stuck behind a failure.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import structlog

from domain.errors import WorkerError
from domain.model import (
    Application,
    JobContext,
    LegacyMessage,
    SnapshotOrder,
    SyncState,
    SyncStateKey,
)
from domain.personal_data import redact_text
from domain.use_cases.legacy_sync.wire import WireModel
from ports.legacy_service import LegacyWebService
from ports.state_store import DeliveryLog, SyncStateStore

log = structlog.get_logger(__name__)

CREATE = "CREATE"
UPDATE = "UPDATE"
STALE = "stale"
"""The ``skipped`` value of a push result, and the job outcome label counted in metrics."""
FAILURE_REASON_MAX = 300


class SnapshotOrderStamp(WireModel):
    """``snapshotOrder`` of a push job: ``{"producedAt": <ms>, "sequence": <job id>}``."""

    producedAt: int
    sequence: int = 0

    @classmethod
    def of(cls, order: SnapshotOrder) -> dict[str, int]:
        return {"producedAt": order.produced_at_ms, "sequence": order.sequence}

    def order(self) -> SnapshotOrder:
        return SnapshotOrder(self.producedAt, self.sequence)


class PushJob(WireModel):
    """What every push job carries beside its entity: the original's ``applicationId`` (not
    used to route, as in the original) and this service's ``snapshotOrder``."""

    applicationId: str | None = None
    snapshotOrder: SnapshotOrderStamp | None = None

    def snapshot(self) -> SnapshotOrder | None:
        return None if self.snapshotOrder is None else self.snapshotOrder.order()


@dataclass(frozen=True)
class Push:
    """One provisioning message for one entity, with where its snapshot stands and the ids that
    name the entity in log lines (never personal data)."""

    operation: str
    fields: Mapping[str, Any]
    key: SyncStateKey
    snapshot: SnapshotOrder | None
    names: Mapping[str, Any]


def push_result(action: str | None, applied: SnapshotOrder | None = None) -> dict[str, Any]:
    """The job's return value: the action sent, or why nothing was sent."""
    if action is not None:
        return {"action": action}
    newer = None if applied is None else SnapshotOrderStamp.of(applied)
    return {"skipped": STALE, "applied": newer}


async def send_with_state(
    *,
    application: Application,
    push: Push,
    context: JobContext,
    legacy_service: LegacyWebService,
    sync_state: SyncStateStore,
    delivery_log: DeliveryLog,
) -> dict[str, Any]:
    """Send ``push`` with the action the state calls for, once per job, unless a newer snapshot
    was already applied; return the job's result (``push_result``)."""
    state = await sync_state.read(push.key)
    applied = state.applied
    if push.snapshot is not None and applied is not None and _superseded(push.snapshot, state):
        log.info(
            "legacy_push_skipped_stale",
            application_id=application.id,
            kind=push.key.kind,
            produced_at_ms=push.snapshot.produced_at_ms,
            applied_produced_at_ms=applied.produced_at_ms,
        )
        return push_result(None, applied)
    delivery_key = context.reference(application.id)
    if await delivery_log.was_delivered(delivery_key):  # accepted earlier; state not written
        action = state.last_action or CREATE
        await sync_state.record_sent(push.key, action, push.snapshot)
        return push_result(action)
    action = UPDATE if state.last_action else CREATE
    message = LegacyMessage(push.operation, action, dict(push.fields))
    try:
        await legacy_service.provision(application, message)
    except Exception as error:
        await _record_failure(sync_state, push.key, error, context)
        raise
    await delivery_log.record_delivered(delivery_key)
    await sync_state.record_sent(push.key, action, push.snapshot)
    return push_result(action)


def _superseded(snapshot: SnapshotOrder, state: SyncState) -> bool:
    """Older than the snapshot applied, or that very snapshot again (a duplicate push job) while
    the legacy service still has it (an entity marked new takes it again)."""
    applied = state.applied
    if applied is None:
        return False
    return snapshot < applied or (snapshot == applied and bool(state.last_action))


async def _record_failure(
    sync_state: SyncStateStore, key: SyncStateKey, error: Exception, context: JobContext
) -> None:
    """Remember the failure against the entity; a store that is down too does not hide the
    push's own error."""
    reason = (
        redact_text(str(error), limit=FAILURE_REASON_MAX) if isinstance(error, WorkerError) else ""
    )
    reason = f"{type(error).__name__}: {reason}" if reason else type(error).__name__
    try:
        await sync_state.record_failure(
            key, reason[:FAILURE_REASON_MAX], f"{context.queue}:{context.job_id}"
        )
    except WorkerError as failure:
        log.warning("legacy_push_failure_not_recorded", error_type=type(failure).__name__)
