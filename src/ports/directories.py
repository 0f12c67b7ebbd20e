"""Ports: the platform's directory APIs (catalogue §1.11).

Results are the APIs' JSON objects (``JsonObject``); use cases read the fields the catalogue
names. ``None`` means "not found" (HTTP 404). Every method raises ``UpstreamUnavailable`` or
``RateLimited`` (retryable) and ``UpstreamRejected`` / ``UpstreamMisconfigured`` (permanent).
"""

from collections.abc import Sequence
from typing import Protocol

from domain.model import JsonObject

INVITATION_UPDATE_FIELDS = frozenset(
    {"email", "firstName", "lastName", "isCompleted", "deactivated", "reason", "callbacks"}
)
"""The only properties ``PATCH /invitations/{id}`` accepts; ``update_invitation`` drops the rest."""


class OrganisationDirectory(Protocol):
    """The organisations API."""

    async def get_organisation_request(self, request_id: str) -> JsonObject | None:
        """``GET /organisations/requests/{id}``: ``org_id``, ``user_id``, ``reason``."""
        ...

    async def get_approver_ids(self, organisation_id: str) -> list[str]:
        """``GET /organisations/{id}/approvers``: approver user ids (empty when not found)."""
        ...

    async def get_organisation(self, organisation_id: str) -> JsonObject | None:
        """``GET /organisations/v2/{id}``: ``name``, ``urn``, ..."""
        ...

    async def get_user_organisations(self, user_id: str) -> list[JsonObject]:
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

    async def get_user(self, user_id_or_email: str) -> JsonObject | None:
        """``GET /users/{id or e-mail}``: ``sub``, names, ``email``, ``status``."""
        ...

    async def get_users(self, user_ids: Sequence[str]) -> list[JsonObject]:
        """``POST /users/by-ids``: the users that exist (empty when none match)."""
        ...

    async def get_invitation_by_email(self, email: str) -> JsonObject | None:
        """``GET /invitations/by-email/{email}``."""
        ...

    async def create_invitation(self, invitation: JsonObject) -> str:
        """``POST /invitations``; returns the new invitation id."""
        ...

    async def update_invitation(self, invitation_id: str, changes: JsonObject) -> None:
        """``PATCH /invitations/{id}`` with only the properties the API accepts."""
        ...


class AccessDirectory(Protocol):
    """The access API."""

    async def get_user_services(self, user_id: str) -> list[JsonObject]:
        """``GET /users/{id}/services`` (empty when the user has none)."""
        ...


class ApplicationDirectory(Protocol):
    """The applications API."""

    async def list_services(self) -> list[JsonObject]:
        """Every service, all pages of ``GET /services?page=N&pageSize=100``."""
        ...

    async def get_service(self, id_or_client_id: str) -> JsonObject | None:
        """``GET /services/{id or client id}``."""
        ...
