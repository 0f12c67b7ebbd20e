"""``roleupdated_v1`` (docs/legacy-sync.md#roleupdated_v1): one push job per subscribed application.

Today's role payload (the access API's role object) does not say which service owns the role
(docs/original-bugs.md#item-23), so every subscribed application still receives every role change,
as before. When the payload carries ``applicationId``, only the owning application and its parent
(whose user pushes include the child's roles, docs/legacy-sync.md#userupdated_v1) receive it.
"""

from typing import Any

import structlog

from domain.model import Application, JobContext
from domain.use_cases.legacy_sync.fan_out import FanOut, reachable_subscribers, read_service_list
from domain.use_cases.legacy_sync.role import Role
from domain.use_cases.legacy_sync.service_list import (
    ROLE_PUSH,
    ServiceList,
    same_id,
)
from domain.use_cases.legacy_sync.wire import KeepsReceived

log = structlog.get_logger(__name__)


class FanOutRoleUpdate(Role, KeepsReceived):
    """The payload is the access API's role object itself, forwarded as it came."""


class FanOutRoleUpdateUseCase(FanOut):
    """Enqueues ``{role, applicationId}`` for each application that should hear of the role."""

    async def __call__(self, command: FanOutRoleUpdate, context: JobContext) -> dict[str, Any]:
        service_list = await read_service_list(self.applications)
        role = command.received()
        published = 0
        for application in _recipients(service_list, command.applicationId):
            await self._publish(context, ROLE_PUSH, "role", application.id, role)
            published += 1
        log.info("role_update_fanned_out", role_id=command.id, jobs=published)
        return {"published": published}


def _recipients(service_list: ServiceList, owner_id: str | None) -> list[Application]:
    subscribed = reachable_subscribers(service_list, ROLE_PUSH)
    if owner_id is None:
        return subscribed
    owner_parents = {
        application.parent_id
        for application in service_list.applications
        if same_id(application.id, owner_id) and application.parent_id is not None
    }
    return [
        application
        for application in subscribed
        if same_id(application.id, owner_id)
        or any(same_id(application.id, parent) for parent in owner_parents)
    ]
