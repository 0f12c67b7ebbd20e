"""What a production start needs, so a half-configured deployment is refused, not degraded.

Outside ``dev`` (``LOCAL_ENV``) the worker does not start when

* no Redis URL is set (an embedded Redis would consume nothing the platform enqueues);
* no Notify key is set (every e-mail would go to the local outbox and its job "complete");
* the four SQL Server variables are partly set (the server name alone does not count: other
  services' databases share it), or neither they nor ``JOBS_STATE_DATABASE_URL`` are (the
  legacy-sync history would silently start afresh: every entity pushed as CREATE again);
* a setting the registered jobs read is unset: found by walking the container's providers
  from each job family's specs, so a new job's needs are found without a list to keep;
* ``GOVNOTIFY_TEMP_MAP`` lacks a template key a registered job may send (``SendsEmail``);
* neither ``JOBS_MONITOR_ALLOWED_ROLES`` nor ``JOBS_MONITOR_ALLOWED_CLIENT_IDS`` says who may
  use ``/monitor``, ``/metrics`` and ``/dashboard`` (every token would be refused);
* a ``JOBS_QUEUES``/``JOBS_EXCLUDE_QUEUES`` pattern matches no queue (in ``dev`` too the worker
  then refuses to start: ``entrypoints.queue_selection``).

The embedded stand-ins of the first three are allowed outside ``dev`` only with
``JOBS_ALLOW_EMBEDDED_DEFAULTS=true`` (never a partial SQL Server set). In ``dev`` the same
problems are only logged, as the original only warned. Lines name variables, never values.
"""

from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager
from typing import Any, cast

from dependency_injector import providers
from pydantic import SecretStr

from domain.use_cases.email.delivery import SendsEmail
from entrypoints.container import (
    Application,
    build_container,
    registry_only,
    resolve,
    stop_resources,
)
from entrypoints.queue_selection import QueueSelectionError
from entrypoints.registry import DYNAMIC_FAMILIES, Registry
from entrypoints.settings import CONFIG_VARIABLES, Settings

EMBEDDED_HINT = "LOCAL_ENV=dev or JOBS_ALLOW_EMBEDDED_DEFAULTS=true"
SQL_SERVER_VARIABLES = (
    "PLATFORM_GLOBAL_SERVER_NAME",
    "SVC_SIGNIN_JOBS",
    "SVC_SIGNIN_JOBS_PASSWORD",
    "PLATFORM_GLOBAL_JOBS_DATABASE_NAME",
)
SHARED = "PLATFORM_GLOBAL_SERVER_NAME"
"""Set for other services' databases on the same server too: alone it names no jobs database."""


CHECKED_BY_SETTINGS = frozenset({"redis.url", "notify.api_key"})
"""Unset on purpose in ``dev`` (embedded Redis, outbox): judged by ``settings_problems``."""

UNUSED_REDIS_URL = "redis://127.0.0.1:6379"
"""Wiring is inspected on a container whose Redis client is never used (no embedded start)."""


