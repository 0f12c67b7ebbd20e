"""``sendwsuserupdated_v1_<applicationId>`` (catalogue §2.34): ProvisionUser.

State key: (application id, user id, organisation ``legacyId``). The original keyed the state
by the payload's ``applicationId``; it is always the queue's application (the fan-out writes
both), so the queue's application is used for the state and the call alike.
"""

from typing import Any

import structlog

from domain.model import Application, JobContext, SyncStateKey
from domain.use_cases.legacy_sync.sync_state import Push, PushJob, send_with_state
from domain.use_cases.legacy_sync.wire import Scalar, WireModel, copy_present
from ports.legacy_service import LegacyWebService
from ports.state_store import DeliveryLog, SyncStateStore

log = structlog.get_logger(__name__)


class GroupReference(WireModel):
    """One role the user holds: its numeric id and code."""

    id: Scalar | None = None
    code: str | None = None


class LegacyUser(WireModel):
    """The user-in-organisation built by ``userupdated_v1`` (§2.33)."""

    userId: str
    legacyUserId: Scalar | None = None
    legacyUsername: Scalar | None = None
    firstName: str | None = None
    lastName: str | None = None
    email: str | None = None
    status: int | None = None
    organisationId: int
    organisationUrn: Scalar | None = None
    organisationUid: Scalar | None = None
    organisationLACode: Scalar | None = None
    roles: tuple[GroupReference, ...] = ()


class PushUserUpdate(PushJob):
    user: LegacyUser


def provision_user_fields(user: LegacyUser) -> dict[str, Any]:
    """ProvisionUser parameters (§3.5); a key is absent when the job did not carry its source."""
    fields: dict[str, Any] = {}
    copy_present(fields, "saUserId", user, "legacyUserId")
    copy_present(fields, "saUsername", user, "legacyUsername")
    copy_present(fields, "firstName", user, "firstName")
    copy_present(fields, "lastName", user, "lastName")
    copy_present(fields, "emailAddress", user, "email")
    fields["organisationId"] = user.organisationId
    copy_present(fields, "wsAccountStatusCode", user, "status")
    copy_present(fields, "establishmentUrn", user, "organisationUrn")
    copy_present(fields, "localAuthorityCode", user, "organisationLACode")
    fields["groupUpdates"] = [role.wire() for role in user.roles]
    copy_present(fields, "organisationUid", user, "organisationUid")
    return fields


class PushUserUpdateUseCase:
    """Sends one user-in-organisation to the legacy service of one application."""

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

    async def __call__(self, command: PushUserUpdate, context: JobContext) -> dict[str, Any]:
        user = command.user
        result = await send_with_state(
            application=self._application,
            push=Push(
                "ProvisionUser",
                provision_user_fields(user),
                SyncStateKey("user", self._application.id, user.userId, user.organisationId),
                command.snapshot(),
            ),
            context=context,
            legacy_service=self._legacy_service,
            sync_state=self._sync_state,
            delivery_log=self._delivery_log,
        )
        log.info(
            "legacy_user_synced",
            application_id=self._application.id,
            user_id=user.userId,
            organisation_id=user.organisationId,
            **result,
        )
        return result
