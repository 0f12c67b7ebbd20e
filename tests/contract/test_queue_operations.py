"""Queue operations (list, show, retry, clean, throughput) against a real Redis and real jobs."""

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
import redis.asyncio as redis
from bullmq import Queue
from pydantic import BaseModel, ConfigDict

from adapters.redis_queue.inspector import BullmqQueueInspector
from adapters.redis_queue.job_records import UNDECODABLE
from adapters.redis_queue.publisher import PRODUCER_JOB_OPTIONS
from domain.errors import InvalidPayload
from domain.model import JobContext
from entrypoints.registry import JobSpec
from entrypoints.settings import redis_connection_options
from entrypoints.worker.service import WorkerService, WorkerTuning

pytestmark = pytest.mark.real


class Anything(BaseModel):
    model_config = ConfigDict(frozen=True, extra="allow")


async def refuse(command: Anything, context: JobContext) -> None:
    raise InvalidPayload("requestId: must be a GUID")


@pytest.fixture
async def queue(redis_client: redis.Redis, queue_name: str) -> AsyncIterator[Queue]:
    q = Queue(queue_name, {"connection": redis_client})
    yield q
    await q.obliterate(force=True)


@pytest.fixture
def inspector(redis_client: redis.Redis) -> BullmqQueueInspector:
    return BullmqQueueInspector(redis_client)


async def fail_jobs(queue: Queue, redis_url: str, datas: list[dict[str, Any]]) -> list[str]:
    """Add jobs as the Node producers do and let the real worker fail them."""
    ids = [str((await queue.add(queue.name, data, PRODUCER_JOB_OPTIONS)).id) for data in datas]
    service = WorkerService(
        {queue.name: JobSpec(queue.name, Anything, refuse)},
        redis_connection_options(redis_url),
        WorkerTuning(lock_duration_ms=5000, stalled_interval_ms=1000),
    )
    await service.start()
    try:
        deadline = time.monotonic() + 15
        while (await queue.getJobCounts("failed"))["failed"] < len(ids):
            assert time.monotonic() < deadline, "jobs did not fail in time"
            await asyncio.sleep(0.05)
    finally:
        await service.stop(5)
    return ids


async def test_failed_jobs_newest_first_with_reason_and_times(
    queue: Queue, inspector: BullmqQueueInspector, redis_url: str
) -> None:
    ids = await fail_jobs(queue, redis_url, [{"n": 1}, {"n": 2}])

    jobs = await inspector.failed(queue.name)

    assert sorted(job.id for job in jobs) == sorted(ids)
    assert [job.finished_on for job in jobs] == sorted(
        (job.finished_on for job in jobs), reverse=True
    )
    for job in jobs:
        assert job.failed_reason == "requestId: must be a GUID"
        assert job.attempts_made == 1
        assert job.name == queue.name
        assert job.state == "failed"
        assert job.timestamp is not None
        assert job.processed_on is not None
        assert job.finished_on is not None
        assert job.finished_on >= job.processed_on
        assert isinstance(job.stacktrace, list)
    assert {job.data["n"] for job in jobs} == {1, 2}
    assert len(await inspector.failed(queue.name, limit=1)) == 1


async def test_show_one_job_with_state_and_missing_job(
    queue: Queue, inspector: BullmqQueueInspector, redis_url: str
) -> None:
    (job_id,) = await fail_jobs(queue, redis_url, [{"email": "a@b.example"}])

    job = await inspector.job(queue.name, job_id)

    assert job is not None
    assert (job.id, job.state, job.data) == (job_id, "failed", {"email": "a@b.example"})
    assert await inspector.job(queue.name, "no-such-job") is None


