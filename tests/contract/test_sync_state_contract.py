"""``SyncStateStore`` contract: the in-memory fake, SQLite, PostgreSQL and SQL Server behave alike.

PostgreSQL runs for real on 127.0.0.1:5432 in a database made for this test session. SQL Server
runs only when ``JOBS_TEST_MSSQL_URL`` names a throwaway database (its state tables are dropped
and recreated); otherwise each of its cases is skipped with a reason saying so. SQL-only checks
(raw rows, table creation, invalid keys) run on every SQL backend.
"""

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql
from pydantic import SecretStr
from sqlalchemy import Connection, Table, inspect, select, text
from structlog.testing import capture_logs

from adapters.memory.state_store import InMemorySyncStateStore
from adapters.sql_state.engine import (
    StateEngine,
    create_state_engine,
    create_state_tables,
    open_state_engine,
)
from adapters.sql_state.store import SqlSyncStateStore
from adapters.sql_state.tables import (
    SCHEMA,
    organisation_state,
    role_state,
    sync_progress,
    user_state,
)
from domain.errors import InvalidPayload, UpstreamUnavailable
from domain.model import SnapshotOrder, SyncState, SyncStateKey
from ports.state_store import SyncStateStore
from tests.conftest import require_service

POSTGRES_ADMIN_URL = os.environ.get(  # noqa: TID251 - a test database, not a service setting
    "DSI_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
MSSQL_URL = os.environ.get("JOBS_TEST_MSSQL_URL", "")  # noqa: TID251 - a test database
MSSQL_NOT_RUN = "JOBS_TEST_MSSQL_URL is not set: the contract suite did NOT run against SQL Server"
SQL_BACKENDS = ["sqlite", "postgresql", "mssql"]
TABLES = {"user": user_state, "role": role_state, "organisation": organisation_state}
PRIMARY_KEYS = {
    "user_state": "PK_ServiceNotifications_UserState",
    "role_state": "PK_ServiceNotifications_RoleState",
    "organisation_state": "PK_ServiceNotifications_OrganisationState",
    "sync_progress": "PK_ServiceNotifications_SyncProgress",
}


def guid() -> str:
    return str(uuid.uuid4())


def keys(service_id: str | None = None) -> list[SyncStateKey]:
    """One key of each kind for one service."""
    service = service_id or guid()
    return [
        SyncStateKey("user", service, guid(), 1234),
        SyncStateKey("role", service, guid()),
        SyncStateKey("organisation", service, "5678"),
    ]


@pytest.fixture(scope="session")
def postgres_database_url() -> Iterator[str]:
    """A uniquely named database for this session, dropped at the end."""
    name = f"dsi_jobs_state_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        require_service("PostgreSQL at " + POSTGRES_ADMIN_URL, error)
        raise
    with admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=5) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if backend == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'data' / 'state.sqlite3'}"
    if backend == "mssql":
        if not MSSQL_URL:
            pytest.skip(MSSQL_NOT_RUN)
        return MSSQL_URL
    url: str = request.getfixturevalue("postgres_database_url")
    return url


