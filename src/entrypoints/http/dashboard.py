"""``/dashboard``: queues, throughput and failed jobs from Redis, with retry buttons.

Everything is read from BullMQ's own keys, so the page is right whichever process (Python or
Node) did the work. Only the queues this worker consumes can be viewed or changed. Job data,
reasons and stack traces are masked (``entrypoints.masking``), and a page with failed jobs is
masked and rendered on a worker thread, so a large job cannot hold up the event loop the
workers and probes run on. Authentication and CSRF: ``entrypoints.http.dashboard_auth``.
"""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Protocol
from urllib.parse import urlencode

import structlog
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from adapters.bullmq.inspector import Progress
from adapters.bullmq.job_records import JobRecord
from adapters.bullmq.throughput import MinuteCount
from domain.errors import UpstreamUnavailable
from entrypoints.http import dashboard_html as html
from entrypoints.masking import mask_job

log = structlog.get_logger(__name__)

CHART_MINUTES = 30
FAILED_SHOWN = 100


class QueueOperations(Protocol):
    """What the dashboard reads and does (``adapters.bullmq.inspector.BullmqQueueInspector``)."""

    async def counts(self, queue: str) -> dict[str, int]: ...

    async def failed(self, queue: str, limit: int = 50) -> list[JobRecord]: ...

    async def retry(self, queue: str, job_id: str) -> bool: ...

    async def retry_all_failed(self, queue: str, progress: Progress | None = None) -> int: ...

    async def throughput(self, queue: str, minutes: int = 30) -> list[MinuteCount]: ...


def dashboard_routes(ops: QueueOperations, queues: Callable[[], list[str]]) -> list[Route]:
    def known(request: Request) -> str | None:
        queue = str(request.path_params["queue"])
        return queue if queue in queues() else None

    async def overview(_: Request) -> Response:
        names = sorted(queues())
        rows = await asyncio.gather(*(_queue_row(ops, name) for name in names))
        return HTMLResponse(html.overview(list(rows)))

    async def queue_page(request: Request) -> Response:
        queue = known(request)
        if queue is None:
            return _not_found()
        counts, minutes, failed = await asyncio.gather(
            ops.counts(queue), ops.throughput(queue, CHART_MINUTES), ops.failed(queue, FAILED_SHOWN)
        )
        flash = request.query_params.get("done")
        page = await asyncio.to_thread(_queue_page, queue, _shown(counts), minutes, failed, flash)
        return HTMLResponse(page)

    async def retry_all(request: Request) -> Response:
        queue = known(request)
        if queue is None:
            return _not_found()
        moved = await ops.retry_all_failed(queue)
        log.info("dashboard_retry_all", queue=queue, jobs=moved)
        return _back(queue, f"{moved} failed job(s) moved back to waiting.")

    async def retry_one(request: Request) -> Response:
        queue = known(request)
        if queue is None:
            return _not_found()
        job_id = str(request.path_params["job_id"])
        retried = await ops.retry(queue, job_id)
        log.info("dashboard_retry", queue=queue, job_id=job_id, retried=retried)
        outcome = "moved back to waiting" if retried else "was not failed any more: nothing done"
        return _back(queue, f"Job {job_id} {outcome}.")

    return [
        Route("/dashboard", _unavailable_on_redis_loss(overview), methods=["GET"]),
        Route("/dashboard/queues/{queue}", _unavailable_on_redis_loss(queue_page), methods=["GET"]),
        Route(
            "/dashboard/queues/{queue}/retry", _unavailable_on_redis_loss(retry_all),
            methods=["POST"],
        ),
        Route(
            "/dashboard/queues/{queue}/jobs/{job_id}/retry", _unavailable_on_redis_loss(retry_one),
            methods=["POST"],
        ),
    ]  # fmt: skip


async def _queue_row(
    ops: QueueOperations, queue: str
) -> tuple[str, dict[str, int], list[MinuteCount]]:
    counts, minutes = await asyncio.gather(ops.counts(queue), ops.throughput(queue, CHART_MINUTES))
    return queue, _shown(counts), minutes


def _shown(counts: dict[str, int]) -> dict[str, int]:
    """States as operators read them: prioritized and (v5) paused jobs are waiting too."""
    waiting = counts.get("waiting", 0) + counts.get("prioritized", 0) + counts.get("paused", 0)
    return {**counts, "waiting": waiting}


def _queue_page(
    queue: str,
    counts: dict[str, int],
    minutes: list[MinuteCount],
    failed: list[JobRecord],
    flash: str | None,
) -> str:
    return html.queue_page(queue, counts, minutes, [mask_job(job) for job in failed], flash)


def _back(queue: str, message: str) -> Response:
    return RedirectResponse(f"{html.queue_url(queue)}?{urlencode({'done': message})}", 303)


def _not_found() -> Response:
    return HTMLResponse(html.error_page("No such queue on this worker."), status_code=404)


Endpoint = Callable[[Request], Awaitable[Response]]


def _unavailable_on_redis_loss(endpoint: Endpoint) -> Endpoint:
    async def guarded(request: Request) -> Response:
        try:
            return await endpoint(request)
        except UpstreamUnavailable:
            return HTMLResponse(html.error_page("Redis is unavailable."), status_code=503)

    return guarded
