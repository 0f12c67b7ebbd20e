"""What e-mail job payloads carry, and how their fields become Notify personalisation, exactly as
the original did (docs/email-jobs.md#payload-rules).

Payload models keep the Node producers' wire names (camelCase). Fields a job only passes on to
Notify are optional: a field the producer left out is left out of the personalisation, an
explicit null is kept. JavaScript truthiness decides the optional flags, and values placed in
URL paths are percent-encoded (docs/original-bugs.md#item-35; a no-op for the GUIDs producers
send).
"""

from collections.abc import Mapping
from typing import Annotated, Any
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict, StringConstraints
from pydantic.alias_generators import to_camel

Recipient = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
"""An e-mail address to send to: required and non-blank (Notify itself checks the format)."""

RequiredText = Annotated[str, StringConstraints(min_length=1)]
"""A value the job cannot do without (an id in a link, a code)."""

APPROVER_ROLE_ID = 10000
NO_ROLES_SELECTED = "No roles selected."
NOT_APPLICABLE = "n/a"

NAMES = {"firstName": "first_name", "lastName": "last_name"}


class WirePayload(BaseModel):
    """Base of the payload models: camelCase wire names, unknown fields ignored."""

    model_config = ConfigDict(frozen=True, extra="ignore", alias_generator=to_camel)


class UserEmailPayload(WirePayload):
    """An e-mail to one user: the address is required, the names are passed on as sent."""

    email: Recipient
    first_name: str | None = None
    last_name: str | None = None


class ServiceDecisionPayload(UserEmailPayload):
    """A user told the outcome of a request for a service or for roles within one."""

    org_name: str | None = None
    service_name: str | None = None
    requested_sub_services: list[str] | None = None


SERVICE_DECISION_FIELDS = {
    **NAMES,
    "orgName": "org_name",
    "serviceName": "service_name",
    "requestedSubServices": "requested_sub_services",
}
"""Personalisation key → field of ``ServiceDecisionPayload``, passed on as sent."""


class Permission(WirePayload):
    """The user's role in the organisation as the services app sends it (``{}`` by default)."""

    id: int | str | None = None
    name: str | None = None


def sent_values(payload: BaseModel, fields: Mapping[str, str]) -> dict[str, Any]:
    """``{personalisation key: value}`` for each ``{key: field name}`` the producer sent."""
    return {
        key: getattr(payload, name)
        for key, name in fields.items()
        if name in payload.model_fields_set
    }


def plain_text(personalisation: Mapping[str, Any], *keys: str) -> tuple[str, ...]:
    """The keys among ``keys`` holding text, for Notify to sanitise (no Markdown, no links)."""
    return tuple(key for key in keys if isinstance(personalisation.get(key), str))


def reason_text(reason: str | None, *, approved: bool = False) -> str:
    """The reason shown to readers: none when approved, else trimmed, ``""`` when missing."""
    if approved or reason is None:
        return ""
    return reason.strip()


def is_truthy(value: object) -> bool:
    """JavaScript truthiness of a JSON value: ``[]`` and ``{}`` are truthy, ``0`` is not."""
    if isinstance(value, list | dict):
        return True
    return bool(value)


def path_segment(value: str) -> str:
    """``value`` safe to place between two ``/`` of a URL, or after ``=`` in its query."""
    return quote(value, safe="")


def permission_name(permission: Permission | None) -> str:
    """The role's name, ``n/a`` when the producer gave none."""
    return (permission.name if permission else None) or NOT_APPLICABLE


def is_approver(permission: Permission | None) -> bool:
    """The original's ``permission.id === 10000``: the number, not the string ``"10000"``."""
    return (
        permission is not None and type(permission.id) is int and permission.id == APPROVER_ROLE_ID
    )


def roles_or_default(roles: list[str] | None) -> list[str]:
    """The requested roles, or the one line ``No roles selected.`` when there are none."""
    return list(roles) if roles else [NO_ROLES_SELECTED]
