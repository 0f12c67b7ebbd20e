"""Keeps the per-application push queues in step with the applications API, without restarts.

The original fixed them at start-up and refused to start while the applications API was down.
Here discovery runs at start and every ``interval_s``: new subscribers get a worker, changed
settings (WSDL, credentials, formatter) restart theirs. A failed refresh keeps the current set,
is logged, counted and alerted (``on_failure``) and tried again next time; the fixed queues
(e-mail and the rest) never wait for it.

A queue whose application no longer subscribes is not dropped with jobs in it. While it holds
jobs (waiting, active, delayed: found in Redis, so also after a restart) its worker keeps
**draining** it to the application's last known WSDL URL; once empty, the worker stops. When
no WSDL URL is known any more, the queue is **undeliverable** for one refresh (a passing glitch
of the API must not fail work) and then **failing**: each job fails once with a reason an
operator can act on. ``unsubscribed`` names these queues for status, dashboard and metrics.

Only the queues the process's selection consumes (``JOBS_QUEUES``/``JOBS_EXCLUDE_QUEUES``) get a
worker, drained ones included; every subscribed queue is still reported (``subscribed``), so
operators see those another process or the Node service consumes.
"""

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import structlog

from domain.errors import WorkerError
from domain.model import Application
from domain.personal_data import redact_text
from domain.use_cases.legacy_sync.discover_subscribed_applications import Subscriptions
from domain.use_cases.legacy_sync.service_list import PUSH_FAMILIES, push_queue
from entrypoints.registry import JobSpec
from entrypoints.worker.service import WorkerService

log = structlog.get_logger(__name__)

PUSH_QUEUE_PATTERN = "sendws*"
DRAINING, UNDELIVERABLE, FAILING = "draining", "undeliverable", "failing"

Discover = Callable[[], Awaitable[Subscriptions]]
BuildSpecs = Callable[[Application, set[str]], Awaitable[list[JobSpec[Any]]]]
FailingSpec = Callable[[str, str], JobSpec[Any]]
"""``(family, application id)`` → a spec that fails each job of that queue with a reason."""


class PushQueues(Protocol):
    """What the watcher reads and writes in Redis (``BullmqQueueInspector``)."""

    async def queues_with_pending_jobs(self, pattern: str) -> set[str]: ...

    async def record_unsubscribed(self, queues: Mapping[str, str], ttl_s: float) -> None: ...


@dataclass(frozen=True)
class _Target:
    family: str
    application: Application | None
    """``None``: undeliverable (no worker yet) or failing (``failing`` set)."""
    handling: str = ""
    """Empty for a subscribed application, else ``DRAINING``, ``UNDELIVERABLE`` or ``FAILING``."""


