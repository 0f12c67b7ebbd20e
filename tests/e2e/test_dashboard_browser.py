"""The dashboard in a real browser: the real worker, real failed jobs written by npm bullmq,
headless Chromium (Debian's) driven by Playwright. Screenshots go to test-artifacts/."""

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from tests.support.processes import node, wait_until, worker_process
from tests.support.redis_server import RedisServer, free_port

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
TOKEN = "dashboard-test-token"
NOT_AN_OBJECT = ["not", "an", "object"]
QUEUE = "passwordreset_v1"
RESET = {"email": "a@example.com", "firstName": "A", "lastName": "B", "code": "123456",
         "clientId": "c1", "uid": "u1"}  # fmt: skip


def _require_browser() -> Any:
    """Playwright's sync API, or a skip (a failure in CI) when the browser set-up is missing."""
    problem = None
    if not Path(CHROMIUM).exists():
        problem = f"{CHROMIUM} is missing: apt-get install chromium"
    try:
        from playwright import sync_api
    except ImportError:
        problem = "the playwright package is missing: pip install playwright"
    if problem is not None:
        if os.environ.get("CI"):
            pytest.fail(problem)
        pytest.skip(problem)
    return sync_api


@pytest.fixture
def browser_page() -> Iterator[Any]:
    sync_api = _require_browser()
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser.new_page(viewport={"width": 1280, "height": 900})
        finally:
            browser.close()


def _failed_ids(client: redis.Redis) -> list[str]:
    return list(client.zrange(f"bull:{QUEUE}:failed", 0, -1))


def test_dashboard_shows_failed_jobs_and_retries_one(
    private_redis: RedisServer, tmp_path: Path, browser_page: Any
) -> None:
    url = private_redis.url + "/4"
    client = redis.Redis.from_url(url, decode_responses=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {"LOCAL_REDIS_CONN": private_redis.url, "LOCAL_ENV": "dev",
           "JOBS_MONITOR_TOKEN": TOKEN, "JOBS_DATA_DIR": str(tmp_path / "data"),
           "STANDALONE_INTERACTIONS_HOST_NAME": "localhost:4430",
           "STANDALONE_HELP_HOST_NAME": "localhost:4431"}  # fmt: skip
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser_page
    with worker_process(env, tmp_path, port):
        node("produce.mjs", url, QUEUE, json.dumps([NOT_AN_OBJECT, NOT_AN_OBJECT, RESET]))
        assert wait_until(lambda: len(_failed_ids(client)) == 2), "jobs did not fail"
        assert wait_until(lambda: client.zcard(f"bull:{QUEUE}:completed") == 1)
        stopped = httpx.patch(
            f"{base}/monitor", json={"state": "stopped"},
            headers={"authorization": f"Bearer {TOKEN}"}, timeout=30,
        )  # fmt: skip
        assert stopped.status_code == 200  # a retried job now stays waiting

        page.goto(f"{base}/dashboard?token={TOKEN}")
        assert page.url == f"{base}/dashboard"
        row = page.locator(f'tr[data-queue="{QUEUE}"]')
        assert row.locator('[data-state="failed"]').inner_text() == str(
            client.zcard(f"bull:{QUEUE}:failed")
        )
        assert row.locator('[data-state="completed"]').inner_text() == "1"
        page.screenshot(path=str(ARTIFACTS / "dashboard-overview.png"), full_page=True)

        row.get_by_role("link", name=QUEUE).click()
        page.wait_for_url(f"{base}/dashboard/queues/{QUEUE}")
        failed_rows = page.locator("table.failed tbody tr")
        assert failed_rows.count() == 2
        assert failed_rows.first.locator(".reason").inner_text() == (
            "job data must be a JSON object, got list"
        )
        assert page.locator('svg.chart[aria-label^="jobs per minute"]').count() == 1
        page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)

        job_id = failed_rows.first.get_attribute("data-job-id")
        failed_rows.first.get_by_role("button", name="Retry").click()
        page.wait_for_url(f"{base}/dashboard/queues/{QUEUE}?done=*")
        assert f"Job {job_id} moved back to waiting." in page.locator(".flash").inner_text()
        assert page.locator(f'tr[data-job-id="{job_id}"]').count() == 0
        assert page.locator("table.failed tbody tr").count() == 1
        assert job_id not in _failed_ids(client)
        assert client.lrange(f"bull:{QUEUE}:wait", 0, -1) == [job_id]
        page.screenshot(path=str(ARTIFACTS / "dashboard-after-retry.png"), full_page=True)
    client.close()
