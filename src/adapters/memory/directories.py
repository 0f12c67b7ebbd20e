"""In-memory directory APIs: one object serving every directory port, seeded by tests."""

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from adapters.common import platform_records as records
from adapters.memory.failures import FailsOnDemand
from domain import directory
from domain.model import Application, JsonObject


@dataclass
class InMemoryDirectories(FailsOnDemand):
    """Implements ``OrganisationDirectory``, ``UserDirectory``, ``AccessDirectory`` and
    ``ApplicationDirectory`` over the JSON the REST APIs would answer with, mapped to domain
    types as the HTTP adapter maps it (``adapters.common.platform_records``).

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

    async def get_organisation_request(
        self, request_id: str
    ) -> directory.OrganisationRequest | None:
        self._fail_if_asked()
        found = self.organisation_requests.get(request_id)
        return None if found is None else records.organisation_request(found)

    async def get_approver_ids(self, organisation_id: str) -> list[str]:
        self._fail_if_asked()
        return list(self.approvers.get(organisation_id, []))

    async def get_organisation(
        self, organisation_id: str
    ) -> directory.DirectoryOrganisation | None:
        self._fail_if_asked()
        found = self.organisations.get(organisation_id)
        return None if found is None else records.organisation(found)

    async def get_user_organisations(self, user_id: str) -> list[directory.Membership]:
        self._fail_if_asked()
        return records.memberships(list(self.user_organisations.get(user_id, [])))

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

    async def get_user(self, user_id_or_email: str) -> directory.DirectoryUser | None:
        self._fail_if_asked()
        wanted = user_id_or_email.lower()
        for user in self.users.values():
            if wanted in (str(user.get("sub", "")).lower(), str(user.get("email", "")).lower()):
                return records.user(user)
        return None

    async def get_users(self, user_ids: Sequence[str]) -> list[directory.DirectoryUser]:
        self._fail_if_asked()
        wanted = {user_id.lower() for user_id in user_ids}
        found = [u for u in self.users.values() if str(u.get("sub", "")).lower() in wanted]
        return records.users(found)

    async def get_invitation_by_email(self, email: str) -> directory.Invitation | None:
        self._fail_if_asked()
        wanted = email.lower()
        for invitation in self.invitations.values():
            if str(invitation.get("email", "")).lower() == wanted:
                return records.invitation(invitation)
        return None

    async def create_invitation(self, invitation: directory.NewInvitation) -> str:
        self._fail_if_asked()
        invitation_id = f"invitation-{next(self._ids)}"
        self.invitations[invitation_id] = {
            **records.new_invitation_json(invitation),
            "id": invitation_id,
        }
        return invitation_id

    async def set_invitation_callbacks(
        self, invitation_id: str, callbacks: Sequence[directory.InvitationCallback]
    ) -> None:
        self._fail_if_asked()
        stored = self.invitations.setdefault(invitation_id, {})
        stored["callbacks"] = [records.callback_json(callback) for callback in callbacks]

    async def get_user_services(self, user_id: str) -> list[directory.ServiceAccess]:
        self._fail_if_asked()
        return records.service_access(list(self.user_services.get(user_id, [])))

    async def list_services(self) -> list[Application]:
        self._fail_if_asked()
        return records.applications(list(self.services))

    async def get_service(self, id_or_client_id: str) -> Application | None:
        self._fail_if_asked()
        for service in self.services:
            if id_or_client_id in (_client_id(service), service.get("id")):
                return records.application(service)
        return None


def _client_id(service: JsonObject) -> Any:
    relying_party = service.get("relyingParty")
    return relying_party.get("client_id") if isinstance(relying_party, dict) else None
