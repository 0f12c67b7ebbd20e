"""Ports: what this service remembers between jobs."""

from typing import Protocol

from domain.model import SyncStateKey


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
    """The legacy-sync state of catalogue §4: the last action sent per service and entity.

    Raises ``UpstreamUnavailable`` when the database cannot be reached.
    """

    async def last_action_sent(self, key: SyncStateKey) -> str | None:
        """The last action sent for ``key`` (``None`` when nothing was ever sent)."""
        ...

    async def record_action_sent(self, key: SyncStateKey, action: str) -> None:
        """Upsert the action just sent for ``key``."""
        ...