class ConfigurationRefused(Exception):
    """Start-up refused outside ``dev``; ``problems`` are the lines to print."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(f"{len(problems)} configuration problem(s)")
        self.problems = problems


async def configuration_problems(settings: Settings) -> list[str]:
    """Every problem at once."""
    async with _inspected(settings) as (container, registry):
        return (
            settings_problems(settings)
            + monitor_problems(settings)
            + wiring_problems(container, registry, settings)
            + queue_selection_problems(settings, registry)
        )


def queue_selection_problems(settings: Settings, registry: Registry) -> list[str]:
    """A ``JOBS_QUEUES``/``JOBS_EXCLUDE_QUEUES`` pattern that matches no queue (a typo would
    leave the queue meant unconsumed), or a selection of nothing."""
    try:
        settings.queue_selection.check(registry, DYNAMIC_FAMILIES)
    except QueueSelectionError as refused:
        return refused.problems
    return []


async def required_template_keys(settings: Settings) -> frozenset[str]:
    """The template keys the registered jobs may send with these settings."""
    async with _inspected(settings) as (_, registry):
        return template_keys(registry)


@asynccontextmanager
async def _inspected(settings: Settings) -> AsyncIterator[tuple[Application, Registry]]:
    """The job registry, built on a copy of the container that connects to nothing (adapters
    open connections on first use) and is closed again afterwards."""
    copy = settings.model_copy(update={"local_redis_conn": UNUSED_REDIS_URL})
    container = registry_only(build_container(copy))
    try:
        yield container, await resolve(container.registry)
    finally:
        await stop_resources(container)


def redis_problems(settings: Settings) -> list[str]:
    """The embedded Redis outside ``dev`` without the opt-in (every command that uses Redis)."""
    if settings.redis_url() is not None or _embedded_allowed(settings):
        return []
    return [f"LOCAL_REDIS_CONN or REDIS_CONN: not set (the embedded Redis needs {EMBEDDED_HINT})"]


def settings_problems(settings: Settings) -> list[str]:
    """Problems visible in the settings alone: Redis, Notify and the state database."""
    problems = redis_problems(settings)
    embedded = _embedded_allowed(settings)
    if settings.govnotify_api_key is None and not embedded:
        problems.append(
            f"GOVNOTIFY_API_KEY: not set (the local e-mail outbox needs {EMBEDDED_HINT})"
        )
    sql_server = {name: _is_set(value) for name, value in _sql_server(settings).items()}
    jobs_database_named = any(present for name, present in sql_server.items() if name != SHARED)
    if jobs_database_named and not all(sql_server.values()):
        given = ", ".join(name for name, present in sql_server.items() if present)
        problems.extend(
            f"{name}: not set while {given} are (set all four SQL Server variables or none)"
            for name, present in sql_server.items()
            if not present
        )
    elif not jobs_database_named and settings.jobs_state_database_url is None and not embedded:
        problems.append(
            f"{', '.join(SQL_SERVER_VARIABLES)} or JOBS_STATE_DATABASE_URL: not set "
            f"(the embedded state database needs {EMBEDDED_HINT})"
        )
    return problems


def monitor_problems(settings: Settings) -> list[str]:
    """Outside ``dev`` the HTTP routes need to know whose tokens to accept."""
    if settings.is_dev or settings.monitor_allowed_roles or settings.monitor_allowed_client_ids:
        return []
    return [
        "JOBS_MONITOR_ALLOWED_ROLES or JOBS_MONITOR_ALLOWED_CLIENT_IDS: not set (who may use "
        "/monitor, /metrics and /dashboard)"
    ]


def wiring_problems(container: Application, registry: Registry, settings: Settings) -> list[str]:
    """Settings the registered job families read but are unset, and unmapped template keys."""
    needed_by: dict[str, list[str]] = {}
    for family, option in _options_read_by_jobs(container):
        path = option.get_name().removeprefix("config.")
        if path in CHECKED_BY_SETTINGS or _is_set(option()):
            continue
        variable = CONFIG_VARIABLES.get(path)
        if variable is None:
            raise LookupError(f"no variable is known for the setting '{path}'")
        families = needed_by.setdefault(variable, [])
        if family not in families:
            families.append(family)
    problems = [
        f"{variable}: not set (needed by the {', '.join(families)} jobs)"
        for variable, families in sorted(needed_by.items())
    ]
    missing = sorted(template_keys(registry) - set(settings.email_templates))
    if missing:
        problems.append(f"GOVNOTIFY_TEMP_MAP: no template id for {', '.join(missing)}")
    return problems


def template_keys(registry: Registry) -> frozenset[str]:
    """Every template key a registered job may send."""
    keys: set[str] = set()
    for spec in registry.values():
        handler: object = spec.handler
        if isinstance(handler, SendsEmail):
            keys |= handler.template_keys
    return frozenset(keys)


def _options_read_by_jobs(
    container: Application,
) -> Iterator[tuple[str, providers.ConfigurationOption]]:
    """``(family, option)`` for every setting reached from a family's spec providers."""
    for family, family_container in container.providers.items():
        if not isinstance(family_container, providers.Container):
            continue
        members = cast(Mapping[str, providers.Provider[Any]], family_container.providers)
        for name, provider in members.items():
            if name.endswith("specs"):
                for option in provider.traverse(types=[providers.ConfigurationOption]):
                    yield family, option


def state_database_configured(settings: Settings) -> bool:
    """Whether a state database is named (all four SQL Server variables, or the URL)."""
    sql_server = _sql_server(settings).values()
    return (
        all(_is_set(value) for value in sql_server) or settings.jobs_state_database_url is not None
    )


def _sql_server(settings: Settings) -> dict[str, Any]:
    return dict(
        zip(
            SQL_SERVER_VARIABLES,
            (
                settings.platform_global_server_name,
                settings.svc_signin_jobs,
                settings.svc_signin_jobs_password,
                settings.platform_global_jobs_database_name,
            ),
            strict=True,
        )
    )


def _embedded_allowed(settings: Settings) -> bool:
    return settings.is_dev or settings.jobs_allow_embedded_defaults


def _is_set(value: Any) -> bool:
    if isinstance(value, SecretStr):
        return bool(value.get_secret_value())
    return value is not None and value != ""
