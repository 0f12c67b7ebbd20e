"""What every fan-out does first: read the catalogue, keep a family's subscribers."""

import structlog

from domain.model import Application
from domain.use_cases.legacy_sync.catalogue import ServiceCatalogue
from ports.directories import ApplicationDirectory

log = structlog.get_logger(__name__)


async def read_catalogue(applications: ApplicationDirectory) -> ServiceCatalogue:
    """Every service; applications subscribed without a WSDL URL are logged and left out later."""
    return ServiceCatalogue.from_services(await applications.list_services())


async def subscribers(applications: ApplicationDirectory, family: str) -> list[Application]:
    """The applications that get a push job of ``family``."""
    return reachable_subscribers(await read_catalogue(applications), family)


def reachable_subscribers(catalogue: ServiceCatalogue, family: str) -> list[Application]:
    """Subscribers of ``family`` with a WSDL URL; the others are logged (§6 item 27)."""
    for application in catalogue.unreachable_subscribers(family):
        log.warning(
            "legacy_sync_application_without_wsdl", application_id=application.id, family=family
        )
    return catalogue.subscribers(family)
