"""``/livez``, ``/readyz`` and ``/metrics``: what each reports, and who may read it."""

from collections.abc import Mapping

import httpx
from pydantic import SecretStr

from adapters.redis_queue.consumers import Consumer
from entrypoints.http.app import create_app
from entrypoints.http.auth import StaticTokenVerifier
from entrypoints.http.metrics import JobMetrics, QueueStatsRefresher
from tests.unit.entrypoints.test_http_app import (
    FakeConsumers,
    FakeMonitor,
    redis_down,
    redis_up,
    scope_of,
)

TOKEN = "monitor-token"
AUTH = {"authorization": f"Bearer {TOKEN}"}


def client(monitor: FakeMonitor, ping=redis_up, metrics: JobMetrics | None = None):  # type: ignore[no-untyped-def]
    app = create_app(
        monitor=monitor, ping_redis=ping, verifier=StaticTokenVerifier(SecretStr(TOKEN)),
        grace_s=1, metrics=metrics,
    )  # fmt: skip
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


async def test_probes_pass_without_a_token_when_all_is_well() -> None:
    http = client(FakeMonitor())
    live = await http.get("/livez")
    ready = await http.get("/readyz")
    assert (live.status_code, live.json()) == (200, {"ok": ["worker_loops"], "failing": {}})
    assert (ready.status_code, ready.json()) == (
        200,
        {"ok": ["redis", "workers_started", "worker_loops"], "failing": {}},
    )


async def test_readyz_says_which_queues_this_process_consumes() -> None:
    app = create_app(
        monitor=FakeMonitor(), ping_redis=redis_up, verifier=StaticTokenVerifier(SecretStr(TOKEN)),
        grace_s=1, scope=scope_of(["test", "passwordreset_v1", "other"], ["test", "other"]),
    )  # fmt: skip
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")
    answer = await http.get("/readyz")
    assert answer.status_code == 200
    assert answer.json()["queues"] == {"selection": "test,other", "consuming": ["other", "test"]}


async def test_readyz_names_every_failing_check() -> None:
    answer = await client(FakeMonitor(started=False, alive=False), ping=redis_down).get("/readyz")
    assert answer.status_code == 503
    assert answer.json() == {
        "ok": [],
        "failing": {
            "redis": "ConnectionError",
            "workers_started": "stopped or draining",
            "worker_loops": "a loop has ended",
        },
    }


async def test_livez_ignores_redis_but_not_a_dead_loop() -> None:
    assert (await client(FakeMonitor(), ping=redis_down).get("/livez")).status_code == 200
    dead = await client(FakeMonitor(alive=False)).get("/livez")
    assert (dead.status_code, dead.json()["failing"]) == (503, {"worker_loops": "a loop has ended"})


async def test_metrics_need_a_token_and_expose_every_family() -> None:
    metrics = JobMetrics()
    metrics.observe("test", "completed", 0.2)
    metrics.observe("test", "failed", 1.5)
    metrics.observe("test", "retried", 0.1)
    metrics.on_restart("test")
    metrics.observe_call("notify", "2xx", 0.05)
    metrics.rate_limit_wait("notify")
    metrics.track_in_progress(lambda: {"test": 2})
    metrics.set_queue_stats({"test": ({"waiting": 4, "active": 1, "delayed": 0, "failed": 3}, 9.5)})
    metrics.subscription_refresh_failed()
    metrics.set_unsubscribed({"sendwsuserupdated_v1_gone": "draining"})
    http = client(FakeMonitor(), metrics=metrics)

    assert (await http.get("/metrics")).status_code == 401
    answer = await http.get("/metrics", headers=AUTH)

    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain; version=0.0.4")
    text = answer.text
    for line in (
        'dsi_jobs_jobs_total{outcome="completed",queue="test"} 1.0',
        'dsi_jobs_jobs_total{outcome="failed",queue="test"} 1.0',
        'dsi_jobs_jobs_total{outcome="retried",queue="test"} 1.0',
        'dsi_jobs_job_duration_seconds_count{queue="test"} 3.0',
        'dsi_jobs_job_duration_seconds_bucket{le="0.25",queue="test"} 2.0',
        'dsi_jobs_jobs_in_progress{queue="test"} 2.0',
        'dsi_jobs_queue_jobs{queue="test",state="waiting"} 4.0',
        'dsi_jobs_queue_jobs{queue="test",state="failed"} 3.0',
        'dsi_jobs_oldest_waiting_job_age_seconds{queue="test"} 9.5',
        'dsi_jobs_rate_limit_waits_total{limiter="notify"} 1.0',
        'dsi_jobs_worker_restarts_total{queue="test"} 1.0',
        'dsi_jobs_external_calls_total{outcome="2xx",upstream="notify"} 1.0',
        'dsi_jobs_external_call_duration_seconds_count{upstream="notify"} 1.0',
        "dsi_jobs_subscription_refresh_failures_total 1.0",
        'dsi_jobs_unsubscribed_queues{handling="draining",queue="sendwsuserupdated_v1_gone"} 1.0',
    ):
        assert line in text, line


