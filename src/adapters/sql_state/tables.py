"""The three state tables of catalogue §4.1, column for column, as the SQL script creates them."""

from typing import Any

from sqlalchemy import (
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
