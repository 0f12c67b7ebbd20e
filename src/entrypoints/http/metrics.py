"""Prometheus metrics of one worker process, on a registry of its own (no global state).

Job metrics are fed by the worker service's hooks (``observe``, ``on_restart``,
``rate_limit_wait``); queue depth and consumers by ``QueueStatsRefresher`` from Redis every few
seconds (never per scrape, so a scrape costs no Redis call); outbound calls by ``observe_call``,
called by the ``ObservedCalls`` proxies the container hands the use cases; Notify budget waits by
the e-mail sender. Labels are low-cardinality: queue names, outcomes, upstream names and
consumer kinds; never job ids or personal data.
"""

import asyncio
import contextlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Protocol

import structlog
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from prometheus_client.registry import Collector

from entrypoints.queue_view import ConsumerReader, QueueScope, QueueView, queue_views

log = structlog.get_logger(__name__)

JOB_SECONDS_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)
CALL_SECONDS_BUCKETS = (0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
QUEUE_STATES = ("waiting", "active", "delayed", "failed")


MULTIPROCESS_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
"""Set for worker processes of ``--processes N``: their values go to files in that directory."""


class JobMetrics:
    """Every ``dsi_jobs_*`` metric (see docs/operations.md) and the hooks that feed them.

    Per-job families (jobs, durations, calls, waits, loop restarts, subscriptions) are counted
    where the jobs run. Queue depth, jobs in progress and process restarts are the serving
    process's own. With ``--processes N`` the worker processes write theirs to files (the
    environment variable ``MULTIPROCESS_DIR_VARIABLE``) and the supervisor, built with
    ``for_supervisor``, exposes their sums beside its own families.
    """

    def __init__(self, *, children_dir: str | None = None, in_files: bool = False) -> None:
        """``in_files``: this is a worker process of ``--processes N`` (values go to files)."""
        self.registry = CollectorRegistry()
        self._children_dir = children_dir
        self._in_files = in_files
        r = self.registry if children_dir is None else None  # the supervisor runs no jobs
        s = self.registry
        self._job_counters: dict[tuple[str, str], Counter] = {}
        self._job_timers: dict[str, Histogram] = {}
        self._jobs = Counter(
            "dsi_jobs_jobs", "Job attempts finished, by outcome (completed, failed, retried).",
            ["queue", "outcome"], registry=r,
        )  # fmt: skip
        self._job_seconds = Histogram(
            "dsi_jobs_job_duration_seconds", "Time spent running one job attempt.",
            ["queue"], buckets=JOB_SECONDS_BUCKETS, registry=r,
        )  # fmt: skip
        self._queue_jobs = Gauge(
            "dsi_jobs_queue_jobs", "Jobs in Redis by state, refreshed every few seconds.",
            ["queue", "state"], registry=s,
        )  # fmt: skip
        self._oldest_waiting = Gauge(
            "dsi_jobs_oldest_waiting_job_age_seconds",
            "Age of the oldest waiting job (0 when none waits), refreshed every few seconds.",
            ["queue"], registry=s,
        )  # fmt: skip
        self._process_restarts = Counter(
            "dsi_jobs_worker_process_restarts",
            "Worker processes of --processes N restarted by the supervisor after they exited.",
            ["process"], registry=s,
        )  # fmt: skip
        self._rate_limit_waits = Counter(
            "dsi_jobs_rate_limit_waits", "Times work waited for a rate limiter.",
            ["limiter"], registry=r,
        )  # fmt: skip
        self._consumers = Gauge(
            "dsi_jobs_queue_consumers",
            "Workers attached to the queue by kind (dsi-jobs, node, python), from CLIENT LIST.",
            ["queue", "kind"], registry=r,
        )  # fmt: skip
        self._unconsumed = Gauge(
            "dsi_jobs_queue_unconsumed",
            "1 when jobs wait (or are delayed) in the queue and no worker is attached.",
            ["queue"], registry=r,
        )  # fmt: skip
        self._unconsumed_total = Gauge(
            "dsi_jobs_queues_unconsumed",
            "Queues with jobs waiting (or delayed) and no worker attached.", registry=r,
        )  # fmt: skip
        self._consumed_here = Gauge(
            "dsi_jobs_queue_consumed_here",
            "1 for each queue this process consumes (JOBS_QUEUES, JOBS_EXCLUDE_QUEUES), "
            "0 for the other queues it knows of.",
            ["queue"], registry=r,
        )  # fmt: skip
        self._restarts = Counter(
            "dsi_jobs_worker_restarts", "Worker loops restarted by the watchdog.",
            ["queue"], registry=r,
        )  # fmt: skip
        self._calls = Counter(
            "dsi_jobs_external_calls", "Outbound calls to other services, by outcome.",
            ["upstream", "outcome"], registry=r,
        )  # fmt: skip
        self._call_seconds = Histogram(
            "dsi_jobs_external_call_duration_seconds", "Time spent in one outbound call.",
            ["upstream"], buckets=CALL_SECONDS_BUCKETS, registry=r,
        )  # fmt: skip
        self._refresh_failures = Counter(
            "dsi_jobs_subscription_refresh_failures",
            "Subscription refreshes that could not read the applications API (queues kept).",
            registry=r,
        )
        self._unsubscribed = Gauge(
            "dsi_jobs_unsubscribed_queues",
            "Push queues with jobs whose application no longer subscribes (1 each), by handling.",
            ["queue", "handling"], registry=r, multiprocess_mode="livemax",
        )  # fmt: skip
        self._unsubscribed_now: set[tuple[str, str]] = set()
        if children_dir is not None:
            MultiProcessCollector(self.registry, path=children_dir)  # type: ignore[no-untyped-call]

    @classmethod
    def for_supervisor(cls, children_dir: str) -> "JobMetrics":
        """The supervisor's metrics: its own families plus the sums of the worker processes'."""
        return cls(children_dir=children_dir)

    def process_exited(self, pid: int) -> None:
        """A worker process ended: its gauges stop counting (its counters stay in the sums)."""
        if self._children_dir is not None:
            mark_process_dead(pid, self._children_dir)  # type: ignore[no-untyped-call]

    def on_process_restart(self, index: int) -> None:
        """The supervisor restarted worker process ``index``."""
        self._process_restarts.labels(str(index)).inc()

    def observe(self, queue: str, outcome: str, seconds: float) -> None:
        """The worker service's ``observe`` hook: one job attempt finished.

        Per job, so the labelled children are looked up once per (queue, outcome) and kept.
        """
        counted = self._job_counters.get((queue, outcome))
        if counted is None:
            counted = self._job_counters[(queue, outcome)] = self._jobs.labels(queue, outcome)
        timed = self._job_timers.get(queue)
        if timed is None:
            timed = self._job_timers[queue] = self._job_seconds.labels(queue)
        counted.inc()
        timed.observe(seconds)

    def on_restart(self, queue: str) -> None:
        """The worker service's ``on_restart`` hook."""
        self._restarts.labels(queue).inc()

    def observe_call(self, upstream: str, outcome: str, seconds: float) -> None:
        """One outbound call (fed by ``entrypoints.telemetry``): ``upstream`` e.g. notify, soap,
        platform_api, webhook, state_db; ``outcome`` ok, rate_limited, retryable, permanent or
        error."""
        self._calls.labels(upstream, outcome).inc()
        self._call_seconds.labels(upstream).observe(seconds)

    def subscription_refresh_failed(self) -> None:
        """One subscription refresh failed; the push queues already running were kept."""
        self._refresh_failures.inc()

    def set_unsubscribed(self, queues: Mapping[str, str]) -> None:
        """Replace the unsubscribed queues (``queue → draining, undeliverable or failing``).

        In a worker process of ``--processes N`` a value written to its file cannot be taken
        back: a queue that is no longer unsubscribed is set to 0 instead of disappearing.
        """
        now = set(queues.items())
        if self._in_files:
            for gone in self._unsubscribed_now - now:
                self._unsubscribed.labels(*gone).set(0)
        else:
            self._unsubscribed.clear()
        self._unsubscribed_now = now
        for queue, handling in now:
            self._unsubscribed.labels(queue, handling).set(1)

    def rate_limit_wait(self, limiter: str) -> None:
        """Count one wait for capacity: ``notify`` (the shared Notify budget) or the queue whose
        BullMQ limiter made its worker wait (``supportrequest_v1``)."""
        self._rate_limit_waits.labels(limiter).inc()

    def track_in_progress(self, in_flight: Callable[[], Mapping[str, int]]) -> None:
        """Expose ``dsi_jobs_jobs_in_progress`` read from the worker set at scrape time."""
        self.registry.register(_InProgress(in_flight))

    def set_queue_stats(self, stats: Mapping[str, "QueueStats"]) -> None:
        """Replace every queue's depth gauges (queues that went away disappear)."""
        self._queue_jobs.clear()
        self._oldest_waiting.clear()
        for queue, (counts, oldest_s) in stats.items():
            for state in QUEUE_STATES:
                self._queue_jobs.labels(queue, state).set(counts.get(state, 0))
            self._oldest_waiting.labels(queue).set(oldest_s or 0.0)

    def set_consumers(self, views: Iterable[QueueView]) -> None:
        """Replace the consumer gauges; queues whose consumers are unknown (Redis refused
        ``CLIENT LIST``) get none, so an unreadable answer never reads as "unconsumed"."""
        self._consumers.clear()
        self._unconsumed.clear()
        self._consumed_here.clear()
        unconsumed = 0
        known = False
        for view in views:
            self._consumed_here.labels(view.queue).set(1 if view.consumed_here else 0)
            if view.consumers is None:
                continue
            known = True
            for kind, count in view.consumer_counts().items():
                self._consumers.labels(view.queue, kind).set(count)
            self._unconsumed.labels(view.queue).set(1 if view.unconsumed else 0)
            unconsumed += view.unconsumed
        if known:
            self._unconsumed_total.set(unconsumed)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


QueueStats = tuple[Mapping[str, int], float | None]
"""Counts by state (``QUEUE_STATES``) and the oldest waiting job's age in seconds."""


class _InProgress(Collector):
    def __init__(self, in_flight: Callable[[], Mapping[str, int]]) -> None:
        self._in_flight = in_flight

    def collect(self) -> Iterable[Metric]:
        family = GaugeMetricFamily(
            "dsi_jobs_jobs_in_progress", "Jobs being processed by this process.", labels=["queue"]
        )
        for queue, count in sorted(self._in_flight().items()):
            family.add_metric([queue], count)
        yield family

    def describe(self) -> Iterator[Metric]:
        return iter(())


class QueueReader(Protocol):
    async def counts(self, queue: str) -> dict[str, int]: ...

    async def oldest_waiting_age_s(self, queue: str) -> float | None: ...


class QueueStatsRefresher:
    """Reads every known queue's depth and consumers from Redis every ``interval_s`` into
    ``JobMetrics``: all of them, not only the ones this process consumes, since a queue nobody
    consumes is the one to alert on."""

    def __init__(
        self,
        *,
        metrics: JobMetrics,
        reader: QueueReader,
        scope: QueueScope,
        consumers: ConsumerReader,
        interval_s: float = 5.0,
    ) -> None:
        self._metrics = metrics
        self._reader = reader
        self._scope = scope
        self._consumers = consumers
        self._interval_s = interval_s
        self._task: asyncio.Task[None] | None = None

    async def refresh(self) -> None:
        views = await queue_views(
            self._scope.known(), self._reader, self._consumers, self._scope.consumes
        )
        stats: dict[str, QueueStats] = {}
        for view in views:
            depth = {state: view.counts.get(state, 0) for state in QUEUE_STATES}
            stats[view.queue] = (depth, await self._reader.oldest_waiting_age_s(view.queue))
        self._metrics.set_queue_stats(stats)
        self._metrics.set_consumers(views)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="queue-stats")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            try:
                await self.refresh()
            except Exception as error:  # noqa: BLE001 - keep the last values, try again later
                log.warning("queue_stats_refresh_failed", error_type=type(error).__name__)
            await asyncio.sleep(self._interval_s)
