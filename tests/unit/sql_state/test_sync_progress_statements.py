"""``sync_progress`` on SQL Server, which cannot run here: its DDL and the order-raising update
compiled by SQL Server's own dialect (docs/state-store.md quotes this DDL)."""

from datetime import datetime

from sqlalchemy.dialects import mssql
from sqlalchemy.schema import CreateTable

from adapters.sql_state.progress import raise_order
from adapters.sql_state.tables import sync_progress
from domain.model import SnapshotOrder

PYODBC = mssql.dialect(paramstyle="qmark")


def test_the_side_table_ddl() -> None:
    ddl = " ".join(str(CreateTable(sync_progress).compile(dialect=PYODBC)).split())

    assert ddl == (
        "CREATE TABLE service_notifications.sync_progress ( "
        "service_id UNIQUEIDENTIFIER NOT NULL, entity_kind VARCHAR(12) NOT NULL, "
        "entity_id VARCHAR(36) NOT NULL, organisation_id INTEGER NOT NULL, "
        "snapshot_produced_at BIGINT NULL, snapshot_sequence BIGINT NULL, "
        "last_failure VARCHAR(300) NULL, last_failure_job VARCHAR(200) NULL, "
        "failed_at DATETIME2 NULL, updated_at DATETIME2 NOT NULL, "
        "CONSTRAINT [PK_ServiceNotifications_SyncProgress] "
        "PRIMARY KEY (service_id, entity_kind, entity_id, organisation_id) )"
    )


def test_the_order_is_raised_only_where_the_recorded_one_is_older() -> None:
    key = {"service_id": "s", "entity_kind": "role", "entity_id": "r", "organisation_id": 0}
    order = SnapshotOrder(1_767_225_600_000, 42)
    compiled = raise_order(key, order, datetime(2026, 1, 1)).compile(dialect=PYODBC)

    table = "service_notifications.sync_progress"
    assert str(compiled).endswith(
        f"AND ({table}.snapshot_produced_at IS NULL OR {table}.snapshot_produced_at < ? "
        f"OR {table}.snapshot_produced_at = ? AND {table}.snapshot_sequence < ?)"
    )
    assert compiled.positiontup[-3:] == ["snapshot_produced_at_1", "snapshot_produced_at_2",
                                         "snapshot_sequence_1"]  # fmt: skip
    params = compiled.construct_params()
    assert (params["snapshot_produced_at_2"], params["snapshot_sequence_1"]) == (
        order.produced_at_ms,
        42,
    )
