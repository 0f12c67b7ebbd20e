"""The dependency-injector container: wires adapters to use cases from one settings object.

Layers as in the house style: ``Gateways`` (I/O clients with lifecycles), ``Adapters`` (port
implementations; ``SandboxAdapters`` in the dev sandbox), ``ObservedAdapters`` (the same,
counted, timed and traced: what the use cases are given), the job families
(``entrypoints.jobs``), and the ``Application`` that holds them with the process's metrics,
alerts and operations hooks. Every client with something to close is a ``Resource``, closed by
``stop_resources``. Tests override a provider (``container.adapters.email.override(...)``) or
the whole adapter set.

Adapters with heavy libraries (SQLAlchemy, the Notify client with requests and JWT, SOAP, the
webhook signer, the platform APIs' client) are imported by the provider that builds them, when
it first does: a process that never needs one (the operator commands, the outbox in ``dev``)
never loads it.
"""

import contextlib
import functools
import inspect
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any, TypeVar

from dependency_injector import containers, providers

from adapters.notify.budget import RedisSendBudget, ThrottledEmailSender
from adapters.outbox.email_sender import OutboxEmailSender
from adapters.outbox.webhook_sender import OutboxWebhookSender
from adapters.redis_queue.consumers import BullmqConsumers
from adapters.redis_queue.inspector import BullmqQueueInspector
from adapters.redis_queue.publisher import BullmqJobPublisher
from adapters.redis_state.delivery_log import RedisDeliveryLog
from adapters.soap.outbox import SoapEnvelopeOutbox
from entrypoints.deferred import Deferred
from entrypoints.jobs.core import CoreJobs
from entrypoints.jobs.email_account import EmailAccountJobs
from entrypoints.jobs.email_services import EmailServiceJobs
from entrypoints.jobs.public_api import PublicApiJobs
from entrypoints.jobs.sync import SyncJobs
from entrypoints.redis_gateway import open_queue_connection, open_redis_client
from entrypoints.registry import build_registry
from entrypoints.sandbox import sandbox_active, sandbox_config, sandbox_directories
from entrypoints.settings import Settings, host_url
from entrypoints.state_database import state_database_url
from entrypoints.telemetry import Observe, ObservedCalls
from entrypoints.tracing import NO_TRACING, Tracing

T = TypeVar("T")

NOTIFY_LIMITER = "notify"
"""The ``limiter`` label of a wait for the shared Notify budget (``dsi_jobs_rate_limit_waits``)."""


async def _sync_state(settings: Settings) -> AsyncIterator[Deferred]:
    """Resource: the legacy-sync state store, opened on first use (``entrypoints.deferred``)."""
    deferred = Deferred(lambda: _open_sync_state(settings))
    try:
        yield deferred
    finally:
        await deferred.aclose()


async def _open_sync_state(settings: Settings) -> AsyncIterator[Any]:
    from adapters.sql_state.engine import open_state_engine
    from adapters.sql_state.store import SqlSyncStateStore

    async with _opened(open_state_engine(url=state_database_url(settings))) as engine:
        yield SqlSyncStateStore(engine)


async def _soap_http(**options: Any) -> AsyncIterator[Any]:
    from adapters.soap.http_client import open_soap_http_client

    async with _opened(open_soap_http_client(**options)) as opened:
        yield opened


async def _directories(**options: Any) -> AsyncIterator[Any]:
    from adapters.platform_api.directories import HttpDirectories, open_http_directories

    async with _opened(open_http_directories(HttpDirectories(**options))) as opened:
        yield opened


@contextlib.asynccontextmanager
async def _opened(resource: AsyncIterator[T]) -> AsyncIterator[T]:
    """What an adapter's resource generator yields; its clean-up runs when the block ends."""
    value = await anext(resource)
    try:
        yield value
    finally:
        await resource.aclose()  # type: ignore[attr-defined]


def _legacy_service(**options: Any) -> Any:
    from adapters.soap.service import SoapLegacyWebService

    return SoapLegacyWebService(**options)


def _webhook(**options: Any) -> Any:
    from adapters.webhook.http_sender import HttpWebhookSender

    return HttpWebhookSender(**options)


