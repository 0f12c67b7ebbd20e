"""Ports: what this service remembers between jobs."""

from typing import Protocol

from domain.model import SnapshotOrder, SyncState, SyncStateKey


class DeliveryLog(Protocol):
    """Per-job, per-target records of effects already done, so a retried job does not repeat them.

    Keys come from ``JobContext.reference`` and hold no personal data. Records live at least as
    long as a job can be retried or redelivered. Raises ``UpstreamUnavailable`` when unreachable.
    """

    async def was_delivered(self, key: str) -> bool:
        """True when the effect named by ``key`` already happened."""
        ...

    async def record_delivered(self, key: str) -> None:
        """Remember that the effect named by ``key`` happened."""
        ...


class SyncStateStore(Protocol):
    """The legacy-sync state: per service and entity, the last action sent (the original's
    ``last_action_sent``), the newest snapshot applied and the last failed push.

    Raises ``UpstreamUnavailable`` when the database cannot be reached.
    """

    async def read(self, key: SyncStateKey) -> SyncState:
        """What is known of ``key`` (an empty ``SyncState`` when nothing was ever sent)."""
        ...

    async def record_sent(
        self, key: SyncStateKey, action: str, snapshot: SnapshotOrder | None
    ) -> None:
        """The legacy service accepted ``action`` for ``key``: store it, clear the failure, and
        raise the newest snapshot applied to ``snapshot`` (never lower it)."""
        ...

    async def record_failure(self, key: SyncStateKey, reason: str, job: str) -> None:
        """A push for ``key`` failed: remember why (no personal data) and which job."""
        ...
