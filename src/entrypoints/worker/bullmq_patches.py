"""Every place dsi-jobs reaches into the ``bullmq`` package's internals, kept in one module.

``bullmq`` 2.26.0 (pinned: docs/bullmq.md#why-2260) runs the Lua scripts of Node bullmq 5, the
producers' generation, but its worker has gaps that matter here (docs/bullmq.md#overrides).
``DsiWorker`` and ``_NodeCompatibleScripts`` override library internals to close them:

* undecodable job data (not JSON, nested too deeply, unreadable fields) failed once with a
  reason, instead of looping through stalls;
* stack traces stored masked, like failure reasons (chained causes hold URLs, upstream text);
* ``failedReason`` stored as the plain message (2.26.0 stores it JSON-quoted);
* named as Node names a worker (``bull:<base64 queue>:w:<name>``), so Node tools count it, and
  the worker's name stored as each job's ``processedBy``, as Node does;
* the limiter's wait honoured (the stock worker polls again only after ``drainDelay``);
* the Redis version probed, so block timeouts and delays are not rounded up to seconds;
* a stalled-jobs check at start-up, as Node does;
* each completion fetches the next job in the same Lua call (``moveToFinished`` with
  ``fetchNext``), as Node does: one script call per job instead of two;
* a queue-level concurrency (BullMQ's global concurrency) set at start when the job type asks;
* commands packed by hiredis in C, as redis-py's synchronous client does (its asyncio client
  packs the ~25 arguments of every ``moveToFinished`` in Python);
* the commands of concurrent jobs on a small pool of connections (the stock worker queues every
  command of every job for one connection, behind a lock);
* connections closed by ``close()`` after the jobs in flight, never under them.

``install_bullmq_patches`` replaces two module functions (``loadScript`` and redis-py's
``get_lib_version``); the worker calls it before it builds anything. Each override depends on
the pinned version's source: ``tests/unit/entrypoints/test_bullmq_patches.py`` fails when the
installed ``bullmq`` is another version or an overridden method changed, and
docs/bullmq.md#upgrading says what to re-check.
"""

import asyncio
import contextlib
import functools
import json
import time
import traceback
from collections.abc import Awaitable, Callable
from typing import Any

import bullmq.redis_connection
import msgpack
import redis.utils
import structlog
from bullmq import UnrecoverableError, Worker
from bullmq.custom_errors import WaitingChildrenError
from bullmq.scripts import Scripts, raw2NextJobData
from redis.asyncio.connection import BlockingConnectionPool, ConnectionPool
from redis.connection import HiredisRespSerializer
from redis.utils import HIREDIS_AVAILABLE

from adapters.redis_queue.consumers import worker_client_name
from domain.personal_data import redact_text

log = structlog.get_logger(__name__)

PINNED_BULLMQ = "2.26.0"
"""The version whose internals the overrides below were written against."""

LIMITER_WAIT = "limiter_wait"
"""The event ``DsiWorker`` emits each time its queue's limiter makes it wait (a metric)."""


def install_bullmq_patches() -> None:
    """Share one copy of the Lua source per process (idempotent).

    Every ``RedisConnection`` (two per queue) reads its own copy of all ~280 kB of Lua source
    through ``bullmq.redis_connection.loadScript``; cached, that is about 17 MB less RSS with
    every job type registered.
    """
    module = bullmq.redis_connection
    if not hasattr(module.loadScript, "cache_info"):
        module.loadScript = functools.cache(module.loadScript)
    # Every redis-py client asks the installed package metadata for its own version (~2 ms a
    # time, 64 clients at start-up): the answer cannot change while the process runs.
    if not hasattr(redis.utils.get_lib_version, "cache_info"):
        redis.utils.get_lib_version = functools.cache(redis.utils.get_lib_version)


