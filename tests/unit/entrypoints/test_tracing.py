"""Tracing with the SDK's in-memory exporter: the job span, its children, the producer's trace,
trace ids on log lines, and no personal data or secrets in any attribute."""

import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
import structlog
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import InMemoryLogRecordExporter, SimpleLogRecordProcessor
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter, SpanExportResult
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode
from pydantic import BaseModel
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route
from structlog.testing import capture_logs

from domain.errors import UpstreamUnavailable
from domain.model import JobContext
from entrypoints import otel
from entrypoints.otel import Exporters, OtelTracing, add_trace_ids, redacted_url
from entrypoints.registry import JobSpec
from entrypoints.telemetry import ObservedCalls
from entrypoints.worker.bullmq_worker import JobAttemptFailed, make_processor
from entrypoints.worker.retry import EMAIL_RETRY
from tests.support.asgi_server import serve

EMAIL = "alice.smith@example.com"
PRODUCER_TRACE = "0af7651916cd43dd8448eb211c80319c"
PRODUCER_SPAN = "b7ad6b7169203331"


class Payload(BaseModel):
    user: str


@pytest.fixture
def spans() -> Iterator[tuple[OtelTracing, InMemorySpanExporter]]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracing = OtelTracing(provider)
    tracing.instrument_http_clients()
    yield tracing, exporter
    tracing.shutdown()


def job(data: dict[str, Any], opts: dict[str, Any] | None = None) -> Any:
    return SimpleNamespace(
        id="42", name="q", data=data, opts=opts or {}, attemptsMade=0, stalledCounter=0,
        timestamp=int(time.time() * 1000),
    )  # fmt: skip


def upstream() -> Starlette:
    async def user(request: Request) -> JSONResponse:
        return JSONResponse({"sub": "u1"})

    return Starlette(routes=[Route("/users/{id}", user)])


class Directories:
    """An adapter making one real HTTP call, as HttpDirectories does."""

    def __init__(self, base_url: str) -> None:
        self._base_url = base_url

    async def get_user(self, email: str) -> Any:
        async with httpx.AsyncClient() as client:
            answer = await client.get(f"{self._base_url}/users/{email}", params={"key": "s3cr3t"})
        return answer.json()


def by_name(exported: tuple[ReadableSpan, ...]) -> dict[str, ReadableSpan]:
    return {span.name: span for span in exported}


def every_value(exported: tuple[ReadableSpan, ...]) -> str:
    return json.dumps([dict(span.attributes or {}) for span in exported], default=str)


async def test_a_job_is_one_span_parent_of_its_upstream_calls_and_their_http_requests(
    spans: tuple[OtelTracing, InMemorySpanExporter],
) -> None:
    tracing, exporter = spans
    async with serve(upstream()) as base_url:
        directories = ObservedCalls(Directories(base_url), "platform_api", lambda *_: None, tracing)

        async def handler(command: Payload, context: JobContext) -> Any:
            return await directories.get_user(command.user)

        spec = JobSpec("sendinvitation", Payload, handler)
        await make_processor(spec, tracing=tracing)(job({"user": EMAIL}), "token")

    found = by_name(exporter.get_finished_spans())
    job_span, call, http = (
        found["process sendinvitation"],
        found["platform_api get_user"],
        found["GET"],
    )
    assert job_span.kind is SpanKind.CONSUMER
    assert job_span.parent is None
    assert dict(job_span.attributes or {}) == {
        "messaging.system": "bullmq",
        "messaging.operation.type": "process",
        "messaging.destination.name": "sendinvitation",
        "messaging.message.id": "42",
        "dsi_jobs.attempt": 1,
        "dsi_jobs.outcome": "completed",
    }
    assert call.kind is SpanKind.CLIENT
    assert call.parent is not None
    assert call.parent.span_id == job_span.context.span_id
    assert (call.attributes or {})["dsi_jobs.outcome"] == "ok"
    assert http.kind is SpanKind.CLIENT
    assert http.parent is not None
    assert http.parent.span_id == call.context.span_id
    assert {span.context.trace_id for span in found.values()} == {job_span.context.trace_id}
    urls = [v for k, v in (http.attributes or {}).items() if k in ("url.full", "http.url")]
    assert urls == [f"{base_url}/users/[email]"]
    assert "alice" not in every_value(exporter.get_finished_spans())
    assert "s3cr3t" not in every_value(exporter.get_finished_spans())


async def test_a_retried_attempt_records_outcome_delay_and_error_class_only(
    spans: tuple[OtelTracing, InMemorySpanExporter],
) -> None:
    tracing, exporter = spans

    async def handler(command: Payload, context: JobContext) -> Any:
        raise UpstreamUnavailable(f"directories said no about {command.user}")

    spec = JobSpec("passwordreset_v1", Payload, handler, retry=EMAIL_RETRY)
    with pytest.raises(JobAttemptFailed):
        await make_processor(spec, tracing=tracing)(job({"user": EMAIL}), "token")

    [span] = exporter.get_finished_spans()
    attributes = dict(span.attributes or {})
    assert attributes["dsi_jobs.outcome"] == "retried"
    assert 7_500 <= int(attributes["dsi_jobs.retry_delay_ms"]) <= 15_000  # type: ignore[call-overload]
    assert attributes["error.type"] == "UpstreamUnavailable"
    assert span.status.status_code is StatusCode.ERROR
    assert span.events == ()  # no exception event: its message could hold personal data
    assert "alice" not in every_value((span,)) + str(span.status.description)


