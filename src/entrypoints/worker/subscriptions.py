"""Keeps the per-application push queues in step with the applications API, without restarts.

The original fixed them at start-up and refused to start while the applications API was down
(catalogue §6 item 4). Here discovery runs at start and every ``interval_s``: new subscribers
get a worker, unsubscribed ones lose theirs, changed settings (WSDL, credentials, formatter)
restart theirs. A failed refresh keeps the current set and is tried again next time; the fixed
queues (e-mail and the rest) never wait for it.
"""

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import structlog

from domain.model import Application
from entrypoints.registry import JobSpec
from entrypoints.worker.service import WorkerService

log = structlog.get_logger(__name__)

Discover = Callable[[], Awaitable[Mapping[str, list[Application]]]]
BuildSpecs = Callable[[Application, set[str]], Awaitable[list[JobSpec[Any]]]]


class SubscriptionWatcher:
    """Applies each discovery result to the ``WorkerService``'s dynamic queues."""

    def __init__(
        self,
        *,
        discover: Discover,
        build_specs: BuildSpecs,
        service: WorkerService,
        interval_s: float,
        grace_s: float,
    ) -> None:
        self._discover = discover
        self._build_specs = build_specs
        self._service = service
        self._interval_s = interval_s
        self._grace_s = grace_s
        self._current: dict[str, Application] = {}

    def application_names(self) -> dict[str, str]:
        """Each push queue running now → its application's name (its id when it has none)."""
        return {queue: app.name or app.id for queue, app in self._current.items()}

    async def run(self) -> None:
        """Refresh now and then every ``interval_s``, until cancelled."""
        while True:
            await self.refresh()
            await asyncio.sleep(self._interval_s)

    async def refresh(self) -> bool:
        """One discovery; ``False`` (and nothing changed) when the applications API failed."""
        try:
            found = await self._discover()
        except Exception as error:  # noqa: BLE001 - any failure: keep the queues we have
            log.warning("subscriptions_refresh_failed", error_type=type(error).__name__)
            return False
        wanted = {
            f"{family}_{application.id}": (family, application)
            for family, applications in found.items()
            for application in applications
        }
        start: dict[str, JobSpec[Any]] = {}
        for queue, (family, application) in wanted.items():
            if self._current.get(queue) != application:
                for spec in await self._build_specs(application, {family}):
                    start[spec.queue] = spec
        stop = [queue for queue in self._current if queue not in wanted]
        if start or stop:
            await self._service.apply_dynamic(start, stop, self._grace_s)
        self._current = {queue: application for queue, (_, application) in wanted.items()}
        return True
