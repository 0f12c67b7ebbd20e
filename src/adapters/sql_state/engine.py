"""The state database engine: driver choice, timeouts, pooling, and creating the tables.

SQLite and PostgreSQL have async drivers (aiosqlite, psycopg). SQL Server's driver, Microsoft's
``mssql-python``, blocks: its calls run in a thread pool as large as the connection pool, so the
event loop never waits on it. Either way the store hands ``StateEngine.transaction`` a plain
function of a SQLAlchemy ``Connection``.

SQLite has no schemas: its engine maps ``service_notifications`` to the main database with
``schema_translate_map``, so one table definition serves every backend.
"""

import asyncio
import zlib
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import structlog
from pydantic import SecretStr
from sqlalchemy import URL, Connection, Engine, create_engine, event, inspect, make_url, text
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.schema import CreateSchema

from adapters.sql_state.errors import translate_db_errors
from adapters.sql_state.tables import SCHEMA, metadata
from domain.errors import UpstreamMisconfigured, UpstreamUnavailable

log = structlog.get_logger(__name__)

T = TypeVar("T")

DEFAULT_DRIVERS = {"sqlite": "aiosqlite", "postgresql": "psycopg", "mssql": "mssqlpython"}
CONNECT_TIMEOUT_S = 10.0
QUERY_TIMEOUT_S = 30
"""SQL Server statement timeout, so a blocked thread gives up by itself (it cannot be cancelled)."""
SERVER_POOL = {"pool_size": 5, "max_overflow": 15, "pool_timeout": 30}
"""At most 20 connections and 30 s to get one, as the original's ``{max: 20, acquire: 30000}``."""
POOL_RECYCLE_S = 1200
"""Replace connections before Azure SQL's gateway drops idle ones (30 minutes)."""
SQL_SERVER_SECURITY = {"Encrypt": "yes", "TrustServerCertificate": "no"}
"""TLS always, and the server's certificate checked against the system's CAs and its host name."""


def database_label(url: URL) -> str:
    """What error messages call the database: its name (a SQLite file's base name), no secrets."""
    if url.get_backend_name() == "sqlite":
        return Path(url.database or "memory").name
    return url.database or url.host or url.get_backend_name()


class StateEngine:
    """A pooled SQLAlchemy engine, and where its work runs without blocking the event loop."""

    def __init__(self, engine: AsyncEngine | Engine) -> None:
        self._engine = engine
        self._threads = ThreadPoolExecutor(
            max_workers=SERVER_POOL["pool_size"] + SERVER_POOL["max_overflow"],
            thread_name_prefix="state-db",
        )

    @property
    def engine(self) -> AsyncEngine | Engine:
        return self._engine

    @property
    def url(self) -> URL:
        return self._engine.url

    @property
    def dialect_name(self) -> str:
        return self._engine.dialect.name

    @property
    def label(self) -> str:
        return database_label(self._engine.url)

    async def transaction(self, work: Callable[[Connection], T]) -> T:
        """Run ``work`` in one transaction: committed if it returns, rolled back if it raises."""
        engine = self._engine
        if isinstance(engine, AsyncEngine):
            async with engine.begin() as connection:
                return await connection.run_sync(work)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._threads, _blocking_transaction, engine, work)

    async def dispose(self) -> None:
        engine = self._engine
        if isinstance(engine, AsyncEngine):
            await engine.dispose()
        else:
            await asyncio.get_running_loop().run_in_executor(self._threads, engine.dispose)
        self._threads.shutdown(wait=False, cancel_futures=True)


def _blocking_transaction(engine: Engine, work: Callable[[Connection], T]) -> T:
    with engine.begin() as connection:
        return work(connection)


def create_state_engine(
    url: SecretStr, *, connect_timeout_s: float = CONNECT_TIMEOUT_S
) -> StateEngine:
    """The engine for ``url``; a URL without a driver gets this service's driver for its backend.

    Drivers are imported only here, so a driver matters only when its database is configured.
    The URL stays a ``SecretStr`` up to parsing, so no traceback's locals show the password.
    """
    parsed = _parse(url)
    backend = parsed.get_backend_name()
    if backend not in DEFAULT_DRIVERS:
        raise UpstreamMisconfigured(
            f"state database backend '{backend}' is not supported (use one of "
            f"{', '.join(sorted(DEFAULT_DRIVERS))})"
        )
    if "+" not in parsed.drivername:
        parsed = parsed.set(drivername=f"{backend}+{DEFAULT_DRIVERS[backend]}")
    try:
        if backend == "mssql":
            return StateEngine(_sql_server_engine(parsed, connect_timeout_s))
        return StateEngine(_async_engine(parsed, backend, connect_timeout_s))
    except (ImportError, NoSuchModuleError) as error:
        raise UpstreamMisconfigured(
            f"the '{parsed.get_driver_name()}' driver for the state database is not installed"
        ) from error


def _parse(url: SecretStr) -> URL:
    try:
        return make_url(url.get_secret_value())
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        raise UpstreamMisconfigured(
            "the state database URL is not a valid SQLAlchemy URL"
        ) from None


def _async_engine(url: URL, backend: str, connect_timeout_s: float) -> AsyncEngine:
    options: dict[str, Any] = {"pool_pre_ping": True}
    if backend == "postgresql":
        options["connect_args"] = {"connect_timeout": max(1, round(connect_timeout_s))}
        options.update(SERVER_POOL, pool_recycle=POOL_RECYCLE_S)
    else:  # SQLite: how long to wait for a lock
        options["connect_args"] = {"timeout": connect_timeout_s}
        options["execution_options"] = {"schema_translate_map": {SCHEMA: None}}
        if url.database:
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    return create_async_engine(url, **options)


