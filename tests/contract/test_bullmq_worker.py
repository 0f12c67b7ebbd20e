"""The BullMQ consumer against a real Redis: outcomes, reasons, retries and poison data."""

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
import redis.asyncio as redis
from bullmq import Queue
from pydantic import BaseModel, ConfigDict

from adapters.redis_queue.consumers import BullmqConsumers, worker_client_name
from adapters.redis_queue.publisher import PRODUCER_JOB_OPTIONS
from domain.errors import InvalidPayload, UpstreamUnavailable
from domain.model import JobContext
from entrypoints.registry import JobSpec, RateLimit
from entrypoints.settings import redis_connection_options
from entrypoints.worker.retry import RetryPolicy
from entrypoints.worker.service import WorkerService, WorkerTuning, worker_name

pytestmark = pytest.mark.real


class Anything(BaseModel):
    model_config = ConfigDict(frozen=True, extra="allow")


async def wait_for(check: Callable[[], Any], timeout_s: float = 15.0) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = await check()
        if value:
            return value
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")


@pytest.fixture
async def queue(redis_client: redis.Redis, queue_name: str) -> AsyncIterator[Queue]:
    q = Queue(queue_name, {"connection": redis_client})
    yield q
    await q.obliterate(force=True)


async def run_service(specs: list[JobSpec[Any]], redis_url: str) -> WorkerService:
    service = WorkerService(
        {spec.queue: spec for spec in specs},
        redis_connection_options(redis_url),
        WorkerTuning(lock_duration_ms=5000, stalled_interval_ms=1000),
    )
    await service.start()
    return service


async def job_hash(client: redis.Redis, queue: str, job_id: str) -> dict[str, str]:
    found: dict[str, str] = await client.hgetall(f"bull:{queue}:{job_id}")
    return found


async def finished(client: redis.Redis, queue: str, job_id: str) -> dict[str, str] | None:
    found = await job_hash(client, queue, job_id)
    return found if found.get("finishedOn") else None


async def test_handler_error_message_is_the_failed_reason(
    queue: Queue, redis_client: redis.Redis, redis_url: str
) -> None:
    async def refuse(command: Anything, context: JobContext) -> None:
        raise InvalidPayload("requestId: must be a GUID")

    service = await run_service([JobSpec(queue.name, Anything, refuse)], redis_url)
    try:
        job = await queue.add(queue.name, {"requestId": "x"}, PRODUCER_JOB_OPTIONS)
        done = await wait_for(lambda: finished(redis_client, queue.name, job.id))
    finally:
        await service.stop(5)
    assert done["failedReason"] == "requestId: must be a GUID"
    assert done["atm"] == "1"
    assert await redis_client.zscore(f"bull:{queue.name}:failed", job.id) is not None


async def test_retryable_error_is_retried_then_succeeds(
    queue: Queue, redis_client: redis.Redis, redis_url: str
) -> None:
    calls: list[int] = []

    async def flaky(command: Anything, context: JobContext) -> dict[str, int]:
        calls.append(context.attempt)
        if len(calls) < 3:
            raise UpstreamUnavailable("notify answered 503")
        return {"attempt": context.attempt}

    policy = RetryPolicy(max_attempts=5, base_delay_s=0.05, max_delay_s=0.1, max_age_s=60)
    service = await run_service([JobSpec(queue.name, Anything, flaky, retry=policy)], redis_url)
    try:
        job = await queue.add(queue.name, {}, PRODUCER_JOB_OPTIONS)
        done = await wait_for(lambda: finished(redis_client, queue.name, job.id))
    finally:
        await service.stop(5)
    assert calls == [1, 2, 3]
    assert json.loads(done["returnvalue"]) == {"attempt": 3}
    assert done["atm"] == "3"


