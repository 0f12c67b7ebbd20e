"""In-memory directory APIs: one object serving every directory port, seeded by tests."""

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from adapters.memory.failures import FailsOnDemand
from domain.model import JsonObject
from ports.directories import INVITATION_UPDATE_FIELDS


@dataclass
class InMemoryDirectories(FailsOnDemand):
    """Implements ``OrganisationDirectory``, ``UserDirectory``, ``AccessDirectory`` and
    ``ApplicationDirectory`` over plain dicts, as the REST APIs would answer.

    Users are found by ``sub`` or by e-mail (case-insensitive), as ``GET /users/{x}`` does.
    """

    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    organisations: dict[str, dict[str, Any]] = field(default_factory=dict)
    organisation_requests: dict[str, dict[str, Any]] = field(default_factory=dict)
    approvers: dict[str, list[str]] = field(default_factory=dict)
    user_organisations: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    user_services: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    invitations: dict[str, dict[str, Any]] = field(default_factory=dict)
    services: list[dict[str, Any]] = field(default_factory=list)
    organisation_links: list[tuple[str, str, str, int]] = field(default_factory=list)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    async def get_organisation_request(self, request_id: str) -> JsonObject | None:
        self._fail_if_asked()
        return self.organisation_requests.get(request_id)

    async def get_approver_ids(self, organisation_id: str) -> list[str]:
        self._fail_if_asked()
        return list(self.approvers.get(organisation_id, []))

    async def get_organisation(self, organisation_id: str) -> JsonObject | None:
        self._fail_if_asked()
        return self.organisations.get(organisation_id)

    async def get_user_organisations(self, user_id: str) -> list[JsonObject]:
        self._fail_if_asked()
        return list(self.user_organisations.get(user_id, []))

    async def add_user_to_organisation(
        self, organisation_id: str, user_id: str, role_id: int
    ) -> None:
        self._fail_if_asked()
        self.organisation_links.append(("user", organisation_id, user_id, role_id))

    async def add_invitation_to_organisation(
        self, organisation_id: str, invitation_id: str, role_id: int
    ) -> None:
        self._fail_if_asked()
        self.organisation_links.append(("invitation", organisation_id, invitation_id, role_id))

    async def get_user(self, user_id_or_email: str) -> JsonObject | None:
        self._fail_if_asked()
        wanted = user_id_or_email.lower()
        for user in self.users.values():
            if str(user.get("sub", "")).lower() == wanted:
                return user
            if str(user.get("email", "")).lower() == wanted:
                return user
        return None

    async def get_users(self, user_ids: Sequence[str]) -> list[JsonObject]:
        self._fail_if_asked()
        wanted = {user_id.lower() for user_id in user_ids}
        return [u for u in self.users.values() if str(u.get("sub", "")).lower() in wanted]

    async def get_invitation_by_email(self, email: str) -> JsonObject | None:
        self._fail_if_asked()
        wanted = email.lower()
        for invitation in self.invitations.values():
            if str(invitation.get("email", "")).lower() == wanted:
                return invitation
        return None

    async def create_invitation(self, invitation: JsonObject) -> str:
        self._fail_if_asked()
        invitation_id = f"invitation-{next(self._ids)}"
        self.invitations[invitation_id] = {**invitation, "id": invitation_id}
        return invitation_id

    async def update_invitation(self, invitation_id: str, changes: JsonObject) -> None:
        self._fail_if_asked()
        accepted = {k: v for k, v in changes.items() if k in INVITATION_UPDATE_FIELDS}
        self.invitations[invitation_id] = {**self.invitations.get(invitation_id, {}), **accepted}

    async def get_user_services(self, user_id: str) -> list[JsonObject]:
        self._fail_if_asked()
        return list(self.user_services.get(user_id, []))

    async def list_services(self) -> list[JsonObject]:
        self._fail_if_asked()
        return list(self.services)

    async def get_service(self, id_or_client_id: str) -> JsonObject | None:
        self._fail_if_asked()
        for service in self.services:
            if id_or_client_id in (
                service.get("id"),
                service.get("relyingParty", {}).get("client_id"),
            ):
                return service
        return None
