"""``dsi-jobs worker --processes N``: N worker processes under one supervisor.

The supervisor runs no jobs. It starts the worker processes (each ``dsi-jobs worker`` with every
queue, linked to it by a socket pair, see ``supervised``), restarts one that exits (counted in
``dsi_jobs_worker_process_restarts``), and serves the one HTTP app: the probes and ``/monitor``
see every process through its status lines, ``/metrics`` adds up every process's counters
(prometheus-client's multiprocess mode). On SIGTERM it passes the signal on and waits for every
process to drain within the grace period; it exits 1 when any of them had to abandon jobs.
"""

import asyncio
import contextlib
import json
import signal
import socket
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import structlog

from entrypoints.worker.supervised import MAX_LINE_BYTES, STATUS_INTERVAL_S

log = structlog.get_logger(__name__)

STALE_AFTER_S = 10 * STATUS_INTERVAL_S
"""A worker process silent this long is stuck (its event loop blocked): ``/livez`` fails."""
EXIT_MARGIN_S = 10.0
"""Beyond the grace period, how long a draining process may take to close before it is killed."""
RESTART_DELAYS_S = (1.0, 2.0, 5.0, 10.0, 30.0)
"""Waits before restarting a process that keeps dying soon after it started."""
STABLE_AFTER_S = 60.0
"""A process that ran this long is restarted at once (its restart delay starts afresh)."""

ChildCommand = Callable[[int, int], Sequence[str]]
"""``(index, link fd) → argv`` of worker process ``index``."""


@dataclass
class _Child:
    index: int
    process: asyncio.subprocess.Process | None = None
    writer: asyncio.StreamWriter | None = None
    status: dict[str, Any] = field(default_factory=dict)
    seen: float = 0.0
    replies: "asyncio.Queue[dict[str, Any]]" = field(default_factory=asyncio.Queue)
    commands: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.returncode is None

    def problem(self, now: float, stale_after_s: float) -> str | None:
        if not self.running:
            return "not running"
        if not self.status:
            return "starting"
        if now - self.seen > stale_after_s:
            return f"no status for {now - self.seen:.0f} s"
        if not self.status.get("loops_alive", False):
            return "a worker loop has ended"
        return None


