"""The SQL Server connection, short of a server: Microsoft's driver loads, the connection built
from the original's four variables suits Azure SQL, and no failure shows the password.

A refused connection on loopback goes through the real ODBC Driver 18 shipped in the
``mssql-python`` wheels, so these tests fail if the driver cannot load on this machine.
"""

import logging
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import structlog
from pydantic import SecretStr
from sqlalchemy import Engine, event, exc
from structlog.testing import capture_logs

from adapters.sql_state.engine import (
    POOL_RECYCLE_S,
    QUERY_TIMEOUT_S,
    apply_query_timeout,
    create_state_engine,
    open_state_engine,
)
from adapters.sql_state.errors import translate_db_errors
from adapters.sql_state.store import SqlSyncStateStore
from domain.errors import UpstreamMisconfigured, UpstreamUnavailable
from domain.model import SyncStateKey
from entrypoints.settings import Settings
from entrypoints.state_database import state_database_url

PASSWORD = " p;w}d= {x "  # spaces at both ends, and every character ODBC strings treat specially
FOUR_VARIABLES = {
    "PLATFORM_GLOBAL_SERVER_NAME": "s141-signin.database.windows.net",
    "SVC_SIGNIN_JOBS": "svc_signin_jobs",
    "SVC_SIGNIN_JOBS_PASSWORD": PASSWORD,
    "PLATFORM_GLOBAL_JOBS_DATABASE_NAME": "s141-signin-jobs",
}
KEY = SyncStateKey(
    "role", "6d2d8bd1-0e0b-4d3b-9f43-8b5b7a3b3f0a", "0e7d2b37-2bd4-4f7b-a7c5-0c7e8d9f1a2b"
)


class Stop(Exception):
    """Raised instead of connecting: nothing leaves the machine."""


def service_frames(error: BaseException) -> list[dict[str, Any]]:
    """The error's traceback as a log line renders it (locals included), less this file's frames."""
    rendered = structlog.processors.dict_tracebacks(None, "error", {"exc_info": error})
    return [
        frame
        for exception in rendered["exception"]
        for frame in exception["frames"]
        if "/tests/" not in frame["filename"]  # the tests' own locals hold the URL
    ]


def sql_server_engine(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Engine:
    monkeypatch.setenv("JOBS_DATA_DIR", str(tmp_path))
    for name, value in FOUR_VARIABLES.items():
        monkeypatch.setenv(name, value)
    url = state_database_url(Settings(_env_file=None))  # type: ignore[call-arg]
    engine = create_state_engine(url).engine
    assert isinstance(engine, Engine)  # a blocking driver, run in threads
    return engine


def test_the_connection_from_the_four_variables_is_encrypted_and_checks_the_certificate(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    engine = sql_server_engine(monkeypatch, tmp_path)
    seen: dict[str, Any] = {}

    @event.listens_for(engine, "do_connect")
    def capture(_: Any, __: Any, args: list[str], kwargs: dict[str, Any]) -> None:
        seen.update(connection_string=args[0], keywords=kwargs)
        raise Stop

    with pytest.raises(Stop):
        engine.connect()

    assert seen["connection_string"].split(";") == [
        "Server=s141-signin.database.windows.net",
        "Database=s141-signin-jobs",
        "UID=svc_signin_jobs",
        "Encrypt=yes",
        "TrustServerCertificate=no",
    ]
    assert seen["keywords"] == {"timeout": 10, "PWD": PASSWORD}  # login timeout; exact password
    assert "p;w}d" not in repr(seen["keywords"])  # masked in any traceback's locals


def test_the_pool_suits_azure_sql(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    engine = sql_server_engine(monkeypatch, tmp_path)

    pool: Any = engine.pool
    assert (pool.size(), pool._max_overflow, pool._timeout) == (5, 15, 30)
    assert pool._pre_ping is True
    assert pool._recycle == POOL_RECYCLE_S < 30 * 60  # Azure's gateway drops idle connections

    assert event.contains(engine, "connect", apply_query_timeout)
    connection = SimpleNamespace(timeout=0)
    apply_query_timeout(connection, None)
    assert connection.timeout == QUERY_TIMEOUT_S


async def test_a_refused_connection_is_retryable_and_never_shows_the_password(
    caplog: pytest.LogCaptureFixture,
) -> None:
    url = f"mssql://svc_jobs:{PASSWORD.replace('%', '%25')}@127.0.0.1:1/jobs_state"
    url = url.replace(";", "%3B").replace("}", "%7D")
    engine = create_state_engine(SecretStr(url), connect_timeout_s=1)
    caplog.set_level(logging.DEBUG)
    try:
        with capture_logs() as logs, pytest.raises(UpstreamUnavailable) as caught:
            await SqlSyncStateStore(engine).read(KEY)
    finally:
        await engine.dispose()

    assert str(caught.value) == (  # ODBC Driver 18 ran, and refused connections are retried
        "state database 'jobs_state' unavailable while trying to create the state tables "
        "(OperationalError: Client unable to establish connection)"
    )
    assert caught.value.__cause__ is None  # the driver's frames hold the connection string
    everything = " ".join([caplog.text, repr(logs), str(service_frames(caught.value))])
    for secret in ("p;w}d", "{x"):
        assert secret not in everything


async def test_start_up_with_an_unreachable_server_defers_table_creation() -> None:
    with capture_logs() as logs:
        url = SecretStr("mssql://svc:S3cret@127.0.0.1:1/jobs_state")
        resource = open_state_engine(url, connect_timeout_s=1)
        engine = await anext(resource)
        await resource.aclose()

    assert engine.dialect_name == "mssql"
    [deferred] = [entry for entry in logs if entry["event"] == "state_tables_deferred"]
    assert deferred["database"] == "jobs_state"
    assert "S3cret" not in str(deferred)


def test_a_driver_that_cannot_load_is_a_configuration_error() -> None:
    missing = Exception(
        "Driver Error: Connection operation failed; DDBC Error: Failed to load the driver."
    )

    translating = translate_db_errors("jobs_state", "read")
    with pytest.raises(UpstreamMisconfigured, match="libltdl7"), translating:
        raise exc.OperationalError("connect", {}, missing)


@pytest.mark.parametrize(
    "url",
    [
        "mssql+pyodbc://svc:S3cret@server/jobs",  # another driver
        "oracle://svc:S3cret@server/jobs",  # another backend
        "mssql+mssqlpython://svc:S3cret@server:port/jobs",  # not a URL
    ],
)
def test_a_refused_url_is_named_without_its_secret(url: str) -> None:
    with pytest.raises(UpstreamMisconfigured) as caught:
        create_state_engine(SecretStr(url))

    frames = service_frames(caught.value)
    assert "S3cret" not in str(caught.value)
    assert frames
    assert "S3cret" not in str(frames)
