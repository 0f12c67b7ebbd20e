"""``userupdated_v1`` (docs/legacy-sync.md#userupdated_v1): one push job per (subscribed
application, organisation).

For each subscribed application, the user's access to it (plus the access to its child
services, merged per organisation) is matched with the user's organisations; each match becomes
a ``sendwsuserupdated_v1_<applicationId>`` job in the shape that section gives.

Changes from the original (docs/original-bugs.md#item-24, #item-25):
* the user comes from the payload when it carries ``email`` and a non-null ``status`` (a
  deactivated user, status 0, is no longer re-fetched); otherwise from the directories API, and
  a user it does not know fails the job permanently with ``NotFound``;
* organisations that are not synced are skipped (logged), by the rule the organisation fan-out
  applies (``organisation.not_synced_reason``): a category above ``020`` (the legacy services
  are never sent those organisations, so they are not sent their users either), or no
  ``legacyId`` (every push could only fail);
* loss of access is still not communicated: only the access the user has now is pushed, with
  CREATE/UPDATE (see docs/legacy-sync.md, "Loss of access").
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import structlog

from domain.directory import (
    DirectoryOrganisation,
    DirectoryUser,
    Membership,
    RoleReference,
    ServiceAccess,
)
from domain.errors import NotFound
from domain.model import Application, JobContext
from domain.use_cases.legacy_sync.fan_out import FanOut, reachable_subscribers, read_service_list
from domain.use_cases.legacy_sync.organisation import LOCAL_AUTHORITY_CATEGORY, not_synced_reason
from domain.use_cases.legacy_sync.service_list import USER_PUSH, ServiceList, same_id
from domain.use_cases.legacy_sync.wire import WireModel, copy_present
from ports.directories import (
    AccessDirectory,
    OrganisationDirectory,
    UserDirectory,
)

log = structlog.get_logger(__name__)

_USER_FIELDS = (
    ("first_name", "given_name"),
    ("last_name", "family_name"),
    ("email", "email"),
    ("status", "status"),
)


class FanOutUserUpdate(WireModel):
    """``{sub}`` alone, or a directories "safe user"; only ``sub`` is required."""

    sub: str
    given_name: str | None = None
    family_name: str | None = None
    email: str | None = None
    status: int | None = None

    def user(self) -> DirectoryUser:
        """The user as the payload describes it (fields it did not carry stay absent)."""
        sent = self.model_fields_set
        return DirectoryUser(
            id=self.sub, **{name: getattr(self, key) for name, key in _USER_FIELDS if key in sent}
        )


@dataclass(frozen=True, kw_only=True)
class FanOutUserUpdateUseCase(FanOut):
    """Builds and enqueues the per-application, per-organisation user pushes, in order."""

    users: UserDirectory
    organisations: OrganisationDirectory
    access: AccessDirectory

    async def __call__(self, command: FanOutUserUpdate, context: JobContext) -> dict[str, Any]:
        user = await self._user(command)
        service_list = await read_service_list(self.applications)
        memberships = await self.organisations.get_user_organisations(user.id)
        access = await self.access.get_user_services(user.id)
        pushes = [
            (application.id, legacy_user)
            for application in reachable_subscribers(service_list, USER_PUSH)
            for legacy_user in _users_for(application, service_list, user, memberships, access)
        ]
        for application_id, legacy_user in pushes:
            organisation_id = str(legacy_user.get("organisationId"))
            await self._publish(
                context, USER_PUSH, "user", application_id, legacy_user, organisation_id
            )
        log.info("user_update_fanned_out", user_id=user.id, jobs=len(pushes))
        return {"published": len(pushes)}

    async def _user(self, command: FanOutUserUpdate) -> DirectoryUser:
        if command.email and command.status is not None:
            return command.user()
        user = await self.users.get_user(command.sub)
        if user is None:
            raise NotFound("the user in field 'sub' was not found in the directories API")
        return user


def _users_for(
    application: Application,
    service_list: ServiceList,
    user: DirectoryUser,
    memberships: Sequence[Membership],
    access: Sequence[ServiceAccess],
) -> list[dict[str, Any]]:
    """The ``user`` object of a push for each organisation through which the user has access to
    ``application`` (or its children), for organisations that are synced."""
    users = []
    for entry in _access_to(application, service_list.children_of(application), access):
        membership = next(
            (m for m in memberships if same_id(m.organisation.id, entry.organisation_id)), None
        )
        if membership is None:
            log.warning(
                "user_access_without_organisation",
                user_id=user.id,
                service_id=entry.service_id,
                organisation_id=entry.organisation_id,
            )
            continue
        organisation = membership.organisation
        skipped = not_synced_reason(organisation.category_id, organisation.legacy_id)
        if skipped is not None:
            log.info(
                "user_organisation_not_synced",
                user_id=user.id,
                application_id=application.id,
                organisation_id=entry.organisation_id,
                reason=skipped,
            )
            continue
        users.append(_legacy_user(user, membership, entry.roles))
    return users


def _access_to(
    application: Application, children: Sequence[Application], access: Sequence[ServiceAccess]
) -> list[ServiceAccess]:
    """The application's access entries, each child's roles added to the entry of the same
    organisation (a child's entry is taken as it is when the parent has none there)."""
    entries = [entry for entry in access if same_id(entry.service_id, application.id)]
    for child in children:
        for child_entry in access:
            if not same_id(child_entry.service_id, child.id):
                continue
            at = next(
                (
                    index
                    for index, entry in enumerate(entries)
                    if same_id(entry.organisation_id, child_entry.organisation_id)
                ),
                None,
            )
            if at is None:
                entries.append(child_entry)
            else:
                roles = entries[at].roles + child_entry.roles
                entries[at] = entries[at].model_copy(update={"roles": roles})
    return entries


def _legacy_user(
    user: DirectoryUser, membership: Membership, roles: Sequence[RoleReference]
) -> dict[str, Any]:
    """The push's ``user`` object; keys whose source is absent stay absent."""
    organisation = membership.organisation
    legacy_user: dict[str, Any] = {"userId": user.id}
    copy_present(legacy_user, "legacyUserId", membership, "legacy_user_id")
    copy_present(legacy_user, "legacyUsername", membership, "legacy_username")
    copy_present(legacy_user, "firstName", user, "first_name")
    copy_present(legacy_user, "lastName", user, "last_name")
    copy_present(legacy_user, "email", user, "email")
    copy_present(legacy_user, "status", user, "status")
    copy_present(legacy_user, "organisationId", organisation, "legacy_id")
    copy_present(legacy_user, "organisationUrn", organisation, "urn")
    copy_present(legacy_user, "organisationUid", organisation, "uid")
    legacy_user["organisationLACode"] = _local_authority_code(organisation) or ""
    legacy_user["roles"] = [_role_reference(role) for role in roles]
    return legacy_user


def _local_authority_code(organisation: DirectoryOrganisation) -> Any:
    if organisation.category_id == LOCAL_AUTHORITY_CATEGORY:
        return organisation.establishment_number
    return organisation.local_authority_code


def _role_reference(role: RoleReference) -> dict[str, Any]:
    reference: dict[str, Any] = {}
    copy_present(reference, "id", role, "numeric_id")
    copy_present(reference, "code", role, "code")
    return reference
