"""Which applications need a push queue, per family: called periodically by the worker.

The original decided this once at start-up and could not start while the applications API was
down. The worker calls this on a timer instead and starts or stops per-application queues from
the answer; when the API fails, the error propagates and the worker keeps the set it already
has. ``reachable`` also names applications that no longer subscribe but still have a WSDL URL,
so jobs already queued for them can still be delivered.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from domain.model import Application
from domain.use_cases.legacy_sync.service_list import PUSH_FAMILIES, ServiceList
from ports.directories import ApplicationDirectory


@dataclass(frozen=True)
class Subscriptions:
    """One reading of the applications API."""

    subscribers: Mapping[str, list[Application]]
    """``{family: subscribed and reachable applications}`` for every family in
    ``PUSH_FAMILIES``, in API order (a family with no subscriber maps to ``[]``)."""
    reachable: Mapping[str, Application]
    """Every application with a WSDL URL, subscribed or not, by id."""


@dataclass(frozen=True, kw_only=True)
class DiscoverSubscribedApplications:
    """Reads the applications API once and answers for every push family."""

    applications: ApplicationDirectory

    async def __call__(self) -> Subscriptions:
        service_list = ServiceList.from_services(await self.applications.list_services())
        return Subscriptions(
            subscribers={family: service_list.subscribers(family) for family in PUSH_FAMILIES},
            reachable={app.id: app for app in service_list.reachable_applications()},
        )
