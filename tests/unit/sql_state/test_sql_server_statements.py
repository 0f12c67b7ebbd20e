"""SQL Server cannot run here: check what we would send it, compiled by its own dialect."""

import importlib.util
from datetime import datetime

import pytest
from sqlalchemy.dialects import mssql
from sqlalchemy.schema import CreateTable

from adapters.sql_state.engine import create_state_engine
from adapters.sql_state.tables import Guid, role_state, user_state
from adapters.sql_state.upsert import upsert_statement
from domain.errors import UpstreamMisconfigured

PYODBC = mssql.dialect(paramstyle="qmark")


def test_tables_match_the_original_sql_script() -> None:
    ddl = " ".join(str(CreateTable(user_state).compile(dialect=PYODBC)).split())

    assert ddl == (
        "CREATE TABLE service_notifications.user_state ( "
        "service_id UNIQUEIDENTIFIER NOT NULL, user_id UNIQUEIDENTIFIER NOT NULL, "
        "organisation_id INTEGER NOT NULL, last_action_sent VARCHAR(50) NULL, "
        "[createdAt] DATETIME2 NOT NULL, [updatedAt] DATETIME2 NOT NULL, "
        "CONSTRAINT [PK_ServiceNotifications_UserState] "
        "PRIMARY KEY (service_id, user_id, organisation_id) )"
    )


def test_upsert_is_a_merge_that_keeps_created_at() -> None:
    now = datetime(2026, 6, 1, 12, 0)
    key = {"service_id": "a1", "role_id": "b2"}
    compiled = upsert_statement("mssql", role_state, key, "UPDATE", now).compile(dialect=PYODBC)

    assert str(compiled) == (
        "MERGE [service_notifications].[role_state] WITH (HOLDLOCK) AS target "
        "USING (SELECT ? AS [service_id], ? AS [role_id]) AS source "
        "ON target.[service_id] = source.[service_id] AND target.[role_id] = source.[role_id] "
        "WHEN MATCHED THEN UPDATE SET [last_action_sent] = ?, [updatedAt] = ? "
        "WHEN NOT MATCHED THEN INSERT "
        "([service_id], [role_id], [last_action_sent], [createdAt], [updatedAt]) "
        "VALUES (?, ?, ?, ?, ?);"
    )
    assert compiled.positiontup == [
        *["service_id", "role_id", "last_action_sent", "updatedAt"],
        *["service_id", "role_id", "last_action_sent", "createdAt", "updatedAt"],
    ]
    assert compiled.construct_params() == {
        **key,
        "last_action_sent": "UPDATE",
        "createdAt": now,
        "updatedAt": now,
    }
    assert isinstance(compiled.binds["service_id"].type, Guid)


def test_guids_read_from_sql_server_upper_case_come_back_lower_case() -> None:
    guid = Guid()
    assert guid.process_result_value("6D2D8BD1-0E0B-4D3B-9F43-8B5B7A3B3F0A", PYODBC) == (
        "6d2d8bd1-0e0b-4d3b-9f43-8b5b7a3b3f0a"
    )
    assert guid.process_bind_param("6D2D8BD1-0E0B-4D3B-9F43-8B5B7A3B3F0A", PYODBC) == (
        "6d2d8bd1-0e0b-4d3b-9f43-8b5b7a3b3f0a"
    )


@pytest.mark.skipif(
    importlib.util.find_spec("aioodbc") is not None, reason="only meaningful without aioodbc"
)
def test_a_missing_sql_server_driver_is_a_clear_configuration_error() -> None:
    url = "mssql+aioodbc://svc:Pa55word@server/jobs?driver=ODBC+Driver+18+for+SQL+Server"

    with pytest.raises(UpstreamMisconfigured, match="'aioodbc' driver") as caught:
        create_state_engine(url)

    assert "Pa55word" not in str(caught.value)
