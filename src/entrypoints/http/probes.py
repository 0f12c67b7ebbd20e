"""Kubernetes/App Service style probes, unauthenticated and free of secrets or queue contents.

* ``/livez``: only what a restart fixes. It is served by the event loop that runs the workers,
  so an answer proves the loop is responsive; it fails when a worker loop has ended.
  Redis is deliberately not checked: a Redis outage must not restart every instance.
* ``/readyz``: whether this instance is doing its job: Redis answers, the workers are started
  (not stopped through ``/monitor`` nor draining for shutdown), every worker loop is alive. It
  also names the queues this process consumes (queue names only: no job data).
"""

import asyncio
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from entrypoints.queue_view import QueueScope
from entrypoints.worker_set import RunningWorkers

REDIS_PING_TIMEOUT_S = 2.0


def probe_routes(
    workers: RunningWorkers,
    ping_redis: Callable[[], Awaitable[None]],
    scope: QueueScope | None = None,
) -> list[Route]:
    async def livez(_: Request) -> Response:
        return _verdict({"worker_loops": None if workers.loops_alive() else "a loop has ended"})

    async def readyz(_: Request) -> Response:
        checks = {
            "redis": await _redis_problem(ping_redis),
            "workers_started": None if workers.started else "stopped or draining",
            "worker_loops": None if workers.loops_alive() else "a loop has ended",
        }
        if scope is None:
            return _verdict(checks)
        queues = {"selection": scope.selection.describe(), "consuming": sorted(scope.consumed())}
        return _verdict(checks, queues=queues)

    return [Route("/livez", livez, methods=["GET"]), Route("/readyz", readyz, methods=["GET"])]


async def _redis_problem(ping_redis: Callable[[], Awaitable[None]]) -> str | None:
    try:
        async with asyncio.timeout(REDIS_PING_TIMEOUT_S):
            await ping_redis()
    except TimeoutError:
        return "timeout"
    except Exception as error:  # noqa: BLE001 - any failure is reported, not raised
        return type(error.__cause__ or error).__name__
    return None


def _verdict(checks: dict[str, str | None], **extra: object) -> Response:
    """``{"ok": [...], "failing": {...}}`` with 200 when nothing fails, 503 otherwise."""
    failing = {name: problem for name, problem in checks.items() if problem is not None}
    ok = [name for name, problem in checks.items() if problem is None]
    body = {"ok": ok, "failing": failing, **extra}
    return JSONResponse(body, status_code=503 if failing else 200)
