"""Read and repair queue state as Node tools do (same keys, same Lua), for the CLI and HTTP app.

Every change runs BullMQ's own scripts through the ``bullmq`` package's ``Queue`` and ``Job``
methods (``reprocessJob`` to retry, ``moveJobsToWait`` to retry all, ``cleanJobsInSet``,
``pause`` to pause and resume, ``promote``), so each is atomic and exactly what Node's
``queue.pause()`` or ``job.promote()`` does: Node tools (bull-board, Taskforce) agree with it.
Listing reads the same keys Node's ``Queue.getJobs`` reads, a page at a time.
"""

import dataclasses
import time
from collections.abc import Callable, Iterable, Mapping

import redis.asyncio as redis
from bullmq import Job

from adapters.common.redis_errors import translate_redis_errors
from adapters.redis_queue.job_records import JobRecord, job_options, read_jobs
from adapters.redis_queue.queues import Queues
from adapters.redis_queue.throughput import MinuteCount, per_minute, queue_pipeline_commands

JOB_STATES = ("waiting", "active", "delayed", "prioritized", "completed", "failed", "paused")
LISTED_STATES = ("waiting", "active", "delayed", "failed", "completed")
"""The states operators list jobs in; ``waiting`` includes paused and prioritized jobs."""
PENDING_KEYS = frozenset({"wait", "active", "delayed", "prioritized", "paused"})
"""The keys of a queue's unfinished jobs; Redis deletes a list or set when it empties."""
UNSUBSCRIBED_KEY = "dsi-jobs:unsubscribed-queues"
"""Hash ``queue → handling`` the worker rewrites each subscription refresh (for ``status``)."""
SCAN_BATCH = 1000
CLEANABLE_STATES = ("completed", "failed")
"""Sets scored by ``finishedOn``; cleaning waiting or delayed jobs would lose work."""
BATCH = 1000
MAX_PAGE = 200
DELAYED_SCORE_SHIFT = 0x1000
"""BullMQ 5 scores a delayed job ``run-at ms * 0x1000 + a counter``."""

Progress = Callable[[int], None]
"""Told how many jobs one batch of a bulk operation handled."""


CONSISTENT_READ_TRIES = 5
"""How often ``job`` re-reads a job that keeps changing state under it before showing it."""


@dataclasses.dataclass(frozen=True)
class JobPage:
    """Jobs ``start`` to ``start + len(jobs)`` of the ``total`` in one state."""

    state: str
    jobs: list[JobRecord]
    total: int
    start: int


