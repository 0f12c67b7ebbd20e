"""Each queue as operators see it during the cut-over: its jobs, who consumes it, and whether
jobs wait with nobody to take them. One reading for ``dsi-jobs status``, the dashboard and
``/metrics``, so the three always agree."""

import asyncio
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from adapters.redis_queue.consumers import Consumer
from entrypoints.queue_selection import QueueSelection

CONSUMER_KINDS = ("dsi-jobs", "node", "python")


class CountReader(Protocol):
    async def counts(self, queue: str) -> dict[str, int]: ...


class ConsumerReader(Protocol):
    async def by_queue(self) -> dict[str, list[Consumer]] | None: ...


@dataclass(frozen=True)
class QueueScope:
    """What one worker process knows about queues: its selection, the queues it consumes now,
    and every queue it knows of (the fixed ones and the per-application ones discovered,
    consumed here or not)."""

    selection: QueueSelection
    consumed: Callable[[], list[str]]
    known: Callable[[], list[str]]

    def consumes(self, queue: str) -> bool:
        return queue in self.consumed()


@dataclass(frozen=True)
class QueueView:
    """One queue: job counts by state as operators read them (``waiting`` includes prioritized
    and paused jobs), its consumers (``None``: Redis would not say), and whether this process
    (or configuration) consumes it."""

    queue: str
    counts: Mapping[str, int]
    consumers: tuple[Consumer, ...] | None
    consumed_here: bool

    @property
    def pending(self) -> int:
        """Jobs only a consumer can move on: waiting, and delayed (retries, back-off)."""
        return self.counts.get("waiting", 0) + self.counts.get("delayed", 0)

    @property
    def unconsumed(self) -> bool:
        """Jobs pending and no worker attached (never guessed when consumers are unknown)."""
        return self.consumers is not None and not self.consumers and self.pending > 0

    def consumer_counts(self) -> dict[str, int]:
        """Workers attached by kind (``dsi-jobs``, ``node``, ``python``), every kind present."""
        found = Counter(consumer.kind for consumer in self.consumers or ())
        return {kind: found[kind] for kind in CONSUMER_KINDS}

    def consumer_summary(self) -> str:
        """``dsi-jobs 2, node 1``, ``none`` or ``unknown``."""
        if self.consumers is None:
            return "unknown"
        parts = [f"{kind} {count}" for kind, count in self.consumer_counts().items() if count]
        return ", ".join(parts) or "none"


def operator_counts(counts: Mapping[str, int]) -> dict[str, int]:
    """States as operators read them: prioritized and (v5) paused jobs are waiting too."""
    waiting = counts.get("waiting", 0) + counts.get("prioritized", 0) + counts.get("paused", 0)
    return {**counts, "waiting": waiting}


async def queue_views(
    queues: Iterable[str],
    counts: CountReader,
    consumers: ConsumerReader,
    consumed_here: Callable[[str], bool],
    *,
    with_attached: bool = True,
) -> list[QueueView]:
    """Every queue in ``queues`` and, ``with_attached``, every other queue a worker is attached
    to (a Node worker of a queue this service does not know), sorted by name."""
    attached = await consumers.by_queue()
    names = sorted({*queues, *(attached or {})} if with_attached else set(queues))
    found = await asyncio.gather(*(counts.counts(name) for name in names))
    return [
        QueueView(
            queue=name,
            counts=operator_counts(queue_counts),
            consumers=None if attached is None else tuple(attached.get(name, ())),
            consumed_here=consumed_here(name),
        )
        for name, queue_counts in zip(names, found, strict=True)
    ]
