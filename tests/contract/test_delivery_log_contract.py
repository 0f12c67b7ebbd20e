"""The ``DeliveryLog`` contract, on the fake and on Redis."""

import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as redis

from adapters.memory.state_store import InMemoryDeliveryLog
from adapters.redis_state.delivery_log import RedisDeliveryLog
from ports.state_store import DeliveryLog

pytestmark = pytest.mark.real

MIN_RETENTION_S = 48 * 3600
"""Retries (≤ 6 h) plus failed-job retention (12 h) plus a manual retry days later, with room."""


@pytest.fixture
def job_queue() -> str:
    """Keys look like ``<queue>:<job id>:<recipient index>``; a unique queue isolates the test."""
    return f"test-{uuid.uuid4().hex[:12]}"


@pytest.fixture
async def redis_for_queue(redis_client: redis.Redis, job_queue: str) -> AsyncIterator[redis.Redis]:
    """The shared test Redis; this test's delivery records are deleted afterwards."""
    yield redis_client
    keys = [key async for key in redis_client.scan_iter(match=f"dsi-jobs:delivered:{job_queue}:*")]
    if keys:
        await redis_client.delete(*keys)


@pytest.fixture(params=["memory", "redis"])
def delivery_log(request: pytest.FixtureRequest) -> DeliveryLog:
    if request.param == "memory":
        return InMemoryDeliveryLog()
    return RedisDeliveryLog(request.getfixturevalue("redis_for_queue"))


async def test_an_unknown_key_was_not_delivered(delivery_log: DeliveryLog, job_queue: str) -> None:
    assert await delivery_log.was_delivered(f"{job_queue}:1:0") is False


async def test_a_recorded_key_was_delivered(delivery_log: DeliveryLog, job_queue: str) -> None:
    await delivery_log.record_delivered(f"{job_queue}:1:0")

    assert await delivery_log.was_delivered(f"{job_queue}:1:0") is True


async def test_recording_twice_is_harmless(delivery_log: DeliveryLog, job_queue: str) -> None:
    await delivery_log.record_delivered(f"{job_queue}:1:0")
    await delivery_log.record_delivered(f"{job_queue}:1:0")

    assert await delivery_log.was_delivered(f"{job_queue}:1:0") is True


async def test_keys_are_independent(delivery_log: DeliveryLog, job_queue: str) -> None:
    await delivery_log.record_delivered(f"{job_queue}:1:0")

    assert await delivery_log.was_delivered(f"{job_queue}:1:1") is False
    assert await delivery_log.was_delivered(f"{job_queue}:2:0") is False
    assert await delivery_log.was_delivered(f"{job_queue}:1") is False
    assert await delivery_log.was_delivered(f"{job_queue}-other:1:0") is False


async def test_redis_records_outlive_every_retry(
    redis_for_queue: redis.Redis, job_queue: str
) -> None:
    await RedisDeliveryLog(redis_for_queue).record_delivered(f"{job_queue}:7:0")

    assert await redis_for_queue.ttl(f"dsi-jobs:delivered:{job_queue}:7:0") >= MIN_RETENTION_S
