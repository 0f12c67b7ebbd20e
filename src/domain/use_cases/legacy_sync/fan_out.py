"""What every fan-out shares: read the service service_list, keep a family's subscribers, publish
each push job once.

Fan-outs run several at a time, so two snapshots of one entity may be fanned out in either
order. Each push therefore carries ``snapshotOrder``, the place of the fan-out job in
production order, and the push skips a snapshot older than the one already applied
(``sync_state``). The key is an addition the Node push handlers ignore: they read
``{<entity>, applicationId}`` only, so a Node push worker can still consume these jobs.
"""

from dataclasses import dataclass
from typing import Any

import structlog

from domain.model import Application, JobContext, JsonObject
from domain.use_cases.legacy_sync.service_list import ServiceList, push_queue
from domain.use_cases.legacy_sync.sync_state import SnapshotOrderStamp
from domain.use_cases.publish_once import publish_once
from ports.directories import ApplicationDirectory
from ports.job_publisher import JobPublisher
from ports.state_store import DeliveryLog

log = structlog.get_logger(__name__)


async def read_service_list(applications: ApplicationDirectory) -> ServiceList:
    """Every service; applications subscribed without a WSDL URL are logged and left out later."""
    return ServiceList.from_services(await applications.list_services())


async def subscribers(applications: ApplicationDirectory, family: str) -> list[Application]:
    """The applications that get a push job of ``family``."""
    return reachable_subscribers(await read_service_list(applications), family)


def reachable_subscribers(service_list: ServiceList, family: str) -> list[Application]:
    """Subscribers of ``family`` with a WSDL URL; the others are logged
    (docs/original-bugs.md#item-27)."""
    for application in service_list.unreachable_subscribers(family):
        log.warning(
            "legacy_sync_application_without_wsdl", application_id=application.id, family=family
        )
    return service_list.subscribers(family)


def push_data(
    entity: str, value: JsonObject, application_id: str, context: JobContext
) -> dict[str, Any]:
    """``{<entity>: value, applicationId}`` as the original enqueued it, plus ``snapshotOrder``
    when the fan-out job's place in production order is known."""
    data: dict[str, Any] = {entity: value, "applicationId": application_id}
    order = context.snapshot_order()
    if order is not None:
        data["snapshotOrder"] = SnapshotOrderStamp.of(order)
    return data


@dataclass(frozen=True, kw_only=True)
class FanOut:
    """Base of the fan-out use cases: the applications API they read, and their pushes, each
    published at most once per fan-out job, so a retried fan-out publishes only what is missing.
    """

    applications: ApplicationDirectory
    publisher: JobPublisher
    delivery_log: DeliveryLog

    async def _publish(
        self,
        context: JobContext,
        family: str,
        entity: str,
        application_id: str,
        value: JsonObject,
        *slot: str,
    ) -> None:
        """Enqueue ``{<entity>: value, ...}`` on the application's ``family`` queue; ``slot``
        tells apart several pushes to one application (a user in each organisation)."""
        await publish_once(
            jobs=self.publisher,
            delivery_log=self.delivery_log,
            key=context.reference(application_id, *slot),
            queue=push_queue(family, application_id),
            data=push_data(entity, value, application_id, context),
        )
