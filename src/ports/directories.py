"""Ports: the platform's directory APIs (routes and fields: docs/platform-apis.md#original-calls).

Results are domain types (``domain.directory``); the adapters map the APIs' JSON onto them.
``None`` means "not found" (HTTP 404). Every method raises ``UpstreamUnavailable`` or
``RateLimited`` (retryable) and ``UpstreamRejected`` / ``UpstreamMisconfigured`` (permanent).
"""

from collections.abc import Sequence
from typing import Protocol

from domain.directory import (
    DirectoryOrganisation,
    DirectoryUser,
    Invitation,
    InvitationCallback,
    Membership,
    NewInvitation,
    OrganisationRequest,
    ServiceAccess,
)
from domain.model import Application


class OrganisationDirectory(Protocol):
    """The organisations API."""

    async def get_organisation_request(self, request_id: str) -> OrganisationRequest | None:
        """``GET /organisations/requests/{id}``."""
        ...

    async def get_approver_ids(self, organisation_id: str) -> list[str]:
        """``GET /organisations/{id}/approvers``: approver user ids (empty when not found)."""
        ...

    async def get_organisation(self, organisation_id: str) -> DirectoryOrganisation | None:
        """``GET /organisations/v2/{id}``."""
        ...

    async def get_user_organisations(self, user_id: str) -> list[Membership]:
        """``GET /organisations/v2/associated-with-user/{id}`` (empty when not found)."""
        ...

    async def add_user_to_organisation(
        self, organisation_id: str, user_id: str, role_id: int
    ) -> None:
        """``PUT /organisations/{org}/users/{user}`` with ``{"roleId": role_id}``."""
        ...

    async def add_invitation_to_organisation(
        self, organisation_id: str, invitation_id: str, role_id: int
    ) -> None:
        """``PUT /organisations/{org}/invitations/{invitation}`` with ``{"roleId": role_id}``."""
        ...


class UserDirectory(Protocol):
    """The directories API: users and invitations."""

    async def get_user(self, user_id_or_email: str) -> DirectoryUser | None:
        """``GET /users/{id or e-mail}``; a user without ``sub`` is ``UpstreamRejected``."""
        ...

    async def get_users(self, user_ids: Sequence[str]) -> list[DirectoryUser]:
        """``POST /users/by-ids``: the users that exist (empty when none match)."""
        ...

    async def get_invitation_by_email(self, email: str) -> Invitation | None:
        """``GET /invitations/by-email/{email}``."""
        ...

    async def create_invitation(self, invitation: NewInvitation) -> str:
        """``POST /invitations``; returns the new invitation id."""
        ...

    async def set_invitation_callbacks(
        self, invitation_id: str, callbacks: Sequence[InvitationCallback]
    ) -> None:
        """``PATCH /invitations/{id}`` with ``{"callbacks": [...]}`` and nothing else."""
        ...


class AccessDirectory(Protocol):
    """The access API."""

    async def get_user_services(self, user_id: str) -> list[ServiceAccess]:
        """``GET /users/{id}/services`` (empty when the user has none)."""
        ...


class ApplicationDirectory(Protocol):
    """The applications API."""

    async def list_services(self) -> list[Application]:
        """Every service, all pages of ``GET /services?page=N&pageSize=100``."""
        ...

    async def get_service(self, id_or_client_id: str) -> Application | None:
        """``GET /services/{id or client id}``."""
        ...