def _notify(**options: Any) -> Iterator[Any]:
    from adapters.notify.email_sender import open_notify_sender

    yield from open_notify_sender(**options)


async def _slack_alerts(**options: Any) -> AsyncIterator[Any]:
    from adapters.slack.alerts import open_slack_alerts

    async with _opened(open_slack_alerts(**options)) as opened:
        yield opened


def _job_metrics() -> Any:
    from entrypoints.http.metrics import JobMetrics

    return JobMetrics()


def _operations(**options: Any) -> Any:
    from entrypoints.http.operations import Operations

    return Operations(**options)


class Gateways(containers.DeclarativeContainer):
    """I/O clients with lifecycles."""

    config = providers.Configuration(strict=True)
    queue_connection = providers.Resource(
        open_queue_connection, url=config.redis.url, data_dir=config.redis.data_dir
    )
    redis = providers.Resource(open_redis_client, options=queue_connection)
    soap_http = providers.Resource(_soap_http, timeout_s=config.http.timeout_s)


class Adapters(containers.DeclarativeContainer):
    """Port implementations, one instance each."""

    config = providers.Configuration(strict=True)
    gateways = providers.DependenciesContainer()
    metrics: providers.Dependency[Any] = providers.Dependency()  # http.metrics.JobMetrics

    job_publisher = providers.Singleton(BullmqJobPublisher, client=gateways.redis)
    queue_inspector = providers.Singleton(BullmqQueueInspector, client=gateways.redis)
    queue_consumers = providers.Singleton(BullmqConsumers, client=gateways.redis)
    delivery_log = providers.Singleton(RedisDeliveryLog, client=gateways.redis)
    sync_state = providers.Resource(_sync_state, settings=config.state.settings)
    legacy_service = providers.Singleton(_legacy_service, client=gateways.soap_http)
    webhook = providers.Singleton(
        _webhook,
        allow_http=config.public_api.allow_http,
        allowed_hosts=config.public_api.allowed_hosts,
        read_timeout_s=config.http.timeout_s,
    )
    directories = providers.Resource(
        _directories,
        directories_url=config.platform_api.directories_url,
        organisations_url=config.platform_api.organisations_url,
        applications_url=config.platform_api.applications_url,
        access_url=config.platform_api.access_url,
        tenant_url=config.platform_api.tenant_url,
        tenant_domain=config.platform_api.tenant_domain,
        client_id=config.platform_api.client_id,
        client_secret=config.platform_api.client_secret,
        resource=config.platform_api.resource,
        timeout_s=config.http.timeout_s,
    )
    notify_budget = providers.Singleton(
        RedisSendBudget, client=gateways.redis, per_minute=config.notify.per_minute
    )
    notify_sender = providers.Resource(
        _notify,
        api_key=config.notify.api_key,
        base_url=config.notify.base_url,
        templates=config.notify.templates,
        timeout_s=config.http.timeout_s,
    )
    """Built only when selected (``start_resources`` opens the gateways alone)."""
    email = providers.Selector(
        config.notify.mode,
        notify=providers.Singleton(
            ThrottledEmailSender,
            inner=notify_sender,
            budget=notify_budget,
            pause_scale=config.notify.pause_scale,
            on_wait=providers.Callable(
                functools.partial, metrics.provided.rate_limit_wait, NOTIFY_LIMITER
            ),
        ),
        outbox=providers.Singleton(
            OutboxEmailSender,
            path=config.notify.outbox_path,
            templates=config.notify.templates,
        ),
    )


class SandboxAdapters(Adapters):
    """The same adapters, but the platform directories, legacy services and relying-party
    webhooks are local stand-ins (``entrypoints.sandbox``): dev only."""

    directories = providers.Singleton(sandbox_directories)  # type: ignore[assignment]
    legacy_service = providers.Singleton(
        SoapEnvelopeOutbox,  # same port, another adapter
        path=Adapters.config.sandbox.legacy_outbox_path,
    )
    webhook = providers.Singleton(
        OutboxWebhookSender,  # same port, another adapter
        path=Adapters.config.sandbox.webhook_outbox_path,
    )