async def test_the_producers_trace_is_continued(
    spans: tuple[OtelTracing, InMemorySpanExporter],
) -> None:
    tracing, exporter = spans
    carrier = json.dumps({"traceparent": f"00-{PRODUCER_TRACE}-{PRODUCER_SPAN}-01"})

    async def handler(command: Payload, context: JobContext) -> None:
        return None

    process = make_processor(JobSpec("test", Payload, handler), tracing=tracing)
    await process(job({"user": "u"}, {"tm": carrier}), "token")
    for broken in ("{not json", json.dumps(["x"]), "x" * 10_000, 42):
        await process(job({"user": "u"}, {"tm": broken}), "token")

    continued, *fresh = exporter.get_finished_spans()
    assert format(continued.context.trace_id, "032x") == PRODUCER_TRACE
    assert continued.parent is not None
    assert format(continued.parent.span_id, "016x") == PRODUCER_SPAN
    assert len(fresh) == 4
    assert all(span.parent is None for span in fresh)
    assert len({span.context.trace_id for span in fresh}) == 4


async def test_every_log_line_of_a_job_carries_its_trace_id(
    spans: tuple[OtelTracing, InMemorySpanExporter],
) -> None:
    tracing, exporter = spans

    async def handler(command: Payload, context: JobContext) -> None:
        structlog.get_logger("handler").info("handler_ran")

    with capture_logs(processors=[add_trace_ids]) as logs:
        await make_processor(JobSpec("test", Payload, handler), tracing=tracing)(
            job({"user": "u"}), "token"
        )

    [span] = exporter.get_finished_spans()
    trace_id = format(span.context.trace_id, "032x")
    assert [(entry["event"], entry.get("trace_id")) for entry in logs] == [
        ("handler_ran", trace_id),
        ("job_finished", trace_id),
    ]


async def test_log_lines_are_exported_as_logs_of_the_jobs_trace() -> None:
    spans, logs = InMemorySpanExporter(), InMemoryLogRecordExporter()
    provider, log_provider = TracerProvider(), LoggerProvider()
    provider.add_span_processor(SimpleSpanProcessor(spans))
    log_provider.add_log_record_processor(SimpleLogRecordProcessor(logs))
    tracing = OtelTracing(provider, log_provider)

    async def handler(command: Payload, context: JobContext) -> None:
        structlog.get_logger("handler").info("handler_ran", step=1)

    with capture_logs(processors=tracing.log_processors()):
        await make_processor(JobSpec("test", Payload, handler), tracing=tracing)(
            job({"user": "u"}), "token"
        )

    [span] = spans.get_finished_spans()
    exported = [entry.log_record for entry in logs.get_finished_logs()]
    assert [(record.body, record.trace_id) for record in exported] == [
        ("handler_ran", span.context.trace_id),
        ("job_finished", span.context.trace_id),
    ]
    assert (exported[0].attributes or {})["step"] == 1


async def test_server_spans_of_the_http_app_hide_query_tokens(
    spans: tuple[OtelTracing, InMemorySpanExporter],
) -> None:
    tracing, exporter = spans

    async def dashboard(request: Request) -> PlainTextResponse:
        return PlainTextResponse("ok")

    app = tracing.instrument_app(Starlette(routes=[Route("/dashboard", dashboard)]))
    async with serve(app) as base_url, httpx.AsyncClient() as client:
        await client.get(f"{base_url}/dashboard", params={"token": "b3arer"})

    server = [s for s in exporter.get_finished_spans() if s.kind is SpanKind.SERVER]
    assert [span.name for span in server] == ["GET /dashboard"]
    assert "b3arer" not in every_value(exporter.get_finished_spans())


class Unreachable(SpanExporter):
    """A collector that never answers, as a dead endpoint with retries looks from here."""

    def __init__(self) -> None:
        self.released = threading.Event()

    def export(self, spans: Any) -> SpanExportResult:
        self.released.wait(30)
        return SpanExportResult.FAILURE


def test_an_unreachable_collector_does_not_hold_the_shutdown(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(otel, "FLUSH_LIMIT_S", 0.2)
    exporter = Unreachable()
    tracing = OtelTracing.start(Exporters(spans=[exporter]))
    with tracing.job("test", "1", 1, None):
        pass

    started = time.monotonic()
    with capture_logs() as logs:
        tracing.shutdown()
    waited = time.monotonic() - started
    exporter.released.set()

    assert waited < 2
    assert [entry["event"] for entry in logs] == ["telemetry_flush_abandoned"]


@pytest.mark.parametrize(
    ("url", "redacted"),
    [
        (f"https://dir.example/invitations/by-email/{EMAIL}?a=b", "https://dir.example/invitations/by-email/[email]"),
        ("https://user:pw@host:8443/p/q#frag", "https://host:8443/p/q"),
        ("http://h/users/alice%40example.com/services", "http://h/users/[email]/services"),
    ],
)  # fmt: skip
def test_urls_keep_scheme_host_and_path_only(url: str, redacted: str) -> None:
    assert redacted_url(url) == redacted


def test_tracing_off_imports_no_tracing_sdk(tmp_path: Path) -> None:
    """redis-py imports ``opentelemetry.sdk.metrics`` by itself when installed; nothing more."""
    code = (
        "import sys\n"
        "from entrypoints.settings import Settings\n"
        "from entrypoints.tracing import NO_TRACING, start_tracing\n"
        "import entrypoints.cli, entrypoints.worker.main\n"
        "assert start_tracing(Settings(_env_file=None)) is NO_TRACING\n"
        "print(sorted(name for name in sys.modules if name.startswith(("
        "'opentelemetry.sdk.trace', 'opentelemetry.instrumentation', 'opentelemetry.exporter',"
        " 'opentelemetry.propagate', 'azure.monitor', 'entrypoints.otel'))))\n"
    )
    found = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True,
        env={"PYTHONPATH": str(Path(__file__).parents[3] / "src")},
    )  # fmt: skip
    assert found.stdout.strip() == "[]"