class SubscriptionWatcher:
    """Applies each discovery result to the ``WorkerService``'s dynamic queues."""

    def __init__(
        self,
        *,
        discover: Discover,
        build_specs: BuildSpecs,
        failing_spec: FailingSpec,
        queues: PushQueues,
        service: WorkerService,
        interval_s: float,
        grace_s: float,
        on_failure: Callable[[str], None] | None = None,
        on_unsubscribed: Callable[[Mapping[str, str]], None] | None = None,
        consumes: Callable[[str], bool] = lambda queue: True,
    ) -> None:
        self._discover = discover
        self._build_specs = build_specs
        self._failing_spec = failing_spec
        self._queues = queues
        self._service = service
        self._interval_s = interval_s
        self._grace_s = grace_s
        self._on_failure = on_failure
        self._on_unsubscribed = on_unsubscribed
        self._current: dict[str, _Target] = {}
        self._consumes = consumes
        self._subscribed: list[str] = []

    @property
    def subscribed(self) -> list[str]:
        """Every subscribed application's push queue at the last discovery, consumed here or
        not."""
        return self._subscribed

    @property
    def unsubscribed(self) -> dict[str, str]:
        """Queues of applications that no longer subscribe, and how they are handled."""
        return {queue: t.handling for queue, t in sorted(self._current.items()) if t.handling}

    def application_names(self) -> dict[str, str]:
        """Each push queue → its application's name (its id when it has none), marked
        ``(unsubscribed: <handling>)`` for an application that no longer subscribes (dashboard)."""
        names = {}
        for queue, target in self._current.items():
            known = target.application
            name = (known.name or known.id) if known else queue.removeprefix(f"{target.family}_")
            names[queue] = f"{name} (unsubscribed: {target.handling})" if target.handling else name
        return names

    async def run(self) -> None:
        """Refresh now and then every ``interval_s``, until cancelled."""
        while True:
            await self.refresh()
            await asyncio.sleep(self._interval_s)

    async def refresh(self) -> bool:
        """One discovery; ``False`` (and nothing changed) when the applications API failed."""
        try:
            found = await self._discover()
            pending = await self._queues.queues_with_pending_jobs(PUSH_QUEUE_PATTERN)
        except Exception as error:  # noqa: BLE001 - any failure: keep the queues we have
            reason = _reason(error)
            log.warning("subscriptions_refresh_failed", error_type=type(error).__name__,
                        reason=reason, kept_queues=len(self._current))  # fmt: skip
            if self._on_failure is not None:
                self._on_failure(reason)
            return False
        self._subscribed = sorted(
            push_queue(family, application.id)
            for family, applications in found.subscribers.items()
            for application in applications
        )
        target = {q: t for q, t in self._targets(found, pending).items() if self._consumes(q)}
        start: dict[str, JobSpec[Any]] = {}
        for queue, wanted in target.items():
            if not _same_worker(self._current.get(queue), wanted):
                start.update(await self._specs(queue, wanted))
        stop = [queue for queue in self._current if queue not in target]
        if start or stop:
            await self._service.apply_dynamic(start, stop, self._grace_s)
        self._current = target
        await self._publish()
        return True

    def _targets(self, found: Subscriptions, pending: set[str]) -> dict[str, _Target]:
        target = {
            push_queue(family, application.id): _Target(family, application)
            for family, applications in found.subscribers.items()
            for application in applications
        }
        for queue in sorted((set(self._current) | pending) - set(target)):
            parsed = _parse_push_queue(queue)
            if parsed is None or queue not in pending:
                continue  # not ours, or drained: its worker (if any) stops
            family, application_id = parsed
            target[queue] = self._leftover(queue, family, found.reachable.get(application_id))
        return target

    def _leftover(self, queue: str, family: str, listed: Application | None) -> _Target:
        """A queue with jobs whose application no longer subscribes."""
        known = self._current.get(queue)
        application = listed or (known.application if known else None)
        if application is not None:
            return _Target(family, application, DRAINING)
        if known is not None and known.handling in (UNDELIVERABLE, FAILING):
            return _Target(family, None, FAILING)
        return _Target(family, None, UNDELIVERABLE)

    async def _specs(self, queue: str, wanted: _Target) -> dict[str, JobSpec[Any]]:
        if wanted.application is not None:
            specs = await self._build_specs(wanted.application, {wanted.family})
            return {spec.queue: spec for spec in specs}
        if wanted.handling == FAILING:
            application_id = queue.removeprefix(f"{wanted.family}_")
            return {queue: self._failing_spec(wanted.family, application_id)}
        return {}

    async def _publish(self) -> None:
        unsubscribed = self.unsubscribed
        for queue, handling in unsubscribed.items():
            log.warning("unsubscribed_queue_has_jobs", queue=queue, handling=handling)
        if self._on_unsubscribed is not None:
            self._on_unsubscribed(unsubscribed)
        try:
            await self._queues.record_unsubscribed(unsubscribed, ttl_s=3 * self._interval_s)
        except Exception as error:  # noqa: BLE001 - only what `status` shows is stale
            log.warning("unsubscribed_queues_not_recorded", error_type=type(error).__name__)


def _same_worker(running: _Target | None, wanted: _Target) -> bool:
    """Whether the worker ``running`` describes can stay as it is for ``wanted``."""
    if running is None:
        return False
    if running.application is not None or wanted.application is not None:
        return (running.family, running.application) == (wanted.family, wanted.application)
    return (running.handling == FAILING) == (wanted.handling == FAILING)


def _parse_push_queue(queue: str) -> tuple[str, str] | None:
    """``(family, application id)`` of a per-application push queue, else ``None``."""
    for family in PUSH_FAMILIES:
        application_id = queue.removeprefix(f"{family}_")
        if application_id != queue and application_id:
            return family, application_id
    return None


def _reason(error: Exception) -> str:
    """Our own errors say what failed without secrets; anything else only by type."""
    if isinstance(error, WorkerError):
        return redact_text(str(error))
    return type(error).__name__
