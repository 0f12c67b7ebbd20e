"""Fault drills: fixtures, and the summary table printed at the end of the run."""

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
import redis.asyncio as redis

from tests.faults.rig import DrillResult, Rig
from tests.support.notify_stand_in import running_notify_stand_in
from tests.support.processes import require_node_modules
from tests.support.redis_server import RedisServer, running_redis

RESULTS: list[DrillResult] = []


@pytest.fixture
def report() -> Callable[[DrillResult], None]:
    """Add a row to the summary table."""
    return RESULTS.append


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[RedisServer]:
    with running_redis(tmp_path) as server:
        yield server


@pytest.fixture
async def rig(private_redis: RedisServer, tmp_path: Path) -> AsyncIterator[Rig]:
    require_node_modules()
    client = redis.Redis.from_url(private_redis.url + "/4", decode_responses=True)
    async with running_notify_stand_in() as (notify, base_url):
        rig = Rig(private_redis.url, client, notify, base_url, tmp_path)
        try:
            yield rig
        finally:
            notify.release_hung()
            await rig.stop_workers()
            await client.aclose()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not RESULTS:
        return
    header = ("scenario", "sent", "completed", "failed", "lost", "dup effects", "recovery")
    rows = [
        (r.scenario, str(r.sent), str(r.completed), str(r.failed), str(r.lost),
         str(r.duplicates), r.recovery)
        for r in RESULTS
    ]  # fmt: skip
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    terminalreporter.section("fault drills")
    for row in [header, *rows]:
        terminalreporter.write_line(
            "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True))
        )
