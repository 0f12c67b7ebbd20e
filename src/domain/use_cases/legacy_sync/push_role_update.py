"""``sendwsroleupdated_v1_<applicationId>`` (catalogue §2.32): ProvisionGroup.

State key: (application id, role id).
"""

from typing import Any

import structlog

from domain.model import Application, JobContext, SyncStateKey
from domain.use_cases.legacy_sync.role import Role, provision_group_fields
from domain.use_cases.legacy_sync.sync_state import Push, PushJob, send_with_state
from ports.legacy_service import LegacyWebService
from ports.state_store import DeliveryLog, SyncStateStore

log = structlog.get_logger(__name__)


class PushRoleUpdate(PushJob):
    role: Role


class PushRoleUpdateUseCase:
    """Sends one role to the legacy service of one application."""

    def __init__(
        self,
        *,
        application: Application,
        legacy_service: LegacyWebService,
        sync_state: SyncStateStore,
        delivery_log: DeliveryLog,
    ) -> None:
        self._application = application
        self._legacy_service = legacy_service
        self._sync_state = sync_state
        self._delivery_log = delivery_log

    async def __call__(self, command: PushRoleUpdate, context: JobContext) -> dict[str, Any]:
        role = command.role
        result = await send_with_state(
            application=self._application,
            push=Push(
                "ProvisionGroup",
                provision_group_fields(role),
                SyncStateKey("role", self._application.id, role.id),
                command.snapshot(),
            ),
            context=context,
            legacy_service=self._legacy_service,
            sync_state=self._sync_state,
            delivery_log=self._delivery_log,
        )
        log.info(
            "legacy_role_synced", application_id=self._application.id, role_id=role.id, **result
        )
        return result
