"""In-memory ``DeliveryLog`` and ``SyncStateStore``."""

from dataclasses import dataclass, field

from domain.errors import WorkerError
from domain.model import SyncStateKey


@dataclass
class InMemoryDeliveryLog:
    """A set of delivered keys."""

    delivered: set[str] = field(default_factory=set)

    async def was_delivered(self, key: str) -> bool:
        return key in self.delivered

    async def record_delivered(self, key: str) -> None:
        self.delivered.add(key)


@dataclass
class InMemorySyncStateStore:
    """A dict of last actions; ``fail_with`` makes every call raise that error."""

    rows: dict[SyncStateKey, str] = field(default_factory=dict)
    fail_with: WorkerError | None = None

    async def last_action_sent(self, key: SyncStateKey) -> str | None:
        if self.fail_with is not None:
            raise self.fail_with
        return self.rows.get(key.normalised()) or None

    async def record_action_sent(self, key: SyncStateKey, action: str) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        self.rows[key.normalised()] = action
