"""``/dashboard``: token once in the URL then a cookie, same-origin POSTs, masked data; the
attention header, tabs per state, the job page, find, retry, promote, pause and resume."""

import asyncio
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

import httpx
import pytest
from pydantic import SecretStr

from adapters.redis_queue.consumers import Consumer
from adapters.redis_queue.inspector import JobPage, Progress
from adapters.redis_queue.job_records import JobRecord
from adapters.redis_queue.throughput import MinuteCount
from domain.errors import UpstreamUnavailable
from entrypoints.http.app import create_app
from entrypoints.http.auth import Grant, StaticTokenVerifier
from entrypoints.http.dashboard import DashboardFeeds
from entrypoints.http.dashboard_auth import COOKIE
from tests.unit.entrypoints.test_http_app import FakeConsumers, FakeMonitor, redis_up, scope_of

TOKEN = "monitor-token"
BASE = "http://jobs.test"
SAME_ORIGIN = {"origin": BASE}

FAILED_JOB = JobRecord(
    id="7", name="test",
    data={"email": "someone@example.com", "userId": "u-1", "note": "write to other@example.org",
          "nested": {"firstName": "Zoë"}},
    failed_reason="job data must be a JSON object, got list", attempts_made=1,
    timestamp=1_700_000_000_000, processed_on=1_700_000_001_000, finished_on=1_700_000_002_000,
    stacktrace=["Traceback line 1", "<script>alert(1)</script>"], state="failed",
)  # fmt: skip


NOW = 1_700_000_600_000
"""The dashboard's clock in these tests: relative times ("in 1m") count from here."""

RETRYING_JOB = JobRecord(
    id="9", name="test", data={"userId": "u-2"}, failed_reason="notify answered 503",
    attempts_made=1, timestamp=1_700_000_000_000, processed_on=1_700_000_001_000,
    state="delayed", next_run_ms=NOW + 95_000,
    options={"attempts": 0, "removeOnComplete": {"age": 3600, "count": 50}},
)  # fmt: skip


@dataclass
class FakeQueues:
    """In-memory ``QueueOperations``: one failed and one retrying job in ``test``; records
    every change."""

    failed_jobs: dict[str, list[JobRecord]] = field(
        default_factory=lambda: {"test": [FAILED_JOB], "other": []}
    )
    delayed_jobs: dict[str, list[JobRecord]] = field(
        default_factory=lambda: {"test": [RETRYING_JOB], "other": []}
    )
    waiting: int = 2
    paused: set[str] = field(default_factory=set)
    retried: list[tuple[str, str]] = field(default_factory=list)
    promoted: list[tuple[str, str]] = field(default_factory=list)
    down: bool = False

    async def counts(self, queue: str) -> dict[str, int]:
        if self.down:
            raise UpstreamUnavailable("redis unavailable while trying to count jobs")
        return {"waiting": self.waiting, "prioritized": 1, "paused": 0, "active": 1,
                "delayed": len(self.delayed_jobs[queue]), "completed": 40,
                "failed": len(self.failed_jobs[queue])}  # fmt: skip

    def _in(self, queue: str, state: str) -> list[JobRecord]:
        return {"failed": self.failed_jobs, "delayed": self.delayed_jobs}.get(state, {}).get(
            queue, []
        )

    async def jobs(self, queue: str, state: str, start: int = 0, count: int = 50) -> JobPage:
        found = self._in(queue, state)
        return JobPage(state, found[start : start + count], len(found), start)

    async def job(self, queue: str, job_id: str) -> JobRecord | None:
        every = [*self.failed_jobs.get(queue, []), *self.delayed_jobs.get(queue, [])]
        return next((job for job in every if job.id == job_id), None)

    async def find(self, queues: Iterable[str], job_id: str) -> list[str]:
        return [queue for queue in queues if await self.job(queue, job_id) is not None]

    async def retry(self, queue: str, job_id: str) -> bool:
        before = len(self.failed_jobs[queue])
        self.failed_jobs[queue] = [j for j in self.failed_jobs[queue] if j.id != job_id]
        self.retried.append((queue, job_id))
        return len(self.failed_jobs[queue]) < before

    async def retry_all_failed(self, queue: str, progress: Progress | None = None) -> int:
        moved = len(self.failed_jobs[queue])
        self.retried.extend((queue, job.id) for job in self.failed_jobs[queue])
        self.failed_jobs[queue] = []
        return moved

    async def promote(self, queue: str, job_id: str) -> bool:
        before = len(self.delayed_jobs[queue])
        self.delayed_jobs[queue] = [j for j in self.delayed_jobs[queue] if j.id != job_id]
        self.promoted.append((queue, job_id))
        return len(self.delayed_jobs[queue]) < before

    async def is_paused(self, queue: str) -> bool:
        return queue in self.paused

    async def pause(self, queue: str) -> None:
        self.paused.add(queue)

    async def resume(self, queue: str) -> None:
        self.paused.discard(queue)

    async def throughput(self, queue: str, minutes: int = 30) -> list[MinuteCount]:
        return [MinuteCount(60_000 * i, completed=i % 3, failed=i % 2) for i in range(minutes)]

    async def last_success_ms(self, queue: str) -> int | None:
        return 1_700_000_000_000


