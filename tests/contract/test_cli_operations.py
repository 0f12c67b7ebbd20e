"""``dsi-jobs jobs|failed|show|retry|promote|pause|resume|clean`` in-process, on a private Redis
holding real failed and retrying jobs."""

import asyncio
import json
import time
from typing import Any

import pytest
import redis.asyncio as redis
from bullmq import Queue
from pydantic import BaseModel, ConfigDict

from adapters.redis_queue.inspector import BullmqQueueInspector
from adapters.redis_queue.publisher import PRODUCER_JOB_OPTIONS
from domain.errors import InvalidPayload, UpstreamUnavailable
from domain.model import JobContext
from entrypoints.cli import main
from entrypoints.registry import JobSpec
from entrypoints.settings import redis_connection_options
from entrypoints.worker.retry import RetryPolicy
from entrypoints.worker.service import WorkerService, WorkerTuning
from tests.support.redis_server import RedisServer

pytestmark = [pytest.mark.real, pytest.mark.usefixtures("restore_logging")]

QUEUE = "test"  # a job type the CLI knows


class Anything(BaseModel):
    model_config = ConfigDict(frozen=True, extra="allow")


async def refuse(command: Anything, context: JobContext) -> None:
    raise InvalidPayload("userId: must be a GUID")


async def _seed(url: str, datas: list[dict[str, Any]]) -> list[str]:
    client = redis.Redis.from_url(url, decode_responses=True)
    queue = Queue(QUEUE, {"connection": client})
    ids = [str((await queue.add(QUEUE, data, PRODUCER_JOB_OPTIONS)).id) for data in datas]
    service = WorkerService(
        {QUEUE: JobSpec(QUEUE, Anything, refuse)}, redis_connection_options(url),
        WorkerTuning(lock_duration_ms=5000, stalled_interval_ms=1000),
    )  # fmt: skip
    await service.start()
    try:
        deadline = time.monotonic() + 15
        while (await queue.getJobCounts("failed"))["failed"] < len(ids):
            assert time.monotonic() < deadline
            await asyncio.sleep(0.05)
    finally:
        await service.stop(5)
        await client.aclose()
    return ids


RETRYING = "passwordreset_v1"  # a job type with retries (8 attempts)


async def unavailable(command: Anything, context: JobContext) -> None:
    raise UpstreamUnavailable("notify answered 503 for someone@example.com")


async def _seed_retrying(url: str) -> str:
    """One job the real worker tried once and scheduled to retry in 10 to 20 minutes."""
    client = redis.Redis.from_url(url, decode_responses=True)
    queue = Queue(RETRYING, {"connection": client})
    job_id = str((await queue.add(RETRYING, {"userId": "u-9"}, PRODUCER_JOB_OPTIONS)).id)
    slow_retry = RetryPolicy(max_attempts=8, base_delay_s=1200.0, max_delay_s=1200.0)
    service = WorkerService(
        {RETRYING: JobSpec(RETRYING, Anything, unavailable, retry=slow_retry)},
        redis_connection_options(url), WorkerTuning(lock_duration_ms=5000),
    )  # fmt: skip
    await service.start()
    try:
        deadline = time.monotonic() + 15
        while (await queue.getJobCounts("delayed"))["delayed"] < 1:
            assert time.monotonic() < deadline
            await asyncio.sleep(0.05)
    finally:
        await service.stop(5)
        await client.aclose()
    return job_id


async def _redis(url: str, *command: str) -> Any:
    client = redis.Redis.from_url(url, decode_responses=True)
    try:
        return await client.execute_command(*command)
    finally:
        await client.aclose()


async def _counts(url: str) -> dict[str, int]:
    client = redis.Redis.from_url(url, decode_responses=True)
    try:
        counts = await Queue(QUEUE, {"connection": client}).getJobCounts("waiting", "failed")
        return {"waiting": counts["waiting"], "failed": counts["failed"]}
    finally:
        await client.aclose()