def _sql_server_engine(url: URL, connect_timeout_s: float) -> Engine:
    """SQL Server through mssql-python: TLS with certificate checks, login and query timeouts.

    The password goes to the driver as a keyword, which it escapes itself; inside the URL's
    connection string, leading or trailing spaces of a password would be lost.
    """
    if url.get_driver_name() != DEFAULT_DRIVERS["mssql"]:
        raise UpstreamMisconfigured(
            f"the SQL Server state database is reached with 'mssql+{DEFAULT_DRIVERS['mssql']}' only"
        )
    connect_args: dict[str, Any] = {"timeout": max(1, round(connect_timeout_s))}  # login timeout
    if url.password:
        connect_args["PWD"] = _Password(url.password)
    without_password = URL.create(
        url.drivername,
        username=url.username,
        host=url.host,
        port=url.port,
        database=url.database,
        query={**SQL_SERVER_SECURITY, **url.query},
    )
    engine = create_engine(
        without_password,
        connect_args=connect_args,
        pool_pre_ping=True,
        pool_recycle=POOL_RECYCLE_S,
        **SERVER_POOL,
    )
    event.listen(engine, "connect", apply_query_timeout)
    return engine


class _Password(str):
    """The password as the driver takes it (a ``str``), shown masked in any repr or traceback."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "'**********'"


def apply_query_timeout(dbapi_connection: Any, _: Any) -> None:
    """Pool hook: every new SQL Server connection gets the statement timeout."""
    dbapi_connection.timeout = QUERY_TIMEOUT_S


CREATION_LOCK = "dsi-jobs:service_notifications:create"
"""The database-wide lock every process takes before creating the state tables."""
CREATION_LOCK_TIMEOUT_S = 20
"""How long a starting process waits for another one creating the tables (within the SQL
Server statement timeout); then the database counts as unavailable and creation is retried."""


async def create_state_tables(engine: StateEngine) -> None:
    """Create the schema and the four tables when missing; a no-op when they exist.

    Safe when several processes start at once: ``IF NOT EXISTS`` and check-then-create both race on
    every backend (the loser fails on the database's own unique index of table names or "already
    exists"), so each creator first takes a database-wide lock in its transaction and checks for
    the tables only once it holds it.
    """
    with translate_db_errors(engine.label, "create the state tables"):
        await engine.transaction(partial(_create_missing, engine.label))


def _create_missing(database: str, connection: Connection) -> None:
    _lock_creation(connection, database)
    if connection.dialect.name == "postgresql":
        connection.execute(CreateSchema(SCHEMA, if_not_exists=True))
    elif connection.dialect.name == "mssql" and not inspect(connection).has_schema(SCHEMA):
        connection.execute(CreateSchema(SCHEMA))
    metadata.create_all(connection, checkfirst=True)


def _lock_creation(connection: Connection, database: str) -> None:
    """Hold the creation lock until this transaction ends (each dialect's own mechanism).

    PostgreSQL: a transaction advisory lock. SQL Server: an application lock owned by the
    transaction. SQLite: ``BEGIN IMMEDIATE``, the database's write lock (its DDL would
    otherwise run outside any transaction, one statement at a time).
    """
    dialect = connection.dialect.name
    if dialect == "postgresql":
        connection.execute(
            text("SELECT set_config('lock_timeout', :timeout, true)"),
            {"timeout": f"{CREATION_LOCK_TIMEOUT_S}s"},
        )
        connection.execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": zlib.crc32(CREATION_LOCK.encode())}
        )  # past lock_timeout: LockNotAvailable, an OperationalError
    elif dialect == "mssql":
        connection.execute(
            text(
                "EXEC sp_getapplock @Resource = :resource, @LockMode = 'Exclusive', "
                "@LockOwner = 'Transaction', @LockTimeout = :timeout_ms"
            ),
            {"resource": CREATION_LOCK, "timeout_ms": CREATION_LOCK_TIMEOUT_S * 1000},
        )
        mode = connection.execute(
            text("SELECT APPLOCK_MODE('public', :resource, 'Transaction')"),
            {"resource": CREATION_LOCK},
        ).scalar_one()
        if mode != "Exclusive":  # sp_getapplock returns a status instead of raising
            raise UpstreamUnavailable(
                f"state database '{database}' unavailable while trying to create the state "
                f"tables (another process held the creation lock for {CREATION_LOCK_TIMEOUT_S} s)"
            )
    elif dialect == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")  # waits up to the busy timeout


async def open_state_engine(
    url: SecretStr, connect_timeout_s: float = CONNECT_TIMEOUT_S
) -> AsyncIterator[StateEngine]:
    """Resource: the engine, with the tables created at start-up, disposed on shutdown.

    An unreachable database does not stop the worker starting (e-mail jobs do not need it):
    ``SqlSyncStateStore`` creates the tables before its first query instead.
    """
    engine = create_state_engine(url, connect_timeout_s=connect_timeout_s)
    try:
        await create_state_tables(engine)
        log.info("state_database_ready", backend=engine.dialect_name, database=engine.label)
    except UpstreamUnavailable as error:
        log.warning(
            "state_tables_deferred",
            backend=engine.dialect_name,
            database=engine.label,
            error=str(error),
        )
    try:
        yield engine
    finally:
        await engine.dispose()
