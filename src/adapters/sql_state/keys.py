"""Which row a ``SyncStateKey`` names, with its values checked as the column types require.

Checking here (not in the database) makes every backend reject the same keys with the same
permanent error, naming the column but never echoing the value.
"""

import uuid
from typing import Any

from sqlalchemy import Table

from adapters.sql_state.tables import organisation_state, role_state, user_state
from domain.errors import InvalidPayload
from domain.model import SyncStateKey

INT_MIN, INT_MAX = -(2**31), 2**31 - 1


def row_key(key: SyncStateKey) -> tuple[Table, dict[str, Any]]:
    """The table and primary-key column values for ``key``."""
    if key.kind == "user":
        if key.organisation_id is None:
            raise InvalidPayload("user_state.organisation_id is required (organisation legacyId)")
        return user_state, {
            "service_id": guid(key.service_id, "user_state.service_id"),
            "user_id": guid(key.entity_id, "user_state.user_id"),
            "organisation_id": _int(key.organisation_id, "user_state.organisation_id"),
        }
    if key.kind == "role":
        return role_state, {
            "service_id": guid(key.service_id, "role_state.service_id"),
            "role_id": guid(key.entity_id, "role_state.role_id"),
        }
    if key.kind == "organisation":
        return organisation_state, {
            "service_id": guid(key.service_id, "organisation_state.service_id"),
            "organisation_id": _int(key.entity_id, "organisation_state.organisation_id"),
        }
    raise ValueError(f"unknown sync state kind {key.kind!r}")


def progress_key(key: SyncStateKey) -> dict[str, Any]:
    """The ``sync_progress`` primary-key values for ``key`` (checked as ``row_key`` does)."""
    table, columns = row_key(key)
    if table is user_state:
        entity_id, organisation_id = columns["user_id"], columns["organisation_id"]
    elif table is role_state:
        entity_id, organisation_id = columns["role_id"], 0
    else:
        entity_id, organisation_id = str(columns["organisation_id"]), 0
    return {
        "service_id": columns["service_id"],
        "entity_kind": key.kind,
        "entity_id": entity_id,
        "organisation_id": organisation_id,
    }


def state_key(row: Any) -> SyncStateKey:
    """The ``SyncStateKey`` a ``sync_progress`` row (a mapping) belongs to."""
    kind = row["entity_kind"]
    organisation_id = row["organisation_id"] if kind == "user" else None
    return SyncStateKey(kind, row["service_id"], row["entity_id"], organisation_id)


def guid(value: str, column: str) -> str:
    """The canonical lower-case form (``uuid`` accepts either case, braces and no dashes)."""
    try:
        return str(uuid.UUID(value))
    except (ValueError, TypeError, AttributeError):
        raise InvalidPayload(f"{column} must be a GUID") from None


def _int(value: int | str, column: str) -> int:
    try:
        number = int(value)
    except (ValueError, TypeError):
        raise InvalidPayload(f"{column} must be an integer (organisation legacyId)") from None
    if not INT_MIN <= number <= INT_MAX:
        raise InvalidPayload(f"{column} is out of range for an int column")
    return number
