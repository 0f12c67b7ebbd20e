"""No SQL Server runs here: check what we would send it, compiled by the dialect production uses.

The dialect is SQLAlchemy's ``mssql+mssqlpython`` with the installed ``mssql_python`` driver
loaded, so parameter style and type handling are the real ones.
"""

from datetime import datetime

import mssql_python
import pytest
from sqlalchemy import Dialect, create_engine
from sqlalchemy.schema import CreateSchema, CreateTable

from adapters.sql_state.tables import SCHEMA, Guid, organisation_state, role_state, user_state
from adapters.sql_state.upsert import upsert_statement


@pytest.fixture(scope="module")
def dialect() -> Dialect:
    return create_engine("mssql+mssqlpython://svc@server/jobs").dialect


def test_the_dialect_is_the_real_driver(dialect: Dialect) -> None:
    assert dialect.driver == "mssqlpython"
    assert dialect.loaded_dbapi is mssql_python
    assert dialect.paramstyle == mssql_python.paramstyle == "pyformat"


def test_tables_match_the_original_sql_script(dialect: Dialect) -> None:
    ddl = " ".join(str(CreateTable(user_state).compile(dialect=dialect)).split())

    assert ddl == (
        "CREATE TABLE service_notifications.user_state ( "
        "service_id UNIQUEIDENTIFIER NOT NULL, user_id UNIQUEIDENTIFIER NOT NULL, "
        "organisation_id INTEGER NOT NULL, last_action_sent VARCHAR(50) NULL, "
        "[createdAt] DATETIME2 NOT NULL, [updatedAt] DATETIME2 NOT NULL, "
        "CONSTRAINT [PK_ServiceNotifications_UserState] "
        "PRIMARY KEY (service_id, user_id, organisation_id) )"
    )
    assert str(CreateSchema(SCHEMA).compile(dialect=dialect)) == (
        "CREATE SCHEMA service_notifications"
    )


def test_upsert_is_a_merge_that_keeps_created_at(dialect: Dialect) -> None:
    now = datetime(2026, 6, 1, 12, 0)
    key = {"service_id": "a1", "role_id": "b2"}
    compiled = upsert_statement("mssql", role_state, key, "UPDATE", now).compile(dialect=dialect)

    assert str(compiled) == (
        "MERGE [service_notifications].[role_state] WITH (HOLDLOCK) AS target "
        "USING (SELECT %(service_id)s AS [service_id], %(role_id)s AS [role_id]) AS source "
        "ON target.[service_id] = source.[service_id] AND target.[role_id] = source.[role_id] "
        "WHEN MATCHED THEN UPDATE SET [last_action_sent] = %(last_action_sent)s, "
        "[updatedAt] = %(updatedAt)s "
        "WHEN NOT MATCHED THEN INSERT "
        "([service_id], [role_id], [last_action_sent], [createdAt], [updatedAt]) "
        "VALUES (%(service_id)s, %(role_id)s, %(last_action_sent)s, %(createdAt)s, "
        "%(updatedAt)s);"
    )
    assert compiled.construct_params() == {
        **key,
        "last_action_sent": "UPDATE",
        "createdAt": now,
        "updatedAt": now,
    }
    assert isinstance(compiled.binds["service_id"].type, Guid)


def test_every_table_gets_a_merge_on_its_own_primary_key(dialect: Dialect) -> None:
    now = datetime(2026, 6, 1, 12, 0)
    for table, key in (
        (user_state, {"service_id": "a", "user_id": "b", "organisation_id": 1}),
        (organisation_state, {"service_id": "a", "organisation_id": 1}),
    ):
        sql = str(upsert_statement("mssql", table, key, "CREATE", now).compile(dialect=dialect))
        match = " AND ".join(f"target.[{name}] = source.[{name}]" for name in key)

        assert sql.startswith(f"MERGE [service_notifications].[{table.name}] WITH (HOLDLOCK)")
        assert f"ON {match} WHEN MATCHED" in sql


def test_guids_read_from_sql_server_upper_case_come_back_lower_case(dialect: Dialect) -> None:
    guid = Guid()
    upper = "6D2D8BD1-0E0B-4D3B-9F43-8B5B7A3B3F0A"
    assert guid.process_result_value(upper, dialect) == upper.lower()
    assert guid.process_bind_param(upper, dialect) == upper.lower()