@pytest.fixture
def failed_ids(server: RedisServer) -> list[str]:
    datas = [{"userId": "x", "email": "someone@example.com", "firstName": "Zoë"}, {"userId": "y"}]
    return asyncio.run(_seed(server.url + "/4", datas))


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_failed_lists_every_failed_job_with_its_reason(
    failed_ids: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "failed", QUEUE)
    assert code == 0
    assert out.count("userId: must be a GUID") == 2
    assert all(job_id in out for job_id in failed_ids)
    assert "2 shown of 2 failed" in out
    code, out, _ = run(capsys, "failed")
    assert (code, "2 shown of 2 failed" in out) == (0, True)


def test_show_masks_personal_data(
    failed_ids: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "show", QUEUE, failed_ids[0])
    assert code == 0
    assert "failed" in out
    assert "userId: must be a GUID" in out
    assert '"userId": "x"' in out
    assert '"email": "[masked]"' in out
    assert '"firstName": "[masked]"' in out
    assert "someone@example.com" not in out
    assert "Zoë" not in out
    code, _, err = run(capsys, "show", QUEUE, "no-such-job")
    assert (code, "no job no-such-job" in err) == (1, True)


def test_retry_one_then_all(
    failed_ids: list[str], server: RedisServer, capsys: pytest.CaptureFixture[str]
) -> None:
    url = server.url + "/4"
    code, out, _ = run(capsys, "retry", QUEUE, failed_ids[0])
    assert (code, f"job {failed_ids[0]} of test moved back to waiting" in out) == (0, True)
    assert asyncio.run(_counts(url)) == {"waiting": 1, "failed": 1}
    code, _, err = run(capsys, "retry", QUEUE, failed_ids[0])
    assert (code, "is not failed" in err) == (1, True)
    code, out, _ = run(capsys, "retry", QUEUE, "--all")
    assert (code, "1 failed test job(s) moved back to waiting" in out) == (0, True)
    assert asyncio.run(_counts(url)) == {"waiting": 2, "failed": 0}


def test_clean_dry_run_then_for_real(
    failed_ids: list[str], server: RedisServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "clean", QUEUE, "--state", "failed", "--older-than", "1h")
    assert (code, "0 failed test job(s) deleted" in out) == (0, True)
    time.sleep(0.01)
    code, out, _ = run(capsys, "clean", QUEUE, "--older-than", "0s", "--dry-run")
    assert (code, "2 failed test job(s) would be deleted (dry run)" in out) == (0, True)
    assert asyncio.run(_counts(server.url + "/4"))["failed"] == 2
    code, out, _ = run(capsys, "clean", QUEUE, "--older-than", "0m")
    assert (code, "2 failed test job(s) deleted" in out) == (0, True)
    assert asyncio.run(_counts(server.url + "/4"))["failed"] == 0


@pytest.mark.parametrize(
    "argv",
    [
        ["retry", QUEUE],
        ["retry", QUEUE, "1", "--all"],
        ["clean", QUEUE, "--older-than", "soon"],
        ["clean", QUEUE, "--older-than", "1h", "--state", "waiting"],
        ["clean", QUEUE],
        ["promote", QUEUE],
        ["pause"],
        ["jobs", QUEUE, "--state", "paused"],
    ],
)
def test_usage_errors_exit_2(argv: list[str], server: RedisServer) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2


def test_unknown_type_is_a_usage_error(
    server: RedisServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "failed", "nonsense")
    assert (code, "unknown job type 'nonsense'" in err) == (2, True)


def test_redis_down_is_a_runtime_error(
    server: RedisServer, capsys: pytest.CaptureFixture[str]
) -> None:
    server.stop()
    code, _, err = run(capsys, "failed", QUEUE)
    assert (code, "redis unavailable" in err) == (1, True)


