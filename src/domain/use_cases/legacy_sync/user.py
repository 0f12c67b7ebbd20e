"""The user-in-organisation of a ``sendwsuserupdated_v1_<applicationId>`` job and the
ProvisionUser parameters (docs/legacy-sync.md#sendwsuserupdated_v1).

State key: (application id, user id, organisation ``legacyId``). The original keyed the state
by the payload's ``applicationId``; it is always the queue's application (the fan-out writes
both), so the queue's application is used for the state and the call alike.
"""

from typing import Any

from domain.model import SyncStateKey
from domain.use_cases.legacy_sync.sync_state import Push, PushJob
from domain.use_cases.legacy_sync.wire import Scalar, WireModel, copy_present


class GroupReference(WireModel):
    """One role the user holds: its numeric id and code."""

    id: Scalar | None = None
    code: str | None = None


class LegacyUser(WireModel):
    """The user-in-organisation built by ``userupdated_v1`` (docs/legacy-sync.md#userupdated_v1)."""

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
    """Payload of a user push: ``{user, applicationId, snapshotOrder}``."""

    user: LegacyUser

    def push(self, application_id: str) -> Push:
        user = self.user
        return Push(
            "ProvisionUser",
            provision_user_fields(user),
            SyncStateKey("user", application_id, user.userId, user.organisationId),
            self.snapshot(),
            {"user_id": user.userId, "organisation_id": user.organisationId},
        )


def provision_user_fields(user: LegacyUser) -> dict[str, Any]:
    """ProvisionUser parameters (docs/legacy-sync.md#provision-parameters); a key is absent when
    the job did not carry its source."""
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
