"""The state database engine: driver choice, timeouts, pooling, and creating the tables.

SQLite has no schemas: its engine maps ``service_notifications`` to the main database with
``schema_translate_map``, so one table definition serves every backend.
"""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import structlog
from pydantic import SecretStr
from sqlalchemy import URL, Connection, inspect, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.schema import CreateSchema

from adapters.sql_state.errors import translate_db_errors
from adapters.sql_state.tables import SCHEMA, metadata
from domain.errors import UpstreamMisconfigured, UpstreamUnavailable

log = structlog.get_logger(__name__)

ASYNC_DRIVERS = {"sqlite": "aiosqlite", "postgresql": "psycopg", "mssql": "aioodbc"}
CONNECT_TIMEOUT_S = 10.0
SERVER_POOL = {"pool_size": 5, "max_overflow": 15, "pool_timeout": 30}
"""At most 20 connections and 30 s to get one, as the original's ``{max: 20, acquire: 30000}``."""


def database_label(url: URL) -> str:
    """What error messages call the database: its name (a SQLite file's base name), no secrets."""
    if url.get_backend_name() == "sqlite":
        return Path(url.database or "memory").name
    return url.database or url.host or url.get_backend_name()


def create_state_engine(url: str, *, connect_timeout_s: float = CONNECT_TIMEOUT_S) -> AsyncEngine:
    """An async engine for ``url``; a URL without a driver gets this service's async driver.

    Drivers are imported only here, so a missing SQL Server driver matters only when configured.
    """
    parsed = _parse(url)
    backend = parsed.get_backend_name()
    if backend not in ASYNC_DRIVERS:
        raise UpstreamMisconfigured(
            f"state database backend '{backend}' is not supported (use one of "
            f"{', '.join(sorted(ASYNC_DRIVERS))})"
        )
    if "+" not in parsed.drivername:
        parsed = parsed.set(drivername=f"{backend}+{ASYNC_DRIVERS[backend]}")
    options: dict[str, Any] = {
        "connect_args": _connect_args(backend, connect_timeout_s),
        "pool_pre_ping": True,
    }
    if backend != "sqlite":
        options.update(SERVER_POOL)
    else:
        options["execution_options"] = {"schema_translate_map": {SCHEMA: None}}
        if parsed.database:
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    try:
        return create_async_engine(parsed, **options)
    except ImportError as error:
        raise UpstreamMisconfigured(
            f"the '{parsed.get_driver_name()}' driver for the state database is not installed"
        ) from error


def _parse(url: str) -> URL:
    try:
        return make_url(url)
    except ArgumentError:
        raise UpstreamMisconfigured(
            "the state database URL is not a valid SQLAlchemy URL"
        ) from None


def _connect_args(backend: str, timeout_s: float) -> dict[str, Any]:
    """Each driver's own connect (SQLite: lock-wait) timeout keyword."""
    if backend == "postgresql":
        return {"connect_timeout": max(1, round(timeout_s))}
    if backend == "mssql":
        return {"timeout": max(1, round(timeout_s))}  # pyodbc login timeout
    return {"timeout": timeout_s}


async def create_state_tables(engine: AsyncEngine) -> None:
    """Create the schema and the three tables when missing; a no-op when they exist."""
    with translate_db_errors(database_label(engine.url), "create the state tables"):
        async with engine.begin() as connection:
            await connection.run_sync(_create_missing)


def _create_missing(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(CreateSchema(SCHEMA, if_not_exists=True))
    elif connection.dialect.name == "mssql" and not inspect(connection).has_schema(SCHEMA):
        connection.execute(CreateSchema(SCHEMA))
    metadata.create_all(connection, checkfirst=True)


async def open_state_engine(
    url: SecretStr, connect_timeout_s: float = CONNECT_TIMEOUT_S
) -> AsyncIterator[AsyncEngine]:
    """Resource: the engine, with the tables created at start-up, disposed on shutdown.

    An unreachable database does not stop the worker starting (e-mail jobs do not need it):
    ``SqlSyncStateStore`` creates the tables before its first query instead.
    """
    engine = create_state_engine(url.get_secret_value(), connect_timeout_s=connect_timeout_s)
    label = database_label(engine.url)
    try:
        await create_state_tables(engine)
        log.info("state_database_ready", backend=engine.dialect.name, database=label)
    except UpstreamUnavailable as error:
        log.warning(
            "state_tables_deferred", backend=engine.dialect.name, database=label, error=str(error)
        )
    try:
        yield engine
    finally:
        await engine.dispose()
