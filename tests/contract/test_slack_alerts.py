"""Slack alerts against a local stand-in: message shape, rate limit and summary, failures."""

import asyncio
from typing import Any

import pytest
import structlog
from pydantic import SecretStr
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from adapters.slack.alerts import SlackAlerts
from entrypoints.http.metrics import JobMetrics
from entrypoints.http.operations import Operations
from tests.support.asgi_server import serve
from tests.support.redis_server import free_port

pytestmark = pytest.mark.real

TEST_FAILED = "dsi-jobs: a test job failed for good"


class SlackStandIn:
    """Records posted bodies; answers ``status``."""

    def __init__(self, status: int = 200) -> None:
        self.posts: list[Any] = []
        self.status = status
        self.app = Starlette(routes=[Route("/hook", self._hook, methods=["POST"])])

    async def _hook(self, request: Request) -> Response:
        self.posts.append(await request.json())
        return Response("ok", status_code=self.status)


def alerts(url: str, window_s: float = 60.0) -> SlackAlerts:
    return SlackAlerts(
        webhook_url=SecretStr(url), environment="test-env", timeout_s=2, window_s=window_s
    )


async def settle(stand_in: SlackStandIn, count: int) -> None:
    async with asyncio.timeout(5):
        while len(stand_in.posts) < count:  # noqa: ASYNC110 - polls what the stand-in received
            await asyncio.sleep(0.01)


async def test_first_alert_goes_out_then_one_summary_per_window() -> None:
    stand_in = SlackStandIn()
    async with serve(stand_in.app) as base:
        sender = alerts(f"{base}/hook", window_s=0.3)
        sender.alert("failed:test", "dsi-jobs: a test job failed for good")
        await settle(stand_in, 1)
        for _ in range(4):
            sender.alert("failed:test", "dsi-jobs: a test job failed for good")
        sender.alert("failed:other", "dsi-jobs: an other job failed for good")
        await settle(stand_in, 3)
        await asyncio.sleep(0.4)
        await sender.aclose()

    assert stand_in.posts == [
        {"text": "test-env - dsi-jobs: a test job failed for good"},
        {"text": "test-env - dsi-jobs: an other job failed for good"},
        {"text": f"test-env - {TEST_FAILED} (4 more in the last 0.005 minutes)"},
    ]


async def test_close_posts_pending_summaries() -> None:
    stand_in = SlackStandIn()
    async with serve(stand_in.app) as base:
        sender = alerts(f"{base}/hook")
        sender.alert("restart:test", "restarted")
        sender.alert("restart:test", "restarted")
        await sender.aclose()

    assert [post["text"] for post in stand_in.posts] == [
        "test-env - restarted",
        "test-env - restarted (1 more in the last 1 minutes)",
    ]


async def test_rejected_and_unreachable_posts_are_logged_and_ignored() -> None:
    stand_in = SlackStandIn(status=500)
    with structlog.testing.capture_logs() as logs:
        async with serve(stand_in.app) as base:
            sender = alerts(f"{base}/hook")
            sender.alert("failed:test", "boom")
            await settle(stand_in, 1)
            await sender.aclose()
        unreachable = alerts(f"http://127.0.0.1:{free_port()}/hook")
        unreachable.alert("failed:test", "boom")
        await unreachable.aclose()

    assert len(stand_in.posts) == 1
    failures = [entry for entry in logs if entry["event"] == "slack_alert_failed"]
    assert [entry.get("status") for entry in failures] == [500, None]
    assert failures[1]["error_type"] == "ConnectError"
    assert "/hook" not in repr(logs)  # the webhook URL is a secret


async def test_a_failed_subscription_refresh_is_counted_and_alerted() -> None:
    stand_in = SlackStandIn()
    async with serve(stand_in.app) as base:
        sender = alerts(f"{base}/hook")  # the container's resource in the worker
        operations = Operations(metrics=JobMetrics(), reader=NoQueues(), alerts=sender)
        operations.subscription_refresh_failed("applications API GET /services answered 404")
        await settle(stand_in, 1)
        await operations.stop()
        await sender.aclose()
    assert stand_in.posts == [
        {
            "text": "test-env - dsi-jobs: legacy-sync subscriptions could not be refreshed "
            "(applications API GET /services answered 404); the push queues already running "
            "are kept"
        }
    ]
    assert b"dsi_jobs_subscription_refresh_failures_total 1.0" in operations.metrics.exposition()


class NoQueues:
    async def counts(self, queue: str) -> dict[str, int]:
        return {}

    async def oldest_waiting_age_s(self, queue: str) -> float | None:
        return None
