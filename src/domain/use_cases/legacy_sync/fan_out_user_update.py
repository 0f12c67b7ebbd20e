"""``userupdated_v1`` (catalogue §2.33): one push job per (subscribed application, organisation).

For each subscribed application, the user's access to it (plus the access to its child
services, merged per organisation) is matched with the user's organisations; each match becomes
a ``sendwsuserupdated_v1_<applicationId>`` job in the §2.33 shape.

Changes from the original (§6 items 24-25):
* the user comes from the payload when it carries ``email`` and a non-null ``status`` (a
  deactivated user, status 0, is no longer re-fetched); otherwise from the directories API, and
  a user it does not know fails the job permanently with ``NotFound``;
* organisations that are not synced are skipped (logged), by the rule the organisation fan-out
  applies (``organisation_not_synced_reason``): a category above ``020`` (the legacy services are
  never sent those organisations, so they are not sent their users either), or no ``legacyId``
  (every push could only fail);
* loss of access is still not communicated: only the access the user has now is pushed, with
  CREATE/UPDATE (see docs/legacy-sync.md, "Loss of access").
"""

from collections.abc import Mapping, Sequence
from typing import Any

import structlog

from domain.errors import NotFound
from domain.model import Application, JobContext, JsonObject
from domain.use_cases.legacy_sync.fan_out import FanOut, reachable_subscribers, read_catalogue
from domain.use_cases.legacy_sync.organisation import (
    LOCAL_AUTHORITY_CATEGORY,
    organisation_not_synced_reason,
)
from domain.use_cases.legacy_sync.service_catalogue import (
    USER_PUSH,
    ServiceCatalogue,
    same_id,
)
from domain.use_cases.legacy_sync.wire import WireModel, copy_key
from ports.directories import (
    AccessDirectory,
    ApplicationDirectory,
    OrganisationDirectory,
    UserDirectory,
)
from ports.job_publisher import JobPublisher
from ports.state_store import DeliveryLog

log = structlog.get_logger(__name__)


class FanOutUserUpdate(WireModel):
    """``{sub}`` alone, or a directories "safe user"; only ``sub`` is required."""

    sub: str
    given_name: str | None = None
    family_name: str | None = None
    email: str | None = None
    status: int | None = None


class FanOutUserUpdateUseCase(FanOut):
    """Builds and enqueues the per-application, per-organisation user pushes, in order."""

    def __init__(
        self,
        *,
        applications: ApplicationDirectory,
        users: UserDirectory,
        organisations: OrganisationDirectory,
        access: AccessDirectory,
        publisher: JobPublisher,
        delivery_log: DeliveryLog,
    ) -> None:
        super().__init__(applications=applications, publisher=publisher, delivery_log=delivery_log)
        self._users = users
        self._organisations = organisations
        self._access = access

    async def __call__(self, command: FanOutUserUpdate, context: JobContext) -> dict[str, Any]:
        user = await self._user(command)
        user_id = user["sub"] if isinstance(user.get("sub"), str) else command.sub
        catalogue = await read_catalogue(self._applications)
        memberships = await self._organisations.get_user_organisations(user_id)
        access = await self._access.get_user_services(user_id)
        pushes = [
            (application.id, legacy_user)
            for application in reachable_subscribers(catalogue, USER_PUSH)
            for legacy_user in _users_for(
                application, catalogue, user, user_id, memberships, access
            )
        ]
        for application_id, legacy_user in pushes:
            organisation = str(legacy_user.get("organisationId"))
            await self._publish(
                context, USER_PUSH, "user", application_id, legacy_user, organisation
            )
        log.info("user_update_fanned_out", user_id=user_id, jobs=len(pushes))
        return {"published": len(pushes)}

    async def _user(self, command: FanOutUserUpdate) -> JsonObject:
        if command.email and command.status is not None:
            return command.wire()
        user = await self._users.get_user(command.sub)
        if user is None:
            raise NotFound("the user in field 'sub' was not found in the directories API")
        return user