FEEDS = DashboardFeeds(
    attempts=lambda queue: 8 if queue == "test" else None,
    subscriptions=lambda: {"sendwsuserupdated_v1_app-1": "Legacy <App>"},
    clock=lambda: NOW,
)


def client(
    queues: FakeQueues, monitor: FakeMonitor | None = None, feeds: DashboardFeeds = FEEDS
) -> httpx.AsyncClient:
    app = create_app(
        monitor=monitor or FakeMonitor(queues=["test", "other"]), ping_redis=redis_up,
        verifier=StaticTokenVerifier(SecretStr(TOKEN)), grace_s=1, queue_operations=queues,
        dashboard_feeds=feeds,
    )  # fmt: skip
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE)


async def signed_in(queues: FakeQueues) -> httpx.AsyncClient:
    http = client(queues)
    answer = await http.get("/dashboard/queues/test", params={"token": TOKEN})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/dashboard/queues/test"
    cookie = answer.headers["set-cookie"]
    for attribute in ("HttpOnly", "SameSite=strict", "Path=/dashboard", "Max-Age=28800"):
        assert attribute.lower() in cookie.lower(), attribute
    assert "secure" not in cookie.lower()  # plain http here; https sets Secure
    return http


@pytest.mark.parametrize("path", ["/dashboard", "/dashboard/queues/test"])
async def test_no_token_no_dashboard(path: str) -> None:
    http = client(FakeQueues())
    assert (await http.get(path)).status_code == 401
    assert (await http.get(path, params={"token": "wrong"})).status_code == 401
    http.cookies.set(COOKIE, "wrong")
    assert (await http.get(path)).status_code == 401


async def test_token_in_url_becomes_a_cookie_and_is_dropped_from_the_url() -> None:
    http = await signed_in(FakeQueues())
    page = await http.get("/dashboard")
    assert page.status_code == 200
    assert page.headers["referrer-policy"] == "same-origin"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert TOKEN not in page.text


async def test_https_cookie_is_secure() -> None:
    answer = await client(FakeQueues()).get(
        "/dashboard", params={"token": TOKEN}, headers={"x-forwarded-proto": "https"}
    )
    assert "secure" in answer.headers["set-cookie"].lower()


async def test_overview_shows_every_queue_with_counts_and_a_chart() -> None:
    http = await signed_in(FakeQueues())
    page = (await http.get("/dashboard")).text
    assert '<tr data-queue="other">' in page
    assert '<tr data-queue="test">' in page
    assert 'data-state="waiting">3<' in page  # waiting + prioritized + paused
    assert 'data-state="failed">1<' in page
    assert "<svg" in page
    assert "<script" not in page


