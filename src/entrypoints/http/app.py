"""The original's routes (docs/runtime.md#http): ``/healthcheck`` and ``/`` open, ``/monitor``
behind a bearer token; plus the operations routes: ``/livez`` and ``/readyz`` (open), ``/metrics``
and ``/dashboard`` (authenticated). See docs/operations.md."""

import json
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import structlog
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from entrypoints.http.auth import TokenVerifier, bearer_token
from entrypoints.http.dashboard import DashboardFeeds, QueueOperations, dashboard_routes
from entrypoints.http.dashboard_auth import dashboard_gate, is_dashboard_path
from entrypoints.http.dashboard_sessions import DashboardSessions, InMemoryDashboardSessions
from entrypoints.http.metrics import JobMetrics
from entrypoints.http.probes import probe_routes
from entrypoints.queue_view import QueueScope

log = structlog.get_logger(__name__)


class Monitor(Protocol):
    """What ``/monitor`` switches and the probes watch: the worker set."""

    @property
    def started(self) -> bool: ...

    @property
    def queues(self) -> list[str]: ...

    def loops_alive(self) -> bool: ...

    async def start(self) -> None: ...

    async def stop(self, grace_s: float) -> int: ...


OPEN_PATHS = frozenset({"/", "/healthcheck", "/livez", "/readyz"})


class _RequireBearer(BaseHTTPMiddleware):
    """Every route but the probes needs a valid token; the dashboard also takes it from its
    session cookie, opened once with ``?token=`` (see ``entrypoints.http.dashboard_auth``)."""

    def __init__(self, app: Any, verifier: TokenVerifier, sessions: DashboardSessions) -> None:
        super().__init__(app)
        self._verifier = verifier
        self._sessions = sessions

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        path = request.url.path
        if path in OPEN_PATHS or path.startswith("/healthcheck/"):
            return await call_next(request)
        if is_dashboard_path(path):
            return await dashboard_gate(request, call_next, self._verifier, self._sessions)
        token = bearer_token(request.headers.get("authorization"))
        if token is None or await self._verifier.verify(token) is None:
            return Response(status_code=401, headers={"www-authenticate": "Bearer"})
        return await call_next(request)


def create_app(
    *,
    monitor: Monitor,
    ping_redis: Callable[[], Awaitable[None]],
    verifier: TokenVerifier,
    grace_s: float,
    metrics: JobMetrics | None = None,
    queue_operations: QueueOperations | None = None,
    sessions: DashboardSessions | None = None,
    dashboard_feeds: DashboardFeeds | None = None,
    scope: QueueScope | None = None,
) -> Starlette:
    """The app; ``/metrics`` needs ``metrics``, ``/dashboard`` needs ``queue_operations``
    (``dashboard_feeds`` adds the attempts policy, subscriptions, Notify budget, consumers and
    the queue selection); with ``scope``, ``/readyz`` names the queues this process consumes.

    Dashboard sessions are kept in this process unless ``sessions`` shares them (Redis).
    """

    async def ping(_: Request) -> Response:
        return Response(status_code=200)

    async def root(_: Request) -> Response:
        return Response(status_code=200)

    async def healthcheck(_: Request) -> Response:
        detail = {"key": "connectionString", "path": "queueStorage.connectionString"}
        try:
            await ping_redis()
            detail["status"] = "ok"
        except Exception as error:  # noqa: BLE001 - any failure is reported, not raised
            detail["status"] = _error_code(error)
        status = "up" if detail["status"] == "ok" else "down"
        return JSONResponse({"status": status, "details": [detail]})

    async def monitor_status(_: Request) -> Response:
        return JSONResponse({"status": _state(monitor)})

    async def monitor_change(request: Request) -> Response:
        return await _change_monitor(monitor, await _json_body(request), grace_s)

    routes = [
        Route("/healthcheck/ping", ping, methods=["GET"]),
        Route("/healthcheck", healthcheck, methods=["GET"]),
        Route("/", root, methods=["GET"]),
        Route("/monitor", monitor_status, methods=["GET"]),
        Route("/monitor", monitor_change, methods=["PATCH"]),
        *probe_routes(monitor, ping_redis, scope),
    ]
    if metrics is not None:
        routes.append(Route("/metrics", _metrics_endpoint(metrics), methods=["GET"]))
    if queue_operations is not None:
        routes.extend(dashboard_routes(queue_operations, monitor, dashboard_feeds))
    gate = Middleware(
        _RequireBearer, verifier=verifier, sessions=sessions or InMemoryDashboardSessions()
    )
    return Starlette(routes=routes, middleware=[gate])


def _metrics_endpoint(metrics: JobMetrics) -> Callable[[Request], Awaitable[Response]]:
    async def exposition(_: Request) -> Response:
        return Response(metrics.exposition(), media_type=CONTENT_TYPE_PLAIN_0_0_4)

    return exposition


async def _json_body(request: Request) -> Any:
    try:
        return await request.json()
    except json.JSONDecodeError:
        return {}


async def _change_monitor(monitor: Monitor, body: Any, grace_s: float) -> Response:
    """PATCH semantics of the original: 304 when already there, 200 after the change."""
    wanted = body.get("state") if isinstance(body, dict) else None
    if wanted not in ("stopped", "started"):
        return JSONResponse({"status": _state(monitor)})
    if (wanted == "started") == monitor.started:
        return Response(status_code=304)
    log.info("monitor_changing", state=wanted, reason="api request")
    if wanted == "stopped":
        await monitor.stop(grace_s)
    else:
        await monitor.start()
    return Response(status_code=200)


def _state(monitor: Monitor) -> str:
    return "started" if monitor.started else "stopped"


def _error_code(error: Exception) -> str:
    cause = error.__cause__ or error
    return type(cause).__name__
