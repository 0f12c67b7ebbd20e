"""Read and repair queue state as Node tools do (same keys, same Lua), for the CLI and HTTP app.

Retrying and cleaning run BullMQ's own scripts (``reprocessJob``, ``moveJobsToWait``,
``cleanJobsInSet``) through the ``bullmq`` package, so they are atomic and Node-compatible.
"""

import time
from collections.abc import Callable

import redis.asyncio as redis
from bullmq import Job, Queue

from adapters.bullmq.errors import translate_redis_errors
from adapters.bullmq.job_records import JobRecord, job_options, job_record
from adapters.bullmq.throughput import MinuteCount, per_minute, queue_pipeline_commands

JOB_STATES = ("waiting", "active", "delayed", "prioritized", "completed", "failed", "paused")
CLEANABLE_STATES = ("completed", "failed")
"""Sets scored by ``finishedOn``; cleaning waiting or delayed jobs would lose work."""
BATCH = 1000

Progress = Callable[[int], None]
"""Told how many jobs one batch of a bulk operation handled."""


class BullmqQueueInspector:
    """Counts, failed jobs, retries, clean-up and throughput, per queue."""

    def __init__(self, client: redis.Redis, prefix: str = "bull") -> None:
        self._client = client
        self._prefix = prefix
        self._queues: dict[str, Queue] = {}

    def _queue(self, name: str) -> Queue:
        queue = self._queues.get(name)
        if queue is None:
            queue = Queue(name, {"connection": self._client, "prefix": self._prefix})
            self._queues[name] = queue
        return queue

    def _key(self, queue: str, suffix: str) -> str:
        return f"{self._prefix}:{queue}:{suffix}"

    async def counts(self, queue: str) -> dict[str, int]:
        """Jobs in ``queue`` by state, every state present (zero when empty)."""
        with translate_redis_errors(f"count {queue} jobs"):
            found = await self._queue(queue).getJobCounts(*JOB_STATES)
        return {state: int(found.get(state, 0)) for state in JOB_STATES}

    async def failed(self, queue: str, limit: int = 50) -> list[JobRecord]:
        """The most recently failed jobs first, at most ``limit``."""
        with translate_redis_errors(f"list failed {queue} jobs"):
            ids = await self._client.zrevrange(self._key(queue, "failed"), 0, limit - 1)
            async with self._client.pipeline(transaction=False) as pipe:
                for job_id in ids:
                    pipe.hgetall(self._key(queue, job_id))
                hashes = await pipe.execute()
        return [
            job_record(job_id, raw, "failed")
            for job_id, raw in zip(ids, hashes, strict=True)
            if raw
        ]

    async def job(self, queue: str, job_id: str) -> JobRecord | None:
        """One job with its current state, or ``None`` when it does not exist (any more)."""
        with translate_redis_errors(f"read a {queue} job"):
            raw: dict[str, str] = await self._client.hgetall(self._key(queue, job_id))  # type: ignore[misc]
            if not raw:
                return None
            state = await self._queue(queue).getJobState(job_id)
        return job_record(job_id, raw, str(state))

    async def retry(self, queue: str, job_id: str) -> bool:
        """Move one failed job back to waiting; ``False`` when it is not (or no longer) failed.

        ``attemptsMade`` is kept, as Node's ``job.retry()`` keeps it, so the job knows it is a
        redelivery (handlers use that to avoid sending twice).
        """
        with translate_redis_errors(f"retry a {queue} job"):
            if await self._client.zscore(self._key(queue, "failed"), job_id) is None:
                return False
            raw: dict[str, str] = await self._client.hgetall(self._key(queue, job_id))  # type: ignore[misc]
            job = Job(self._queue(queue), raw.get("name", queue), {}, job_options(raw), job_id)
            try:
                await job.retry("failed")
            except TypeError:  # bullmq's error for "not in the failed state" (a race)
                return False
        return True

    async def retry_all_failed(self, queue: str, progress: Progress | None = None) -> int:
        """Move every job that had failed by now back to waiting, in batches; return how many."""
        key = self._key(queue, "failed")
        now_ms = int(time.time() * 1000)
        scripts = self._queue(queue).scripts
        moved = 0
        with translate_redis_errors(f"retry failed {queue} jobs"):
            while True:
                before = await self._client.zcard(key)
                cursor = await scripts.retryJobs("failed", BATCH, now_ms)
                batch = int(before) - int(await self._client.zcard(key))
                moved += max(batch, 0)
                if progress is not None:
                    progress(max(batch, 0))
                if not cursor or str(cursor) == "0":
                    return moved

    async def count_older_than(self, queue: str, state: str, older_than_s: float) -> int:
        """How many ``state`` jobs finished more than ``older_than_s`` ago (a clean dry run)."""
        _require_cleanable(state)
        cutoff_ms = int((time.time() - older_than_s) * 1000)
        with translate_redis_errors(f"count {state} {queue} jobs"):
            return int(await self._client.zcount(self._key(queue, state), "-inf", cutoff_ms))

    async def clean(
        self, queue: str, state: str, older_than_s: float, progress: Progress | None = None
    ) -> int:
        """Delete ``state`` jobs that finished more than ``older_than_s`` ago; return how many."""
        _require_cleanable(state)
        grace_ms = int(older_than_s * 1000)
        removed = 0
        with translate_redis_errors(f"clean {state} {queue} jobs"):
            while True:
                ids = await self._queue(queue).clean(grace_ms, BATCH, state)
                removed += len(ids)
                if progress is not None:
                    progress(len(ids))
                if len(ids) < BATCH:
                    return removed

    async def throughput(self, queue: str, minutes: int = 30) -> list[MinuteCount]:
        """Jobs completed and failed in each of the last ``minutes`` minutes, oldest first."""
        now_ms = int(time.time() * 1000)
        with translate_redis_errors(f"read {queue} throughput"):
            async with self._client.pipeline(transaction=False) as pipe:
                queue_pipeline_commands(pipe, f"{self._prefix}:{queue}", now_ms, minutes)
                results = await pipe.execute()
        return per_minute(results, now_ms, minutes)

    async def oldest_waiting_age_s(self, queue: str) -> float | None:
        """Seconds the oldest waiting job has waited, or ``None`` when nothing waits.

        Producers ``LPUSH`` onto ``wait``, so its tail is the oldest job.
        """
        with translate_redis_errors(f"read the oldest waiting {queue} job"):
            job_id = await self._client.lindex(self._key(queue, "wait"), -1)  # type: ignore[misc]
            if job_id is None:
                return None
            timestamp = await self._client.hget(self._key(queue, job_id), "timestamp")  # type: ignore[misc]
        if not timestamp:
            return None
        return max(0.0, time.time() - int(timestamp) / 1000)


def _require_cleanable(state: str) -> None:
    if state not in CLEANABLE_STATES:
        raise ValueError(f"state must be one of {', '.join(CLEANABLE_STATES)}")
