"""``roleupdated_v1`` (catalogue §2.31): one push job per subscribed application.

§6 item 23: today's role payload (the access API's role object) does not say which service owns
the role, so every subscribed application still receives every role change, as before. When
the payload carries ``applicationId``, only the owning application and its parent (whose user
pushes include the child's roles, §2.33) receive it.
"""

from typing import Any

import structlog

from domain.model import Application, JobContext
from domain.use_cases.legacy_sync.fan_out import FanOut, reachable_subscribers, read_catalogue
from domain.use_cases.legacy_sync.role import Role
from domain.use_cases.legacy_sync.service_catalogue import (
    ROLE_PUSH,
    ServiceCatalogue,
    same_id,
)
from domain.use_cases.legacy_sync.wire import KeepsReceived

log = structlog.get_logger(__name__)


class FanOutRoleUpdate(Role, KeepsReceived):
    """The payload is the access API's role object itself, forwarded as it came."""


class FanOutRoleUpdateUseCase(FanOut):
    """Enqueues ``{role, applicationId}`` for each application that should hear of the role."""

    async def __call__(self, command: FanOutRoleUpdate, context: JobContext) -> dict[str, Any]:
        catalogue = await read_catalogue(self._applications)
        role = command.received()
        published = 0
        for application in _recipients(catalogue, command.applicationId):
            await self._publish(context, ROLE_PUSH, "role", application.id, role)
            published += 1
        log.info("role_update_fanned_out", role_id=command.id, jobs=published)
        return {"published": published}


def _recipients(catalogue: ServiceCatalogue, owner_id: str | None) -> list[Application]:
    subscribed = reachable_subscribers(catalogue, ROLE_PUSH)
    if owner_id is None:
        return subscribed
    owner_parents = {
        application.parent_id
        for application in catalogue.applications
        if same_id(application.id, owner_id) and application.parent_id is not None
    }
    return [
        application
        for application in subscribed
        if same_id(application.id, owner_id)
        or any(same_id(application.id, parent) for parent in owner_parents)
    ]