class ObservedAdapters(containers.DeclarativeContainer):
    """``Adapters`` as the use cases get them: each adapter whose calls leave the process is
    wrapped in an ``ObservedCalls`` proxy named after its upstream, so every call is counted,
    timed and traced; the Redis-backed ones are handed over as they are."""

    config = providers.Configuration(strict=True)
    adapters = providers.DependenciesContainer()
    on_call: providers.Dependency[Observe] = providers.Dependency()
    tracing: providers.Dependency[Tracing] = providers.Dependency()

    email = providers.Singleton(
        ObservedCalls,
        adapters.email,
        upstream=config.notify.mode,  # "notify" or "outbox"
        on_call=on_call,
        tracing=tracing,
    )
    directories = providers.Singleton(
        ObservedCalls, adapters.directories, "platform_api", on_call, tracing
    )
    legacy_service = providers.Singleton(
        ObservedCalls, adapters.legacy_service, "soap", on_call, tracing
    )
    webhook = providers.Singleton(ObservedCalls, adapters.webhook, "webhook", on_call, tracing)
    sync_state = providers.Singleton(
        ObservedCalls, adapters.sync_state, "state_db", on_call, tracing
    )
    job_publisher = adapters.job_publisher
    delivery_log = adapters.delivery_log


class Application(containers.DeclarativeContainer):
    """Everything the worker, the HTTP app and the CLI need.

    ``tracing`` and ``metrics`` are the process's (``build_container``'s arguments): a worker
    process of ``--processes N`` writes its metrics where its supervisor sums them."""

    config = providers.Configuration(strict=True)
    tracing: providers.Dependency[Tracing] = providers.Dependency(default=NO_TRACING)
    metrics: providers.Dependency[Any] = providers.Dependency(
        default=providers.Singleton(_job_metrics)
    )
    gateways = providers.Container(Gateways, config=config)
    adapters = providers.Container(Adapters, config=config, gateways=gateways, metrics=metrics)
    observed = providers.Container(
        ObservedAdapters,
        config=config,
        adapters=adapters,
        on_call=metrics.provided.observe_call,
        tracing=tracing,
    )
    alerts = providers.Resource(
        _slack_alerts,
        webhook_url=config.alerts.slack_feed,
        environment=config.alerts.environment,
        timeout_s=config.http.timeout_s,
    )
    operations = providers.Singleton(
        _operations, metrics=metrics, reader=adapters.queue_inspector, alerts=alerts
    )
    core = providers.Container(CoreJobs, config=config, adapters=observed)
    email_account = providers.Container(EmailAccountJobs, config=config, adapters=observed)
    email_services = providers.Container(EmailServiceJobs, config=config, adapters=observed)
    public_api = providers.Container(PublicApiJobs, config=config, adapters=observed)
    sync = providers.Container(SyncJobs, config=config, adapters=observed)
    registry = providers.Singleton(
        build_registry,
        core.specs,
        email_account.specs,
        email_services.specs,
        public_api.specs,
        sync.specs,
    )


