"""The fault drills' test rig: real worker processes, a private Redis, the Notify stand-in.

Every wait is bounded and polls with ``asyncio.sleep``, so the stand-ins served by the test's
event loop keep answering while the test waits.
"""

import asyncio
import json
import signal
import subprocess
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import redis.asyncio as redis
from bullmq import Queue

from adapters.redis_queue.publisher import PRODUCER_JOB_OPTIONS
from tests.support.notify_stand_in import NotifyStandIn
from tests.support.processes import DSI_JOBS, clean_env, node_async
from tests.support.redis_server import free_port

QUEUE = "passwordreset_v1"
TEMPLATE_KEY = "verifyPasswordResetRequest"
DB_SUFFIX = "/4"  # LOCAL_REDIS_CONN + "/4", as the original builds it
LOCK_DURATION_S = 15.0
STALLED_INTERVAL_S = 5.0
RECOVERY_BOUND_S = LOCK_DURATION_S + 2 * STALLED_INTERVAL_S
"""README "Crash recovery": a dead worker's job re-runs within lockDuration + 2 stalled checks."""


def password_reset(index: int, run: str) -> dict[str, Any]:
    """One ``passwordreset_v1`` payload; the recipient is unique per job."""
    return {
        "email": f"reset-{run}-{index}@example.com",
        "firstName": "Ada",
        "lastName": "Lovelace",
        "code": f"C{index:05d}",
        "clientId": "services",
        "uid": str(uuid.uuid4()),
    }


async def eventually(
    check: Callable[[], Awaitable[Any]], timeout_s: float, what: str, interval_s: float = 0.1
) -> Any:
    """Poll ``check`` until truthy; fail naming ``what`` after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = await check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout_s:g}s: {what} (last: {value!r})")
        await asyncio.sleep(interval_s)


class WorkerProcess:
    """One real ``dsi-jobs worker`` process, started with only the given environment."""

    def __init__(
        self, env: Mapping[str, str], workdir: Path, name: str, args: Iterable[str] = ()
    ) -> None:
        self.port = free_port()
        self.name = name
        self.log_path = workdir / f"{name}.log"
        (workdir / name).mkdir(parents=True, exist_ok=True)
        with self.log_path.open("w") as log:
            self.process = subprocess.Popen(
                [*DSI_JOBS, "worker", *args], cwd=workdir / name,
                env=clean_env({**env, "PORT": str(self.port)}),
                stdout=log, stderr=subprocess.STDOUT, text=True,
            )  # fmt: skip

    @property
    def pid(self) -> int:
        return self.process.pid

    async def ready(self, timeout_s: float = 30.0) -> "WorkerProcess":
        """Wait for the HTTP app (it starts after every BullMQ worker)."""
        url = f"http://127.0.0.1:{self.port}/healthcheck/ping"
        async with httpx.AsyncClient(timeout=1) as client:

            async def answering() -> bool:
                if self.process.poll() is not None:
                    raise AssertionError(f"{self.name} exited early:\n{self.log()}")
                try:
                    return (await client.get(url)).status_code == 200
                except httpx.HTTPError:
                    return False

            await eventually(answering, timeout_s, f"{self.name} answers on {url}")
        return self

    def log(self) -> str:
        return self.log_path.read_text()

    def events(self, event: str) -> list[dict[str, Any]]:
        """The process's JSON log lines whose ``event`` is ``event``."""
        found = []
        for line in self.log().splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if isinstance(entry, dict) and entry.get("event") == event:
                found.append(entry)
        return found

    def kill(self) -> None:
        self.process.kill()

    def terminate(self) -> None:
        self.process.send_signal(signal.SIGTERM)

    async def exit_code(self, timeout_s: float) -> int:
        code: int = await eventually(
            lambda: _returncode(self.process), timeout_s, f"{self.name} exits", interval_s=0.05
        )
        return code - 1000

    async def stop(self) -> None:
        """SIGTERM, then SIGKILL if it is still running 40 s later."""
        if self.process.poll() is None:
            self.terminate()
            try:
                await self.exit_code(40)
            except AssertionError:
                self.kill()
        await asyncio.to_thread(self.process.wait)


async def _returncode(process: subprocess.Popen[str]) -> int | None:
    code = process.poll()
    return None if code is None else code + 1000  # truthy even for exit status 0


@dataclass(frozen=True)
class DrillResult:
    """One row of the summary table: ``lost`` and ``duplicates`` must be 0."""

    scenario: str
    sent: int
    completed: int
    failed: int
    lost: int
    duplicates: int
    recovery: str = ""


@dataclass
class Outcome:
    """Where the sent jobs ended, read from the queue's event stream (jobs may be removed)."""

    completed: set[str] = field(default_factory=set)
    failed: dict[str, str] = field(default_factory=dict)

    def lost(self, ids: Iterable[str]) -> set[str]:
        return set(ids) - self.completed - set(self.failed)


