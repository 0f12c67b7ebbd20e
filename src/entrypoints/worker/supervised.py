"""A worker process's side of ``dsi-jobs worker --processes N``: its link to the supervisor.

The link is one end of a Unix socket pair, inherited as a file descriptor. The worker sends a
status line (JSON) every ``STATUS_INTERVAL_S`` and after each command; the supervisor sends
``stop`` and ``start`` (what ``PATCH /monitor`` asks) and reads the statuses for its probes,
``/monitor`` and ``/metrics``. A supervisor that stops answering, or dies, closes the link: the
worker then stops as on SIGTERM, so no worker outlives its supervisor.
"""

import asyncio
import contextlib
import json
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from entrypoints.worker_set import WorkerSet

STATUS_INTERVAL_S = 1.0
MAX_LINE_BYTES = 1 << 20


@dataclass(frozen=True)
class Supervision:
    """``--supervised INDEX:FD``: which worker process this is, and its end of the link."""

    index: int
    fd: int

    @classmethod
    def parse(cls, text: str) -> "Supervision":
        index, _, fd = text.partition(":")
        if not (index.isdigit() and fd.isdigit()):
            raise ValueError("--supervised takes INDEX:FD")
        return cls(int(index), int(fd))

    @property
    def runs_push_queues(self) -> bool:
        """Per-application push queues (and the subscription refresh that starts them) run in
        the first worker process only: their order holds across processes anyway (one push at a
        time per application, docs/legacy-sync.md), and N-1 processes neither poll the
        applications API nor hold a connection per push queue."""
        return self.index == 0


class Workers(WorkerSet, Protocol):
    """The worker set the link reports and starts or stops (``WorkerService``)."""

    def in_flight_by_queue(self) -> Mapping[str, int]: ...

    async def start(self) -> None: ...

    async def stop(self, grace_s: float) -> int: ...


class SupervisorLink:
    """Reports this process's workers to the supervisor and carries out its commands."""

    def __init__(
        self,
        fd: int,
        workers: Workers,
        grace_s: float,
        extra: Callable[[], Mapping[str, Any]] = dict,
    ) -> None:
        self._fd = fd
        self._workers = workers
        self._grace_s = grace_s
        self._extra = extra

    def status(self) -> dict[str, Any]:
        return {
            "started": self._workers.started,
            "loops_alive": self._workers.loops_alive(),
            "in_flight": dict(self._workers.in_flight_by_queue()),
            "queues": self._workers.queues,
            **self._extra(),
        }

    async def run(self) -> None:
        """Until the supervisor closes the link (returns: the caller then stops the worker)."""
        reader, writer = await asyncio.open_unix_connection(
            sock=socket.socket(fileno=self._fd), limit=MAX_LINE_BYTES
        )
        reporting = asyncio.create_task(self._report(writer), name="supervisor-status")
        try:
            while line := await reader.readline():
                command = json.loads(line).get("command")
                reply: dict[str, Any] = {"reply": command}
                if command == "stop":
                    reply["abandoned"] = await self._workers.stop(self._grace_s)
                elif command == "start":
                    await self._workers.start()
                await _send(writer, {**reply, **self.status()})
        except (ConnectionError, ValueError):
            pass  # a broken link is a lost supervisor
        finally:
            reporting.cancel()
            with contextlib.suppress(asyncio.CancelledError, ConnectionError):
                await reporting
            writer.close()

    async def _report(self, writer: asyncio.StreamWriter) -> None:
        while True:
            await _send(writer, self.status())
            await asyncio.sleep(STATUS_INTERVAL_S)


async def _send(writer: asyncio.StreamWriter, message: Mapping[str, Any]) -> None:
    writer.write(json.dumps(message).encode() + b"\n")
    await writer.drain()
