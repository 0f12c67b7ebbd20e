"""The original's three state tables, column for column, as its SQL script creates them,
and ``sync_progress``, this service's side table (the original's tables are left unchanged)."""

from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Dialect,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    TypeDecorator,
)
from sqlalchemy.dialects import mssql, postgresql
from sqlalchemy.types import TypeEngine

SCHEMA = "service_notifications"
ACTION_MAX_LENGTH = 50


class Guid(TypeDecorator[str]):
    """``uniqueidentifier`` on SQL Server, ``uuid`` on PostgreSQL, text elsewhere.

    Values are written lower-case and read back lower-case (SQL Server returns upper-case), so
    GUIDs compare case-insensitively on every backend.
    """

    impl = String(36)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "mssql":
            return dialect.type_descriptor(mssql.UNIQUEIDENTIFIER(as_uuid=False))
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.UUID(as_uuid=False))
        return dialect.type_descriptor(String(36))

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else value.lower()

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else str(value).lower()


Timestamp = DateTime().with_variant(mssql.DATETIME2(), "mssql")  # type: ignore[no-untyped-call]
"""``datetime2`` on SQL Server; naive UTC values, as Sequelize wrote them."""

metadata = MetaData(schema=SCHEMA)


def _state_columns() -> list[Column[Any]]:
    return [
        Column("last_action_sent", String(ACTION_MAX_LENGTH), nullable=True),
        Column("createdAt", Timestamp, nullable=False),
        Column("updatedAt", Timestamp, nullable=False),
    ]


user_state = Table(
    "user_state",
    metadata,
    Column("service_id", Guid, nullable=False),
    Column("user_id", Guid, nullable=False),
    Column("organisation_id", Integer, nullable=False),
    *_state_columns(),
    PrimaryKeyConstraint(
        "service_id", "user_id", "organisation_id", name="PK_ServiceNotifications_UserState"
    ),
)

role_state = Table(
    "role_state",
    metadata,
    Column("service_id", Guid, nullable=False),
    Column("role_id", Guid, nullable=False),
    *_state_columns(),
    PrimaryKeyConstraint("service_id", "role_id", name="PK_ServiceNotifications_RoleState"),
)

organisation_state = Table(
    "organisation_state",
    metadata,
    Column("service_id", Guid, nullable=False),
    Column("organisation_id", Integer, nullable=False),
    *_state_columns(),
    PrimaryKeyConstraint(
        "service_id", "organisation_id", name="PK_ServiceNotifications_OrganisationState"
    ),
)

FAILURE_MAX_LENGTH = 300

sync_progress = Table(
    "sync_progress",
    metadata,
    Column("service_id", Guid, nullable=False),
    Column("entity_kind", String(12), nullable=False),  # user, role, organisation
    Column("entity_id", String(36), nullable=False),  # user or role GUID, organisation legacyId
    Column("organisation_id", Integer, nullable=False),  # user rows: organisation legacyId; else 0
    Column("snapshot_produced_at", BigInteger, nullable=True),  # ms, the producer's job timestamp
    Column("snapshot_sequence", BigInteger, nullable=True),  # the producer queue's job id
    Column("last_failure", String(FAILURE_MAX_LENGTH), nullable=True),
    Column("last_failure_job", String(200), nullable=True),  # <queue>:<job id>
    Column("failed_at", Timestamp, nullable=True),
    Column("updated_at", Timestamp, nullable=False),
    PrimaryKeyConstraint(
        "service_id",
        "entity_kind",
        "entity_id",
        "organisation_id",
        name="PK_ServiceNotifications_SyncProgress",
    ),
)
"""Per service and entity: the newest snapshot applied and the last failed push. Rows appear
when this service first sends an ordered snapshot or records a failure."""