class Rig:
    """Environment, producers and observers shared by every drill."""

    def __init__(
        self, redis_url: str, client: redis.Redis, notify: NotifyStandIn, base_url: str, tmp: Path
    ) -> None:
        self.redis_url = redis_url
        self.client = client
        self.notify = notify
        self.notify_url = base_url
        self.tmp = tmp
        self.run = uuid.uuid4().hex[:8]
        self.template_id = str(uuid.uuid4())
        self._workers: list[WorkerProcess] = []

    def env(self, redis_url: str | None = None, **overrides: str) -> dict[str, str]:
        """The worker's whole configuration, environment variables only (``dev``: only the
        settings ``passwordreset_v1`` needs are given)."""
        return {
            "LOCAL_ENV": "dev",
            "LOCAL_REDIS_CONN": redis_url or self.redis_url,
            "GOVNOTIFY_API_KEY": self.notify.api_key.value,
            "GOVNOTIFY_TEMP_MAP": json.dumps({"email": {TEMPLATE_KEY: self.template_id}}),
            "GOVNOTIFY_BASE_URL": self.notify_url,
            "GOVNOTIFY_RATE_LIMIT_PER_MINUTE": "60000",
            "STANDALONE_INTERACTIONS_HOST_NAME": "http://interactions.localhost",
            "STANDALONE_HELP_HOST_NAME": "http://help.localhost",
            "JOBS_DATA_DIR": str(self.tmp / "data"),
            "JOBS_RETRY_DELAY_SCALE": "0.01",
            "JOBS_HTTP_TIMEOUT_SECONDS": "2",
            "JOBS_SHUTDOWN_GRACE_SECONDS": "10",
            "JOBS_LOG_LEVEL": "info",
            "JOBS_SANDBOX": "false",  # the drills' conditions: no in-memory platform
            **overrides,
        }

    async def worker(self, name: str, args: Iterable[str] = (), **overrides: str) -> WorkerProcess:
        worker = WorkerProcess(self.env(**overrides), self.tmp, name, args)
        self._workers.append(worker)
        return await worker.ready()

    async def stop_workers(self) -> None:
        await asyncio.gather(*(worker.stop() for worker in self._workers))

    def payloads(self, count: int, start: int = 0) -> list[dict[str, Any]]:
        return [password_reset(index, self.run) for index in range(start, start + count)]

    async def produce_node(self, payloads: list[dict[str, Any]]) -> list[str]:
        """Enqueue with the real npm bullmq, exactly as the Node producers do."""
        url = self.redis_url + DB_SUFFIX
        ids: list[str] = await node_async("produce.mjs", url, QUEUE, json.dumps(payloads))
        return ids

    async def produce(self, payloads: list[dict[str, Any]], **options: Any) -> list[str]:
        """Enqueue with Python ``bullmq.Queue`` and the producers' options (plus ``options``)."""
        queue = Queue(QUEUE, {"connection": self.client})
        try:
            jobs = await queue.addBulk(
                [
                    {"name": QUEUE, "data": data, "opts": {**PRODUCER_JOB_OPTIONS, **options}}
                    for data in payloads
                ]
            )
        finally:
            await queue.close()
        return [str(job.id) for job in jobs]

    async def outcome(self) -> Outcome:
        """Final states from ``bull:<queue>:events`` (``failed`` is only emitted when final)."""
        entries = await self.client.xrange(f"bull:{QUEUE}:events")
        outcome = Outcome()
        for _, fields in entries:
            if fields.get("event") == "completed":
                outcome.completed.add(fields["jobId"])
            elif fields.get("event") == "failed":
                outcome.failed[fields["jobId"]] = fields.get("failedReason", "")
        return outcome

    async def settled(self, ids: list[str], timeout_s: float) -> Outcome:
        """Wait until every job in ``ids`` has completed or failed."""

        async def all_final() -> Outcome | None:
            outcome = await self.outcome()
            return None if outcome.lost(ids) else outcome

        result: Outcome = await eventually(all_final, timeout_s, f"{len(ids)} jobs finish", 0.2)
        return result

    async def job_hash(self, job_id: str) -> dict[str, str]:
        found: dict[str, str] = await self.client.hgetall(f"bull:{QUEUE}:{job_id}")
        return found

    def sends_per_recipient(self) -> Counter[str]:
        return Counter(email.body["email_address"] for email in self.notify.accepted)

    def sends_per_reference(self) -> Counter[str]:
        return Counter(str(email.body.get("reference")) for email in self.notify.accepted)

    def duplicates(self) -> int:
        """E-mails accepted beyond the first for a recipient or a reference."""
        by_recipient = sum(count - 1 for count in self.sends_per_recipient().values())
        by_reference = sum(count - 1 for count in self.sends_per_reference().values())
        return max(by_recipient, by_reference)


def reference(job_id: str) -> str:
    """The Notify reference (and delivery key) of a one-recipient job."""
    return f"{QUEUE}:{job_id}:0"