async def test_undecodable_data_is_listed_not_raised(
    queue: Queue, inspector: BullmqQueueInspector, redis_client: redis.Redis
) -> None:
    key = f"bull:{queue.name}"
    await redis_client.hset(
        f"{key}:poison",
        mapping={"name": queue.name, "data": "{not json", "opts": "{}", "timestamp": "1",
                 "failedReason": "job data is not valid JSON", "stacktrace": '["frame"]',
                 "finishedOn": "2", "atm": "1"},
    )  # fmt: skip
    await redis_client.zadd(f"{key}:failed", {"poison": 2})

    (job,) = await inspector.failed(queue.name)

    assert (job.id, job.data, job.stacktrace) == ("poison", UNDECODABLE, ["frame"])
    assert await inspector.retry(queue.name, "poison") is True
    assert await redis_client.lrange(f"{key}:wait", 0, -1) == ["poison"]


async def test_retry_one_moves_it_to_waiting_once(
    queue: Queue, inspector: BullmqQueueInspector, redis_url: str
) -> None:
    first, second = await fail_jobs(queue, redis_url, [{"n": 1}, {"n": 2}])

    assert await inspector.retry(queue.name, first) is True
    assert await inspector.retry(queue.name, first) is False
    assert await inspector.retry(queue.name, "no-such-job") is False

    counts = await inspector.counts(queue.name)
    assert (counts["waiting"], counts["failed"]) == (1, 1)
    retried = await inspector.job(queue.name, first)
    assert retried is not None
    assert (retried.state, retried.attempts_made) == ("waiting", 1)
    assert [job.id for job in await inspector.failed(queue.name)] == [second]


async def test_retry_all_reports_progress(
    queue: Queue, inspector: BullmqQueueInspector, redis_url: str
) -> None:
    await fail_jobs(queue, redis_url, [{"n": n} for n in range(3)])
    batches: list[int] = []

    moved = await inspector.retry_all_failed(queue.name, batches.append)

    assert moved == 3
    assert sum(batches) == 3
    counts = await inspector.counts(queue.name)
    assert (counts["waiting"], counts["failed"]) == (3, 0)


async def test_clean_by_age_with_dry_run_count(
    queue: Queue, inspector: BullmqQueueInspector, redis_url: str
) -> None:
    await fail_jobs(queue, redis_url, [{"n": n} for n in range(3)])

    assert await inspector.count_older_than(queue.name, "failed", 3600) == 0
    assert await inspector.clean(queue.name, "failed", 3600) == 0
    assert await inspector.count_older_than(queue.name, "failed", 0) == 3
    assert (await inspector.counts(queue.name))["failed"] == 3
    removed: list[int] = []
    assert await inspector.clean(queue.name, "failed", 0, removed.append) == 3
    assert sum(removed) == 3
    assert (await inspector.counts(queue.name))["failed"] == 0
    with pytest.raises(ValueError, match="state must be one of"):
        await inspector.clean(queue.name, "wait", 0)


async def test_throughput_from_bullmq_metrics_keys(
    queue: Queue, inspector: BullmqQueueInspector, redis_url: str, redis_client: redis.Redis
) -> None:
    await fail_jobs(queue, redis_url, [{"n": n} for n in range(3)])
    assert await redis_client.exists(f"bull:{queue.name}:metrics:failed")

    minutes = await inspector.throughput(queue.name, minutes=5)

    assert len(minutes) == 5
    assert minutes[-1].minute_ms <= time.time() * 1000 < minutes[-1].minute_ms + 60_000
    assert sum(m.failed for m in minutes) == 3
    assert sum(m.completed for m in minutes) == 0


async def test_throughput_from_finished_sets_without_metrics_keys(
    queue: Queue, inspector: BullmqQueueInspector, redis_client: redis.Redis
) -> None:
    now_ms = int(time.time() * 1000)
    key = f"bull:{queue.name}"
    await redis_client.zadd(f"{key}:completed", {"a": now_ms, "b": now_ms - 60_000})
    await redis_client.zadd(f"{key}:failed", {"c": now_ms - 120_000, "d": now_ms - 3_600_000})

    minutes = await inspector.throughput(queue.name, minutes=3)

    assert [(m.completed, m.failed) for m in minutes] == [(0, 1), (1, 0), (1, 0)]


