"""Routes of catalogue §1.6: ``/healthcheck`` and ``/`` open, ``/monitor`` behind a bearer token."""

import json
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import structlog
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from entrypoints.http.auth import TokenVerifier, bearer_token

log = structlog.get_logger(__name__)


class Monitor(Protocol):
    """What ``/monitor`` switches: the worker set."""

    @property
    def started(self) -> bool: ...

    async def start(self) -> None: ...

    async def stop(self, grace_s: float) -> int: ...


class _RequireBearer(BaseHTTPMiddleware):
    def __init__(self, app: Any, verifier: TokenVerifier) -> None:
        super().__init__(app)
        self._verifier = verifier

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        path = request.url.path
        if path == "/" or path == "/healthcheck" or path.startswith("/healthcheck/"):
            return await call_next(request)
        token = bearer_token(request.headers.get("authorization"))
        if token is None or not await self._verifier.verify(token):
            return Response(status_code=401, headers={"www-authenticate": "Bearer"})
        return await call_next(request)


def create_app(
    *,
    monitor: Monitor,
    ping_redis: Callable[[], Awaitable[None]],
    verifier: TokenVerifier,
    grace_s: float,
) -> Starlette:
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
    ]
    return Starlette(routes=routes, middleware=[Middleware(_RequireBearer, verifier=verifier)])


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