HOSTILE_REASON = (
    "[bold red]INJECTED[/] [link=https://evil.example/login]sign in[/link] [/bold] "
    "\x1b]0;retitled\x07\x1b[31mred\x9b2J leak.person@example.com"
)
HOSTILE_TRACE = "HTTPError: 500 for url 'http://dir.test/users/invitee.person%40example.com'"


NESTED_1000 = '{"a":' * 1000 + "1" + "}" * 1000


async def _plant_hostile_job(url: str, data: str = '{"userId": "u-1"}') -> None:
    """A failed job written straight to Redis, as another process could have written it."""
    client = redis.Redis.from_url(url, decode_responses=True)
    try:
        await client.hset(
            f"bull:{QUEUE}:evil[/i]", mapping={
                "name": "[blink]name", "data": data, "opts": "{}",
                "timestamp": "1700000000000", "finishedOn": "1700000001000", "atm": "1",
                "failedReason": HOSTILE_REASON, "stacktrace": json.dumps([HOSTILE_TRACE]),
            },
        )  # fmt: skip
        await client.zadd(f"bull:{QUEUE}:failed", {"evil[/i]": 1700000001000})
    finally:
        await client.aclose()


@pytest.mark.parametrize("argv", [["failed"], ["failed", QUEUE], ["show", QUEUE, "evil[/i]"]])
def test_stored_values_are_printed_literally_and_masked(
    argv: list[str], server: RedisServer, capsys: pytest.CaptureFixture[str]
) -> None:
    asyncio.run(_plant_hostile_job(server.url + "/4"))
    code, out, _ = run(capsys, *argv)
    assert code == 0
    flat = " ".join(out.split())
    assert "[link=https://evil.example/login]sign in[/link] [/bold]" in flat
    assert "evil[/i]" in flat
    for control in ("\x1b", "\x07", "\x9b"):
        assert control not in out
    for leak in ("leak.person", "invitee.person", "%40example"):
        assert leak not in out


@pytest.mark.parametrize("argv", [["failed", QUEUE], ["show", QUEUE, "evil[/i]"]])
def test_deeply_nested_job_data_is_shown_cut_short(
    argv: list[str], server: RedisServer, capsys: pytest.CaptureFixture[str]
) -> None:
    asyncio.run(_plant_hostile_job(server.url + "/4", NESTED_1000))
    code, out, _ = run(capsys, *argv)
    assert code == 0
    assert "evil[/i]" in out
    if argv[0] == "show":
        assert "<job data is nested too deeply to show>" in out


def test_jobs_by_state_show_the_same_columns_as_the_dashboard(
    failed_ids: list[str], server: RedisServer, capsys: pytest.CaptureFixture[str]
) -> None:
    retrying = asyncio.run(_seed_retrying(server.url + "/4"))
    code, out, _ = run(capsys, "jobs", RETRYING, "--state", "delayed")
    assert code == 0, out
    flat = " ".join(out.split())
    assert retrying in out
    assert "attempt 2 of 8" in flat, "the next attempt of the policy's 8"
    assert "notify answered 503 for [email]" in flat, "the last error, masked"
    assert "someone@example.com" not in out
    assert "(in 1" in flat, "next run in 10 to 20 minutes"
    assert "1-1 shown of 1 delayed" in flat

    code, out, _ = run(capsys, "jobs", QUEUE, "--state", "failed", "--limit", "1")
    flat = " ".join(out.split())
    assert (code, "1-1 shown of 2 failed" in flat, "1 of 1" in flat) == (0, True, True)
    code, out, _ = run(capsys, "jobs", QUEUE, "--state", "failed", "--start", "1")
    assert "2-2 shown of 2 failed" in " ".join(out.split())
    code, out, _ = run(capsys, "jobs", QUEUE, "--state", "active")
    assert (code, "none shown of 0 active" in " ".join(out.split())) == (0, True)
    code, out, _ = run(capsys, "jobs")
    assert (code, f"{RETRYING}\n" in out, "sendwsuserupdated_v1_<applicationId>" in out) == (
        0, True, True,
    )  # fmt: skip