class BullmqQueueInspector:
    """Counts, failed jobs, retries, clean-up and throughput, per queue."""

    def __init__(self, client: redis.Redis, prefix: str = "bull") -> None:
        self._client = client
        self._prefix = prefix
        self._queue = Queues(client, prefix)

    def _key(self, queue: str, suffix: str) -> str:
        return f"{self._prefix}:{queue}:{suffix}"

    async def counts(self, queue: str) -> dict[str, int]:
        """Jobs in ``queue`` by state, every state present (zero when empty)."""
        with translate_redis_errors(f"count {queue} jobs"):
            found = await self._queue(queue).getJobCounts(*JOB_STATES)
        return {state: int(found.get(state, 0)) for state in JOB_STATES}

    async def failed(self, queue: str, limit: int = 50) -> list[JobRecord]:
        """The most recently failed jobs first, at most ``limit``."""
        return (await self.jobs(queue, "failed", 0, limit)).jobs

    async def jobs(self, queue: str, state: str, start: int = 0, count: int = 50) -> JobPage:
        """One page of ``state`` jobs (``LISTED_STATES``) in the order operators read them:
        waiting and delayed jobs in the order they will run, active, failed and completed
        jobs newest first. At most ``MAX_PAGE`` jobs; large fields are not fetched."""
        if state not in LISTED_STATES:
            raise ValueError(f"state must be one of {', '.join(LISTED_STATES)}")
        start, count = max(0, start), max(1, min(count, MAX_PAGE))
        with translate_redis_errors(f"list {state} {queue} jobs"):
            ids, total, run_at = await self._page_ids(queue, state, start, count)
            jobs = await read_jobs(self._client, self._key(queue, ""), ids, state)
        if run_at:
            jobs = [replace_next_run(job, run_at.get(job.id)) for job in jobs]
        return JobPage(state, jobs, total, start)

    async def _page_ids(
        self, queue: str, state: str, start: int, count: int
    ) -> tuple[list[str], int, dict[str, int]]:
        end = start + count - 1
        if state == "delayed":
            key = self._key(queue, "delayed")
            scored = await self._client.zrange(key, start, end, withscores=True)
            run_at = {job_id: int(score) // DELAYED_SCORE_SHIFT for job_id, score in scored}
            return [job_id for job_id, _ in scored], int(await self._client.zcard(key)), run_at
        if state in ("failed", "completed"):
            key = self._key(queue, state)
            ids = await self._client.zrevrange(key, start, end)
            return list(ids), int(await self._client.zcard(key)), {}
        if state == "active":
            key = self._key(queue, "active")
            ids = await self._client.lrange(key, start, end)  # type: ignore[misc]
            return list(ids), int(await self._client.llen(key)), {}  # type: ignore[misc]
        return await self._waiting_ids(queue, start, count)

    async def _waiting_ids(
        self, queue: str, start: int, count: int
    ) -> tuple[list[str], int, dict[str, int]]:
        """Waiting, paused (a paused v5 queue keeps its waiting jobs there) and prioritized,
        next to run first: producers push onto the head of the lists, workers take the tail."""
        lists = [self._key(queue, "wait"), self._key(queue, "paused")]
        prioritized = self._key(queue, "prioritized")
        async with self._client.pipeline(transaction=False) as pipe:
            for key in lists:
                pipe.llen(key)
            pipe.zcard(prioritized)
            lengths = [int(n) for n in await pipe.execute()]
        ids: list[str] = []
        offset = start
        for key, length in zip([*lists, prioritized], lengths, strict=True):
            wanted = count - len(ids)
            if wanted <= 0:
                break
            if offset >= length:
                offset -= length
                continue
            last = min(length, offset + wanted) - 1
            if key == prioritized:
                ids.extend(await self._client.zrange(key, offset, last))
            else:
                found = await self._client.lrange(key, -(last + 1), -(offset + 1))  # type: ignore[misc]
                ids.extend(reversed(found))
            offset = 0
        return [i for i in ids if not i.startswith("0:")], sum(lengths), {}

    async def job(self, queue: str, job_id: str) -> JobRecord | None:
        """One job with its current state, or ``None`` when it does not exist (any more).

        Fields and state are separate reads: a job finishing between them would show a final
        state beside its fields from before (no reason, no result). The state is read on both
        sides of the fields, and the fields again while the two differ (a few times at most).
        """
        with translate_redis_errors(f"read a {queue} job"):
            state = str(await self._queue(queue).getJobState(job_id))
            for _ in range(CONSISTENT_READ_TRIES):
                found = await read_jobs(self._client, self._key(queue, ""), [job_id])
                if not found:
                    return None
                before, state = state, str(await self._queue(queue).getJobState(job_id))
                if state == before:
                    break
            score = None
            if state == "delayed":
                score = await self._client.zscore(self._key(queue, "delayed"), job_id)
        job = dataclasses.replace(found[0], state=state)
        return replace_next_run(job, None if score is None else int(score) // DELAYED_SCORE_SHIFT)

    async def find(self, queues: Iterable[str], job_id: str) -> list[str]:
        """The queues holding a job with this id (ids are counters per queue, so often many)."""
        names = list(queues)
        with translate_redis_errors("find a job"):
            async with self._client.pipeline(transaction=False) as pipe:
                for queue in names:
                    pipe.exists(self._key(queue, job_id))
                found = await pipe.execute()
        return [queue for queue, exists in zip(names, found, strict=True) if exists]

    async def is_paused(self, queue: str) -> bool:
        with translate_redis_errors(f"read whether {queue} is paused"):
            return bool(await self._queue(queue).isPaused())

    async def pause(self, queue: str) -> None:
        """BullMQ's ``Queue.pause()``: no worker (Node or Python) takes new jobs until resumed;
        jobs already running finish."""
        with translate_redis_errors(f"pause {queue}"):
            await self._queue(queue).pause()

    async def resume(self, queue: str) -> None:
        """BullMQ's ``Queue.resume()``."""
        with translate_redis_errors(f"resume {queue}"):
            await self._queue(queue).resume()

    async def promote(self, queue: str, job_id: str) -> bool:
        """Run a delayed job now (BullMQ's ``Job.promote()``); ``False`` when it is not delayed.

        The attempt count is kept: a promoted retry is the same next attempt, only sooner.
        """
        with translate_redis_errors(f"promote a {queue} job"):
            try:
                await Job(self._queue(queue), queue, {}, {}, job_id).promote()
            except TypeError:  # bullmq's error for "not in the delayed state"
                return False
        return True

    async def promote_all(self, queue: str) -> int:
        """Run every delayed job now (BullMQ's ``Queue.promoteJobs()``); return how many."""
        key = self._key(queue, "delayed")
        with translate_redis_errors(f"promote delayed {queue} jobs"):
            before = int(await self._client.zcard(key))
            await self._queue(queue).promoteJobs({"count": BATCH})
            return max(0, before - int(await self._client.zcard(key)))

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

    async def last_success_ms(self, queue: str) -> int | None:
        """When a job of ``queue`` last completed (epoch ms), or ``None`` if none is on record.

        The newest completed job says it exactly; once retention has removed it, BullMQ's
        metrics key still holds the minute of the last completions (``prevTS``).
        """
        with translate_redis_errors(f"read when a {queue} job last completed"):
            async with self._client.pipeline(transaction=False) as pipe:
                pipe.zrevrange(self._key(queue, "completed"), 0, 0, withscores=True)
                pipe.hget(self._key(queue, "metrics:completed"), "prevTS")
                newest, flushed = await pipe.execute()
        found = [int(score) for _, score in newest] + ([int(flushed)] if flushed else [])
        return max(found, default=None)

    async def queues_with_pending_jobs(self, pattern: str) -> set[str]:
        """Queues matching ``pattern`` (a Redis glob on the queue name) with unfinished jobs."""
        return await self.queues_holding(pattern, PENDING_KEYS)

    async def queues_holding(self, pattern: str, keys: frozenset[str]) -> set[str]:
        """Queues matching ``pattern`` whose ``bull:<queue>:<key>`` exists for one of ``keys``
        (``wait``, ``active``, ``failed``…), found with ``SCAN`` (never ``KEYS``)."""
        head = f"{self._prefix}:"
        found: set[str] = set()
        with translate_redis_errors("list queues"):
            async for key in self._client.scan_iter(match=f"{head}{pattern}", count=SCAN_BATCH):
                queue, _, suffix = str(key).removeprefix(head).rpartition(":")
                if queue and suffix in keys:
                    found.add(queue)
        return found

    async def record_unsubscribed(self, queues: Mapping[str, str], ttl_s: float) -> None:
        """Replace the worker's view of unsubscribed queues; it expires if no worker renews it."""
        with translate_redis_errors("record unsubscribed queues"):
            async with self._client.pipeline(transaction=True) as pipe:
                pipe.delete(UNSUBSCRIBED_KEY)
                if queues:
                    pipe.hset(UNSUBSCRIBED_KEY, mapping=dict(queues))
                    pipe.expire(UNSUBSCRIBED_KEY, max(1, round(ttl_s)))
                await pipe.execute()

    async def unsubscribed(self) -> dict[str, str]:
        """Queues of applications that no longer subscribe, as the worker last recorded them."""
        with translate_redis_errors("read unsubscribed queues"):
            found: dict[str, str] = await self._client.hgetall(UNSUBSCRIBED_KEY)  # type: ignore[misc]
        return found

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


def replace_next_run(job: JobRecord, next_run_ms: int | None) -> JobRecord:
    return job if next_run_ms is None else dataclasses.replace(job, next_run_ms=next_run_ms)


def _require_cleanable(state: str) -> None:
    if state not in CLEANABLE_STATES:
        raise ValueError(f"state must be one of {', '.join(CLEANABLE_STATES)}")
