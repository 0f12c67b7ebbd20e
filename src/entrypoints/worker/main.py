"""``dsi-jobs worker``: every registered worker plus the HTTP app, until SIGTERM/SIGINT."""

import asyncio
import contextlib
import importlib
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Callable, Iterator
from typing import Any

import redis.asyncio as redis
import structlog
import uvicorn

from domain.errors import UpstreamMisconfigured
from domain.model import Application as DomainApplication
from entrypoints.container import (
    Application,
    build_container,
    call,
    registry_only,
    resolve,
    start_resources,
    stop_resources,
)
from entrypoints.deferred import Deferred
from entrypoints.http.app import Monitor, create_app
from entrypoints.http.auth import AzureAdTokenVerifier, StaticTokenVerifier, TokenVerifier
from entrypoints.http.dashboard import DashboardFeeds
from entrypoints.http.dashboard_sessions import RedisDashboardSessions
from entrypoints.http.metrics import MULTIPROCESS_DIR_VARIABLE, JobMetrics
from entrypoints.http.operations import Operations
from entrypoints.jobs.sync import failing_push_spec
from entrypoints.queue_view import QueueScope
from entrypoints.registry import DYNAMIC_FAMILIES, Registry, attempts_allowed
from entrypoints.required_settings import ConfigurationRefused, configuration_problems
from entrypoints.sandbox import sandbox_active
from entrypoints.settings import Settings
from entrypoints.tracing import NO_TRACING, Tracing
from entrypoints.worker.bullmq_patches import install_bullmq_patches
from entrypoints.worker.service import WorkerService, WorkerTuning
from entrypoints.worker.subscriptions import SubscriptionWatcher
from entrypoints.worker.supervised import Supervision, SupervisorLink
from entrypoints.worker.supervisor import Supervisor

log = structlog.get_logger(__name__)