async def test_queue_page_opens_on_failed_jobs_with_their_reason() -> None:
    http = await signed_in(FakeQueues())
    page = (await http.get("/dashboard/queues/test")).text
    assert "aria-current=page>failed (1)" in page
    assert '<table class="jobs failed" data-state="failed">' in page
    assert "job data must be a JSON object, got list" in page
    assert "2023-11-14 22:13:22 UTC" in page  # finishedOn
    assert "1 of 8" in page  # attempts made of the policy's
    assert 'href="/dashboard/queues/test/jobs/7"' in page


async def test_job_page_masks_personal_data_and_escapes_everything() -> None:
    http = await signed_in(FakeQueues())
    page = (await http.get("/dashboard/queues/test/jobs/7")).text
    assert "someone@example.com" not in page
    assert "other@example.org" not in page
    assert "Zoë" not in page
    assert "u-1" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script" not in page
    assert 'data-fact="reason">job data must be a JSON object, got list<' in page
    assert '<button type="submit">Retry</button>' in page
    assert (await http.get("/dashboard/queues/test/jobs/404")).status_code == 404


async def test_delayed_tab_says_which_attempt_runs_when_and_why() -> None:
    http = await signed_in(FakeQueues())
    page = (await http.get("/dashboard/queues/test", params={"state": "delayed"})).text
    row = page[page.index('<tr data-job-id="9">') :]
    assert "attempt 2 of 8" in row
    assert "2023-11-14 22:24:55 UTC (in 1m)" in row
    assert "notify answered 503" in row
    assert '<button type="submit">Run now</button>' in row
    job = (await http.get("/dashboard/queues/test/jobs/9")).text
    assert 'data-fact="next run">attempt 2 of 8, 2023-11-14 22:24:55 UTC (in 1m)<' in job
    assert "&quot;removeOnComplete&quot;" in job  # the options


@pytest.mark.parametrize("state", ["waiting", "active", "delayed", "failed", "completed"])
async def test_every_state_has_a_tab_with_its_columns(state: str) -> None:
    http = await signed_in(FakeQueues())
    page = (await http.get("/dashboard/queues/test", params={"state": state})).text
    assert f'data-tab="{state}" href="/dashboard/queues/test?state={state}" aria-current' in page
    assert page.count(" aria-current=page") == 1
    assert f'data-state="{state}"' in page or "data-empty" in page


async def test_pages_of_fifty_with_next_and_previous() -> None:
    queues = FakeQueues()
    queues.failed_jobs["test"] = [
        JobRecord(id=str(n), name="test", data={}, state="failed") for n in range(120)
    ]
    http = await signed_in(queues)
    first = (await http.get("/dashboard/queues/test", params={"state": "failed"})).text
    assert first.count("<tr data-job-id=") == 50
    assert "1-50 of 120" in first
    assert 'rel="next" href="/dashboard/queues/test?state=failed&amp;start=50"' in first
    last = (await http.get("/dashboard/queues/test?state=failed&start=100")).text
    assert (last.count("<tr data-job-id="), "101-120 of 120" in last) == (20, True)
    assert 'rel="prev"' in last
    assert 'rel="next"' not in last
    odd = await http.get("/dashboard/queues/test?state=nonsense&start=-3")
    assert odd.status_code == 200


async def test_front_page_says_what_needs_attention() -> None:
    http = await signed_in(FakeQueues())
    page = (await http.get("/dashboard")).text
    assert 'data-attention="attention"' in page
    assert '<div class="card" data-summary="health"><b>healthy</b>' in page
    assert 'data-summary="failed"><b>1</b>' in page
    assert 'data-summary="retrying"><b>1</b>' in page
    assert 'data-summary="unconsumed"><b>0</b>' in page
    assert 'data-summary="notify"><b>outbox</b>' in page
    assert '<h2 data-family="test">' in page
    assert '<h2 data-family="e-mail">' in page  # "other" is not a known family: e-mail
    assert '<tr data-application="Legacy &lt;App&gt;">' in page
    assert "2023-11-14 22:13:20 UTC (10m ago)" in page  # its last success


