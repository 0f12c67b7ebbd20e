"""Typed, checked access to ``LegacyMessage.fields`` and the JavaScript value rules formatters use.

The field names are the contract with the sync use cases (docs/legacy-sync.md#provision-parameters,
documented on ``LegacyMessage``). An unknown name is a programming error on the producing side, so
it fails the job instead of silently dropping a value; error messages name the field, never its
value.
"""

import math
from collections.abc import Mapping
from typing import Any, TypeAlias

from adapters.soap.body import ABSENT, Absent, Scalar
from domain.errors import InvalidPayload

Field: TypeAlias = Scalar | Absent | None

USER_FIELDS = frozenset(
    {
        "saUserId",
        "saUsername",
        "firstName",
        "lastName",
        "emailAddress",
        "organisationId",
        "wsAccountStatusCode",
        "establishmentUrn",
        "localAuthorityCode",
        "groupUpdates",
        "organisationUid",
    }
)
ORGANISATION_FIELDS = frozenset(
    {
        "establishmentDfeNumber",
        "establishmentUrn",
        "establishmentNumber",
        "groupUid",
        "localAuthorityCode",
        "localAuthorityName",
        "orgEdubaseTypeCode",
        "organisationId",
        "organisationName",
        "organisationTypeCode",
        "wsOrganisationStatusCode",
        "regionCode",
        "telephoneNumber",
    }
)
GROUP_FIELDS = frozenset({"id", "code", "name", "status", "parentId", "parentCode"})


class FieldReader:
    """Reads one message's fields; absent keys are ``ABSENT``, explicit nulls stay ``None``."""

    def __init__(self, operation: str, fields: Mapping[str, Any], allowed: frozenset[str]) -> None:
        unknown = sorted(set(fields) - allowed)
        if unknown:
            raise InvalidPayload(f"{operation} has unknown field(s) {', '.join(unknown)}")
        self._operation = operation
        self._fields = fields

    def scalar(self, name: str) -> Field:
        return _scalar(self._operation, name, self._fields.get(name, ABSENT))

    def text(self, name: str) -> Field:
        """The value, or empty text when it is absent, null or falsy (JavaScript ``x || ""``)."""
        return self.scalar(name) or ""

    def roles(self, name: str) -> list[tuple[Field, Field]]:
        """``[(id, code), …]`` from a list of ``{"id": …, "code": …}``; required for formatters
        that send roles, because an empty list would strip the user's roles at the legacy end."""
        value = self._fields.get(name, ABSENT)
        if not isinstance(value, list | tuple):
            raise InvalidPayload(f"{self._operation} field '{name}' must be a list of roles")
        roles = []
        for role in value:
            if not isinstance(role, Mapping):
                raise InvalidPayload(f"{self._operation} field '{name}' must hold objects")
            role_id = _scalar(self._operation, f"{name}[].id", role.get("id", ABSENT))
            code = _scalar(self._operation, f"{name}[].code", role.get("code", ABSENT))
            roles.append((role_id, code))
        return roles


def _scalar(operation: str, name: str, value: object) -> Field:
    if value is None or value is ABSENT or isinstance(value, str | int | float | bool):
        return value
    raise InvalidPayload(f"{operation} field '{name}' must be text, a number or a boolean")


def is_number(value: Field, number: int) -> bool:
    """JavaScript ``value === number`` (booleans are not numbers)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and value == number


def loosely_equals(value: Field, number: int) -> bool:
    """JavaScript ``value == number``: numbers compare, numeric strings are converted."""
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return number == 0
        try:
            return float(text) == number
        except ValueError:
            return False
    if isinstance(value, bool):
        return int(value) == number
    if isinstance(value, int | float):
        return not math.isnan(value) and value == number
    return False