def test_each_app_instance_has_its_own_registry() -> None:
    first, second = JobMetrics(), JobMetrics()
    first.observe("test", "completed", 0.1)
    assert b'dsi_jobs_jobs_total{outcome="completed",queue="test"} 1.0' in first.exposition()
    assert b"dsi_jobs_jobs_total{" not in second.exposition()


class FakeReader:
    def __init__(self, counts: Mapping[str, dict[str, int]], oldest: float | None) -> None:
        self.counts_by_queue = counts
        self.oldest = oldest
        self.reads = 0

    async def counts(self, queue: str) -> dict[str, int]:
        self.reads += 1
        return self.counts_by_queue[queue]

    async def oldest_waiting_age_s(self, queue: str) -> float | None:
        return self.oldest


async def test_refresher_sums_waiting_states_and_drops_departed_queues() -> None:
    metrics = JobMetrics()
    counts = {"waiting": 2, "prioritized": 1, "paused": 1, "active": 1, "delayed": 5,
              "completed": 9, "failed": 3}  # fmt: skip
    queues = ["a", "b"]
    reader = FakeReader({"a": counts, "b": counts}, None)
    refresher = QueueStatsRefresher(
        metrics=metrics, reader=reader, scope=scope_of(queues), consumers=FakeConsumers()
    )

    await refresher.refresh()
    text = metrics.exposition().decode()
    assert 'dsi_jobs_queue_jobs{queue="a",state="waiting"} 4.0' in text
    assert 'dsi_jobs_queue_jobs{queue="a",state="delayed"} 5.0' in text
    assert 'dsi_jobs_oldest_waiting_job_age_seconds{queue="b"} 0.0' in text
    assert 'state="completed"' not in text

    queues.remove("b")
    await refresher.refresh()
    assert 'queue="b"' not in metrics.exposition().decode()
    assert reader.reads == 3


async def test_refresher_counts_queues_with_jobs_waiting_and_nobody_attached() -> None:
    metrics = JobMetrics()
    waiting = {"waiting": 1, "prioritized": 0, "paused": 0, "active": 0, "delayed": 0,
               "completed": 0, "failed": 0}  # fmt: skip
    idle = {**waiting, "waiting": 0}
    reader = FakeReader({"mine": waiting, "node": waiting, "empty": idle, "left": waiting}, None)
    attached = {
        "mine": [Consumer("mine", "dsi-jobs", "dsi-jobs-h-1", "a:1")],
        "node": [Consumer("node", "node", "", "b:1"), Consumer("node", "node", "", "c:1")],
    }
    refresher = QueueStatsRefresher(
        metrics=metrics, reader=reader, consumers=FakeConsumers(attached),
        scope=scope_of(["mine", "node", "empty", "left"], consumed=["mine"]),
    )  # fmt: skip

    await refresher.refresh()
    text = metrics.exposition().decode()
    for line in (
        'dsi_jobs_queue_consumers{kind="dsi-jobs",queue="mine"} 1.0',
        'dsi_jobs_queue_consumers{kind="node",queue="node"} 2.0',
        'dsi_jobs_queue_consumers{kind="node",queue="left"} 0.0',
        'dsi_jobs_queue_unconsumed{queue="left"} 1.0',
        'dsi_jobs_queue_unconsumed{queue="empty"} 0.0',
        'dsi_jobs_queue_unconsumed{queue="node"} 0.0',
        "dsi_jobs_queues_unconsumed 1.0",
        'dsi_jobs_queue_consumed_here{queue="mine"} 1.0',
        'dsi_jobs_queue_consumed_here{queue="node"} 0.0',
    ):
        assert line in text, line


async def test_unknown_consumers_are_never_counted_as_none() -> None:
    metrics = JobMetrics()
    waiting = {"waiting": 3, "prioritized": 0, "paused": 0, "active": 0, "delayed": 0,
               "completed": 0, "failed": 0}  # fmt: skip
    refresher = QueueStatsRefresher(
        metrics=metrics, reader=FakeReader({"q": waiting}, None), scope=scope_of(["q"]),
        consumers=FakeConsumers(None),
    )  # fmt: skip

    await refresher.refresh()
    text = metrics.exposition().decode()
    assert "dsi_jobs_queue_unconsumed{" not in text
    assert "dsi_jobs_queue_consumers{" not in text
    assert 'dsi_jobs_queue_jobs{queue="q",state="waiting"} 3.0' in text