async def test_stopped_workers_leave_waiting_queues_without_a_consumer() -> None:
    monitor = FakeMonitor(queues=["test", "other"], started=False)
    http = client(FakeQueues(), monitor)
    page = (await http.get("/dashboard", headers={"authorization": f"Bearer {TOKEN}"})).text
    assert 'data-summary="health"><b>workers stopped</b>' in page
    assert 'data-summary="unconsumed"><b>2</b>' in page
    assert "none (stopped)" in page


async def test_pause_and_resume_from_the_queue_page() -> None:
    queues = FakeQueues()
    http = await signed_in(queues)
    came_from = {"origin": BASE, "referer": f"{BASE}/dashboard/queues/test?state=waiting"}
    answer = await http.post("/dashboard/queues/test/pause", headers=came_from)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/dashboard/queues/test?state=waiting&done=")
    assert queues.paused == {"test"}
    page = (await http.get(answer.headers["location"])).text
    assert 'data-queue-status="paused"' in page
    assert "test paused: no worker takes new jobs." in page
    assert 'action="/dashboard/queues/test/resume"' in page
    front = (await http.get("/dashboard")).text
    assert 'data-summary="unconsumed"><b>1</b>' in front, "paused with jobs waiting"
    await http.post("/dashboard/queues/test/resume", headers=SAME_ORIGIN)
    assert queues.paused == set()
    refused = await http.post(
        "/dashboard/queues/test/pause", headers={"origin": "https://x.example"}
    )
    assert (refused.status_code, queues.paused) == (403, set())


async def test_promote_a_delayed_job() -> None:
    queues = FakeQueues()
    http = await signed_in(queues)
    answer = await http.post("/dashboard/queues/test/jobs/9/promote", headers=SAME_ORIGIN)
    assert (answer.status_code, queues.promoted) == (303, [("test", "9")])
    assert "runs+next" in answer.headers["location"]
    again = await http.post("/dashboard/queues/test/jobs/9/promote", headers=SAME_ORIGIN)
    assert "was+not+delayed" in again.headers["location"]


async def test_find_a_job_by_id() -> None:
    queues = FakeQueues()
    queues.failed_jobs["other"] = [replace(FAILED_JOB, id="9")]
    http = await signed_in(queues)
    one = await http.get("/dashboard/find", params={"id": "7"})
    assert (one.status_code, one.headers["location"]) == (303, "/dashboard/queues/test/jobs/7")
    many = (await http.get("/dashboard/find", params={"id": "9"})).text
    assert 'href="/dashboard/queues/other/jobs/9"' in many
    assert 'href="/dashboard/queues/test/jobs/9"' in many
    none = (await http.get("/dashboard/find", params={"id": "<b>1</b>"})).text
    assert "No job &lt;b&gt;1&lt;/b&gt; in any queue" in none


async def test_unknown_queue_is_not_found() -> None:
    http = await signed_in(FakeQueues())
    assert (await http.get("/dashboard/queues/elsewhere")).status_code == 404
    answer = await http.post("/dashboard/queues/elsewhere/retry", headers=SAME_ORIGIN)
    assert answer.status_code == 404


async def test_retry_one_and_all_from_the_same_origin() -> None:
    queues = FakeQueues()
    http = await signed_in(queues)
    answer = await http.post("/dashboard/queues/test/jobs/7/retry", headers=SAME_ORIGIN)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/dashboard/queues/test?done=")
    assert queues.retried == [("test", "7")]
    page = (await http.get(answer.headers["location"])).text
    assert "Job 7 moved back to waiting." in page
    assert 'data-job-id="7"' not in page

    queues.failed_jobs["test"] = [FAILED_JOB]
    referer_only = {"referer": f"{BASE}/dashboard/queues/test"}
    answer = await http.post("/dashboard/queues/test/retry", headers=referer_only)
    assert answer.status_code == 303
    assert "1+failed+job" in answer.headers["location"]