class _NodeCompatibleScripts(Scripts):  # type: ignore[misc]
    """Stores what Node bullmq 5 stores: ``failedReason`` as the message itself (not a JSON
    string), and the worker's name as the job's ``processedBy`` (2.26.0 never passes the name
    to the scripts that move a job to active)."""

    def __init__(self, prefix: str, queue_name: str, connection: Any, worker_name: str | None):
        super().__init__(prefix, queue_name, connection)
        self._worker_name = worker_name

    def moveToFailedArgs(self, job: Any, failed_reason: str, *args: Any, **kwargs: Any) -> Any:
        keys, script_args = super().moveToFailedArgs(job, failed_reason, *args, **kwargs)
        script_args[3] = failed_reason
        return keys, script_args

    def moveToFinishedArgs(self, *args: Any, **kwargs: Any) -> Any:
        """Completion and failure fetch the next job in the same call: name its processor."""
        keys, script_args = super().moveToFinishedArgs(*args, **kwargs)
        options = msgpack.unpackb(script_args[7], raw=False)
        script_args[7] = msgpack.packb({**options, "name": self._worker_name}, use_bin_type=True)
        return keys, script_args

    async def moveToActive(self, token: str, opts: dict[str, Any]) -> Any:
        """The stock call, with the worker's name among the options as Node passes it."""
        keys = self.getKeys(["wait", "active", "prioritized", "events", "stalled", "limiter",
                             "delayed", "paused", "meta", "pc", "marker"])  # fmt: skip
        options = {
            "token": token,
            "lockDuration": opts.get("lockDuration", 0),
            "limiter": opts.get("limiter"),
            "name": self._worker_name,
        }
        args = [self.keys[""], round(time.time() * 1000), msgpack.packb(options, use_bin_type=True)]
        return raw2NextJobData(await self.commands["moveToActive"](keys=keys, args=args))


MAX_STACK_TRACE_CHARS = 8192
_JSON_FIELDS = ("data", "opts", "progress", "stacktrace", "parent")
_UNREADABLE = (ValueError, TypeError, AttributeError, RecursionError)
"""What ``bullmq.Job.fromJSON`` raises on a hash it cannot read."""


def _undecodable_reason(job_data: dict[str, Any]) -> str | None:
    """Why BullMQ could not even build a Job from this hash's JSON, or ``None`` when it can."""
    for field in _JSON_FIELDS:
        text = job_data.get(field) or ("{}" if field in ("data", "opts") else None)
        if text is None:
            continue
        try:
            json.loads(text)
        except RecursionError:
            return f"job {field} is nested too deeply to decode; the job cannot be processed"
        except ValueError:
            return f"job {field} is not valid JSON; the job cannot be processed"
    return None


def _poisoned(job_data: dict[str, Any], reason: str) -> dict[str, Any]:
    """A hash BullMQ can read that fails at once with ``reason`` (the stored one is kept)."""
    return {"name": job_data.get("name") or "", "data": "{}", "opts": "{}", "defa": reason}


def _record_masked_stacktrace(job: Any) -> None:
    """``Job.updateStacktrace`` with the trace cut to its last part and masked like a reason.

    ``traceback.format_exc()`` includes chained causes (an HTTP error naming a URL with an
    e-mail address in it, an upstream's words): they are redacted before Redis stores them.
    """
    trace = traceback.format_exc()
    if len(trace) > MAX_STACK_TRACE_CHARS:
        trace = "…" + trace[-MAX_STACK_TRACE_CHARS:]
    job.stacktrace.append(redact_text(trace))
    limit = job.opts.get("stackTraceLimit")
    if limit is not None:
        job.stacktrace = job.stacktrace[-limit:] if limit > 0 else []


class _HiredisPacking:
    """Mixed into a redis-py asyncio connection class: ``pack_command`` in C."""

    _serializer = HiredisRespSerializer() if HIREDIS_AVAILABLE else None

    def pack_command(self, *args: Any) -> list[bytes]:
        packed: list[bytes] = self._serializer.pack(*args)  # type: ignore[union-attr]
        return packed


_PACKING_CLASSES: dict[type, type] = {}


def _pack_with_hiredis(pool: ConnectionPool) -> None:
    """Connections the pool opens from now on pack commands with hiredis (when installed)."""
    base = pool.connection_class
    if HIREDIS_AVAILABLE and not issubclass(base, _HiredisPacking):
        if base not in _PACKING_CLASSES:
            _PACKING_CLASSES[base] = type(f"Hiredis{base.__name__}", (_HiredisPacking, base), {})
        pool.connection_class = _PACKING_CLASSES[base]


