"""Legacy sync (docs/legacy-sync.md): the three fan-out queues and the per-application pushes.

The fan-out queues are fixed (one ``job`` each, listed by ``specs``). Push queues exist per
subscribed application: the worker asks ``discover_subscriptions`` periodically and builds each
application's specs with ``push_specs`` (bound to the adapters by ``application_specs``).

Ordering (docs/legacy-sync.md, "Order"): a push queue runs one job at a time across every
process and host sharing the Redis (BullMQ's queue-level concurrency 1, which Node workers
honour too), and a push older than the snapshot already applied is skipped. Fan-outs run
``JOBS_CONCURRENCY`` at a time: their pushes carry the fan-out job's place in production order.
"""

from collections.abc import Callable
from typing import Any

from dependency_injector import providers
from pydantic import BaseModel

from domain.model import Application
from domain.use_cases.legacy_sync.discover_subscribed_applications import (
    DiscoverSubscribedApplications,
)
from domain.use_cases.legacy_sync.fan_out_organisation_update import (
    FanOutOrganisationUpdate,
    FanOutOrganisationUpdateUseCase,
)
from domain.use_cases.legacy_sync.fan_out_role_update import (
    FanOutRoleUpdate,
    FanOutRoleUpdateUseCase,
)
from domain.use_cases.legacy_sync.fan_out_user_update import (
    FanOutUserUpdate,
    FanOutUserUpdateUseCase,
)
from domain.use_cases.legacy_sync.organisation import PushOrganisationUpdate
from domain.use_cases.legacy_sync.push import PushToLegacyUseCase
from domain.use_cases.legacy_sync.role import PushRoleUpdate
from domain.use_cases.legacy_sync.service_list import (
    ORGANISATION_PUSH,
    ROLE_PUSH,
    USER_PUSH,
    push_queue,
)
from domain.use_cases.legacy_sync.service_list_guard import ServiceListGuard
from domain.use_cases.legacy_sync.sync_state import STALE
from domain.use_cases.legacy_sync.unreachable_push import AnyPush, FailUnreachablePushUseCase
from domain.use_cases.legacy_sync.user import PushUserUpdate
from entrypoints.jobs.family import JobFamily, job
from entrypoints.registry import JobSpec
from entrypoints.worker.retry import SYNC_RETRY
from ports.legacy_service import LegacyWebService
from ports.state_store import DeliveryLog, SyncStateStore

FAN_OUT_TIMEOUT_S = 120.0
"""A user fan-out makes four API calls and one enqueue per (application, organisation)."""

PUSH_TIMEOUT_S = 180.0
"""A push may fetch the WSDL and try the SOAP call three times, each under the HTTP timeout."""


def fan_out(
    queue: str,
    command: type[BaseModel],
    use_case: Callable[..., Any],
    applications: providers.Provider[ServiceListGuard],
    adapters: providers.DependenciesContainer,
    **more: Any,
) -> providers.Provider[JobSpec[Any]]:
    """A fan-out job: its use case reads the subscribed applications (and ``more``), enqueues
    their pushes and logs what it enqueued; retried per ``SYNC_RETRY``."""
    handler = providers.Singleton(
        use_case,
        applications=applications,
        publisher=adapters.job_publisher,
        delivery_log=adapters.delivery_log,
        **more,
    )
    return job(queue, command, handler, timeout_s=FAN_OUT_TIMEOUT_S, retry=SYNC_RETRY)


def push_outcome(result: Any) -> str:
    """``stale`` for a push skipped because a newer snapshot was applied, else ``completed``."""
    return STALE if isinstance(result, dict) and result.get("skipped") == STALE else "completed"


_PUSHES: dict[str, type[Any]] = {
    ORGANISATION_PUSH: PushOrganisationUpdate,
    ROLE_PUSH: PushRoleUpdate,
    USER_PUSH: PushUserUpdate,
}
"""Per push family, in the original's order: its payload model (``PushToLegacyUseCase``
serves them all)."""


def push_specs(
    application: Application,
    *,
    legacy_service: LegacyWebService,
    sync_state: SyncStateStore,
    delivery_log: DeliveryLog,
    families: set[str],
) -> list[JobSpec[Any]]:
    """The push specs of ``application`` for ``families`` (values of ``PUSH_FAMILIES``), in the
    original's order. An unknown family is a programming error (``ValueError``)."""
    unknown = sorted(families - set(_PUSHES))
    if unknown:
        raise ValueError(f"unknown legacy-sync families: {', '.join(unknown)}")
    return [
        JobSpec(
            push_queue(family, application.id),
            command,
            PushToLegacyUseCase(
                application=application,
                legacy_service=legacy_service,
                sync_state=sync_state,
                delivery_log=delivery_log,
            ),
            timeout_s=PUSH_TIMEOUT_S,
            concurrency=1,
            global_concurrency=1,
            retry=SYNC_RETRY,
            outcome=push_outcome,
        )
        for family, command in _PUSHES.items()
        if family in families
    ]


def failing_push_spec(family: str, application_id: str) -> JobSpec[Any]:
    """The spec of a queue left by an application that no longer subscribes and has no WSDL
    URL: each job fails once, naming why (``entrypoints.worker.subscriptions``)."""
    use_case = FailUnreachablePushUseCase(application_id=application_id, family=family)
    return JobSpec(push_queue(family, application_id), AnyPush, use_case, timeout_s=10.0)


class SyncJobs(JobFamily):
    """Fan-outs read the directories and enqueue; pushes call the legacy services."""

    config = providers.Configuration()
    adapters = providers.DependenciesContainer()

    applications = providers.Singleton(ServiceListGuard, applications=adapters.directories)
    """Shared by fan-outs and discovery: an empty list after subscribers is an outage."""

    fan_out_organisation_update = fan_out(
        "organisationupdated_v1",
        FanOutOrganisationUpdate,
        FanOutOrganisationUpdateUseCase,
        applications,
        adapters,
    )
    fan_out_role_update = fan_out(
        "roleupdated_v1",
        FanOutRoleUpdate,
        FanOutRoleUpdateUseCase,
        applications,
        adapters,
    )
    fan_out_user_update = fan_out(
        "userupdated_v1",
        FanOutUserUpdate,
        FanOutUserUpdateUseCase,
        applications,
        adapters,
        users=adapters.directories,
        organisations=adapters.directories,
        access=adapters.directories,
    )
    discover_subscriptions = providers.Singleton(
        DiscoverSubscribedApplications, applications=applications
    )
    application_specs = providers.Callable(
        push_specs,
        legacy_service=adapters.legacy_service,
        sync_state=adapters.sync_state,
        delivery_log=adapters.delivery_log,
    )
    """Call as ``application_specs(application, families={...})``."""
