"""In-memory ``DeliveryLog`` and ``SyncStateStore``."""

import dataclasses
from dataclasses import dataclass, field
from datetime import UTC, datetime

from adapters.memory.failures import FailsOnDemand
from domain.model import SnapshotOrder, SyncState, SyncStateKey


@dataclass
class InMemoryDeliveryLog:
    """A set of delivered keys."""

    delivered: set[str] = field(default_factory=set)

    async def was_delivered(self, key: str) -> bool:
        return key in self.delivered

    async def record_delivered(self, key: str) -> None:
        self.delivered.add(key)


@dataclass
class InMemorySyncStateStore(FailsOnDemand):
    """A dict of ``SyncState`` by normalised key; ``fail_with`` makes every call raise it."""

    rows: dict[SyncStateKey, SyncState] = field(default_factory=dict)

    async def read(self, key: SyncStateKey) -> SyncState:
        self._fail_if_asked()
        return self.rows.get(key.normalised(), SyncState())

    async def record_sent(
        self, key: SyncStateKey, action: str, snapshot: SnapshotOrder | None
    ) -> None:
        self._fail_if_asked()
        state = self.rows.get(key.normalised(), SyncState())
        applied = state.applied
        if snapshot is not None and (applied is None or snapshot > applied):
            applied = snapshot
        self.rows[key.normalised()] = SyncState(last_action=action, applied=applied)

    async def record_failure(self, key: SyncStateKey, reason: str, job: str) -> None:
        self._fail_if_asked()
        state = self.rows.get(key.normalised(), SyncState())
        self.rows[key.normalised()] = dataclasses.replace(
            state,
            last_failure=reason,
            failed_job=job,
            failed_at=datetime.now(UTC).replace(tzinfo=None),
        )

    def last_action(self, key: SyncStateKey) -> str | None:
        """For tests: the action recorded for ``key``."""
        return self.rows.get(key.normalised(), SyncState()).last_action
