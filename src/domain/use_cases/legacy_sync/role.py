"""The role (sub-service) object of the access API and the ProvisionGroup parameters
(docs/legacy-sync.md#sendwsroleupdated_v1)."""

from typing import Any

from domain.model import SyncStateKey
from domain.use_cases.legacy_sync.sync_state import Push, PushJob
from domain.use_cases.legacy_sync.wire import Scalar, WireModel, copy_present

ACTIVE_ROLE_STATUS = 1


class RoleStatus(WireModel):
    id: int


class ParentRole(WireModel):
    id: str | None = None
    name: str | None = None
    code: str | None = None
    numericId: Scalar | None = None


class Role(WireModel):
    """``id``, ``name`` and ``code`` are required by the producer; ``status.id`` by the push.

    ``applicationId`` (the service that owns the role) is not sent by today's producers; when a
    producer adds it, the role goes only to that service and its parent
    (docs/original-bugs.md#item-23).
    """

    id: str
    name: str
    code: str
    numericId: Scalar | None = None
    status: RoleStatus
    parent: ParentRole | None = None
    applicationId: str | None = None


def provision_group_fields(role: Role) -> dict[str, Any]:
    """ProvisionGroup parameters (docs/legacy-sync.md#provision-parameters): a role without a
    parent sends ``null`` parent values."""
    fields: dict[str, Any] = {}
    copy_present(fields, "id", role, "numericId")
    fields["code"] = role.code
    fields["name"] = role.name
    fields["status"] = "Active" if role.status.id == ACTIVE_ROLE_STATUS else "Archived"
    if role.parent is None:
        fields["parentId"] = None
        fields["parentCode"] = None
    else:
        copy_present(fields, "parentId", role.parent, "numericId")
        copy_present(fields, "parentCode", role.parent, "code")
    return fields


class PushRoleUpdate(PushJob):
    """Payload of a role push: ``{role, applicationId, snapshotOrder}``. State key:
    (application id, role id)."""

    role: Role

    def push(self, application_id: str) -> Push:
        role = self.role
        return Push(
            "ProvisionGroup",
            provision_group_fields(role),
            SyncStateKey("role", application_id, role.id),
            self.snapshot(),
            {"role_id": role.id},
        )
