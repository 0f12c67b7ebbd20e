"""The dashboard in a real browser: the real worker, real jobs written by npm bullmq (failed,
retrying, completed), headless Chromium (Debian's) driven by Playwright, one browser session.
Screenshots go to test-artifacts/ (docs/dashboard.png and docs/dashboard-delayed.png are copies)."""

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from tests.support.notify_stand_in import NotifyApiKey
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
TEMPLATE = "00000000-0000-4000-8000-000000000001"
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
        if os.environ.get("CI"):  # noqa: TID251 - the CI runner, not a service setting
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


def _node_sees(url: str, job_id: str) -> dict[str, Any]:
    """The queue and one job as Node's bullmq reads them."""
    found: dict[str, Any] = node("read.mjs", url, QUEUE, json.dumps([job_id]))
    return {"paused": found["paused"], "state": found["jobs"][0]["state"],
            "attemptsMade": found["jobs"][0]["attemptsMade"]}  # fmt: skip


def test_the_dashboard_in_a_browser(
    private_redis: RedisServer, tmp_path: Path, browser_page: Any
) -> None:
    """Front page, each state tab, the job page, find, a retry, promote, pause and resume, with
    every change checked in Redis and as Node's bullmq reads it."""
    url = private_redis.url + "/4"
    client = redis.Redis.from_url(url, decode_responses=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    queue_url = f"{base}/dashboard/queues/{QUEUE}"
    env = {"LOCAL_REDIS_CONN": private_redis.url, "LOCAL_ENV": "dev",
           "JOBS_MONITOR_TOKEN": TOKEN, "JOBS_DATA_DIR": str(tmp_path / "data"),
           "STANDALONE_INTERACTIONS_HOST_NAME": "localhost:4430",
           "STANDALONE_HELP_HOST_NAME": "localhost:4431",
           # Notify unreachable: the reset e-mail is retried, minutes apart
           "GOVNOTIFY_API_KEY": NotifyApiKey.generate().value,
           "GOVNOTIFY_BASE_URL": f"http://127.0.0.1:{free_port()}",
           "GOVNOTIFY_TEMP_MAP": json.dumps({"email": {"verifyPasswordResetRequest": TEMPLATE}}),
           "JOBS_RETRY_DELAY_SCALE": "30"}  # fmt: skip
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser_page
    with worker_process(env, tmp_path, port):
        _, _, retrying = node(
            "produce.mjs", url, QUEUE, json.dumps([NOT_AN_OBJECT, NOT_AN_OBJECT, RESET])
        )
        node("produce.mjs", url, "test", json.dumps([{"hello": "world"}]))
        assert wait_until(lambda: len(_failed_ids(client)) == 2), "jobs did not fail"
        assert wait_until(lambda: client.zscore(f"bull:{QUEUE}:delayed", retrying) is not None)
        assert wait_until(lambda: client.zcard("bull:test:completed") == 1)

        # The front page: what needs attention, queues by family
        page.goto(f"{base}/dashboard?token={TOKEN}")
        assert page.url == f"{base}/dashboard"
        summary = page.locator("section.attention")
        assert summary.get_attribute("data-attention") == "attention"
        assert summary.locator('[data-summary="health"] b').inner_text() == "healthy"
        assert summary.locator('[data-summary="failed"] b').inner_text() == "2"
        assert summary.locator('[data-summary="retrying"] b').inner_text() == "1"
        assert summary.locator('[data-summary="unconsumed"] b').inner_text() == "0"
        assert summary.locator('[data-summary="notify"] b').inner_text().endswith("%")
        families = page.locator("h2[data-family]").evaluate_all(
            "hs => hs.map(h => h.dataset.family)"
        )
        assert families == ["e-mail", "public API", "legacy sync", "test"]
        subscribed = page.locator(
            'table.subscriptions tr[data-application="Sandbox Legacy Service"]'
        )
        assert subscribed.locator("[data-depth]").count() == 3, "the sandbox's legacy service"
        row = page.locator(f'tr[data-queue="{QUEUE}"]')
        assert row.locator('[data-state="failed"]').inner_text() == "2"
        assert row.locator('[data-state="delayed"]').inner_text() == "1"
        assert row.locator("[data-consumers]").inner_text() == "dsi-jobs 1", "from CLIENT LIST"
        page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)

        stopped = httpx.patch(
            f"{base}/monitor", json={"state": "stopped"},
            headers={"authorization": f"Bearer {TOKEN}"}, timeout=30,
        )  # fmt: skip
        assert stopped.status_code == 200  # retried and promoted jobs now stay waiting

        # The queue opens on its failed jobs; the delayed tab says attempt, next run, last error
        row.get_by_role("link", name=QUEUE).click()
        page.wait_for_url(queue_url)
        assert page.locator("nav.tabs [aria-current]").get_attribute("data-tab") == "failed"
        failed_rows = page.locator("table.jobs.failed tbody tr")
        assert failed_rows.count() == 2
        assert failed_rows.first.locator(".reason").inner_text() == (
            "job data must be a JSON object, got list"
        )
        page.locator('nav.tabs a[data-tab="delayed"]').click()
        page.wait_for_url(f"{queue_url}?state=delayed")
        delayed = page.locator(f'table.jobs.delayed tr[data-job-id="{retrying}"]')
        assert "attempt 2 of 8" in delayed.inner_text()
        assert "(in " in delayed.inner_text()
        assert "GOV.UK Notify 503" in delayed.locator(".reason").inner_text()
        page.screenshot(path=str(ARTIFACTS / "dashboard-delayed.png"), full_page=True)

        # The job page, and the same job found by id from the header
        delayed.get_by_role("link", name=retrying).click()
        page.wait_for_url(f"{queue_url}/jobs/{retrying}")
        assert page.locator('[data-fact="state"]').inner_text() == "delayed"
        assert page.locator('[data-fact="next run"]').inner_text().startswith("attempt 2 of 8, ")
        data = page.locator('[data-section="data (masked)"]').inner_text()
        assert '"email": "[masked]"' in data
        assert "a@example.com" not in page.content()
        assert '"removeOnComplete"' in page.locator('[data-section="options"]').inner_text()
        page.goto(f"{base}/dashboard")
        page.get_by_label("job id").fill(retrying)
        page.get_by_role("button", name="Find job").click()
        page.wait_for_load_state()
        assert f"/jobs/{retrying}" in page.url or page.locator("ul.found").count() == 1

        # Promote the retry: it runs next, attempts kept
        page.goto(f"{queue_url}?state=delayed")
        page.locator(f'tr[data-job-id="{retrying}"]').get_by_role("button", name="Run now").click()
        page.wait_for_url(f"{queue_url}?state=delayed&done=*")
        assert "runs next" in page.locator(".flash").inner_text()
        assert client.lrange(f"bull:{QUEUE}:wait", 0, -1) == [retrying]
        assert _node_sees(url, retrying) == {"paused": False, "state": "waiting", "attemptsMade": 1}

        # Retry a failed job from the failed tab
        page.locator('nav.tabs a[data-tab="failed"]').click()
        failed_id = page.locator("table.jobs.failed tbody tr").first.get_attribute("data-job-id")
        page.locator(f'tr[data-job-id="{failed_id}"]').get_by_role("button", name="Retry").click()
        page.wait_for_url(f"{queue_url}?state=failed&done=*")
        assert f"Job {failed_id} moved back to waiting." in page.locator(".flash").inner_text()
        assert page.locator(f'tr[data-job-id="{failed_id}"]').count() == 0
        assert failed_id not in _failed_ids(client)
        assert client.lrange(f"bull:{QUEUE}:wait", 0, -1) == [failed_id, retrying]

        # Every state tab
        for state, shown in (("waiting", 2), ("active", 0), ("delayed", 0), ("failed", 1),
                             ("completed", 0)):  # fmt: skip
            page.locator(f'nav.tabs a[data-tab="{state}"]').click()
            page.wait_for_url(f"{queue_url}?state={state}")
            assert page.locator(f"table.jobs.{state} tbody tr").count() == shown, state
            assert page.locator("[data-empty]").count() == (0 if shown else 1), state
        waiting_order = page.goto(f"{queue_url}?state=waiting")
        assert waiting_order is not None
        listed = page.locator("table.jobs.waiting tbody tr").evaluate_all(
            "rows => rows.map(r => r.dataset.jobId)"
        )
        assert listed == [retrying, failed_id], "next to run first"
        page.goto(f"{base}/dashboard/queues/test?state=completed")
        assert page.locator("table.jobs.completed tbody tr").count() == 1

        # Pause and resume, as BullMQ does: Node sees the queue paused
        page.goto(queue_url)
        page.get_by_role("button", name="Pause queue").click()
        page.wait_for_url(f"{queue_url}?done=*")
        assert page.locator("[data-queue-status]").get_attribute("data-queue-status") == "paused"
        assert client.hexists(f"bull:{QUEUE}:meta", "paused")
        assert client.llen(f"bull:{QUEUE}:paused") == 2
        assert _node_sees(url, retrying)["paused"] is True
        page.goto(f"{base}/dashboard")
        assert page.locator(f'tr[data-queue="{QUEUE}"] [data-paused]').count() == 1
        page.goto(queue_url)
        page.get_by_role("button", name="Resume queue").click()
        page.wait_for_url(f"{queue_url}?done=*")
        assert page.locator("[data-queue-status]").get_attribute("data-queue-status") == "running"
        assert not client.hexists(f"bull:{QUEUE}:meta", "paused")
        assert client.llen(f"bull:{QUEUE}:wait") == 2
        assert _node_sees(url, retrying)["paused"] is False
    client.close()