MAX_COMMAND_CONNECTIONS = 10
"""Per queue: one connection per concurrent job, up to this many, opened only when needed."""


def _pool_commands(client: Any, connections: int) -> None:
    """The worker's command client keeps up to ``connections`` connections, so the commands of
    concurrent jobs overlap instead of queueing for one connection (blocking reads keep theirs)."""
    if connections <= 1:
        return
    shared = client.connection_pool
    client.connection_pool = BlockingConnectionPool(
        max_connections=connections,
        timeout=None,
        connection_class=shared.connection_class,
        **shared.connection_kwargs,
    )
    client.single_connection_client = False


class DsiWorker(Worker):  # type: ignore[misc]
    """``bullmq.Worker`` with the fixes listed in the module docstring."""

    _client_name_set: bool

    def __init__(
        self,
        name: str,
        processor: Callable[..., Awaitable[Any]],
        opts: dict[str, Any],
        global_concurrency: int | None = None,
    ):
        super().__init__(name, processor, {**opts, "autorun": False})
        self.scripts = _NodeCompatibleScripts(
            self.prefix, name, self.redisConnection, self.workerName
        )
        self._closing = asyncio.Event()
        self._global_concurrency = global_concurrency
        for connection in (self.redisConnection, self.blockingRedisConnection):
            _pack_with_hiredis(connection.conn.connection_pool)
        connections = min(int(opts.get("concurrency", 1)), MAX_COMMAND_CONNECTIONS)
        _pool_commands(self.redisConnection.conn, connections)

    async def _ensure_client_names(self) -> None:
        """Name the blocking connection as Node names a worker's, so that Node's
        ``Queue.getWorkers()`` and this service's consumer view both see this worker (the
        stock worker names both connections with the plain queue name, which Node ignores)."""
        if not self._client_name_set and self.workerName:
            name = worker_client_name(self.name, self.workerName, self.prefix)
            await self.blockingRedisConnection.set_client_name(name)
        self._client_name_set = True

    async def run(self) -> None:
        running = False
        try:
            if not self.closing:
                await self.redisConnection.getRedisVersion()
                await self.blockingRedisConnection.getRedisVersion()
                await self._set_global_concurrency()
                await self.runStalledJobsCheck()
            if not self.closing:
                running = True
                await super().run()
        finally:
            # Closed while starting: release what start-up opened. Once the loop ran, close()
            # closes the connections after the jobs in flight (the loop ends before they do).
            if self.closing and not running:
                for connection in (self.redisConnection, self.blockingRedisConnection):
                    await connection.close()

    async def _set_global_concurrency(self) -> None:
        """Write the queue-level limit into the queue's meta hash, where the ``moveToActive``
        script of BullMQ 5 (Node and this package alike) reads it before activating a job."""
        if self._global_concurrency is not None:
            await self.client.hset(
                self.scripts.keys["meta"], "concurrency", self._global_concurrency
            )

    def nextJobFromJobData(
        self,
        job_data: dict[str, Any] | None = None,
        job_id: str | None = None,
        limit_until: int = 0,
        delay_until: int = 0,
        token: str | None = None,
    ) -> Any:
        if job_data:
            try:  # decoded once: the reason is looked for only when decoding failed
                return super().nextJobFromJobData(job_data, job_id, limit_until, delay_until, token)
            except _UNREADABLE:  # not JSON, nested too deeply, a timestamp that is not a number
                reason = _undecodable_reason(job_data) or (
                    "job fields are not readable; the job cannot be processed"
                )
            log.error("job_data_undecodable", queue=self.name, job_id=job_id, reason=reason)
            job_data = _poisoned(job_data, reason)
        return super().nextJobFromJobData(job_data, job_id, limit_until, delay_until, token)

    async def getNextJob(self, token: str) -> Any:
        limit_until_ms: int = getattr(self, "limitUntil", 0)
        if limit_until_ms > 0:
            self.emit(LIMITER_WAIT, limit_until_ms)
            await self._sleep_unless_closing(limit_until_ms / 1000)
            self.limitUntil = 0
            if self.closing:
                return None
            job = await self.moveToActive(token)
            if job:
                self.emit("active", job, "waiting")
            return job
        return await super().getNextJob(token)

    async def processJob(self, job: Any, token: str) -> None:
        """Run jobs back to back in this concurrency slot while each completion brings the next.

        The chain stays one task, so ``close()``, which waits for the tasks in flight, also
        waits for a job fetched while it was being called.
        """
        while job is not None:
            job = await self._process_one(job, token)
            if job is not None:
                self.emit("active", job, "waiting")

    async def _process_one(self, job: Any, token: str) -> Any:
        """The stock ``processJob`` for one job; returns the next job if completion fetched one."""
        self.jobs.add((job, token))
        self.lockManager.track_job(job.id, token, int(time.time() * 1000))
        try:
            if job.deferredFailure:  # set by the poison guard in ``nextJobFromJobData``
                await self._fail(job, token, UnrecoverableError(job.deferredFailure))
                return None
            result = await self.processor(job, token)
            return await self._complete(job, token, result)
        except WaitingChildrenError:
            return None
        except Exception as error:  # noqa: BLE001 - the job's failure, recorded as BullMQ does
            await self._fail(job, token, error)
            return None
        finally:
            self.jobs.discard((job, token))
            self.lockManager.untrack_job(job.id)

    async def _complete(self, job: Any, token: str, result: Any) -> Any:
        next_job = None
        if not self.forceClosing:
            fetch_next = not (self.closing or self.paused)
            remove = job.opts.get("removeOnComplete", False)
            fetched = await self.scripts.moveToCompleted(job, result, remove, token, fetch_next)
            job.returnvalue = result
            job.attemptsMade += 1
            if fetch_next:  # also when none came back: records "drained" or the limiter's wait
                job_data, job_id, limit_until, delay_until = fetched
                next_job = self.nextJobFromJobData(
                    job_data, job_id, limit_until or 0, delay_until or 0, token
                )
        self.emit("completed", job, result)
        return next_job

    async def _fail(self, job: Any, token: str, error: Exception) -> None:
        job.updateStacktrace = functools.partial(_record_masked_stacktrace, job)
        try:
            if not self.forceClosing:
                await job.moveToFailed(error, token)
            self.emit("failed", job, error)
        except Exception as failure:  # noqa: BLE001 - e.g. a lost lock: reported, not raised
            self.emit("error", failure, job)

    async def _sleep_unless_closing(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closing.wait(), timeout=seconds)

    async def close(self, force: bool = False) -> None:
        self._closing.set()
        if not force:
            self.closing = True
            await self._wait_for_jobs_in_flight()
        await super().close(force)

    async def _wait_for_jobs_in_flight(self) -> None:
        """Wait until no job is in flight, including one fetched just as closing began.

        The stock ``close()`` waits only for the tasks in ``processing`` when it is called; a
        fetch finishing at that moment becomes a job task the run loop adds afterwards, which
        was then left running while the connections closed (a job stranded in ``active``, seen
        in the SIGTERM drill). Waiting until two passes of the event loop find nothing running
        covers the run loop turning a finished fetch into a job task. A fetch that finishes
        after the run loop has ended (it ends as soon as one job task finishes while closing,
        with other fetches still out) brings a job nobody would run: it is run here.
        """
        quiet_passes = 0
        while quiet_passes < 2:
            running = [task for task in self.processing if not task.done()]
            if running:
                quiet_passes = 0
                await asyncio.wait(running)
                if not self.running:
                    self._run_orphans(running)
            else:
                quiet_passes += 1
                await asyncio.sleep(0)

    def _run_orphans(self, finished: list["asyncio.Task[Any]"]) -> None:
        """Jobs fetched by ``finished`` tasks once the run loop had ended, run to completion."""
        for task in finished:
            if task.cancelled() or task.exception() is not None:
                continue
            job = task.result()
            if job is not None and getattr(job, "token", None) is not None:
                self.processing.discard(task)
                self.processing.add(asyncio.ensure_future(self.processJob(job, job.token)))
