"""The applications API's service list, refused when it suddenly holds nothing.

An empty list is never read as "nobody subscribes" once an earlier answer in this process
listed subscribers: a wrong host, path or a half-deployed applications API would otherwise
switch legacy sync off without an error (fan-outs "succeed" publishing nothing, discovery stops
every push worker). It is raised as ``UpstreamUnavailable`` instead, so fan-outs retry and
discovery keeps the push workers it has. Fan-outs and discovery share one guard.
"""

from domain.errors import UpstreamUnavailable
from domain.model import Application
from domain.use_cases.legacy_sync.service_list import PUSH_FAMILIES, ServiceList
from ports.directories import ApplicationDirectory


class ServiceListGuard:
    """An ``ApplicationDirectory`` whose ``list_services`` refuses an empty list after
    subscribers were seen; ``get_service`` passes through."""

    def __init__(self, *, applications: ApplicationDirectory) -> None:
        self._applications = applications
        self._saw_subscribers = False

    async def list_services(self) -> list[Application]:
        services = await self._applications.list_services()
        if not services and self._saw_subscribers:
            raise UpstreamUnavailable(
                "applications API GET /services listed no services where earlier answers "
                "listed subscribers: read as an upstream error, not as everyone unsubscribing"
            )
        service_list = ServiceList.from_services(services)
        if any(service_list.subscribers(family) for family in PUSH_FAMILIES):
            self._saw_subscribers = True
        return services

    async def get_service(self, id_or_client_id: str) -> Application | None:
        return await self._applications.get_service(id_or_client_id)
