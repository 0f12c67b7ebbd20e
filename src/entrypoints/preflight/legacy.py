"""The preflight rows of legacy sync: each subscribed application's WSDL, downloaded now, must
offer the operation of every family it subscribes to, with a formatter type this worker knows."""

from collections import defaultdict

from adapters.soap.service import SoapLegacyWebService
from domain.errors import UpstreamMisconfigured
from domain.model import Application
from domain.use_cases.legacy_sync.discover_subscribed_applications import (
    DiscoverSubscribedApplications,
    Subscriptions,
)
from domain.use_cases.legacy_sync.service_list import PUSH_OPERATIONS
from entrypoints.container import Application as Container
from entrypoints.container import resolve
from entrypoints.preflight.rows import PASS, CheckRow, probe_row


async def legacy_service_rows(container: Container, timeout_s: float) -> list[CheckRow]:
    """One row per subscribed application (one row in all when discovery fails or none does)."""
    discover: DiscoverSubscribedApplications = await resolve(container.sync.discover_subscriptions)
    found: list[Subscriptions] = []

    async def discovery() -> str:
        found.append(await discover())
        return "no application subscribes"

    listed = await probe_row("legacy services", discovery, timeout_s)
    if not found:
        return [listed]
    operations: dict[str, set[str]] = defaultdict(set)
    applications: dict[str, Application] = {}
    for family, subscribers in found[0].subscribers.items():
        for application in subscribers:
            operations[application.id].add(PUSH_OPERATIONS[family])
            applications[application.id] = application
    if not applications:
        return [CheckRow("legacy services", PASS, "no application subscribes")]
    service: SoapLegacyWebService = await resolve(container.adapters.legacy_service)
    return [
        await _application_row(service, applications[app_id], operations[app_id], timeout_s)
        for app_id in sorted(applications)
    ]


async def _application_row(
    service: SoapLegacyWebService, application: Application, operations: set[str], timeout_s: float
) -> CheckRow:
    wanted = sorted(operations)

    async def probe() -> str:
        problems = await service.probe(application, wanted)
        if problems:
            raise UpstreamMisconfigured("; ".join(problems))
        return f"the WSDL offers {', '.join(wanted)}"

    return await probe_row(f"legacy service {application.id}", probe, timeout_s)