@pytest.fixture(params=SQL_BACKENDS)
async def sql_engine(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[StateEngine]:
    engine = create_state_engine(SecretStr(database_url(request.param, request, tmp_path)))
    yield engine
    await engine.dispose()


@pytest.fixture(params=["memory", *SQL_BACKENDS])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[SyncStateStore]:
    if request.param == "memory":
        yield InMemorySyncStateStore()
        return
    engine = create_state_engine(SecretStr(database_url(request.param, request, tmp_path)))
    yield SqlSyncStateStore(engine)
    await engine.dispose()


async def raw_rows(engine: StateEngine, table: Table) -> list[dict[str, Any]]:
    return await engine.transaction(
        lambda connection: [dict(row) for row in connection.execute(select(table)).mappings()]
    )


def _drop_state_tables(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        return
    prefix = "" if connection.dialect.name == "sqlite" else f"{SCHEMA}."
    for table in [*TABLES.values(), sync_progress]:
        connection.execute(text(f"DROP TABLE IF EXISTS {prefix}{table.name}"))


async def drop_state_tables(engine: StateEngine) -> None:
    await engine.transaction(_drop_state_tables)


def _schema(connection: Connection) -> str | None:
    return None if connection.dialect.name == "sqlite" else SCHEMA


async def table_names(engine: StateEngine) -> set[str]:
    names = await engine.transaction(
        lambda connection: inspect(connection).get_table_names(schema=_schema(connection))
    )
    return set(names)


# The shared contract ----------------------------------------------------------------------------


async def action(store: SyncStateStore, key: SyncStateKey) -> str | None:
    return (await store.read(key)).last_action


async def test_nothing_sent_reads_empty(store: SyncStateStore) -> None:
    for key in keys():
        assert await store.read(key) == SyncState()


async def test_recorded_action_and_snapshot_are_read_back(store: SyncStateStore) -> None:
    for key in keys():
        await store.record_sent(key, "CREATE", SnapshotOrder(1_767_225_600_000, 7))
        assert await store.read(key) == SyncState("CREATE", SnapshotOrder(1_767_225_600_000, 7))


async def test_update_overwrites_create(store: SyncStateStore) -> None:
    for key in keys():
        await store.record_sent(key, "CREATE", None)
        await store.record_sent(key, "UPDATE", None)
        assert await action(store, key) == "UPDATE"


async def test_the_snapshot_order_only_rises(store: SyncStateStore) -> None:
    for key in keys():
        await store.record_sent(key, "CREATE", SnapshotOrder(2000, 5))
        await store.record_sent(key, "UPDATE", SnapshotOrder(1000, 9))  # raced past the check
        await store.record_sent(key, "UPDATE", SnapshotOrder(2000, 4))
        await store.record_sent(key, "UPDATE", None)
        assert (await store.read(key)).applied == SnapshotOrder(2000, 5)
        await store.record_sent(key, "UPDATE", SnapshotOrder(2000, 6))
        assert (await store.read(key)).applied == SnapshotOrder(2000, 6)


async def test_a_failure_is_kept_until_a_push_succeeds(store: SyncStateStore) -> None:
    for key in keys():
        await store.record_failure(key, "UpstreamRejected: already exists", "queue_a:12")
        failed = await store.read(key)
        assert (failed.last_action, failed.applied) == (None, None)
        assert (failed.last_failure, failed.failed_job) == (
            "UpstreamRejected: already exists",
            "queue_a:12",
        )
        assert failed.failed_at is not None

        await store.record_sent(key, "CREATE", SnapshotOrder(3000, 1))
        await store.record_failure(key, "UpstreamUnavailable: HTTP 503", "queue_a:13")
        again = await store.read(key)
        assert (again.last_action, again.applied, again.failed_job) == (
            "CREATE",
            SnapshotOrder(3000, 1),
            "queue_a:13",
        )
        await store.record_sent(key, "UPDATE", None)
        assert await store.read(key) == SyncState("UPDATE", SnapshotOrder(3000, 1))


async def test_keys_are_independent_by_kind_service_entity_and_organisation(
    store: SyncStateStore,
) -> None:
    service, user, role = guid(), guid(), guid()
    recorded = SyncStateKey("user", service, user, 10)
    await store.record_sent(recorded, "CREATE", SnapshotOrder(1, 1))
    await store.record_sent(SyncStateKey("organisation", service, "10"), "UPDATE", None)
    await store.record_failure(SyncStateKey("role", service, role), "failed", "q:1")

    others = [
        SyncStateKey("user", guid(), user, 10),  # other service
        SyncStateKey("user", service, guid(), 10),  # other user
        SyncStateKey("user", service, user, 11),  # other organisation
        SyncStateKey("role", service, user),  # same id, other kind
        SyncStateKey("role", service, guid()),
        SyncStateKey("organisation", guid(), "10"),
        SyncStateKey("organisation", service, "11"),
    ]
    for other in others:
        assert await store.read(other) == SyncState()
    assert await store.read(recorded) == SyncState("CREATE", SnapshotOrder(1, 1))
    assert await action(store, SyncStateKey("organisation", service, "10")) == "UPDATE"


async def test_guids_compare_case_insensitively(store: SyncStateStore) -> None:
    for key in keys():
        upper = SyncStateKey(
            key.kind, key.service_id.upper(), key.entity_id.upper(), key.organisation_id
        )
        await store.record_sent(upper, "CREATE", SnapshotOrder(5, 0))
        assert await store.read(key) == SyncState("CREATE", SnapshotOrder(5, 0))
        await store.record_sent(key, "UPDATE", SnapshotOrder(6, 0))
        assert await store.read(upper) == SyncState("UPDATE", SnapshotOrder(6, 0))


# SQL backends -----------------------------------------------------------------------------------


async def test_guids_are_stored_lower_case_in_one_row(sql_engine: StateEngine) -> None:
    store = SqlSyncStateStore(sql_engine)
    service, user = guid(), guid()
    await store.record_sent(SyncStateKey("user", service.upper(), user.upper(), 7), "CREATE", None)
    await store.record_sent(SyncStateKey("user", service, user, 7), "UPDATE", None)

    rows = [row for row in await raw_rows(sql_engine, user_state) if row["user_id"] == user]
    assert [(r["service_id"], r["organisation_id"], r["last_action_sent"]) for r in rows] == [
        (service, 7, "UPDATE")
    ]


async def test_upsert_keeps_created_at_and_moves_updated_at(sql_engine: StateEngine) -> None:
    first, second = datetime(2026, 1, 2, 9, 30, 0, 123456), datetime(2026, 1, 3, 10, 0, 0, 654321)
    times = iter([first, second])
    store = SqlSyncStateStore(sql_engine, clock=lambda: next(times))
    key = SyncStateKey("role", guid(), guid())

    await store.record_sent(key, "CREATE", None)
    await store.record_sent(key, "UPDATE", None)

    rows = [r for r in await raw_rows(sql_engine, role_state) if r["role_id"] == key.entity_id]
    assert rows == [
        {
            "service_id": key.service_id,
            "role_id": key.entity_id,
            "last_action_sent": "UPDATE",
            "createdAt": first,
            "updatedAt": second,
        }
    ]


async def test_tables_are_created_when_missing_and_creation_is_idempotent(
    sql_engine: StateEngine,
) -> None:
    await drop_state_tables(sql_engine)
    assert await table_names(sql_engine) == set()

    await create_state_tables(sql_engine)
    key = keys()[0]
    await SqlSyncStateStore(sql_engine).record_sent(key, "CREATE", SnapshotOrder(9, 9))
    await create_state_tables(sql_engine)  # a second start-up

    assert await table_names(sql_engine) == set(PRIMARY_KEYS)
    names = await sql_engine.transaction(
        lambda connection: {
            table: inspect(connection).get_pk_constraint(table, schema=_schema(connection))["name"]
            for table in PRIMARY_KEYS
        }
    )
    assert names == PRIMARY_KEYS
    assert await SqlSyncStateStore(sql_engine).read(key) == SyncState("CREATE", SnapshotOrder(9, 9))


@pytest.mark.parametrize("backend", SQL_BACKENDS)
async def test_processes_starting_at_once_both_create_the_tables(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """Two replicas starting together on an empty database: neither fails (without the
    creation lock, ``CREATE SCHEMA IF NOT EXISTS`` or check-then-create lost the race)."""
    url = SecretStr(database_url(backend, request, tmp_path))
    engines = [create_state_engine(url), create_state_engine(url)]  # two pools, two processes
    try:
        for _ in range(3):  # the race is lost nearly every time without the lock; be sure
            await drop_state_tables(engines[0])
            await asyncio.gather(*(create_state_tables(engine) for engine in engines))
            assert await table_names(engines[1]) == set(PRIMARY_KEYS)
    finally:
        await asyncio.gather(*(engine.dispose() for engine in engines))


async def test_store_creates_missing_tables_before_its_first_query(
    sql_engine: StateEngine,
) -> None:
    await drop_state_tables(sql_engine)
    store = SqlSyncStateStore(sql_engine)

    key = keys()[2]
    assert await store.read(key) == SyncState()
    await store.record_sent(key, "CREATE", None)

    assert await table_names(sql_engine) == set(PRIMARY_KEYS)
    assert await store.read(key) == SyncState("CREATE")


ORIGINAL_COLUMNS = {
    "user_state": [
        "service_id", "user_id", "organisation_id", "last_action_sent", "createdAt", "updatedAt",
    ],
    "role_state": ["service_id", "role_id", "last_action_sent", "createdAt", "updatedAt"],
    "organisation_state": [
        "service_id", "organisation_id", "last_action_sent", "createdAt", "updatedAt",
    ],
}  # fmt: skip


async def test_the_original_tables_keep_their_columns_and_rows_it_wrote_are_read(
    sql_engine: StateEngine,
) -> None:
    """The original (Node) service can keep reading and writing its tables during a cut-over:
    they gain no column, and a row it wrote (no order known) reads as sent."""
    store = SqlSyncStateStore(sql_engine)
    key = SyncStateKey("organisation", guid(), "77")
    await store.read(key)  # creates the tables
    columns = await sql_engine.transaction(
        lambda connection: {
            table: [
                column["name"]
                for column in inspect(connection).get_columns(table, schema=_schema(connection))
            ]
            for table in ORIGINAL_COLUMNS
        }
    )
    assert columns == ORIGINAL_COLUMNS

    now = datetime(2026, 1, 2, 9, 30)
    insert = organisation_state.insert().values(  # as the original's upsert inserts
        service_id=key.service_id, organisation_id=77, last_action_sent="CREATE",
        createdAt=now, updatedAt=now,
    )  # fmt: skip
    await sql_engine.transaction(lambda connection: connection.execute(insert))
    assert await store.read(key) == SyncState("CREATE")
    await store.record_sent(key, "UPDATE", SnapshotOrder(10, 1))
    [row] = [
        r for r in await raw_rows(sql_engine, organisation_state) if r["organisation_id"] == 77
    ]
    assert (row["last_action_sent"], row["createdAt"]) == ("UPDATE", now)


async def test_an_operator_marks_an_entity_created_or_new_and_its_failure_is_cleared(
    sql_engine: StateEngine,
) -> None:
    store = SqlSyncStateStore(sql_engine)
    key = SyncStateKey("user", guid(), guid(), 31)
    await store.record_failure(key, "UpstreamRejected: duplicate", "q:4")

    await store.set_last_action(key, "CREATE")
    assert await store.read(key) == SyncState("CREATE")

    await store.record_sent(key, "UPDATE", SnapshotOrder(50, 2))
    await store.set_last_action(key, None)
    assert await store.read(key) == SyncState(None, SnapshotOrder(50, 2))


async def test_entities_list_failing_ones_and_by_application(sql_engine: StateEngine) -> None:
    store = SqlSyncStateStore(sql_engine)
    service, other = guid(), guid()
    failing = SyncStateKey("role", service, guid())
    healthy = SyncStateKey("organisation", service, "8")
    elsewhere = SyncStateKey("user", other, guid(), 8)
    await store.record_failure(failing, "UpstreamUnavailable: HTTP 503", "q:1")
    await store.record_sent(healthy, "CREATE", SnapshotOrder(1, 1))
    await store.record_failure(elsewhere, "UpstreamRejected: duplicate", "q:2")

    listed = await store.entities(failing_only=False, service_id=service.upper(), limit=10)
    assert sorted((key.kind, state.last_action) for key, state in listed) == [
        ("organisation", "CREATE"),
        ("role", None),
    ]
    failing_everywhere = await store.entities(failing_only=True, service_id=None, limit=100)
    found = {key: state.last_failure for key, state in failing_everywhere}
    assert found[failing] == "UpstreamUnavailable: HTTP 503"
    assert found[elsewhere] == "UpstreamRejected: duplicate"
    assert healthy not in found


async def test_start_up_resource_creates_tables_and_disposes_the_engine(tmp_path: Path) -> None:
    url = SecretStr(f"sqlite:///{tmp_path / 'new' / 'state.sqlite3'}")
    for _ in range(2):  # start twice: the second start finds the tables
        resource = open_state_engine(url)
        engine = await anext(resource)
        assert engine.url.drivername == "sqlite+aiosqlite"
        assert await table_names(engine) == set(PRIMARY_KEYS)
        await resource.aclose()
    assert (tmp_path / "new" / "state.sqlite3").is_file()


@pytest.mark.parametrize(
    ("key", "column"),
    [
        (SyncStateKey("user", "not-a-guid", str(uuid.uuid4()), 1), "user_state.service_id"),
        (SyncStateKey("user", str(uuid.uuid4()), "not-a-guid", 1), "user_state.user_id"),
        (SyncStateKey("user", str(uuid.uuid4()), str(uuid.uuid4())), "user_state.organisation_id"),
        (SyncStateKey("user", str(uuid.uuid4()), str(uuid.uuid4()), 2**31), "organisation_id"),
        (SyncStateKey("role", str(uuid.uuid4()), "R-1"), "role_state.role_id"),
        (
            SyncStateKey("organisation", str(uuid.uuid4()), "LA"),
            "organisation_state.organisation_id",
        ),
    ],
)
async def test_keys_that_do_not_fit_the_columns_fail_permanently(
    sql_engine: StateEngine, key: SyncStateKey, column: str
) -> None:
    store = SqlSyncStateStore(sql_engine)
    with pytest.raises(InvalidPayload, match=column):
        await store.record_sent(key, "CREATE", None)
    with pytest.raises(InvalidPayload, match=column):
        await store.read(key)
    with pytest.raises(InvalidPayload, match=column):
        await store.record_failure(key, "failed", "q:1")


# Unreachable database ---------------------------------------------------------------------------

UNREACHABLE = "postgresql+psycopg://svc_jobs:S3cret%2Fpw@127.0.0.1:1/jobs_state"


async def test_unreachable_database_is_retryable_and_leaks_no_secret() -> None:
    engine = create_state_engine(SecretStr(UNREACHABLE), connect_timeout_s=2)
    store = SqlSyncStateStore(engine)
    try:
        for call in (
            store.read(keys()[0]),
            store.record_sent(keys()[1], "CREATE", None),
            store.record_failure(keys()[2], "failed", "q:1"),
        ):
            with pytest.raises(UpstreamUnavailable) as caught:
                await call
            message = str(caught.value)
            assert "'jobs_state'" in message
            for secret in ("S3cret", "svc_jobs", "127.0.0.1", "postgresql"):
                assert secret not in message
            assert "S3cret" not in repr(caught.value.__cause__)
    finally:
        await engine.dispose()


async def test_start_up_with_an_unreachable_database_defers_table_creation() -> None:
    with capture_logs() as logs:
        resource = open_state_engine(SecretStr(UNREACHABLE), connect_timeout_s=2)
        engine = await anext(resource)
        await resource.aclose()

    assert engine.url.database == "jobs_state"
    [deferred] = [entry for entry in logs if entry["event"] == "state_tables_deferred"]
    assert deferred["log_level"] == "warning"
    assert deferred["database"] == "jobs_state"
    assert "S3cret" not in str(deferred)
