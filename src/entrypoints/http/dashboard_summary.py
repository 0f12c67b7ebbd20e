"""The front page's facts: is anything wrong, every queue by family, the legacy-sync
subscriptions, the Notify budget. Read concurrently, one small Redis round trip per queue."""

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from adapters.notify.budget import BudgetUsage
from adapters.redis_queue.throughput import MinuteCount
from entrypoints.queue_view import operator_counts
from entrypoints.registry import FAMILIES, queue_family

if TYPE_CHECKING:
    from entrypoints.http.dashboard import DashboardFeeds, QueueOperations
    from entrypoints.worker_set import WorkerSet


@dataclass(frozen=True)
class QueueRow:
    queue: str
    family: str
    counts: Mapping[str, int]
    paused: bool
    consumers: str
    """``this worker``, ``none``, ``dsi-jobs 2, node 1``… or ``unknown``."""
    unconsumed: bool
    """Jobs waiting or delayed and nobody to take them (paused, stopped, or no worker
    attached)."""
    minutes: list[MinuteCount]
    here: bool = True
    """This process consumes the queue (its ``JOBS_QUEUES``/``JOBS_EXCLUDE_QUEUES``)."""


@dataclass(frozen=True)
class Subscription:
    """One application subscribed to legacy sync: its push queues and how they are doing."""

    application: str
    queues: list[tuple[str, int]]
    """Each push queue and its depth (waiting, delayed and active jobs)."""
    last_success_ms: int | None


@dataclass(frozen=True)
class Overview:
    health: str
    """``healthy``, ``workers stopped`` or ``a worker loop is down``."""
    rows: list[QueueRow]
    subscriptions: list[Subscription]
    budget: BudgetUsage | None
    selection: str | None = None
    """What this process consumes (``every queue`` or its patterns), when it has a selection."""

    def total(self, state: str) -> int:
        return sum(row.counts.get(state, 0) for row in self.rows)

    @property
    def unconsumed(self) -> list[str]:
        return [row.queue for row in self.rows if row.unconsumed]

    @property
    def needs_attention(self) -> bool:
        return self.health != "healthy" or bool(self.total("failed") or self.unconsumed)

    def by_family(self) -> list[tuple[str, list[QueueRow]]]:
        return [
            (family, [row for row in self.rows if row.family == family])
            for family in FAMILIES
            if any(row.family == family for row in self.rows)
        ]


def known_queues(workers: "WorkerSet", feeds: "DashboardFeeds") -> list[str]:
    """The queues this worker consumes, plus every other one its scope knows of."""
    if feeds.scope is None:
        return sorted(workers.queues)
    return sorted({*workers.queues, *feeds.scope.known()})


async def overview(
    ops: "QueueOperations", workers: "WorkerSet", feeds: "DashboardFeeds", minutes: int
) -> Overview:
    names = known_queues(workers, feeds)
    attached = await feeds.consumers.by_queue() if feeds.consumers is not None else None
    budget = await feeds.notify_budget.usage() if feeds.notify_budget is not None else None
    running = workers.started and workers.loops_alive()
    rows = await asyncio.gather(
        *(_row(ops, name, minutes, running, attached, feeds.consumers is None) for name in names)
    )
    health = "healthy" if running else "workers stopped"
    if workers.started and not workers.loops_alive():
        health = "a worker loop is down"
    subscriptions = await _subscriptions(ops, feeds.subscriptions, rows)
    consumed = set(workers.queues)
    rows = [replace(row, here=row.queue in consumed) for row in rows]
    selection = feeds.scope.selection.describe() if feeds.scope is not None else None
    return Overview(health, rows, subscriptions, budget, selection)


async def _row(
    ops: "QueueOperations",
    queue: str,
    minutes: int,
    running_here: bool,
    attached: dict[str, list[Any]] | None,
    only_here: bool,
) -> QueueRow:
    counts, paused, chart = await asyncio.gather(
        ops.counts(queue), ops.is_paused(queue), ops.throughput(queue, minutes)
    )
    shown = operator_counts(counts)
    consumers, consumed = _consumers(queue, running_here, attached, only_here)
    pending = shown["waiting"] + shown.get("delayed", 0) > 0
    unconsumed = pending and (paused or consumed is False)
    return QueueRow(queue, queue_family(queue), shown, paused, consumers, unconsumed, chart)


def _consumers(
    queue: str, running_here: bool, attached: dict[str, list[Any]] | None, only_here: bool
) -> tuple[str, bool | None]:
    """What the consumers column says, and whether anyone consumes (``None``: unknown)."""
    if only_here:
        return ("this worker", True) if running_here else ("none (stopped)", False)
    if attached is None:
        return "unknown", None
    found = attached.get(queue, [])
    kinds: dict[str, int] = {}
    for consumer in found:
        kind = str(getattr(consumer, "kind", "worker"))
        kinds[kind] = kinds.get(kind, 0) + 1
    label = ", ".join(f"{kind} {count}" for kind, count in sorted(kinds.items()))
    return label or "none", bool(found)


async def _subscriptions(
    ops: "QueueOperations", names: Callable[[], dict[str, str]], rows: list[QueueRow]
) -> list[Subscription]:
    by_queue = {row.queue: row for row in rows}
    applications: dict[str, list[str]] = {}
    for queue, application in sorted(names().items()):
        applications.setdefault(application, []).append(queue)
    found = []
    for application, queues in sorted(applications.items()):
        last = await asyncio.gather(*(ops.last_success_ms(queue) for queue in queues))
        depths = [(queue, _depth(by_queue.get(queue))) for queue in queues]
        found.append(Subscription(application, depths, max(filter(None, last), default=None)))
    return found


def _depth(row: QueueRow | None) -> int:
    if row is None:
        return 0
    return sum(row.counts.get(state, 0) for state in ("waiting", "delayed", "active"))
