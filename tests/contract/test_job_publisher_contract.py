"""The ``JobPublisher`` contract, on the fake and on BullMQ over a real Redis."""

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
import redis.asyncio as redis

from adapters.memory.job_publisher import InMemoryJobPublisher
from adapters.redis_queue.publisher import BullmqJobPublisher
from ports.job_publisher import JobPublisher
from tests.support.processes import node, require_node_modules

pytestmark = pytest.mark.real

AWKWARD_DATA: dict[str, Any] = {
    "sub": "8e1b0c3a-5f4e-4a8e-9d6f-1f0f3c2b7a11",
    "organisation": {"id": 17, "name": "Zoë\u2019s Academy — 中文 👩‍👩‍👧", "legacyId": None},
    "roles": [{"id": 1, "codes": ["a", "b"]}, None, [], {}],
    "active": True,
    "deleted": False,
    "separators": "line\u2028paragraph\u2029end",
    "ratio": 1.5,
}

NODE_BULLMQ_5_OPTS = {
    "removeOnComplete": {"age": 3600, "count": 50},
    "removeOnFail": {"age": 43200},
    "attempts": 0,
}
"""The ``opts`` field Node bullmq 5.65.1 stores for the jobs-client's options (read from Redis)."""


async def delete_queue_keys(client: redis.Redis, queue: str) -> None:
    keys = [key async for key in client.scan_iter(match=f"bull:{queue}:*", count=500)]
    if keys:
        await client.delete(*keys)


@pytest.fixture
def queue(queue_name: str) -> str:
    return queue_name


@pytest.fixture
async def redis_queue(redis_client: redis.Redis, queue: str) -> AsyncIterator[redis.Redis]:
    """The shared test Redis; the keys of ``queue`` are deleted after the test."""
    yield redis_client
    await delete_queue_keys(redis_client, queue)


@dataclass(frozen=True)
class Backend:
    publisher: JobPublisher
    published_data: Callable[[str, str], Awaitable[Any]]
    """The data stored for ``(queue, job id)``, as a consumer would read it."""


@pytest.fixture(params=["memory", "bullmq"])
def backend(request: pytest.FixtureRequest) -> Backend:
    if request.param == "memory":
        fake = InMemoryJobPublisher()

        async def recorded(queue: str, job_id: str) -> Any:
            return next(
                job.data for job in fake.published if (job.queue, job.job_id) == (queue, job_id)
            )

        return Backend(fake, recorded)

    client: redis.Redis = request.getfixturevalue("redis_queue")

    async def stored(queue: str, job_id: str) -> Any:
        return json.loads(await client.hget(f"bull:{queue}:{job_id}", "data") or "null")

    return Backend(BullmqJobPublisher(client), stored)


async def test_publish_returns_a_distinct_id_per_job(backend: Backend, queue: str) -> None:
    first = await backend.publisher.publish(queue, {"n": 1})
    second = await backend.publisher.publish(queue, {"n": 2})

    assert isinstance(first, str)
    assert first
    assert first != second
    assert await backend.published_data(queue, first) == {"n": 1}
    assert await backend.published_data(queue, second) == {"n": 2}


async def test_data_arrives_exactly_as_sent(backend: Backend, queue: str) -> None:
    job_id = await backend.publisher.publish(queue, AWKWARD_DATA)

    assert await backend.published_data(queue, job_id) == AWKWARD_DATA


async def test_bullmq_job_is_what_a_node_producer_would_have_added(
    redis_queue: redis.Redis, queue: str
) -> None:
    job_id = await BullmqJobPublisher(redis_queue).publish(queue, AWKWARD_DATA)

    raw = await redis_queue.hgetall(f"bull:{queue}:{job_id}")
    opts = json.loads(raw["opts"])
    assert raw["name"] == queue
    assert json.loads(raw["data"]) == AWKWARD_DATA
    assert opts["removeOnComplete"] == {"age": 3600, "count": 50}
    assert opts["removeOnFail"] == {"age": 43200}
    assert opts.get("attempts", 0) == 0
    assert opts.get("delay", 0) == 0
    assert "backoff" not in opts
    assert "priority" not in opts
    assert "jobId" not in opts
    assert (raw["delay"], raw["priority"]) == ("0", "0")
    assert await redis_queue.lrange(f"bull:{queue}:wait", 0, -1) == [job_id]


async def test_bullmq_opts_mean_what_node_bullmq_5_stores(
    redis_queue: redis.Redis, queue: str
) -> None:
    """Python adds ``"delay": 0`` that Node leaves out; Node reads a zero delay as none."""
    job_id = await BullmqJobPublisher(redis_queue).publish(queue, {"n": 1})

    opts = json.loads(await redis_queue.hget(f"bull:{queue}:{job_id}", "opts"))
    assert {key: value for key, value in opts.items() if key != "delay"} == NODE_BULLMQ_5_OPTS
    assert opts["delay"] == 0


async def test_bullmq_job_reads_in_node_as_a_node_producers_job(
    redis_queue: redis.Redis, redis_url: str, queue: str
) -> None:
    """Against live Node bullmq 5: the stored opts match, and Node reads the job back intact."""
    require_node_modules()
    node_queue = f"{queue}-node"
    try:
        (node_id,) = await asyncio.to_thread(
            node, "produce.mjs", redis_url, node_queue, json.dumps([{"n": 1}])
        )
        node_opts = json.loads(await redis_queue.hget(f"bull:{node_queue}:{node_id}", "opts"))
    finally:
        await delete_queue_keys(redis_queue, node_queue)
    job_id = await BullmqJobPublisher(redis_queue).publish(queue, AWKWARD_DATA)

    python_opts = json.loads(await redis_queue.hget(f"bull:{queue}:{job_id}", "opts"))
    read = await asyncio.to_thread(node, "read.mjs", redis_url, queue, json.dumps([job_id]))
    assert node_opts == NODE_BULLMQ_5_OPTS
    assert python_opts == node_opts | {"delay": 0}
    (job,) = read["jobs"]
    assert (job["name"], job["state"], job["data"]) == (queue, "waiting", AWKWARD_DATA)
    assert read["counts"]["waiting"] == 1
