"""``/dashboard``: what needs attention, every queue by family, each queue's jobs by state, one
job's page; retry, promote, pause and resume.

Everything is read from BullMQ's own keys and changed with BullMQ's own scripts
(``adapters.redis_queue.inspector``), so the page is right whichever process (Python or Node)
did the work and Node tools agree with what it did. Only the queues this worker knows of can be
viewed or changed: those it consumes and, given its ``QueueScope``, every other fixed or
subscribed push queue, whoever consumes it. Pages list at most ``PAGE_SIZE`` jobs; job data,
options, reasons and stack traces are masked (``entrypoints.masking``) and pages holding job
data are masked and rendered on a worker thread, so a large job cannot hold up the event loop
the workers and probes run on.
Authentication and CSRF: ``entrypoints.http.dashboard_auth``.
"""

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlencode, urlsplit

import structlog
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from adapters.notify.budget import BudgetUsage
from adapters.redis_queue.inspector import LISTED_STATES, JobPage, Progress
from adapters.redis_queue.job_records import JobRecord
from adapters.redis_queue.throughput import MinuteCount
from domain.errors import UpstreamUnavailable
from entrypoints.http import dashboard_html as html
from entrypoints.http import dashboard_jobs_html as jobs_html
from entrypoints.http.dashboard_summary import Overview, known_queues, overview
from entrypoints.job_listing import now_ms
from entrypoints.masking import mask_job
from entrypoints.queue_view import QueueScope, operator_counts
from entrypoints.worker_set import WorkerSet

log = structlog.get_logger(__name__)

CHART_MINUTES = 30
PAGE_SIZE = 50


class QueueOperations(Protocol):
    """What the dashboard reads and does (``redis_queue.inspector.BullmqQueueInspector``)."""

    async def counts(self, queue: str) -> dict[str, int]: ...

    async def jobs(self, queue: str, state: str, start: int = 0, count: int = 50) -> JobPage: ...

    async def job(self, queue: str, job_id: str) -> JobRecord | None: ...

    async def find(self, queues: Iterable[str], job_id: str) -> list[str]: ...

    async def retry(self, queue: str, job_id: str) -> bool: ...

    async def retry_all_failed(self, queue: str, progress: Progress | None = None) -> int: ...

    async def promote(self, queue: str, job_id: str) -> bool: ...

    async def is_paused(self, queue: str) -> bool: ...

    async def pause(self, queue: str) -> None: ...

    async def resume(self, queue: str) -> None: ...

    async def throughput(self, queue: str, minutes: int = 30) -> list[MinuteCount]: ...

    async def last_success_ms(self, queue: str) -> int | None: ...


class BudgetReader(Protocol):
    async def usage(self) -> BudgetUsage: ...


class ConsumerReader(Protocol):
    """Workers attached to each queue, any process, any language; ``None`` when Redis will not
    say. Without one, a queue counts as consumed while this worker consumes it and runs."""

    async def by_queue(self) -> dict[str, list[Any]] | None: ...


def _unknown(_: str) -> int | None:
    return None


@dataclass(frozen=True)
class DashboardFeeds:
    """What the pages read besides the queues; each is optional."""

    attempts: Callable[[str], int | None] = _unknown
    """Attempts this worker allows a queue's jobs (``entrypoints.registry.attempts_allowed``)."""
    subscriptions: Callable[[], dict[str, str]] = field(default=dict)
    """Legacy-sync push queue → the subscribed application's name."""
    notify_budget: BudgetReader | None = None
    consumers: ConsumerReader | None = None
    scope: QueueScope | None = None
    """The queue selection, and every queue known beside the ones consumed here."""
    clock: Callable[[], int] = now_ms
    """Epoch milliseconds now, what relative times ("in 1m", "3m ago") count from."""


def dashboard_routes(
    ops: QueueOperations, workers: WorkerSet, feeds: DashboardFeeds | None = None
) -> list[Route]:
    pages = _Pages(ops, workers, feeds or DashboardFeeds())
    q = "/dashboard/queues/{queue}"
    return [
        Route("/dashboard", _guarded(pages.front), methods=["GET"]),
        Route("/dashboard/find", _guarded(pages.find), methods=["GET"]),
        Route(q, pages.for_queue(pages.queue_page), methods=["GET"]),
        Route(f"{q}/jobs/{{job_id}}", pages.for_queue(pages.job_page), methods=["GET"]),
        Route(f"{q}/retry", pages.for_queue(pages.retry_all), methods=["POST"]),
        Route(f"{q}/jobs/{{job_id}}/retry", pages.for_queue(pages.retry_one), methods=["POST"]),
        Route(f"{q}/jobs/{{job_id}}/promote", pages.for_queue(pages.promote), methods=["POST"]),
        Route(f"{q}/pause", pages.for_queue(pages.pause), methods=["POST"]),
        Route(f"{q}/resume", pages.for_queue(pages.resume), methods=["POST"]),
    ]


QueueEndpoint = Callable[[Request, str], Awaitable[Response]]