@pytest.mark.parametrize(
    "headers", [{}, {"origin": "https://evil.example"}, {"origin": "null"},
                {"referer": "https://evil.example/dashboard"}],
)  # fmt: skip
async def test_cookie_posts_from_elsewhere_are_refused(headers: dict[str, str]) -> None:
    queues = FakeQueues()
    http = await signed_in(queues)
    answer = await http.post("/dashboard/queues/test/retry", headers=headers)
    assert answer.status_code == 403
    assert queues.retried == []


async def test_bearer_header_needs_no_origin() -> None:
    queues = FakeQueues()
    answer = await client(queues).post(
        "/dashboard/queues/test/jobs/7/retry", headers={"authorization": f"Bearer {TOKEN}"}
    )
    assert answer.status_code == 303
    assert queues.retried == [("test", "7")]


async def test_token_in_url_cannot_authorise_a_post() -> None:
    queues = FakeQueues()
    answer = await client(queues).post(
        "/dashboard/queues/test/retry", params={"token": TOKEN}, headers=SAME_ORIGIN
    )
    assert answer.status_code == 401
    assert queues.retried == []


async def test_redis_down_is_a_503_page() -> None:
    queues = FakeQueues()
    http = await signed_in(queues)
    queues.down = True
    answer = await http.get("/dashboard")
    assert (answer.status_code, "Redis is unavailable." in answer.text) == (503, True)


def _nested(depth: int) -> dict[str, object]:
    value: dict[str, object] = {"userId": "u-deep"}
    for _ in range(depth):
        value = {"a": value}
    return value


async def test_a_page_with_a_huge_failed_job_leaves_the_event_loop_free() -> None:
    """One failed job with 5 MB fields (data, reason, stack trace): the page renders, and
    ``/livez`` answers within a second meanwhile (the e-mail pattern once froze the loop)."""
    huge = "x" * 5_000_000
    queues = FakeQueues()
    queues.failed_jobs["test"] = [
        JobRecord(id="big", name="supportrequest_v1", data={"text": huge, "list": [huge]},
                  failed_reason=huge, stacktrace=[huge], state="failed"),
    ]  # fmt: skip
    http = await signed_in(queues)

    async def livez_after_a_moment() -> float:
        await asyncio.sleep(0.01)
        started = time.monotonic()
        assert (await http.get("/livez")).status_code == 200
        return time.monotonic() - started

    for path in ("/dashboard/queues/test", "/dashboard/queues/test/jobs/big"):
        page, livez_s = await asyncio.gather(http.get(path), livez_after_a_moment())
        assert page.status_code == 200
        assert len(page.text) < 100_000, "values are cut short before they are shown"
        assert livez_s < 1.0


async def test_reasons_and_stack_traces_are_masked_on_display() -> None:
    """Written by another process (a Node worker, an older version): masked when shown."""
    queues = FakeQueues()
    queues.failed_jobs["test"] = [
        JobRecord(
            id="n1", name="test", data={"deep": _nested(1000)},
            failed_reason="no user leak.person@example.com",
            stacktrace=["HTTPError: 500 for url 'http://dir.test/users/invitee.person%40example.com'"],
            state="failed",
        )
    ]  # fmt: skip
    http = await signed_in(queues)
    listing = await http.get("/dashboard/queues/test")
    page = await http.get("/dashboard/queues/test/jobs/n1")
    assert (listing.status_code, page.status_code) == (200, 200)
    for leak in ("leak.person", "invitee.person", "%40example"):
        assert leak not in listing.text
        assert leak not in page.text
    assert "no user [email]" in listing.text
    assert "no user [email]" in page.text
    assert "[nested too deep]" in page.text