def _users_for(
    application: Application,
    catalogue: ServiceCatalogue,
    user: JsonObject,
    user_id: str,
    memberships: Sequence[JsonObject],
    access: Sequence[JsonObject],
) -> list[dict[str, Any]]:
    """The ``user`` object of a push for each organisation through which the user has access to
    ``application`` (or its children), for organisations that are synced."""
    users = []
    for entry in _access_to(application, catalogue.children_of(application), access):
        membership = next(
            (
                m
                for m in memberships
                if same_id(_organisation(m).get("id"), entry["organisationId"])
            ),
            None,
        )
        if membership is None:
            log.warning(
                "user_access_without_organisation",
                user_id=user_id,
                service_id=entry.get("serviceId"),
                organisation_id=entry["organisationId"],
            )
            continue
        skipped = organisation_not_synced_reason(_organisation(membership))
        if skipped is not None:
            log.info(
                "user_organisation_not_synced",
                user_id=user_id,
                application_id=application.id,
                organisation_id=entry["organisationId"],
                reason=skipped,
            )
            continue
        users.append(_legacy_user(user, user_id, membership, entry["roles"]))
    return users


def _access_to(
    application: Application, children: Sequence[Application], access: Sequence[JsonObject]
) -> list[dict[str, Any]]:
    """The application's access entries, each child's roles added to the entry of the same
    organisation (an entry is created, with the child's details, when the parent has none)."""
    entries = [
        {**entry, "roles": list(entry.get("roles") or [])}
        for entry in access
        if same_id(entry.get("serviceId"), application.id) and _has_organisation(entry)
    ]
    for child in children:
        for child_entry in access:
            if not same_id(child_entry.get("serviceId"), child.id):
                continue
            if not _has_organisation(child_entry):
                continue
            target = next(
                (e for e in entries if same_id(e["organisationId"], child_entry["organisationId"])),
                None,
            )
            if target is None:
                target = {**child_entry, "roles": []}
                entries.append(target)
            target["roles"].extend(child_entry.get("roles") or [])
    return entries


def _legacy_user(
    user: JsonObject, user_id: str, membership: JsonObject, roles: Sequence[Any]
) -> dict[str, Any]:
    """The §2.33 ``user`` object; keys whose source is absent stay absent."""
    organisation = _organisation(membership)
    legacy_user: dict[str, Any] = {"userId": user_id}
    copy_key(legacy_user, "legacyUserId", membership, "numericIdentifier")
    copy_key(legacy_user, "legacyUsername", membership, "textIdentifier")
    copy_key(legacy_user, "firstName", user, "given_name")
    copy_key(legacy_user, "lastName", user, "family_name")
    copy_key(legacy_user, "email", user, "email")
    copy_key(legacy_user, "status", user, "status")
    copy_key(legacy_user, "organisationId", organisation, "legacyId")
    copy_key(legacy_user, "organisationUrn", organisation, "urn")
    copy_key(legacy_user, "organisationUid", organisation, "uid")
    legacy_user["organisationLACode"] = _local_authority_code(organisation) or ""
    legacy_user["roles"] = [_role_reference(role) for role in roles if isinstance(role, Mapping)]
    return legacy_user


def _local_authority_code(organisation: JsonObject) -> Any:
    category = organisation.get("category")
    if isinstance(category, Mapping) and category.get("id") == LOCAL_AUTHORITY_CATEGORY:
        return organisation.get("establishmentNumber")
    local_authority = organisation.get("localAuthority")
    if isinstance(local_authority, Mapping):
        return local_authority.get("code")
    return None


def _role_reference(role: Mapping[str, Any]) -> dict[str, Any]:
    reference: dict[str, Any] = {}
    copy_key(reference, "id", role, "numericId")
    copy_key(reference, "code", role, "code")
    return reference


def _organisation(membership: JsonObject) -> JsonObject:
    organisation = membership.get("organisation")
    return organisation if isinstance(organisation, Mapping) else {}


def _has_organisation(entry: JsonObject) -> bool:
    return isinstance(entry.get("organisationId"), str)
