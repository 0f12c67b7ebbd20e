"""A real ``dsi-jobs worker`` exports a job's spans and log lines over OTLP/HTTP, continuing the
trace of a Node producer that used bullmq's ``telemetry`` option."""

import json
from pathlib import Path

from tests.e2e.harness import eventually, queue_url
from tests.support.asgi_server import serve
from tests.support.otlp_receiver import OtlpReceiver
from tests.support.processes import node_async, running_worker
from tests.support.redis_server import RedisServer, free_port

PRODUCER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
PRODUCER_SPAN = "00f067aa0ba902b7"
RESET = {
    "email": "alice@example.com", "firstName": "Alice", "lastName": "Smith", "code": "123456",
    "clientId": "c1", "uid": "u1",
}  # fmt: skip


async def test_the_worker_exports_the_jobs_spans_to_an_otlp_receiver(
    private_redis: RedisServer, tmp_path: Path
) -> None:
    receiver = OtlpReceiver()
    async with serve(receiver.app) as receiver_url:
        env = {
            "LOCAL_ENV": "dev",
            "LOCAL_REDIS_CONN": private_redis.url,
            "JOBS_DATA_DIR": str(tmp_path / "data"),
            "STANDALONE_INTERACTIONS_HOST_NAME": "interactions.test",
            "STANDALONE_HELP_HOST_NAME": "help.test",
            "OTEL_EXPORTER_OTLP_ENDPOINT": receiver_url,
            "OTEL_BSP_SCHEDULE_DELAY": "100",  # export within 0.1 s instead of 5 s
        }
        async with running_worker(env, tmp_path, free_port()):
            [job_id] = await node_async(
                "produce.mjs", queue_url(private_redis), "passwordreset_v1",
                json.dumps([RESET]), f"00-{PRODUCER_TRACE}-{PRODUCER_SPAN}-01",
            )  # fmt: skip
            job = await eventually(
                lambda: receiver.named("process passwordreset_v1"), "the job's span", 30
            )
            send = await eventually(lambda: receiver.named("outbox send"), "the e-mail's span")
            exported = await eventually(
                lambda: [log for log in receiver.logs if log["body"] == "job_finished"],
                "the job's log line",
            )

    assert job["service"] == "dsi-jobs"
    assert (job["trace_id"], job["parent_span_id"]) == (PRODUCER_TRACE, PRODUCER_SPAN)
    assert job["attributes"]["messaging.message.id"] == job_id
    assert job["attributes"]["dsi_jobs.outcome"] == "completed"
    assert (send["trace_id"], send["parent_span_id"]) == (PRODUCER_TRACE, job["span_id"])
    assert [log["trace_id"] for log in exported] == [PRODUCER_TRACE]
    assert "alice" not in json.dumps([receiver.spans, receiver.logs]).lower()
    lines = [json.loads(line) for line in (tmp_path / "worker.log").read_text().splitlines()]
    [finished] = [line for line in lines if line.get("event") == "job_finished"]
    assert finished["trace_id"] == PRODUCER_TRACE