class ExpiringVerifier:
    """Accepts ``TOKEN`` as a token that expires ``lifetime_s`` from now."""

    def __init__(self, lifetime_s: float) -> None:
        self.lifetime_s = lifetime_s

    async def verify(self, token: str) -> Grant | None:
        return Grant(expires_at=time.time() + self.lifetime_s) if token == TOKEN else None


async def test_the_cookie_holds_a_session_id_never_the_token() -> None:
    http = await signed_in(FakeQueues())
    session_id = http.cookies[COOKIE]
    assert session_id != TOKEN
    assert TOKEN not in session_id
    again = await client(FakeQueues()).get("/dashboard", params={"token": TOKEN})
    assert again.cookies[COOKIE] != session_id, "a new random id each time"
    answer = await http.get("/monitor", headers={"authorization": f"Bearer {session_id}"})
    assert answer.status_code == 401, "the cookie is no credential for the API"
    http.cookies.set(COOKIE, session_id + "0")
    assert (await http.get("/dashboard")).status_code == 401


@pytest.mark.parametrize("lifetime_s", [120, -5])
async def test_a_session_lasts_no_longer_than_its_token(lifetime_s: float) -> None:
    app = create_app(
        monitor=FakeMonitor(queues=["test"]), ping_redis=redis_up,
        verifier=ExpiringVerifier(lifetime_s), grace_s=1, queue_operations=FakeQueues(),
    )  # fmt: skip
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE)
    answer = await http.get("/dashboard", params={"token": TOKEN})
    if lifetime_s < 0:
        assert answer.status_code == 401, "an expired token opens no session"
        return
    assert answer.status_code == 303
    max_age = re.search(r"Max-Age=(\d+)", answer.headers["set-cookie"], re.I)
    assert max_age is not None
    assert lifetime_s - 5 <= int(max_age[1]) <= lifetime_s


async def test_front_page_shows_who_consumes_each_known_queue_and_this_selection() -> None:
    attached = {"test": [Consumer("test", "node", "", "10.0.0.1:1"),
                         Consumer("test", "dsi-jobs", "dsi-jobs-h-1", "10.0.0.2:2")]}  # fmt: skip
    feeds = replace(
        FEEDS, consumers=FakeConsumers(attached), scope=scope_of(["test", "other"], ["test"])
    )
    queues = FakeQueues()
    http = client(queues, FakeMonitor(queues=["test"]), feeds)
    auth = {"authorization": f"Bearer {TOKEN}"}

    page = (await http.get("/dashboard", headers=auth)).text
    test_row = page[page.index('<tr data-queue="test">') :].split("</tr>")[0]
    other_row = page[page.index('<tr data-queue="other">') :].split("</tr>")[0]
    assert '<td class="consumers" data-consumers>dsi-jobs 1, node 1</td>' in test_row
    assert "data-not-here" not in test_row
    assert '<td class="consumers bad" data-consumers>none</td>' in other_row
    assert "data-not-here" in other_row, "consumed elsewhere (or by nobody), not here"
    assert 'data-summary="unconsumed"><b>1</b>' in page
    assert "This process consumes test: 1 of the 2 queues below." in page

    queues.failed_jobs["other"] = [FAILED_JOB]
    assert (await http.get("/dashboard/queues/other", headers=auth)).status_code == 200
    answer = await http.post("/dashboard/queues/other/jobs/7/retry", headers=auth)
    assert (answer.status_code, queues.retried) == (303, [("other", "7")])


async def test_a_redis_that_refuses_client_list_flags_nothing() -> None:
    feeds = replace(FEEDS, consumers=FakeConsumers(None), scope=scope_of(["test", "other"]))
    page = (
        await client(FakeQueues(), feeds=feeds).get(
            "/dashboard", headers={"authorization": f"Bearer {TOKEN}"}
        )
    ).text
    assert page.count("data-consumers>unknown<") == 2
    assert 'data-summary="unconsumed"><b>0</b>' in page
