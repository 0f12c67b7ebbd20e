"""The job pipeline: payload validation and the per-job timeout."""

import asyncio
import random
from typing import Any

import pytest
import structlog
from pydantic import BaseModel, ConfigDict

from domain.errors import InvalidPayload, UpstreamUnavailable
from domain.model import JobContext
from domain.use_cases.log_test_job import LogTestJob, LogTestJobUseCase
from entrypoints.registry import JobSpec, build_registry
from entrypoints.worker.retry import EMAIL_RETRY, RetryPolicy
from entrypoints.worker.runner import parse_payload, run_job

CONTEXT = JobContext(queue="q", job_id="7")


class Greet(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")
    name: str
    times: int = 1


async def greet(command: Greet, context: JobContext) -> dict[str, Any]:
    return {"greeted": command.name * command.times, "job": context.job_id}


def test_unknown_fields_are_ignored() -> None:
    assert parse_payload(Greet, {"name": "a", "extra": {"x": 1}}) == Greet(name="a")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "invalid payload: name: Field required"),
        ({"name": "a", "times": "many"}, "invalid payload: times: Input should be a valid integer"),
        (["a"], "job data must be a JSON object, got list"),
        (None, "job data must be a JSON object, got NoneType"),
    ],
)
def test_invalid_payload_names_the_field(data: Any, message: str) -> None:
    with pytest.raises(InvalidPayload) as raised:
        parse_payload(Greet, data)
    assert str(raised.value).startswith(message)


def test_invalid_payload_message_does_not_echo_values() -> None:
    with pytest.raises(InvalidPayload) as raised:
        parse_payload(Greet, {"name": ["someone@example.com"]})
    assert "someone@example.com" not in str(raised.value)


async def test_run_job_returns_the_use_case_result() -> None:
    spec = JobSpec("q", Greet, greet)
    assert await run_job(spec, {"name": "ab", "times": 2}, CONTEXT) == {
        "greeted": "abab",
        "job": "7",
    }


async def test_run_job_times_out_as_retryable() -> None:
    async def slow(command: Greet, context: JobContext) -> None:
        await asyncio.sleep(5)

    spec = JobSpec("q", Greet, slow, timeout_s=0.05)
    with pytest.raises(UpstreamUnavailable, match=r"job timed out after 0.05s"):
        await run_job(spec, {"name": "a"}, CONTEXT)


def test_registry_refuses_a_queue_twice() -> None:
    spec = JobSpec("q", Greet, greet)
    with pytest.raises(ValueError, match="registered twice"):
        build_registry([spec], [spec])


def test_retry_delays_grow_with_jitter_and_stop_at_the_limit() -> None:
    policy = RetryPolicy(max_attempts=4, base_delay_s=10, max_delay_s=25, max_age_s=3600)
    rng = random.Random(1)
    delays = [policy.next_delay_s(attempts_made=n, age_s=0, rng=rng) for n in range(4)]
    assert delays[3] is None, "the 4th attempt was the last"
    first, second, third = delays[:3]
    assert first is not None
    assert 5 <= first <= 10
    assert second is not None
    assert 10 <= second <= 20
    assert third is not None
    assert 12.5 <= third <= 25, "capped at max_delay_s"


def test_retry_respects_retry_after_and_max_age() -> None:
    assert EMAIL_RETRY.next_delay_s(attempts_made=0, age_s=0, retry_after_s=60) == 60
    assert EMAIL_RETRY.next_delay_s(attempts_made=1, age_s=EMAIL_RETRY.max_age_s) is None


@pytest.mark.parametrize(
    ("data", "fields"),
    [({"b": 1, "a": None}, 2), ([1, "two"], 0), ("text", 0), (None, 0), (3.5, 0), (False, 0)],
)
async def test_the_test_job_accepts_any_json_value(data: Any, fields: int) -> None:
    spec = JobSpec("test", LogTestJob, LogTestJobUseCase())
    assert await run_job(spec, data, CONTEXT) == {"fields": fields}


async def test_the_test_job_logs_field_names_or_the_type_never_values() -> None:
    spec = JobSpec("test", LogTestJob, LogTestJobUseCase())
    with structlog.testing.capture_logs() as logs:
        await run_job(spec, {"email": "someone@example.com"}, CONTEXT)
        await run_job(spec, ["someone@example.com"], CONTEXT)
    assert [(entry["type"], entry["fields"]) for entry in logs] == [
        ("object", ["email"]),
        ("array", []),
    ]
    assert "someone@example.com" not in repr(logs)
