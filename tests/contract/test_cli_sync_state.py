"""``dsi-jobs sync-state`` in-process on the embedded SQLite state database: a push failure is
visible per entity, and ``mark-created`` makes the next push an UPDATE."""

import asyncio
from pathlib import Path

import pytest
from pydantic import SecretStr

from adapters.sql_state.engine import create_state_engine
from adapters.sql_state.store import SqlSyncStateStore
from domain.model import SnapshotOrder, SyncState, SyncStateKey
from entrypoints.cli import main

pytestmark = pytest.mark.usefixtures("restore_logging")

APP = "6d2d8bd1-0e0b-4d3b-9f43-8b5b7a3b3f0a"
USER = "5b5e6a34-0000-4000-8000-000000000001"
KEY = SyncStateKey("user", APP, USER, 42)
REASON = "UpstreamRejected: application x: ProvisionUser: SOAP fault Client: [bold]exists[/bold]"


@pytest.fixture
def state_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LOCAL_ENV", "dev")
    monkeypatch.setenv("JOBS_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data" / "state.sqlite3"


async def _with_store(path: Path, key: SyncStateKey, failure: str | None) -> SyncState:
    """Record ``failure`` for ``key`` (when given), then read it back."""
    engine = create_state_engine(SecretStr(f"sqlite:///{path}"))
    try:
        store = SqlSyncStateStore(engine)
        if failure is not None:
            await store.record_sent(SyncStateKey("role", APP, USER), "CREATE", SnapshotOrder(1, 1))
            await store.record_failure(key, failure, f"sendwsuserupdated_v1_{APP}:17")
        return await store.read(key)
    finally:
        await engine.dispose()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_failed_entity_is_listed_then_marked_created(
    state_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    asyncio.run(_with_store(state_file, KEY, REASON))

    code, out, _ = run(capsys, "sync-state", "list", "--failing")
    assert code == 0
    assert out.splitlines() == [
        f"user {USER} in organisation 42 at application {APP}",
        "  last action sent  (none: the next push is a CREATE)",
        "  snapshot applied  (unknown)",
        f"  last failure      {out.splitlines()[3].split()[2]} job sendwsuserupdated_v1_{APP}:17",
        f"                    {REASON}",  # shown as text, never as markup
        "1 shown",
    ]

    code, out, _ = run(
        capsys, "sync-state", "mark-created", "user", APP.upper(), USER, "--organisation", "42"
    )
    assert code == 0
    assert "marked created: the next push is an UPDATE" in out
    assert asyncio.run(_with_store(state_file, KEY, None)) == SyncState("CREATE")

    code, out, _ = run(capsys, "sync-state", "list", "--failing")
    assert (code, USER in out) == (0, False)


def test_an_incomplete_or_invalid_entity_is_a_usage_error(
    state_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "sync-state", "mark-new", "user", APP, USER)
    assert (code, "give --organisation" in err) == (2, True)
    code, _, err = run(capsys, "sync-state", "show", "organisation", "not-a-guid", "42")
    assert (code, "must be a GUID" in err) == (2, True)
