"""The ``sendws*updated_v1_<applicationId>`` jobs: push one organisation, role or user to one
application's legacy SOAP service (docs/legacy-sync.md#sendwsorganisationupdated_v1,
#sendwsroleupdated_v1, #sendwsuserupdated_v1).

One use case for the three families: each family's payload model says what its job pushes
(``PushCommand.push``: the SOAP operation, its parameters, the sync-state key and the ids for
the log line); ``sync_state.send_with_state`` decides CREATE or UPDATE and skips stale
snapshots. The application is the one the queue serves (the payload's ``applicationId`` is not
trusted to route, as in the original).
"""

from dataclasses import dataclass
from typing import Any, Protocol

import structlog

from domain.model import Application, JobContext
from domain.use_cases.legacy_sync.sync_state import Push, send_with_state
from ports.legacy_service import LegacyWebService
from ports.state_store import DeliveryLog, SyncStateStore

log = structlog.get_logger(__name__)

SYNCED_EVENTS = {
    "organisation": "legacy_organisation_synced",
    "role": "legacy_role_synced",
    "user": "legacy_user_synced",
}
"""The log event of a finished push, by state-key kind."""


class PushCommand(Protocol):
    """A push job's payload (``PushOrganisationUpdate``, ``PushRoleUpdate``, ``PushUserUpdate``)."""

    def push(self, application_id: str) -> Push: ...


@dataclass(frozen=True, kw_only=True)
class PushToLegacyUseCase:
    """Sends one entity to the legacy service of one application."""

    application: Application
    legacy_service: LegacyWebService
    sync_state: SyncStateStore
    delivery_log: DeliveryLog

    async def __call__(self, command: PushCommand, context: JobContext) -> dict[str, Any]:
        push = command.push(self.application.id)
        result = await send_with_state(
            application=self.application,
            push=push,
            context=context,
            legacy_service=self.legacy_service,
            sync_state=self.sync_state,
            delivery_log=self.delivery_log,
        )
        log.info(
            SYNCED_EVENTS[push.key.kind],
            application_id=self.application.id,
            **push.names,
            **result,
        )
        return result
