"""Starts, stops and reports on one BullMQ worker per registered job type."""

import asyncio
import os
import socket
from dataclasses import dataclass
from typing import Any

import structlog

from entrypoints.registry import Registry
from entrypoints.worker.bullmq_worker import DsiWorker, JobObserver, make_processor

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class WorkerTuning:
    """Lock and stall timings: a job of a dead worker is re-run within
    ``lock_duration_ms + 2 * stalled_interval_ms`` (25 s with the defaults)."""

    lock_duration_ms: int = 15_000
    stalled_interval_ms: int = 5_000
    max_stalled_count: int = 1
    drain_delay_s: int = 5


class WorkerService:
    """Owns the worker set; ``/monitor`` and the signal handlers stop and start it."""

    def __init__(
        self,
        registry: Registry,
        connection: dict[str, Any],
        tuning: WorkerTuning | None = None,
        observe: JobObserver | None = None,
    ) -> None:
        self._registry = registry
        self._connection = connection
        self._tuning = tuning or WorkerTuning()
        self._observe = observe
        self._workers: list[DsiWorker] = []
        self._tasks: list[asyncio.Task[None]] = []

    @property
    def started(self) -> bool:
        return bool(self._workers)

    @property
    def queues(self) -> list[str]:
        return list(self._registry)

    def in_flight(self) -> int:
        """Jobs being processed right now across every worker."""
        return sum(len(worker.jobs) for worker in self._workers)

    async def start(self) -> None:
        if self._workers:
            return
        name = f"{socket.gethostname()}-{os.getpid()}"
        for spec in self._registry.values():
            options: dict[str, Any] = {
                "connection": self._connection,
                "concurrency": spec.concurrency,
                "lockDuration": self._tuning.lock_duration_ms,
                "stalledInterval": self._tuning.stalled_interval_ms,
                "maxStalledCount": self._tuning.max_stalled_count,
                "drainDelay": self._tuning.drain_delay_s,
                "name": name,
            }
            if spec.limiter is not None:
                options["limiter"] = {
                    "max": spec.limiter.max_jobs,
                    "duration": spec.limiter.duration_ms,
                }
            worker = DsiWorker(spec.queue, make_processor(spec, self._observe), options)
            worker.on("error", _log_worker_error(spec.queue))
            self._workers.append(worker)
            self._tasks.append(asyncio.create_task(worker.run(), name=f"worker:{spec.queue}"))
            log.debug("worker_started", queue=spec.queue, limiter=options.get("limiter"))
        log.info("workers_started", count=len(self._workers))

    async def stop(self, grace_s: float) -> int:
        """Stop fetching, let in-flight jobs finish within ``grace_s``; return jobs abandoned.

        Abandoned jobs stay active in Redis and are re-run by the stalled-job check.
        """
        workers, self._workers = self._workers, []
        tasks, self._tasks = self._tasks, []
        if not workers:
            return 0
        abandoned = 0
        try:
            async with asyncio.timeout(grace_s):
                await asyncio.gather(*(worker.close() for worker in workers))
        except TimeoutError:
            abandoned = sum(len(worker.jobs) for worker in workers)
            log.warning("shutdown_grace_expired", abandoned_jobs=abandoned)
            await asyncio.gather(
                *(worker.close(force=True) for worker in workers), return_exceptions=True
            )
        await asyncio.gather(*tasks, return_exceptions=True)
        log.info("workers_stopped", abandoned_jobs=abandoned)
        return abandoned


def _log_worker_error(queue: str) -> Any:
    def on_error(error: BaseException, *_: Any) -> None:
        log.error("worker_error", queue=queue, error_type=type(error).__name__)

    return on_error