async def test_retries_stop_at_the_policy_limit_with_the_last_reason(
    queue: Queue, redis_client: redis.Redis, redis_url: str
) -> None:
    async def down(command: Anything, context: JobContext) -> None:
        raise UpstreamUnavailable(f"upstream down (attempt {context.attempt})")

    policy = RetryPolicy(max_attempts=3, base_delay_s=0.05, max_delay_s=0.1, max_age_s=60)
    service = await run_service([JobSpec(queue.name, Anything, down, retry=policy)], redis_url)
    try:
        job = await queue.add(queue.name, {}, PRODUCER_JOB_OPTIONS)
        done = await wait_for(lambda: finished(redis_client, queue.name, job.id))
    finally:
        await service.stop(5)
    assert done["failedReason"] == "upstream down (attempt 3)"
    assert done["atm"] == "3"
    assert len(json.loads(done["stacktrace"])) >= 1


async def test_unexpected_errors_are_reported_without_personal_data(
    queue: Queue, redis_client: redis.Redis, redis_url: str
) -> None:
    async def crash(command: Anything, context: JobContext) -> None:
        raise KeyError("someone@example.com")

    service = await run_service([JobSpec(queue.name, Anything, crash)], redis_url)
    try:
        job = await queue.add(queue.name, {}, PRODUCER_JOB_OPTIONS)
        done = await wait_for(lambda: finished(redis_client, queue.name, job.id))
    finally:
        await service.stop(5)
    assert done["failedReason"] == "KeyError: '[email]'"


NESTED_1000 = '{"a":' * 1000 + "1" + "}" * 1000
POISON = {
    "not JSON": ("data", "{not json", "job data is not valid JSON; the job cannot be processed"),
    "nested 1,000 deep": (
        "data",
        NESTED_1000,
        "job data is nested too deeply to decode; the job cannot be processed",
    ),
    "unreadable timestamp": (
        "timestamp",
        "soon",
        "job fields are not readable; the job cannot be processed",
    ),
}


@pytest.mark.parametrize(("field", "value", "reason"), POISON.values(), ids=list(POISON))
async def test_poison_data_fails_once_and_never_loops(
    queue: Queue, redis_client: redis.Redis, redis_url: str, field: str, value: str, reason: str
) -> None:
    calls: list[object] = []

    async def record(command: Anything, context: JobContext) -> None:
        calls.append(command)

    good = await queue.add(queue.name, {"ok": True}, PRODUCER_JOB_OPTIONS)
    poison = await queue.add(queue.name, {"ok": False}, PRODUCER_JOB_OPTIONS)
    await redis_client.hset(f"bull:{queue.name}:{poison.id}", field, value)
    service = await run_service([JobSpec(queue.name, Anything, record)], redis_url)
    try:
        bad = await wait_for(lambda: finished(redis_client, queue.name, poison.id))
        await wait_for(lambda: finished(redis_client, queue.name, good.id))
        await asyncio.sleep(1.5)  # a stalled-check cycle: the poison job must stay failed
        events = await redis_client.xrange(f"bull:{queue.name}:events")
    finally:
        await service.stop(5)
    assert bad["failedReason"] == reason
    assert await redis_client.zscore(f"bull:{queue.name}:failed", poison.id) is not None
    assert bad[field] == value, "the original data is kept for inspection"
    assert len(calls) == 1
    failures = [fields["jobId"] for _, fields in events if fields.get("event") == "failed"]
    assert failures == [poison.id], "failed exactly once"


async def test_stored_stack_traces_carry_no_personal_data(
    queue: Queue, redis_client: redis.Redis, redis_url: str
) -> None:
    """A chained cause naming a URL with an address in it (percent-encoded too) is masked."""

    def fetch() -> None:
        raise RuntimeError(
            "Server error '500' for url 'http://directories.test/users/invitee.person%40"
            "example.com' (asked by someone@example.org)"
        )

    async def lookup(command: Anything, context: JobContext) -> None:
        try:
            fetch()
        except RuntimeError as error:
            raise InvalidPayload("directories API GET /users/{id} answered 500") from error

    service = await run_service([JobSpec(queue.name, Anything, lookup)], redis_url)
    try:
        job = await queue.add(queue.name, {}, PRODUCER_JOB_OPTIONS)
        done = await wait_for(lambda: finished(redis_client, queue.name, job.id))
    finally:
        await service.stop(5)
    [trace] = json.loads(done["stacktrace"])
    assert "directories API GET /users/{id} answered 500" in trace
    assert "/users/[email]'" in trace
    for leak in ("invitee.person", "%40example.com", "someone@example.org"):
        assert leak not in trace