def test_promote_runs_a_delayed_job_now_keeping_its_attempts(
    server: RedisServer, capsys: pytest.CaptureFixture[str]
) -> None:
    url = server.url + "/4"
    job_id = asyncio.run(_seed_retrying(url))
    code, out, _ = run(capsys, "promote", RETRYING, job_id)
    assert (code, f"job {job_id} of {RETRYING} moved to waiting" in out) == (0, True)
    assert asyncio.run(_redis(url, "LRANGE", f"bull:{RETRYING}:wait", "0", "-1")) == [job_id]
    assert asyncio.run(_redis(url, "HGET", f"bull:{RETRYING}:{job_id}", "atm")) == "1"
    code, _, err = run(capsys, "promote", RETRYING, job_id)
    assert (code, "is not delayed" in err) == (1, True)
    code, out, _ = run(capsys, "jobs", RETRYING)
    assert (code, "attempts made" in out, "1 of 8" in out) == (0, True, True)

    asyncio.run(_seed_retrying(url))  # its worker retries the promoted job too
    delayed = asyncio.run(_redis(url, "ZCARD", f"bull:{RETRYING}:delayed"))
    code, out, _ = run(capsys, "promote", RETRYING, "--all")
    assert (code, f"{delayed} delayed {RETRYING} job(s) moved to waiting" in out) == (0, True)
    assert asyncio.run(_redis(url, "ZCARD", f"bull:{RETRYING}:delayed")) == 0


def test_pause_and_resume_as_bullmq_does(
    failed_ids: list[str], server: RedisServer, capsys: pytest.CaptureFixture[str]
) -> None:
    url = server.url + "/4"
    run(capsys, "retry", QUEUE, "--all")
    code, out, _ = run(capsys, "pause", QUEUE)
    assert (code, "test paused" in out) == (0, True)
    assert asyncio.run(_redis(url, "HEXISTS", f"bull:{QUEUE}:meta", "paused")) == 1
    assert asyncio.run(_redis(url, "LLEN", f"bull:{QUEUE}:paused")) == 2
    code, out, _ = run(capsys, "jobs", QUEUE, "--state", "waiting")
    flat = " ".join(out.split())
    assert (code, "(queue paused)" in flat, "1-2 shown of 2 waiting" in flat) == (0, True, True)
    assert all(job_id in out for job_id in failed_ids)

    code, out, _ = run(capsys, "resume", QUEUE)
    assert (code, "test resumed" in out) == (0, True)
    assert asyncio.run(_redis(url, "HEXISTS", f"bull:{QUEUE}:meta", "paused")) == 0
    assert asyncio.run(_redis(url, "LLEN", f"bull:{QUEUE}:wait")) == 2


async def _leave_push_jobs(url: str, queue: str) -> None:
    client = redis.Redis.from_url(url, decode_responses=True)
    try:
        await Queue(queue, {"connection": client}).add(queue, {"n": 1}, PRODUCER_JOB_OPTIONS)
        await BullmqQueueInspector(client).record_unsubscribed({queue: "draining"}, ttl_s=60)
    finally:
        await client.aclose()


def test_status_lists_push_queues_holding_jobs_with_the_workers_note(
    server: RedisServer, capsys: pytest.CaptureFixture[str]
) -> None:
    queue = "sendwsuserupdated_v1_0b5e6f70-0000-4000-8000-0000000000aa"
    asyncio.run(_leave_push_jobs(server.url + "/4", queue))
    code, out, _ = run(capsys, "status")
    assert code == 0
    (row,) = [line for line in out.splitlines() if queue in line]
    cells = [cell.strip() for cell in row.strip("│ ").split("│")]
    assert cells == [queue, "1", "0", "0", "0", "0", "NO CONSUMER", "yes", "unsubscribed: draining"]
    assert any(" test " in line for line in out.splitlines()), "the fixed queues still come first"
