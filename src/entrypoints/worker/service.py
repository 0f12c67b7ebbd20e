"""Starts, stops, supervises and reports on one BullMQ worker per job type.

The set of queues is the fixed registry plus per-application queues that change while the
service runs (legacy-sync subscriptions); ``apply_dynamic`` starts and stops those. A watchdog
restarts any worker loop that ended on its own (the Python ``bullmq`` worker returns silently
from ``run()`` on an unexpected error, leaving a process that consumes nothing).
"""

import asyncio
import contextlib
import os
import re
import socket
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import structlog

from adapters.redis_queue.consumers import DSI_JOBS_WORKER
from entrypoints.registry import JobSpec, Registry
from entrypoints.telemetry import Observe
from entrypoints.tracing import NO_TRACING, Tracing
from entrypoints.worker.bullmq_patches import LIMITER_WAIT, DsiWorker
from entrypoints.worker.bullmq_worker import make_processor

log = structlog.get_logger(__name__)


METRICS_MINUTES = 24 * 60
"""Per-minute completed/failed counts BullMQ keeps in Redis (dashboards, bull-board)."""


@dataclass(frozen=True)
class WorkerTuning:
    """Lock and stall timings: a job of a dead worker is re-run within
    ``lock_duration_ms + 2 * stalled_interval_ms`` (25 s with the defaults)."""

    lock_duration_ms: int = 15_000
    stalled_interval_ms: int = 5_000
    max_stalled_count: int = 1
    drain_delay_s: int = 2  # longest idle block on Redis: bounds how long close() waits
    run_retry_delay_ms: int = 2_000  # after a lost connection (bullmq's default: 15 s)
    watchdog_interval_s: float = 5.0
    default_concurrency: int = 10
    retry_delay_scale: float = 1.0


@dataclass
class _Running:
    spec: JobSpec[Any]
    worker: DsiWorker
    task: "asyncio.Task[None]"


class WorkerService:
    """Owns the worker set; ``/monitor`` and the signal handlers stop and start it."""

    def __init__(
        self,
        registry: Registry,
        connection: dict[str, Any],
        tuning: WorkerTuning | None = None,
        observe: Observe | None = None,
        on_restart: Callable[[str], None] | None = None,
        tracing: Tracing = NO_TRACING,
        on_rate_limited: Callable[[str], None] | None = None,
    ) -> None:
        """``observe``, ``on_restart`` and ``on_rate_limited`` (a queue's BullMQ limiter made
        its worker wait) are the metrics and alert hooks."""
        self._registry = registry
        self._tracing = tracing
        self._dynamic: dict[str, JobSpec[Any]] = {}
        self._connection = connection
        self._tuning = tuning or WorkerTuning()
        self._observe = observe
        self._on_restart = on_restart
        self._on_rate_limited = on_rate_limited
        self._running: dict[str, _Running] = {}
        self._started = False
        self._watchdog: asyncio.Task[None] | None = None
        self._name = worker_name()

    @property
    def started(self) -> bool:
        return self._started

    @property
    def queues(self) -> list[str]:
        return [*self._registry, *self._dynamic]

    def in_flight(self) -> int:
        """Jobs being processed right now across every worker."""
        return sum(len(running.worker.jobs) for running in self._running.values())

    def in_flight_by_queue(self) -> dict[str, int]:
        """Jobs being processed right now, per queue (the ``jobs_in_progress`` metric)."""
        return {queue: len(running.worker.jobs) for queue, running in self._running.items()}

    def loops_alive(self) -> bool:
        """Every worker loop is running (or the service is stopped)."""
        return all(not running.task.done() for running in self._running.values())

    async def start(self) -> None:
        if self._started:
            return
        self._started = True
        for spec in [*self._registry.values(), *self._dynamic.values()]:
            self._launch(spec)
        self._watchdog = asyncio.create_task(self._watch(), name="worker-watchdog")
        log.info("workers_started", count=len(self._running))

    async def stop(self, grace_s: float) -> int:
        """Stop fetching, let in-flight jobs finish within ``grace_s``; return jobs abandoned.

        Abandoned jobs stay active in Redis and are re-run by the stalled-job check.
        """
        if not self._started:
            return 0
        self._started = False
        if self._watchdog is not None:
            self._watchdog.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watchdog
        running, self._running = list(self._running.values()), {}
        abandoned = await _close(running, grace_s)
        log.info("workers_stopped", abandoned_jobs=abandoned)
        return abandoned

    async def apply_dynamic(
        self, start: Mapping[str, JobSpec[Any]], stop: Iterable[str], grace_s: float
    ) -> None:
        """Start (restart, if running) the queues in ``start``; stop the queues in ``stop``."""
        leaving = [self._running.pop(queue) for queue in [*stop, *start] if queue in self._running]
        for queue in stop:
            self._dynamic.pop(queue, None)
        await _close(leaving, grace_s)
        for queue, spec in start.items():
            self._dynamic[queue] = spec
            if self._started:
                self._launch(spec)
        if start or leaving:
            log.info("dynamic_workers_changed", started=sorted(start), stopped=sorted(stop))

    def _launch(self, spec: JobSpec[Any]) -> None:
        worker = build_worker(
            spec, self._connection, self._tuning, self._name, self._observe, self._tracing
        )
        worker.on("error", _log_worker_error(spec.queue))
        if self._on_rate_limited is not None:
            on_rate_limited, queue = self._on_rate_limited, spec.queue
            worker.on(LIMITER_WAIT, lambda *_: on_rate_limited(queue))
        task = asyncio.create_task(worker.run(), name=f"worker:{spec.queue}")
        self._running[spec.queue] = _Running(spec, worker, task)

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(self._tuning.watchdog_interval_s)
            for queue, running in list(self._running.items()):
                if running.task.done() and self._started:
                    await self._restart(queue, running)

    async def _restart(self, queue: str, running: _Running) -> None:
        error = None if running.task.cancelled() else running.task.exception()
        log.error(
            "worker_loop_restarted",
            queue=queue,
            error_type=type(error).__name__ if error else None,
        )
        with contextlib.suppress(Exception):
            await running.worker.close(force=True)
        self._launch(running.spec)
        if self._on_restart is not None:
            self._on_restart(queue)