async def test_graceful_stop_lets_in_flight_jobs_finish(
    queue: Queue, redis_client: redis.Redis, redis_url: str
) -> None:
    started = asyncio.Event()

    async def slow(command: Anything, context: JobContext) -> str:
        started.set()
        await asyncio.sleep(0.5)
        return "done"

    service = await run_service([JobSpec(queue.name, Anything, slow)], redis_url)
    job = await queue.add(queue.name, {}, PRODUCER_JOB_OPTIONS)
    await asyncio.wait_for(started.wait(), 10)
    abandoned = await service.stop(5)
    assert abandoned == 0
    done = await job_hash(redis_client, queue.name, job.id)
    assert json.loads(done["returnvalue"]) == "done"


async def test_stopping_with_many_jobs_in_flight_completes_every_one(
    queue: Queue, redis_client: redis.Redis, redis_url: str
) -> None:
    """The worker loop ends before its jobs do; their completions must still reach Redis (the
    connections were once closed under them: a failed completion, the job retried later)."""
    in_flight = 20

    async def slow(command: Anything, context: JobContext) -> str:
        await asyncio.sleep(0.3)
        return "done"

    for _ in range(3):  # the race was intermittent
        service = await run_service(
            [JobSpec(queue.name, Anything, slow, concurrency=in_flight)], redis_url
        )
        jobs = await queue.addBulk(
            [{"name": queue.name, "data": {}, "opts": PRODUCER_JOB_OPTIONS}] * in_flight
        )
        await wait_for(lambda: _active(redis_client, queue.name, in_flight))
        assert await service.stop(5) == 0
        for job in jobs:
            done = await job_hash(redis_client, queue.name, job.id)
            assert json.loads(done["returnvalue"]) == "done", done.get("failedReason")


async def _active(client: redis.Redis, queue: str, count: int) -> bool:
    return bool(await client.llen(f"bull:{queue}:active") == count)


async def test_watchdog_restarts_a_dead_worker_loop(
    queue: Queue, redis_client: redis.Redis, redis_url: str
) -> None:
    restarted: list[str] = []

    async def ok(command: Anything, context: JobContext) -> str:
        return "ok"

    service = WorkerService(
        {queue.name: JobSpec(queue.name, Anything, ok)},
        redis_connection_options(redis_url),
        WorkerTuning(lock_duration_ms=5000, stalled_interval_ms=1000, watchdog_interval_s=0.1),
        on_restart=restarted.append,
    )
    await service.start()
    try:
        service._running[queue.name].task.cancel()  # the loop dies as bullmq's run() can
        await wait_for(lambda: _true(restarted == [queue.name]))
        assert service.loops_alive()
        job = await queue.add(queue.name, {}, PRODUCER_JOB_OPTIONS)
        done = await wait_for(lambda: finished(redis_client, queue.name, job.id))
    finally:
        await service.stop(5)
    assert json.loads(done["returnvalue"]) == "ok"


async def test_the_limiter_is_waited_out_and_each_wait_counted(
    queue: Queue, redis_client: redis.Redis, redis_url: str
) -> None:
    waited: list[str] = []

    async def ok(command: Anything, context: JobContext) -> str:
        return "ok"

    limited = JobSpec(queue.name, Anything, ok, concurrency=1, limiter=RateLimit(1, 400))
    service = WorkerService(
        {queue.name: limited},
        redis_connection_options(redis_url),
        WorkerTuning(lock_duration_ms=5000, stalled_interval_ms=1000),
        on_rate_limited=waited.append,
    )
    jobs = [await queue.add(queue.name, {}, PRODUCER_JOB_OPTIONS) for _ in range(3)]
    started = time.monotonic()
    await service.start()
    try:
        for job in jobs:
            await wait_for(lambda job=job: finished(redis_client, queue.name, job.id))
    finally:
        await service.stop(5)
    assert time.monotonic() - started >= 0.75, "one job per 400 ms window"
    assert len(waited) >= 2
    assert set(waited) == {queue.name}