class Supervisor:
    """The worker processes, seen as one worker set by the HTTP app (``/monitor``, probes)."""

    def __init__(
        self,
        count: int,
        command: ChildCommand,
        env: Mapping[str, str],
        *,
        on_restart: Callable[[int], None] | None = None,
        on_exit: Callable[[int], None] | None = None,
        stale_after_s: float = STALE_AFTER_S,
    ) -> None:
        self._children = [_Child(index) for index in range(count)]
        self._argv = command
        self._env = dict(env)
        self._on_restart = on_restart
        self._on_exit = on_exit
        self._stale_after_s = stale_after_s
        self._keepers: list[asyncio.Task[None]] = []
        self._tasks: set[asyncio.Task[Any]] = set()
        self._stopping = asyncio.Event()
        self._paused = False
        self.exit_codes: dict[int, int] = {}

    # The worker set, as /monitor and the probes see it -----------------------------------------

    @property
    def started(self) -> bool:
        return not self._paused and all(
            child.running and child.status.get("started", False) for child in self._children
        )

    @property
    def queues(self) -> list[str]:
        seen: dict[str, None] = {}
        for child in self._children:
            seen.update(dict.fromkeys(child.status.get("queues", [])))
        return list(seen)

    def problems(self) -> dict[str, str]:
        """Each worker process that is not healthy, by index, and why."""
        now = time.monotonic()
        found = {}
        for child in self._children:
            problem = child.problem(now, self._stale_after_s)
            if problem is not None:
                found[str(child.index)] = problem
        return found

    def loops_alive(self) -> bool:
        """Every worker process runs, reports, and has all its worker loops alive."""
        return not self.problems()

    def in_flight_by_queue(self) -> dict[str, int]:
        total: dict[str, int] = {}
        for child in self._children:
            for queue, count in child.status.get("in_flight", {}).items():
                total[queue] = total.get(queue, 0) + int(count)
        return total

    def subscribed(self) -> list[str]:
        """Push queues of subscribed applications, as the process running them reports them."""
        found: dict[str, None] = {}
        for child in self._children:
            found.update(dict.fromkeys(child.status.get("subscribed", [])))
        return list(found)

    def subscriptions(self) -> dict[str, str]:
        """Push queue → application name, as the process running the push queues reports it."""
        merged: dict[str, str] = {}
        for child in self._children:
            merged.update(child.status.get("subscriptions", {}))
        return merged

    async def start(self) -> None:
        self._paused = False
        await self._command_all("start", EXIT_MARGIN_S)

    async def stop(self, grace_s: float) -> int:
        """``PATCH /monitor`` stopped: every process stops its workers (jobs finish)."""
        self._paused = True
        replies = await self._command_all("stop", grace_s + EXIT_MARGIN_S)
        return sum(int(reply.get("abandoned", 0)) for reply in replies)

    # Process lifecycle ----------------------------------------------------------------------

    async def start_processes(self) -> None:
        self._keepers = [
            asyncio.create_task(self._keep(child), name=f"worker-process-{child.index}")
            for child in self._children
        ]

    async def wait_ready(self, timeout_s: float) -> bool:
        """Until every process has reported once (or ``timeout_s``)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if all(child.status for child in self._children):
                return True
            await asyncio.sleep(0.02)
        return False

    async def shutdown(self, grace_s: float) -> bool:
        """SIGTERM every process and wait for it to drain; ``True`` when every one exited 0."""
        self._stopping.set()
        for child in self._children:
            if child.running and child.process is not None:
                child.process.send_signal(signal.SIGTERM)
        _, late = await asyncio.wait(self._keepers, timeout=grace_s + EXIT_MARGIN_S)
        if late:
            for child in self._children:
                if child.running and child.process is not None:
                    log.error("worker_process_killed", process=child.index)
                    child.process.kill()
            await asyncio.gather(*self._keepers, return_exceptions=True)
        return all(code == 0 for code in self.exit_codes.values())

    async def _keep(self, child: _Child) -> None:
        """Run worker process ``child`` until shutdown, restarting it when it exits."""
        failures = 0
        while not self._stopping.is_set():
            started = time.monotonic()
            code = await self._run_once(child)
            if self._on_exit is not None and child.process is not None:
                self._on_exit(child.process.pid)
            if self._stopping.is_set():
                self.exit_codes[child.index] = code
                return
            failures = 0 if time.monotonic() - started > STABLE_AFTER_S else failures + 1
            delay = RESTART_DELAYS_S[min(failures, len(RESTART_DELAYS_S)) - 1] if failures else 0
            log.error("worker_process_exited", process=child.index, exit_code=code,
                      restart_in_s=delay)  # fmt: skip
            if self._on_restart is not None:
                self._on_restart(child.index)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=delay)

    async def _run_once(self, child: _Child) -> int:
        ours, theirs = socket.socketpair()
        try:
            child.process = await asyncio.create_subprocess_exec(
                *self._argv(child.index, theirs.fileno()),
                pass_fds=(theirs.fileno(),),
                env=self._env,
            )
        finally:
            theirs.close()
        child.status, child.seen = {}, time.monotonic()
        reader, child.writer = await asyncio.open_unix_connection(sock=ours, limit=MAX_LINE_BYTES)
        reading = asyncio.create_task(self._read(child, reader))
        code = await child.process.wait()
        reading.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reading
        child.writer.close()
        child.writer = None
        return code

    async def _read(self, child: _Child, reader: asyncio.StreamReader) -> None:
        with contextlib.suppress(ConnectionError, ValueError):
            while line := await reader.readline():
                message = json.loads(line)
                child.seen = time.monotonic()
                if "reply" in message:
                    child.replies.put_nowait(message)
                    message = {k: v for k, v in message.items() if k not in ("reply", "abandoned")}
                elif self._paused and message.get("started") and not child.commands.locked():
                    # started again while /monitor had stopped the workers: stop it too
                    self._background(self._command(child, "stop", EXIT_MARGIN_S))
                child.status = message

    def _background(self, work: Any) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _command_all(self, command: str, timeout_s: float) -> list[dict[str, Any]]:
        return list(
            await asyncio.gather(*(self._command(c, command, timeout_s) for c in self._children))
        )

    async def _command(self, child: _Child, command: str, timeout_s: float) -> dict[str, Any]:
        """Send ``command`` and wait for its reply; ``{}`` from a process that is not there."""
        async with child.commands:
            if child.writer is None or not child.running:
                return {}
            while not child.replies.empty():
                child.replies.get_nowait()
            reply: dict[str, Any] = {}
            with contextlib.suppress(ConnectionError, TimeoutError):
                child.writer.write(json.dumps({"command": command}).encode() + b"\n")
                await child.writer.drain()
                reply = await asyncio.wait_for(child.replies.get(), timeout=timeout_s)
            if not reply:
                log.error("worker_process_no_reply", process=child.index, command=command)
            return reply