class _Pages:
    """The endpoints; each queue endpoint is only reached for a queue this worker consumes."""

    def __init__(self, ops: QueueOperations, workers: WorkerSet, feeds: DashboardFeeds) -> None:
        self._ops = ops
        self._workers = workers
        self._feeds = feeds

    def for_queue(self, endpoint: QueueEndpoint) -> "Endpoint":
        async def checked(request: Request) -> Response:
            queue = str(request.path_params["queue"])
            if queue not in known_queues(self._workers, self._feeds):
                return _not_found("No such queue on this worker.")
            return await endpoint(request, queue)

        return _guarded(checked)

    async def front(self, request: Request) -> Response:
        found: Overview = await overview(self._ops, self._workers, self._feeds, CHART_MINUTES)
        flash = request.query_params.get("done")
        return HTMLResponse(html.overview_page(found, self._feeds.clock(), flash))

    async def find(self, request: Request) -> Response:
        job_id = request.query_params.get("id", "").strip()[:200]
        known = known_queues(self._workers, self._feeds)
        queues = await self._ops.find(known, job_id) if job_id else []
        if len(queues) == 1:
            return RedirectResponse(jobs_html.job_url(queues[0], job_id), 303)
        return HTMLResponse(jobs_html.find_page(job_id, queues))

    async def queue_page(self, request: Request, queue: str) -> Response:
        counts, minutes, paused = await asyncio.gather(
            self._ops.counts(queue),
            self._ops.throughput(queue, CHART_MINUTES),
            self._ops.is_paused(queue),
        )
        shown = operator_counts(counts)
        state = _state(request, shown)
        page = await self._ops.jobs(queue, state, _start(request), PAGE_SIZE)
        attempts = self._feeds.attempts(queue)
        view = jobs_html.QueueView(
            queue, shown, minutes, paused, page, attempts, PAGE_SIZE, self._feeds.clock()
        )
        text = await asyncio.to_thread(_render_queue, view, request.query_params.get("done"))
        return HTMLResponse(text)

    async def job_page(self, request: Request, queue: str) -> Response:
        job = await self._ops.job(queue, str(request.path_params["job_id"]))
        if job is None:
            return _not_found("No such job (it may have been removed by retention).")
        flash = request.query_params.get("done")
        attempts, now = self._feeds.attempts(queue), self._feeds.clock()
        text = await asyncio.to_thread(_render_job, queue, job, attempts, now, flash)
        return HTMLResponse(text)

    async def retry_all(self, request: Request, queue: str) -> Response:
        moved = await self._ops.retry_all_failed(queue)
        log.info("dashboard_retry_all", queue=queue, jobs=moved)
        return _back(request, queue, f"{moved} failed job(s) moved back to waiting.")

    async def retry_one(self, request: Request, queue: str) -> Response:
        job_id = str(request.path_params["job_id"])
        retried = await self._ops.retry(queue, job_id)
        log.info("dashboard_retry", queue=queue, job_id=job_id, retried=retried)
        outcome = "moved back to waiting" if retried else "was not failed any more: nothing done"
        return _back(request, queue, f"Job {job_id} {outcome}.")

    async def promote(self, request: Request, queue: str) -> Response:
        job_id = str(request.path_params["job_id"])
        promoted = await self._ops.promote(queue, job_id)
        log.info("dashboard_promote", queue=queue, job_id=job_id, promoted=promoted)
        outcome = "moved to waiting: it runs next" if promoted else "was not delayed: nothing done"
        return _back(request, queue, f"Job {job_id} {outcome}.")

    async def pause(self, request: Request, queue: str) -> Response:
        await self._ops.pause(queue)
        log.info("dashboard_pause", queue=queue)
        return _back(request, queue, f"{queue} paused: no worker takes new jobs.")

    async def resume(self, request: Request, queue: str) -> Response:
        await self._ops.resume(queue)
        log.info("dashboard_resume", queue=queue)
        return _back(request, queue, f"{queue} resumed.")


def _state(request: Request, counts: dict[str, int]) -> str:
    """The tab asked for, else the one an operator most likely wants: failed, then retrying."""
    asked = request.query_params.get("state")
    if asked in LISTED_STATES:
        return asked
    return next((s for s in ("failed", "delayed") if counts.get(s)), "waiting")


def _start(request: Request) -> int:
    text = request.query_params.get("start", "0")
    return int(text) if text.isdigit() and len(text) < 10 else 0


def _render_queue(view: "jobs_html.QueueView", flash: str | None) -> str:
    masked = [mask_job(job) for job in view.page.jobs]
    return jobs_html.queue_page(view.with_jobs(masked), flash)


def _render_job(
    queue: str, job: JobRecord, attempts: int | None, now: int, flash: str | None
) -> str:
    return jobs_html.job_page(queue, mask_job(job), attempts, now, flash)


def _back(request: Request, queue: str, message: str) -> Response:
    """Back to the dashboard page the form was on (its tab and page kept), else the queue."""
    came_from = urlsplit(request.headers.get("referer", ""))
    same_page = came_from.netloc == request.headers.get("host") and came_from.path.startswith(
        "/dashboard"
    )
    target = came_from.path if same_page else html.queue_url(queue)
    kept = [(k, v) for k, v in parse_qsl(came_from.query) if k != "done"] if same_page else []
    return RedirectResponse(f"{target}?{urlencode([*kept, ('done', message)])}", 303)


def _not_found(message: str) -> Response:
    return HTMLResponse(html.error_page(message), status_code=404)


Endpoint = Callable[[Request], Awaitable[Response]]


def _guarded(endpoint: Endpoint) -> Endpoint:
    async def guarded(request: Request) -> Response:
        try:
            return await endpoint(request)
        except UpstreamUnavailable:
            return HTMLResponse(html.error_page("Redis is unavailable."), status_code=503)

    return guarded