class _Server(uvicorn.Server):
    """uvicorn without its own signal handling: the worker owns SIGTERM/SIGINT."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def _verifier(settings: Settings) -> TokenVerifier:
    if settings.is_dev:
        return StaticTokenVerifier(settings.jobs_monitor_token)
    return AzureAdTokenVerifier(
        tenant_url=settings.tenant_url,
        audience=settings.aad_shd_app_id,
        allowed_roles=settings.monitor_allowed_roles,
        allowed_client_ids=settings.monitor_allowed_client_ids,
        timeout_s=settings.jobs_http_timeout_seconds,
    )


async def run_worker(
    settings: Settings, tracing: Tracing = NO_TRACING, supervision: Supervision | None = None
) -> int:
    """Run until signalled; 0 when every in-flight job finished, 1 when some were abandoned.

    Outside ``dev`` an incomplete configuration raises ``ConfigurationRefused`` before anything
    starts; in ``dev`` it is logged and the embedded defaults stand in. With ``supervision``
    this is one worker process of ``--processes N``: no HTTP app (the supervisor serves it),
    its state reported over the supervisor's link instead.
    """
    install_bullmq_patches()
    if supervision is None:
        await _refuse_incomplete(settings)
    else:  # every line says which worker process logged it
        structlog.contextvars.bind_contextvars(worker_process=supervision.index)
    stop = _stop_on_signals()
    container = build_container(settings, tracing, JobMetrics(in_files=supervision is not None))
    if sandbox_active(settings):
        data = settings.jobs_data_dir
        log.info(
            "sandbox_active",
            platform="in-memory sample data (users, Sandbox Academy, two services)",
            outbox=str(data / "outbox.jsonl") if not settings.govnotify_api_key else "Notify",
            legacy_envelopes=str(data / "legacy-outbox.jsonl"),
            webhooks=str(data / "webhook-outbox.jsonl"),
        )
    abandoned = 0
    refused: UpstreamMisconfigured | None = None
    await start_resources(container)
    try:
        connection = await resolve(container.gateways.queue_connection)
        operations: Operations = await resolve(container.operations)
        sync_state = await resolve(container.adapters.sync_state)
        registry = await resolve(container.registry)
        selection = settings.queue_selection
        selection.check(registry, DYNAMIC_FAMILIES)
        consumed = {queue: spec for queue, spec in registry.items() if selection.consumes(queue)}
        log.info("queues_selected", selection=selection.describe(), fixed_queues=len(consumed))
        if supervision is None:
            await _warn_unless_noeviction(await resolve(container.gateways.redis))
        tuning = WorkerTuning(
            default_concurrency=settings.jobs_concurrency,
            retry_delay_scale=settings.jobs_retry_delay_scale,
        )
        service = WorkerService(
            consumed,
            connection,
            tuning,
            operations.observe,
            operations.on_restart,
            tracing,
            on_rate_limited=operations.metrics.rate_limit_wait,
        )
        await service.start()
        watcher = None
        if supervision is None or supervision.runs_push_queues:
            watcher = await _subscription_watcher(container, service, operations, settings)
        watching = asyncio.create_task(watcher.run() if watcher else stop.wait(), name="subs")
        if supervision is None:
            scope = QueueScope(
                selection=selection,
                consumed=lambda: service.queues,
                known=lambda: sorted({*registry, *_subscribed(watcher), *service.queues}),
            )
            operations.start(service, scope, await resolve(container.adapters.queue_consumers))
            serving = await _serve_http(
                container, settings, tracing, service, operations.metrics, registry, scope,
                watcher.application_names if watcher else dict,
            )  # fmt: skip
        else:
            link = SupervisorLink(
                supervision.fd,
                service,
                settings.jobs_shutdown_grace_seconds,
                lambda: {
                    "subscriptions": watcher.application_names() if watcher else {},
                    "subscribed": sorted(_subscribed(watcher)),
                },
            )
            serving = _Serving(asyncio.create_task(link.run(), name="supervisor-link"))
        warming = asyncio.create_task(_warm_up(sync_state), name="warm-up")
        await serving.until(stop, warming)
        refused = warming.result() if warming.done() else None
        warming.cancel()
        watching.cancel()
        abandoned = await service.stop(settings.jobs_shutdown_grace_seconds)
        await operations.stop()
        await serving.stop()
    finally:
        await stop_resources(container)
    log.info("stopped", abandoned_jobs=abandoned)
    if refused is not None:
        raise refused
    return 0 if abandoned == 0 else 1


async def run_supervisor(
    settings: Settings, tracing: Tracing, count: int, worker_args: list[str]
) -> int:
    """``--processes N``: N worker processes and the one HTTP app; 0 when every process drained.

    The worker processes are ``dsi-jobs worker`` with ``worker_args`` (the command line less
    ``--processes``), the same environment and working directory, so they read the same
    settings; their metrics go to a fresh directory in prometheus-client's multiprocess mode.
    The supervisor reads the job registry (attempts, queue names) on in-memory adapters.
    """
    install_bullmq_patches()
    await _refuse_incomplete(settings)
    stop = _stop_on_signals()
    metrics_dir = tempfile.mkdtemp(prefix="dsi-jobs-metrics-")
    metrics = JobMetrics.for_supervisor(metrics_dir)
    container = registry_only(build_container(settings, tracing, metrics))
    await start_resources(container)
    clean = False
    try:
        operations: Operations = await resolve(container.operations)
        registry = await resolve(container.registry)
        selection = settings.queue_selection
        selection.check(registry, DYNAMIC_FAMILIES)
        await _warn_unless_noeviction(await resolve(container.gateways.redis))
        supervisor = Supervisor(
            count,
            lambda index, fd: [*WORKER_COMMAND, *worker_args, "--supervised", f"{index}:{fd}"],
            # the same environment, so the same settings (copied, not read here)
            {**os.environ, MULTIPROCESS_DIR_VARIABLE: metrics_dir, "JOBS_PROCESSES": "1"},  # noqa: TID251
            on_restart=operations.on_process_restart,
            on_exit=operations.metrics.process_exited,
        )
        await supervisor.start_processes()
        log.info("worker_processes_started", count=count)
        scope = QueueScope(
            selection=selection,
            consumed=lambda: supervisor.queues,
            known=lambda: sorted({*registry, *supervisor.subscribed(), *supervisor.queues}),
        )
        operations.start(supervisor, scope, await resolve(container.adapters.queue_consumers))
        serving = await _serve_http(
            container, settings, tracing, supervisor, operations.metrics, registry, scope,
            supervisor.subscriptions,
        )  # fmt: skip
        await serving.until(stop)
        clean = await supervisor.shutdown(settings.jobs_shutdown_grace_seconds)
        await operations.stop()
        await serving.stop()
    finally:
        await stop_resources(container)
        shutil.rmtree(metrics_dir, ignore_errors=True)
    log.info("stopped", worker_processes=count, clean=clean)
    return 0 if clean else 1


WORKER_COMMAND = (sys.executable, "-m", "entrypoints.cli", "worker")


def _subscribed(watcher: SubscriptionWatcher | None) -> list[str]:
    return list(watcher.subscribed) if watcher is not None else []


async def _warm_up(adapter: object) -> UpstreamMisconfigured:
    """Once the worker is ready: open the adapters left to their first use (the state store
    loads SQLAlchemy in a thread first, so the event loop keeps serving jobs meanwhile).

    Returns only a misconfiguration (e.g. a database driver that cannot load), which stops the
    worker as it stopped start-up when the store opened first; otherwise it waits to be
    cancelled. A database that cannot be reached is the store's own to report and retry.
    """
    if isinstance(adapter, Deferred):
        try:
            await asyncio.to_thread(importlib.import_module, "adapters.sql_state.store")
            await adapter.warm_up()
        except UpstreamMisconfigured as error:  # the command line prints it, exit 1
            return error
        except Exception:  # reported; the first sync job tries again
            log.exception("state_database_unavailable")
    await asyncio.Event().wait()
    raise AssertionError("unreachable")


async def _refuse_incomplete(settings: Settings) -> None:
    problems = await configuration_problems(settings)
    if problems and not settings.is_dev:
        raise ConfigurationRefused(problems)
    if problems:
        log.warning("configuration_incomplete", problems=problems)


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, _on_signal(stop, signum))
    return stop


class _Serving:
    """What serves the outside world until it ends: the HTTP app, or the supervisor's link."""

    def __init__(self, task: "asyncio.Task[Any]", server: uvicorn.Server | None = None) -> None:
        self.task = task
        self._server = server

    async def until(self, stop: asyncio.Event, *also: "asyncio.Task[Any]") -> None:
        """Until a signal sets ``stop``, this ends (the HTTP server failed, the supervisor went)
        or one of ``also`` ends."""
        stopped = asyncio.create_task(stop.wait())
        try:
            await asyncio.wait({self.task, stopped, *also}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopped.cancel()

    async def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        else:
            self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task


async def _serve_http(
    container: Application,
    settings: Settings,
    tracing: Tracing,
    monitor: Monitor,
    metrics: JobMetrics,
    registry: Registry,
    scope: QueueScope,
    subscriptions: Callable[[], dict[str, str]],
) -> _Serving:
    publisher = await resolve(container.adapters.job_publisher)
    inspector = await resolve(container.adapters.queue_inspector)
    budget = await resolve(container.adapters.notify_budget) if settings.govnotify_api_key else None
    app = tracing.instrument_app(
        create_app(
            monitor=monitor,
            ping_redis=publisher.ping,
            verifier=_verifier(settings),
            grace_s=settings.jobs_shutdown_grace_seconds,
            metrics=metrics,
            queue_operations=inspector,
            sessions=RedisDashboardSessions(await resolve(container.gateways.redis)),
            dashboard_feeds=DashboardFeeds(
                attempts=lambda queue: attempts_allowed(registry, queue),
                subscriptions=subscriptions,
                notify_budget=budget,
                consumers=await resolve(container.adapters.queue_consumers),
                scope=scope,
            ),
            scope=scope,
        )
    )
    server = _Server(
        uvicorn.Config(app, host="0.0.0.0", port=settings.port, log_config=None)  # noqa: S104
    )
    serving = asyncio.create_task(server.serve(), name="http")
    log.info("server_listening", url=f"http://localhost:{settings.port}")
    return _Serving(serving, server)


async def _subscription_watcher(
    container: Application, service: WorkerService, operations: Operations, settings: Settings
) -> SubscriptionWatcher:
    """Keeps the per-application push queues in step with the subscriptions (run it); only
    those the queue selection consumes get a worker."""
    discover = await resolve(container.sync.discover_subscriptions)

    async def build_specs(application: DomainApplication, families: set[str]) -> Any:
        return await call(container.sync.application_specs, application, families=families)

    return SubscriptionWatcher(
        discover=discover,
        build_specs=build_specs,
        failing_spec=failing_push_spec,
        queues=await resolve(container.adapters.queue_inspector),
        service=service,
        interval_s=settings.jobs_subscription_refresh_seconds,
        grace_s=settings.jobs_shutdown_grace_seconds,
        on_failure=operations.subscription_refresh_failed,
        on_unsubscribed=operations.metrics.set_unsubscribed,
        consumes=settings.queue_selection.consumes,
    )


def _on_signal(stop: asyncio.Event, signum: int) -> Callable[[], None]:
    def handler() -> None:
        log.info("signal_received", signal=signal.Signals(signum).name)
        stop.set()

    return handler


async def _warn_unless_noeviction(client: redis.Redis) -> None:
    """BullMQ needs ``noeviction``: evicted lock keys mean duplicate or lost jobs.

    Read from ``INFO memory``, since managed Redis (Azure) disables ``CONFIG GET``.
    """
    policy = (await client.info("memory")).get("maxmemory_policy")
    if policy != "noeviction":
        log.warning(
            "redis_eviction_policy_unsafe",
            maxmemory_policy=policy,
            hint="set maxmemory-policy noeviction: evicted BullMQ keys lose or duplicate jobs",
        )
