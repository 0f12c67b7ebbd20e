"""Health checks and the authenticated /monitor switch (docs/runtime.md#http)."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx
import pytest
from pydantic import SecretStr

from adapters.redis_queue.consumers import Consumer
from domain.errors import UpstreamUnavailable
from entrypoints.http.app import create_app
from entrypoints.http.auth import AzureAdTokenVerifier, StaticTokenVerifier
from entrypoints.queue_selection import QueueSelection
from entrypoints.queue_view import QueueScope

TOKEN = "monitor-token"
AUTH = {"authorization": f"Bearer {TOKEN}"}


@dataclass
class FakeMonitor:
    started: bool = True
    stops: int = 0
    starts: int = 0
    alive: bool = True
    queues: list[str] = field(default_factory=lambda: ["test"])

    def loops_alive(self) -> bool:
        return self.alive

    async def start(self) -> None:
        self.started = True
        self.starts += 1

    async def stop(self, grace_s: float) -> int:
        self.started = False
        self.stops += 1
        return 0


def scope_of(known: list[str], consumed: list[str] | None = None) -> QueueScope:
    """A worker's view of queues: it knows ``known`` and consumes ``consumed`` (default all)."""
    return QueueScope(
        selection=QueueSelection.parse(",".join(consumed) if consumed else None, None),
        consumed=lambda: list(known if consumed is None else consumed),
        known=lambda: list(known),
    )


@dataclass
class FakeConsumers:
    """``CLIENT LIST`` read as workers per queue; ``None`` when Redis refuses to say."""

    found: dict[str, list[Consumer]] | None = field(default_factory=dict)

    async def by_queue(self) -> dict[str, list[Consumer]] | None:
        return self.found


async def redis_up() -> None:
    return None


async def redis_down() -> None:
    raise UpstreamUnavailable("redis unavailable while trying to ping") from ConnectionError()


def client(
    monitor: FakeMonitor,
    ping: Callable[[], Awaitable[None]] = redis_up,
    token: str | None = TOKEN,
) -> httpx.AsyncClient:
    verifier = StaticTokenVerifier(SecretStr(token) if token else None)
    app = create_app(monitor=monitor, ping_redis=ping, verifier=verifier, grace_s=1)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


async def test_open_routes() -> None:
    http = client(FakeMonitor())
    assert (await http.get("/healthcheck/ping")).status_code == 200
    assert (await http.get("/")).status_code == 200
    answer = await http.get("/healthcheck")
    assert answer.status_code == 200
    assert answer.json() == {
        "status": "up",
        "details": [
            {"key": "connectionString", "path": "queueStorage.connectionString", "status": "ok"}
        ],
    }


async def test_healthcheck_reports_redis_down_with_200() -> None:
    answer = await client(FakeMonitor(), ping=redis_down).get("/healthcheck")
    assert answer.status_code == 200
    assert answer.json()["status"] == "down"
    assert answer.json()["details"][0]["status"] == "ConnectionError"


@pytest.mark.parametrize(
    "headers", [{}, {"authorization": "Bearer wrong"}, {"authorization": TOKEN}]
)
async def test_monitor_and_unknown_paths_need_a_token(headers: dict[str, str]) -> None:
    http = client(FakeMonitor())
    assert (await http.get("/monitor", headers=headers)).status_code == 401
    assert (await http.get("/nowhere", headers=headers)).status_code == 401


async def test_no_configured_token_refuses_everyone() -> None:
    assert (
        await client(FakeMonitor(), token=None).get("/monitor", headers=AUTH)
    ).status_code == 401


async def test_monitor_stop_and_start() -> None:
    monitor = FakeMonitor()
    http = client(monitor)
    assert (await http.get("/monitor", headers=AUTH)).json() == {"status": "started"}
    assert (
        await http.patch("/monitor", json={"state": "stopped"}, headers=AUTH)
    ).status_code == 200
    assert (
        await http.patch("/monitor", json={"state": "stopped"}, headers=AUTH)
    ).status_code == 304
    assert (await http.get("/monitor", headers=AUTH)).json() == {"status": "stopped"}
    assert (
        await http.patch("/monitor", json={"state": "started"}, headers=AUTH)
    ).status_code == 200
    assert (
        await http.patch("/monitor", json={"state": "started"}, headers=AUTH)
    ).status_code == 304
    assert (monitor.stops, monitor.starts) == (1, 1)
    other = await http.patch("/monitor", json={"state": "paused"}, headers=AUTH)
    assert (other.status_code, other.json()) == (200, {"status": "started"})


async def test_azure_verifier_without_tenant_refuses() -> None:
    verifier = AzureAdTokenVerifier(tenant_url=None, audience="api://x", timeout_s=1)
    assert await verifier.verify("a.b.c") is None
