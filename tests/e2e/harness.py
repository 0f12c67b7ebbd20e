"""What the end-to-end tests with stand-ins share: the worker's environment, bounded waits that
keep the event loop (and so the stand-ins it serves) running, and job reads through Node."""

import asyncio
import inspect
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.support.platform_stand_in import CLIENT_ID, CLIENT_SECRET, RESOURCE, TENANT
from tests.support.processes import node_async
from tests.support.redis_server import RedisServer

QUEUE_DB_SUFFIX = "/4"  # LOCAL_REDIS_CONN + "/4", as the original builds it
FINAL_STATES = {"completed", "failed"}


def worker_env(redis: RedisServer, platform_url: str, data_dir: Path) -> dict[str, str]:
    """The original's variables pointing at the platform stand-in, plus the new ones a test
    needs: a private state database, quick subscription refreshes and retries. ``dev``,
    because the e-mail settings a production start requires are left out."""
    return {
        "LOCAL_ENV": "dev",
        "LOCAL_REDIS_CONN": redis.url,
        "STANDALONE_DIRECTORIES_HOST_NAME": f"{platform_url}/directories",
        "STANDALONE_ORGANISATIONS_HOST_NAME": f"{platform_url}/organisations",
        "STANDALONE_APPLICATIONS_HOST_NAME": f"{platform_url}/applications",
        "STANDALONE_ACCESS_HOST_NAME": f"{platform_url}/access",
        "TENANT_URL": f"{platform_url}/aad",
        "PLATFORM_GLOBAL_TENANT_DOMAIN": TENANT,
        "AAD_SHD_CLIENT_ID": CLIENT_ID,
        "AAD_SHD_CLIENT_SECRET": CLIENT_SECRET,
        "AAD_SHD_APP_ID": RESOURCE,
        "JOBS_DATA_DIR": str(data_dir),
        "JOBS_SUBSCRIPTION_REFRESH_SECONDS": "1",
        "JOBS_RETRY_DELAY_SCALE": "0.001",
        "JOBS_HTTP_TIMEOUT_SECONDS": "5",
        "JOBS_SHUTDOWN_GRACE_SECONDS": "10",
    }


def queue_url(redis: RedisServer) -> str:
    return redis.url + QUEUE_DB_SUFFIX


async def eventually(
    check: Callable[[], Any], what: str, timeout_s: float = 20.0, interval_s: float = 0.1
) -> Any:
    """Poll ``check`` (sync or async) until truthy; fail naming ``what`` after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = check()
        if inspect.isawaitable(value):
            value = await value
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout_s:g}s: {what} (last: {value!r})")
        await asyncio.sleep(interval_s)


async def produce(redis: RedisServer, queue: str, *payloads: Any) -> list[str]:
    """Enqueue as the Node producers do; the job ids."""
    ids: list[str] = await node_async(
        "produce.mjs", queue_url(redis), queue, json.dumps(list(payloads))
    )
    return ids


async def read_jobs(redis: RedisServer, queue: str, ids: list[str]) -> list[dict[str, Any]]:
    """The jobs as Node tools see them (state, returnvalue, failedReason, attemptsMade)."""
    found = await node_async("read.mjs", queue_url(redis), queue, json.dumps(ids))
    jobs: list[dict[str, Any]] = found["jobs"]
    return jobs


async def job_counts(redis: RedisServer, queue: str) -> dict[str, int]:
    """How many jobs of ``queue`` are waiting, active, delayed, completed and failed."""
    found = await node_async("read.mjs", queue_url(redis), queue, "[]")
    counts: dict[str, int] = found["counts"]
    return counts


async def global_concurrency(redis: RedisServer, queue: str) -> int | None:
    """The queue-level concurrency Node's ``Queue.getGlobalConcurrency()`` reports."""
    found = await node_async("read.mjs", queue_url(redis), queue, "[]")
    limit: int | None = found["globalConcurrency"]
    return limit


async def finished_jobs(
    redis: RedisServer, queue: str, ids: list[str], timeout_s: float = 30.0
) -> list[dict[str, Any]]:
    """Wait until every job in ``ids`` is completed or failed; return them as Node reads them."""

    async def finished() -> list[dict[str, Any]] | None:
        jobs = await read_jobs(redis, queue, ids)
        return jobs if all(job["state"] in FINAL_STATES for job in jobs) else None

    jobs: list[dict[str, Any]] = await eventually(
        finished, f"jobs {ids} of {queue} finished", timeout_s, interval_s=0.3
    )
    return jobs