def container_config(settings: Settings) -> dict[str, Any]:
    """The nested configuration the providers read, derived from ``Settings``."""
    data_dir = Path(settings.jobs_data_dir)
    return {
        "redis": {"url": settings.redis_url(), "data_dir": data_dir},
        "state": {"settings": settings},  # its URL is worked out when the store opens
        "notify": {
            "mode": "notify" if settings.govnotify_api_key else "outbox",
            "api_key": settings.govnotify_api_key,
            "base_url": settings.govnotify_base_url,
            "templates": settings.email_templates,
            "outbox_path": data_dir / "outbox.jsonl",
            "per_minute": settings.govnotify_rate_limit_per_minute,
            "pause_scale": settings.jobs_retry_delay_scale,
        },
        "http": {"timeout_s": settings.jobs_http_timeout_seconds, "port": settings.port},
        "alerts": {
            "slack_feed": settings.platform_global_slack_feed,
            "environment": settings.environment_name or settings.local_env,
        },
        "links": {
            "interactions_url": host_url(settings.standalone_interactions_host_name),
            "profile_url": host_url(settings.standalone_profile_host_name),
            "services_url": host_url(settings.standalone_services_host_name),
            "help_url": host_url(settings.standalone_help_host_name),
        },
        "email": {
            "support_email_address": settings.notif_support_email_address,
            "use_entra_for_account_registration": settings.use_entra_for_account_registration,
            "sanitise_invitation_overrides": settings.jobs_sanitise_invitation_overrides,
        },
        "public_api": {
            "jwt_secret": settings.job_jwt_secret,
            "allow_http": settings.jobs_webhook_allow_http,
            "allowed_hosts": settings.webhook_allowed_hosts,
        },
        "platform_api": {
            "directories_url": host_url(settings.standalone_directories_host_name),
            "organisations_url": host_url(settings.standalone_organisations_host_name),
            "applications_url": host_url(settings.standalone_applications_host_name),
            "access_url": host_url(settings.standalone_access_host_name),
            "tenant_url": settings.tenant_url,
            "tenant_domain": settings.platform_global_tenant_domain,
            "client_id": settings.aad_shd_client_id,
            "client_secret": settings.aad_shd_client_secret,
            "resource": settings.aad_shd_app_id,
        },
    }


def build_container(
    settings: Settings, tracing: Tracing = NO_TRACING, metrics: Any = None
) -> Application:
    """The container for ``settings``, every dependency checked, with the process's
    ``tracing`` and ``metrics`` (a ``JobMetrics``; a new one when ``None``). On the sandbox
    (``entrypoints.sandbox``) the adapter set is ``SandboxAdapters``. Raises ``SandboxRefused``
    for a sandbox asked for outside dev."""
    process: dict[str, Any] = {"tracing": tracing}
    if metrics is not None:
        process["metrics"] = metrics
    container = Application(**process)
    config = container_config(settings)
    if sandbox_active(settings):
        config = sandbox_config(config, Path(settings.jobs_data_dir))
        container.adapters.override(
            providers.Container(
                SandboxAdapters,
                config=container.config,
                gateways=container.gateways,
                metrics=container.metrics,
            )
        )
    container.config.from_dict(config)
    container.check_dependencies()
    return container


async def resolve(provider: providers.Provider[T]) -> T:
    """Call a provider, awaiting it when an async resource sits in its chain."""
    return await call(provider)


async def call(provider: providers.Provider[T], *args: Any, **kwargs: Any) -> T:
    """Call a provider with arguments, awaiting it when an async resource sits in its chain."""
    value: Any = provider(*args, **kwargs)
    if inspect.isawaitable(value):
        value = await value
    return value  # type: ignore[no-any-return]


def registry_only(container: Application) -> Application:
    """``container`` for reading the job registry (job types, retry policies, wiring): the
    adapters that would open a database or HTTP clients, and import their libraries, are
    replaced by their in-memory twins. Redis stays the real one (operator commands use it)."""
    from adapters.memory.directories import InMemoryDirectories
    from adapters.memory.email import InMemoryEmailSender
    from adapters.memory.legacy_service import InMemoryLegacyWebService
    from adapters.memory.state_store import InMemorySyncStateStore
    from adapters.memory.webhook import InMemoryWebhookSender

    adapters = container.adapters
    adapters.sync_state.override(providers.Singleton(InMemorySyncStateStore))
    adapters.legacy_service.override(providers.Singleton(InMemoryLegacyWebService))
    adapters.directories.override(providers.Singleton(InMemoryDirectories))
    adapters.webhook.override(providers.Singleton(InMemoryWebhookSender))
    adapters.email.override(providers.Singleton(InMemoryEmailSender))
    return container


async def start_resources(container: Application) -> None:
    """Open the gateways (starting embedded Redis when none is configured); the other resources
    open on first use, so only the e-mail sender in use is ever built."""
    started = container.gateways.init_resources()
    if started is not None:
        await started


async def stop_resources(container: Application) -> None:
    """Close every resource that was opened, each after those that depend on it."""
    stopped = container.shutdown_resources()
    if stopped is not None:
        await stopped
