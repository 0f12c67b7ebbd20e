"""``dsi-jobs status`` and ``dsi-jobs worker --queues`` in-process, on a private Redis where
workers are attached as Node bullmq 5 and this service name their connections."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
import redis.asyncio as redis
from bullmq import Queue

from adapters.redis_queue.consumers import worker_client_name
from adapters.redis_queue.publisher import PRODUCER_JOB_OPTIONS
from entrypoints.cli import main
from entrypoints.queue_selection import QueueSelectionError
from entrypoints.settings import Settings
from entrypoints.worker.main import run_worker
from tests.support.redis_server import RedisServer

pytestmark = [pytest.mark.real, pytest.mark.usefixtures("restore_logging")]

APP = "5c0e1a2b-0000-4000-8000-0000000c011c"
PUSH_QUEUE = f"sendwsuserupdated_v1_{APP}"


@asynccontextmanager
async def attached(url: str, *client_names: str) -> AsyncIterator[None]:
    """Connections named as BullMQ workers name them, held open like a worker's."""
    clients = [redis.Redis.from_url(url) for _ in client_names]
    try:
        for client, name in zip(clients, client_names, strict=True):
            await client.client_setname(name)
        yield
    finally:
        for client in clients:
            await client.aclose()


async def enqueue(url: str, queue: str, count: int) -> None:
    client = redis.Redis.from_url(url, decode_responses=True)
    try:
        for _ in range(count):
            await Queue(queue, {"connection": client}).add(queue, {}, PRODUCER_JOB_OPTIONS)
    finally:
        await client.aclose()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def row(out: str, queue: str) -> list[str]:
    line = next(line for line in out.splitlines() if f" {queue} " in line)
    return [cell.strip() for cell in line.split("│")[1:-1]]


def test_status_shows_each_queues_consumers_and_flags_the_unconsumed(
    server: RedisServer, capsys: pytest.CaptureFixture[str]
) -> None:
    url = server.url + "/4"

    async def scenario() -> tuple[int, str, str]:
        await enqueue(url, "test", 2)
        await enqueue(url, PUSH_QUEUE, 3)
        node = "bull:dGVzdA=="  # Node's name for a worker of "test" (base64)
        ours = worker_client_name("test", "dsi-jobs-host-1")
        elsewhere = "bull:dGVzdA=="  # the same name in another database is not a consumer
        async with attached(url, node, ours), attached(server.url + "/9", elsewhere):
            return await asyncio.to_thread(run, capsys, "status", "--queues", "test,sendws*")

    code, out, _ = asyncio.run(scenario())

    assert code == 0
    assert row(out, "test") == ["test", "2", "0", "0", "0", "0", "dsi-jobs 1, node 1", "yes", ""]
    assert row(out, PUSH_QUEUE)[-3:] == ["NO CONSUMER", "yes", ""]
    assert row(out, "passwordreset_v1")[-3:] == ["none", "", ""]
    assert "consumes test,sendws*: 2 of the" in out
    assert "1 queue(s) with jobs waiting and no worker attached." in out


def test_a_pattern_that_matches_nothing_stops_status_and_worker(
    server: RedisServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = run(capsys, "status", "--queues", "test,pasword*")
    assert code == 1
    assert "invalid configuration" in err
    assert "JOBS_QUEUES: 'pasword*' matches no queue" in err

    # the worker itself (not through main, which would configure the process's logging)
    monkeypatch.setenv("LOCAL_ENV", "dev")
    monkeypatch.setenv("JOBS_EXCLUDE_QUEUES", "sendwsorganisation*,userupdatd_v1")
    with pytest.raises(QueueSelectionError) as refused:
        asyncio.run(run_worker(Settings()))
    assert refused.value.problems == [
        "JOBS_EXCLUDE_QUEUES: 'userupdatd_v1' matches no queue (see 'dsi-jobs jobs')"
    ], "sendwsorganisation* matches a per-application family"