def worker_name() -> str:
    """``dsi-jobs-<host>-<pid>``: this process in ``CLIENT LIST``, Node tools and ``processedBy``.

    Client names may hold no spaces or control characters, so anything unusual in the host
    name becomes ``-``.
    """
    host = re.sub(r"[^A-Za-z0-9._-]", "-", socket.gethostname())
    return f"{DSI_JOBS_WORKER}{host}-{os.getpid()}"


def build_worker(
    spec: JobSpec[Any],
    connection: dict[str, Any],
    tuning: WorkerTuning,
    name: str,
    observe: Observe | None = None,
    tracing: Tracing = NO_TRACING,
) -> DsiWorker:
    """The worker of one queue with the service's options (not started: call ``run()``)."""
    options: dict[str, Any] = {
        "connection": connection,
        "concurrency": spec.concurrency or tuning.default_concurrency,
        "lockDuration": tuning.lock_duration_ms,
        "stalledInterval": tuning.stalled_interval_ms,
        "maxStalledCount": tuning.max_stalled_count,
        "drainDelay": tuning.drain_delay_s,
        "runRetryDelay": tuning.run_retry_delay_ms,
        "name": name,
        "metrics": {"maxDataPoints": METRICS_MINUTES},
    }
    if spec.limiter is not None:
        options["limiter"] = {"max": spec.limiter.max_jobs, "duration": spec.limiter.duration_ms}
    processor = make_processor(spec, observe, tuning.retry_delay_scale, tracing)
    return DsiWorker(spec.queue, processor, options, spec.global_concurrency)


async def _close(running: list[_Running], grace_s: float) -> int:
    if not running:
        return 0
    abandoned = 0
    try:
        async with asyncio.timeout(grace_s):
            await asyncio.gather(*(entry.worker.close() for entry in running))
    except TimeoutError:
        abandoned = sum(len(entry.worker.jobs) for entry in running)
        log.warning("shutdown_grace_expired", abandoned_jobs=abandoned)
        await asyncio.gather(
            *(entry.worker.close(force=True) for entry in running), return_exceptions=True
        )
    await asyncio.gather(*(entry.task for entry in running), return_exceptions=True)
    return abandoned


def _log_worker_error(queue: str) -> Callable[..., None]:
    def on_error(error: BaseException, *_: Any) -> None:
        log.error("worker_error", queue=queue, error_type=type(error).__name__)

    return on_error