async def test_oldest_waiting_age(queue: Queue, inspector: BullmqQueueInspector) -> None:
    assert await inspector.oldest_waiting_age_s(queue.name) is None
    await queue.add(queue.name, {"n": 1}, {"timestamp": int(time.time() * 1000) - 90_000})
    await queue.add(queue.name, {"n": 2}, PRODUCER_JOB_OPTIONS)

    age = await inspector.oldest_waiting_age_s(queue.name)

    assert age is not None
    assert 89 < age < 120
    assert (await inspector.counts(queue.name))["waiting"] == 2


async def test_pages_of_waiting_jobs_next_to_run_first_across_wait_paused_and_prioritized(
    queue: Queue, inspector: BullmqQueueInspector
) -> None:
    ids = [str((await queue.add(queue.name, {"n": n}, PRODUCER_JOB_OPTIONS)).id) for n in range(5)]
    urgent = str((await queue.add(queue.name, {"n": 9}, {"priority": 1})).id)

    page = await inspector.jobs(queue.name, "waiting", 0, 4)
    assert ([job.id for job in page.jobs], page.total) == (ids[:4], 6)
    rest = await inspector.jobs(queue.name, "waiting", 4, 4)
    assert [job.id for job in rest.jobs] == [ids[4], urgent]
    await queue.pause()
    paused = await inspector.jobs(queue.name, "waiting", 1, 2)
    assert ([job.id for job in paused.jobs], paused.total) == (ids[1:3], 6)
    assert await inspector.is_paused(queue.name)
    with pytest.raises(ValueError, match="state must be one of"):
        await inspector.jobs(queue.name, "paused")


async def test_delayed_jobs_in_run_order_with_their_next_run(
    queue: Queue, inspector: BullmqQueueInspector
) -> None:
    now_ms = int(time.time() * 1000)
    later = str((await queue.add(queue.name, {}, {"delay": 120_000})).id)
    sooner = str((await queue.add(queue.name, {}, {"delay": 60_000})).id)

    page = await inspector.jobs(queue.name, "delayed")

    assert [job.id for job in page.jobs] == [sooner, later]
    assert page.jobs[0].next_run_ms == pytest.approx(now_ms + 60_000, abs=2_000)
    shown = await inspector.job(queue.name, later)
    assert shown is not None
    assert (shown.state, shown.next_run_ms) == (
        "delayed",
        pytest.approx(now_ms + 120_000, abs=2_000),
    )
    assert await inspector.promote(queue.name, later) is True
    assert await inspector.promote(queue.name, later) is False
    assert await inspector.promote_all(queue.name) == 1
    assert (await inspector.counts(queue.name))["waiting"] == 2


async def test_a_large_field_is_never_fetched(
    queue: Queue, inspector: BullmqQueueInspector, redis_client: redis.Redis
) -> None:
    job_id = str((await queue.add(queue.name, {"text": "x" * 300_000}, PRODUCER_JOB_OPTIONS)).id)
    await redis_client.hset(f"bull:{queue.name}:{job_id}", "failedReason", "y" * 300_000)

    (job,) = (await inspector.jobs(queue.name, "waiting")).jobs

    assert job.data == "<job data is too large to show here: 300011 bytes>"  # {"text":"x…"}
    assert job.failed_reason == "<the failure reason is too large to show here: 300000 bytes>"
    assert job.options["removeOnComplete"] == PRODUCER_JOB_OPTIONS["removeOnComplete"]


async def test_last_success_and_find(
    queue: Queue, inspector: BullmqQueueInspector, redis_client: redis.Redis
) -> None:
    assert await inspector.last_success_ms(queue.name) is None
    await redis_client.zadd(f"bull:{queue.name}:completed", {"5": 1_700_000_000_000})
    await redis_client.hset(f"bull:{queue.name}:5", "name", queue.name)
    assert await inspector.last_success_ms(queue.name) == 1_700_000_000_000
    await redis_client.hset(f"bull:{queue.name}:metrics:completed", "prevTS", 1_700_000_060_000)
    assert await inspector.last_success_ms(queue.name) == 1_700_000_060_000
    assert await inspector.find([queue.name, "elsewhere"], "5") == [queue.name]
    assert await inspector.find([queue.name], "6") == []
