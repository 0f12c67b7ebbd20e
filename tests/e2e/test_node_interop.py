"""Node producers → Python worker → Node readers, over a real Redis and the real npm bullmq 5."""

import json
from pathlib import Path
from typing import Any

from tests.support.processes import node, wait_until, worker_process
from tests.support.redis_server import RedisServer, free_port

QUEUE_DB_URL_SUFFIX = "/4"  # LOCAL_REDIS_CONN + "/4", as the original builds it

AWKWARD_DATA: dict[str, Any] = {
    "nested": {"list": [1, "two", None, {"deep": [True, False]}], "empty": {}},
    "unicode": "Zoë — 👩‍👩‍👧 — 中文 — \u2028",
    "null": None,
    "number": 1.5,
    "long": "x" * 10_000,
}


def _final(url: str, queue: str, ids: list[str]) -> Any:
    def read() -> Any:
        found = node("read.mjs", url, queue, _json(ids))
        states = {job["state"] for job in found["jobs"]}
        return found if states <= {"completed", "failed"} else None

    result = wait_until(read, timeout_s=30)
    assert result, f"jobs did not finish: {node('read.mjs', url, queue, _json(ids))}"
    return result


def _json(value: Any) -> str:
    return json.dumps(value)


def test_node_jobs_processed_and_read_back_by_node(
    private_redis: RedisServer, tmp_path: Path
) -> None:
    url = private_redis.url + QUEUE_DB_URL_SUFFIX
    env = {"LOCAL_ENV": "dev", "LOCAL_REDIS_CONN": private_redis.url}  # only the queue store
    with worker_process(env, tmp_path, free_port()):
        payloads = [AWKWARD_DATA, {"hello": "world"}, ["any", "JSON", "value"], None]
        ids = node("produce.mjs", url, "test", _json(payloads))
        result = _final(url, "test", ids)

    jobs = result["jobs"]
    assert [job["state"] for job in jobs] == ["completed"] * 4, "the test job takes any JSON"
    assert jobs[0]["data"] == AWKWARD_DATA
    assert jobs[0]["name"] == "test"
    assert [job["returnvalue"] for job in jobs] == [
        {"fields": len(AWKWARD_DATA)}, {"fields": 1}, {"fields": 0}, {"fields": 0},
    ]  # fmt: skip
    assert all(job["attemptsMade"] == 1 for job in jobs)


def test_failing_job_keeps_its_real_reason(private_redis: RedisServer, tmp_path: Path) -> None:
    url = private_redis.url + QUEUE_DB_URL_SUFFIX
    env = {
        "LOCAL_ENV": "dev",
        "LOCAL_REDIS_CONN": private_redis.url,
        "JOBS_DATA_DIR": str(tmp_path / "data"),
    }
    with worker_process(env, tmp_path, free_port()):
        ids = node("produce.mjs", url, "passwordreset_v1", _json([["not", "an", "object"]]))
        result = _final(url, "passwordreset_v1", ids)

    (job,) = result["jobs"]
    assert job["state"] == "failed"
    assert job["failedReason"] == "job data must be a JSON object, got list"
    assert job["attemptsMade"] == 1
    assert result["counts"]["failed"] == 1