async def test_dynamic_queues_start_and_stop_without_a_restart(
    queue: Queue, redis_client: redis.Redis, redis_url: str
) -> None:
    async def ok(command: Anything, context: JobContext) -> str:
        return "pushed"

    service = await run_service([], redis_url)
    try:
        first = await queue.add(queue.name, {}, PRODUCER_JOB_OPTIONS)
        await asyncio.sleep(0.3)
        assert not await finished(redis_client, queue.name, first.id), "not subscribed yet"
        await service.apply_dynamic({queue.name: JobSpec(queue.name, Anything, ok)}, [], 5)
        await wait_for(lambda: finished(redis_client, queue.name, first.id))
        await service.apply_dynamic({}, [queue.name], 5)
        assert queue.name not in service.queues
        second = await queue.add(queue.name, {}, PRODUCER_JOB_OPTIONS)
        await asyncio.sleep(0.5)
        assert not await finished(redis_client, queue.name, second.id), "unsubscribed"
    finally:
        await service.stop(5)


async def _true(value: bool) -> bool:
    return value


async def test_global_concurrency_runs_one_job_at_a_time_across_workers_in_order(
    queue: Queue, redis_client: redis.Redis, redis_url: str
) -> None:
    """Two worker services (as two processes would), each allowed 5 at once: the queue-level
    limit of 1 they write into the queue's meta hash holds across both, jobs in FIFO order."""
    running: list[str] = []
    started: list[int] = []
    most = 0

    async def slow(command: Anything, context: JobContext) -> None:
        nonlocal most
        running.append(context.job_id)
        most = max(most, len(running))
        started.append(command.model_dump()["n"])
        await asyncio.sleep(0.02)
        running.remove(context.job_id)

    spec = JobSpec(queue.name, Anything, slow, concurrency=5, global_concurrency=1)
    services = [await run_service([spec], redis_url) for _ in range(2)]
    try:
        await wait_for(lambda: redis_client.hget(f"bull:{queue.name}:meta", "concurrency"))
        jobs = await queue.addBulk(
            [
                {"name": queue.name, "data": {"n": n}, "opts": PRODUCER_JOB_OPTIONS}
                for n in range(12)
            ]
        )
        await wait_for(lambda: finished(redis_client, queue.name, jobs[-1].id))
    finally:
        for service in services:
            await service.stop(5)
    assert await redis_client.hget(f"bull:{queue.name}:meta", "concurrency") == "1"
    assert most == 1
    assert started == list(range(12))


async def test_workers_are_named_as_node_names_them_and_jobs_say_who_ran_them(
    queue: Queue, redis_client: redis.Redis, redis_url: str
) -> None:
    async def succeed(command: Anything, context: JobContext) -> dict[str, int]:
        return {"ok": 1}

    # one at a time: the first job moves to active alone, the second with the first's completion
    service = await run_service([JobSpec(queue.name, Anything, succeed, concurrency=1)], redis_url)
    try:
        first = await queue.add(queue.name, {}, PRODUCER_JOB_OPTIONS)
        second = await queue.add(queue.name, {}, PRODUCER_JOB_OPTIONS)
        await wait_for(lambda: finished(redis_client, queue.name, second.id))
        consumers = await BullmqConsumers(redis_client).by_queue()
        names = [client["name"] for client in await redis_client.client_list()]
    finally:
        await service.stop(5)

    assert consumers is not None
    (consumer,) = consumers[queue.name]
    assert consumer.kind == "dsi-jobs"
    assert consumer.name == worker_name()
    assert names.count(worker_client_name(queue.name, worker_name())) == 1, "blocking connection"
    for job in (first, second):
        assert (await job_hash(redis_client, queue.name, job.id))["pb"] == worker_name()
    after = await BullmqConsumers(redis_client).by_queue()
    assert after is not None
    assert queue.name not in after, "a closed worker is no longer attached"
