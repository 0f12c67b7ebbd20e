"""``dsi-jobs worker``: every registered worker plus the HTTP app, until SIGTERM/SIGINT."""

import asyncio
import contextlib
import signal
from collections.abc import Callable, Iterator
from typing import Any

import redis.asyncio as redis
import structlog
import uvicorn

from domain.model import Application as DomainApplication
from entrypoints.container import (
    Application,
    build_container,
    call,
    resolve,
    start_resources,
    stop_resources,
)
from entrypoints.http.app import create_app
from entrypoints.http.auth import AzureAdTokenVerifier, StaticTokenVerifier, TokenVerifier
from entrypoints.http.dashboard import DashboardFeeds
from entrypoints.http.dashboard_sessions import RedisDashboardSessions
from entrypoints.http.operations import Operations
from entrypoints.jobs.sync import failing_push_spec
from entrypoints.queue_view import QueueScope
from entrypoints.registry import DYNAMIC_FAMILIES, Registry, attempts_allowed
from entrypoints.required_settings import ConfigurationRefused, configuration_problems
from entrypoints.sandbox import sandbox_active
from entrypoints.settings import Settings
from entrypoints.telemetry import observe_upstreams
from entrypoints.tracing import NO_TRACING, Tracing
from entrypoints.worker.bullmq_patches import install_bullmq_patches
from entrypoints.worker.service import WorkerService, WorkerTuning
from entrypoints.worker.subscriptions import SubscriptionWatcher

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


async def run_worker(settings: Settings, tracing: Tracing = NO_TRACING) -> int:
    """Run until signalled; 0 when every in-flight job finished, 1 when some were abandoned.

    Outside ``dev`` an incomplete configuration raises ``ConfigurationRefused`` before anything
    starts; in ``dev`` it is logged and the embedded defaults stand in.
    """
    install_bullmq_patches()
    problems = await configuration_problems(settings)
    if problems and not settings.is_dev:
        raise ConfigurationRefused(problems)
    if problems:
        log.warning("configuration_incomplete", problems=problems)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, _on_signal(stop, signum))

    container = build_container(settings)
    if sandbox_active(settings):
        data = settings.jobs_data_dir
        log.info(
            "sandbox_active",
            platform="in-memory sample data (users, Sandbox Academy, two services)",
            emails=str(data / "outbox.jsonl") if not settings.govnotify_api_key else "Notify",
            legacy_envelopes=str(data / "legacy-outbox.jsonl"),
            webhooks=str(data / "webhook-outbox.jsonl"),
        )
    abandoned = 0
    await start_resources(container)
    try:
        connection = await resolve(container.gateways.queue_connection)
        publisher = await resolve(container.adapters.job_publisher)
        inspector = await resolve(container.adapters.queue_inspector)
        operations = Operations.for_settings(settings, inspector)
        await observe_upstreams(
            _upstreams(container, settings), operations.metrics.observe_call, tracing
        )
        registry = await resolve(container.registry)
        selection = settings.queue_selection
        selection.check(registry, DYNAMIC_FAMILIES)
        consumed = {queue: spec for queue, spec in registry.items() if selection.consumes(queue)}
        log.info("queues_selected", selection=selection.describe(), fixed_queues=len(consumed))
        await _warn_unless_noeviction(await resolve(container.gateways.redis))
        tuning = WorkerTuning(
            default_concurrency=settings.jobs_concurrency,
            retry_delay_scale=settings.jobs_retry_delay_scale,
        )
        service = WorkerService(
            consumed, connection, tuning, operations.observe, operations.on_restart, tracing
        )
        await service.start()
        watcher = await _subscription_watcher(container, service, operations, settings)
        scope = QueueScope(
            selection=selection,
            consumed=lambda: service.queues,
            known=lambda: sorted({*registry, *watcher.subscribed, *service.queues}),
        )
        consumers = await resolve(container.adapters.queue_consumers)
        operations.start(service, scope, consumers)
        watching = asyncio.create_task(watcher.run(), name="subscriptions")
        app = tracing.instrument_app(
            create_app(
                monitor=service,
                ping_redis=publisher.ping,
                verifier=_verifier(settings),
                grace_s=settings.jobs_shutdown_grace_seconds,
                metrics=operations.metrics,
                queue_operations=inspector,
                sessions=RedisDashboardSessions(await resolve(container.gateways.redis)),
                dashboard_feeds=await _dashboard_feeds(
                    container, settings, registry, watcher, scope
                ),
                scope=scope,
            )
        )
        server = _Server(
            uvicorn.Config(app, host="0.0.0.0", port=settings.port, log_config=None)  # noqa: S104
        )
        serving = asyncio.create_task(server.serve(), name="http")
        log.info("server_listening", url=f"http://localhost:{settings.port}")
        stopped = asyncio.create_task(stop.wait())
        await asyncio.wait({serving, stopped}, return_when=asyncio.FIRST_COMPLETED)
        watching.cancel()
        abandoned = await service.stop(settings.jobs_shutdown_grace_seconds)
        await operations.stop()
        server.should_exit = True
        await serving
        stopped.cancel()
    finally:
        await stop_resources(container)
    log.info("stopped", abandoned_jobs=abandoned)
    return 0 if abandoned == 0 else 1


def _upstreams(container: Application, settings: Settings) -> dict[str, Any]:
    """The adapters whose calls leave the process, by the upstream they call."""
    return {
        "notify" if settings.govnotify_api_key else "outbox": container.adapters.email,
        "platform_api": container.adapters.directories,
        "soap": container.adapters.legacy_service,
        "webhook": container.adapters.webhook,
        "state_db": container.adapters.sync_state,
    }


async def _dashboard_feeds(
    container: Application,
    settings: Settings,
    registry: Registry,
    watcher: SubscriptionWatcher,
    scope: QueueScope,
) -> DashboardFeeds:
    budget = await resolve(container.adapters.notify_budget) if settings.govnotify_api_key else None
    return DashboardFeeds(
        attempts=lambda queue: attempts_allowed(registry, queue),
        subscriptions=watcher.application_names,
        notify_budget=budget,
        consumers=await resolve(container.adapters.queue_consumers),
        scope=scope,
    )


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
