"""What the platform's directory APIs know, as the use cases read it: users, organisations, a
user's memberships and service access, organisation requests and invitations.

The adapters map the APIs' JSON onto these types (``adapters.common.platform_records``, routes
and fields in docs/platform-apis.md#original-calls). Where behaviour depends on telling a field
the API left out from one it sent as ``null`` (a legacy-sync message omits the first and sends
nil for the second; an e-mail leaves the first out of its personalisation), ``is_present`` says
which fields were sent. Values that are only passed on (names, identifiers, codes) keep the
JSON type they came with.
"""

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

ACTIVE_USER_STATUS = 1


class DirectoryRecord(BaseModel):
    """Frozen; remembers which of its fields the API sent."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    def is_present(self, name: str) -> bool:
        """True when the API sent the field ``name`` (even as ``null``)."""
        return name in self.model_fields_set


class DirectoryUser(DirectoryRecord):
    """A user account: ``id`` is its ``sub``."""

    id: str
    first_name: Any = None
    last_name: Any = None
    email: Any = None
    status: Any = None

    @property
    def is_active(self) -> bool:
        """Status 1, as a number or as text (the directories database's ``status = 1``)."""
        return str(self.status) == str(ACTIVE_USER_STATUS)


class DirectoryOrganisation(DirectoryRecord):
    """An organisation, as far as the jobs read it (``category_id`` is its category's id,
    ``local_authority_code`` its local authority's code)."""

    id: str | None = None
    name: Any = None
    urn: Any = None
    uid: Any = None
    legacy_id: Any = None
    category_id: Any = None
    establishment_number: Any = None
    local_authority_code: Any = None


class Membership(DirectoryRecord):
    """A user's place in an organisation, with their identity in its legacy services
    (``numericIdentifier`` and ``textIdentifier``)."""

    organisation: DirectoryOrganisation
    legacy_user_id: Any = None
    legacy_username: Any = None


class RoleReference(DirectoryRecord):
    """A role a user holds in a service: its numeric id and code."""

    numeric_id: Any = None
    code: Any = None


class ServiceAccess(DirectoryRecord):
    """The roles a user holds in one service through one organisation."""

    service_id: str | None = None
    organisation_id: str
    roles: tuple[RoleReference, ...] = ()


class OrganisationRequest(DirectoryRecord):
    """A user's request to join an organisation; either id may be missing from a bad record."""

    organisation_id: str | None = None
    user_id: str | None = None
    reason: str | None = None


class InvitationCallback(DirectoryRecord):
    """A relying party to tell when the invitee registers: its own id for the invitation, the
    URL to call and its client id. ``kept`` holds a stored entry's other properties (such as
    the ``callbackUri`` the original wrote), written back unchanged."""

    source_id: Any = None
    callback: Any = None
    client_id: Any = None
    kept: Mapping[str, Any] = Field(default_factory=dict)


class Invitation(DirectoryRecord):
    """An invitation not yet accepted, with the callbacks already stored on it."""

    id: str
    callbacks: tuple[InvitationCallback, ...] = ()

    def has_callback(self, source_id: Any, url: Any) -> bool:
        """Whether a callback with this source id and URL is stored already."""
        return any(c.source_id == source_id and c.callback == url for c in self.callbacks)


class NewInvitation(DirectoryRecord):
    """An invitation to create; ``None`` leaves a property out, as ``JSON.stringify`` did.
    ``client_id`` and ``redirect_uri`` say where it came from (its origin)."""

    email: str
    first_name: str | None = None
    last_name: str | None = None
    client_id: str | None = None
    redirect_uri: str | None = None
    self_started: bool = False
    callbacks: tuple[InvitationCallback, ...] = ()
    subject_override: str | None = None
    body_override: str | None = None
