"""The state database is chosen from the original's SQL Server variables, a URL, or SQLite."""

from pathlib import Path

import pytest
from sqlalchemy import make_url

from adapters.sql_state.store import SqlSyncStateStore
from domain.model import SyncStateKey
from entrypoints.container import build_container, resolve, stop_resources
from entrypoints.deferred import Deferred
from entrypoints.settings import Settings
from entrypoints.state_database import state_database_url

SQL_SERVER_ENV = {
    "PLATFORM_GLOBAL_SERVER_NAME": "s141-signin.database.windows.net",
    "SVC_SIGNIN_JOBS": "svc_signin_jobs",
    "SVC_SIGNIN_JOBS_PASSWORD": "p@ss w/rd:&?#%",
    "PLATFORM_GLOBAL_JOBS_DATABASE_NAME": "s141-signin-jobs",
}


def settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **env: str) -> Settings:
    for name in [*SQL_SERVER_ENV, "JOBS_STATE_DATABASE_URL"]:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("JOBS_DATA_DIR", str(tmp_path))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return Settings(_env_file=None)  # type: ignore[call-arg]


def test_the_original_sql_server_variables_win(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    found = settings(
        monkeypatch, tmp_path, **SQL_SERVER_ENV, JOBS_STATE_DATABASE_URL="sqlite:///ignored"
    )

    url = state_database_url(found).get_secret_value()

    assert url == (
        "mssql+mssqlpython://svc_signin_jobs:p%40ss w%2Frd%3A%26%3F%23%25"
        "@s141-signin.database.windows.net/s141-signin-jobs"
    )
    assert make_url(url).password == SQL_SERVER_ENV["SVC_SIGNIN_JOBS_PASSWORD"]


def test_without_all_four_sql_server_variables_the_url_setting_is_used(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    partial = {k: v for k, v in SQL_SERVER_ENV.items() if k != "SVC_SIGNIN_JOBS_PASSWORD"}
    pg = "postgresql+psycopg://jobs:secret@db.internal:5432/jobs_state"
    found = settings(monkeypatch, tmp_path, **partial, JOBS_STATE_DATABASE_URL=pg)

    assert state_database_url(found).get_secret_value() == pg


def test_by_default_the_state_lives_in_sqlite_under_the_data_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    found = settings(monkeypatch, tmp_path)

    url = state_database_url(found).get_secret_value()

    assert url == f"sqlite+aiosqlite:///{tmp_path.resolve() / 'state.sqlite3'}"


async def test_the_container_provides_a_working_sql_store_opened_on_first_use(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    container = build_container(settings(monkeypatch, tmp_path))
    try:
        store = await resolve(container.adapters.sync_state)
        assert isinstance(store, Deferred)
        assert not (tmp_path / "state.sqlite3").exists(), "nothing opened before the first use"
        key = SyncStateKey("organisation", "6d2d8bd1-0e0b-4d3b-9f43-8b5b7a3b3f0a", "42")
        await store.record_sent(key, "CREATE", None)
        assert (await store.read(key)).last_action == "CREATE"
        assert isinstance(await store.adapter(), SqlSyncStateStore)
    finally:
        await stop_resources(container)
    assert (tmp_path / "state.sqlite3").is_file()
