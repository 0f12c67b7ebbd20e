"""The OpenTelemetry SDK behind ``entrypoints.tracing``: exporters, spans, logs, instrumentations.

Imported only when tracing is configured. Spans carry no personal data: job and call spans hold
queue, job id, attempt, outcome, retry delay and error class (never a message); HTTP spans made
by the httpx, requests and starlette instrumentations have their URLs cut to scheme, host and
path, with e-mail addresses in the path redacted (directories looks users up by e-mail).
"""

import json
import threading
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

import structlog
from opentelemetry import propagate, trace
from opentelemetry.context import Context
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.instrumentation.requests import RequestsInstrumentor
from opentelemetry.instrumentation.starlette import StarletteInstrumentor
from opentelemetry.instrumentation.structlog import StructlogProcessor
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import BatchLogRecordProcessor, LogRecordExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter
from opentelemetry.trace import Span, SpanKind, Status, StatusCode

from domain.personal_data import redact_text
from entrypoints.settings import Settings
from entrypoints.tracing import JobSpan, RecordOutcome

log = structlog.get_logger(__name__)

SERVICE_NAME = "dsi-jobs"
FLUSH_LIMIT_S = 5.0
MAX_CARRIER_LENGTH = 4096
"""A producer's propagation carrier is a few hundred bytes; anything longer is ignored."""
URL_ATTRIBUTES = ("url.full", "http.url", "http.target", "url.path", "url.query")


@dataclass
class Exporters:
    spans: list[SpanExporter] = field(default_factory=list)
    logs: list[LogRecordExporter] = field(default_factory=list)


def exporters(settings: Settings) -> Exporters:
    """Azure Monitor for a connection string, OTLP/HTTP for an OTLP endpoint (both if both)."""
    found = Exporters()
    if settings.applicationinsights_connection_string:
        connection_string = settings.applicationinsights_connection_string.get_secret_value()
        _add_azure_monitor(found, connection_string, settings.jobs_data_dir)
    if settings.otel_exporter_otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        # Endpoint (+ /v1/traces, /v1/logs), headers, timeout: the SDK reads the OTEL_* variables.
        found.spans.append(OTLPSpanExporter())
        found.logs.append(OTLPLogExporter())
    return found


def _add_azure_monitor(found: Exporters, connection_string: str, data_dir: Path) -> None:
    """Application Insights; what it cannot take yet waits on disk under ``data_dir``."""
    from azure.monitor.opentelemetry.exporter import (
        AzureMonitorLogExporter,
        AzureMonitorTraceExporter,
    )

    storage = str(data_dir / "azure-monitor")
    found.spans.append(
        AzureMonitorTraceExporter.from_connection_string(
            connection_string, storage_directory=storage
        )
    )
    found.logs.append(
        AzureMonitorLogExporter.from_connection_string(connection_string, storage_directory=storage)
    )


class OtelTracing:
    """``Tracing`` on an SDK tracer provider; instruments httpx, requests and the HTTP app."""

    def __init__(self, provider: TracerProvider, logs: LoggerProvider | None = None) -> None:
        self._provider = provider
        self._logs = logs
        self._tracer = provider.get_tracer("dsi-jobs")

    @classmethod
    def start(cls, exporters: Exporters) -> "OtelTracing":
        """Providers exporting in batches (OTEL_BSP_*, OTEL_BLRP_* tune them), HTTP clients
        instrumented."""
        resource = Resource.create({"service.name": SERVICE_NAME})
        provider = TracerProvider(resource=resource, shutdown_on_exit=False)  # see shutdown()
        for span_exporter in exporters.spans:
            provider.add_span_processor(BatchSpanProcessor(span_exporter))
        logs = LoggerProvider(resource=resource, shutdown_on_exit=False)
        for log_exporter in exporters.logs:
            logs.add_log_record_processor(BatchLogRecordProcessor(log_exporter))
        tracing = cls(provider, logs)
        tracing.instrument_http_clients()
        return tracing

    @contextmanager
    def job(self, queue: str, job_id: str, attempt: int, carrier: object) -> Iterator[JobSpan]:
        with self._tracer.start_as_current_span(
            f"process {queue}",
            context=producer_context(carrier),
            kind=SpanKind.CONSUMER,
            attributes={
                "messaging.system": "bullmq",
                "messaging.operation.type": "process",
                "messaging.destination.name": queue,
                "messaging.message.id": job_id,
                "dsi_jobs.attempt": attempt,
            },
            record_exception=False,  # messages may hold personal data; the class is recorded
            set_status_on_exception=False,
        ) as span:
            yield _JobSpan(span)

    @contextmanager
    def call(self, upstream: str, operation: str) -> Iterator[RecordOutcome]:
        with self._tracer.start_as_current_span(
            f"{upstream} {operation}",
            kind=SpanKind.CLIENT,
            attributes={"dsi_jobs.upstream": upstream},
            record_exception=False,
            set_status_on_exception=False,
        ) as span:

            def record(outcome: str) -> None:
                span.set_attribute("dsi_jobs.outcome", outcome)
                if outcome != "ok":
                    span.set_status(Status(StatusCode.ERROR, outcome))

            yield record

    def log_processors(self) -> list[Any]:
        if self._logs is None:
            return [add_trace_ids]
        exporting = StructlogProcessor(logger_provider=self._logs)  # type: ignore[no-untyped-call]
        return [add_trace_ids, exporting]

    def instrument_app(self, app: Any) -> Any:
        StarletteInstrumentor.instrument_app(
            app, tracer_provider=self._provider, server_request_hook=_redact_server_span
        )
        return app

    def instrument_http_clients(self) -> None:
        HTTPXClientInstrumentor().instrument(
            tracer_provider=self._provider,
            request_hook=_redact_client_span,
            async_request_hook=_async_redact_client_span,
        )
        RequestsInstrumentor().instrument(
            tracer_provider=self._provider, request_hook=_redact_client_span
        )

    def shutdown(self) -> None:
        """Send what is buffered, giving up after ``FLUSH_LIMIT_S``: an unreachable collector
        must not hold the process (the exporters retry for 10 s each) past its stop deadline."""
        HTTPXClientInstrumentor().uninstrument()
        RequestsInstrumentor().uninstrument()
        flushing = threading.Thread(target=self._stop_providers, name="otel-flush", daemon=True)
        flushing.start()
        flushing.join(FLUSH_LIMIT_S)
        if flushing.is_alive():
            log.warning("telemetry_flush_abandoned", after_s=FLUSH_LIMIT_S)

    def _stop_providers(self) -> None:
        self._provider.shutdown()
        if self._logs is not None:
            self._logs.shutdown()


class _JobSpan:
    def __init__(self, span: Span) -> None:
        self._span = span

    def finish(self, outcome: str, retry_delay_ms: int | None, error_type: str | None) -> None:
        self._span.set_attribute("dsi_jobs.outcome", outcome)
        if retry_delay_ms is not None:
            self._span.set_attribute("dsi_jobs.retry_delay_ms", retry_delay_ms)
        if error_type is not None:
            self._span.set_attribute("error.type", error_type)
            self._span.set_status(Status(StatusCode.ERROR, error_type))


def producer_context(carrier: object) -> Context | None:
    """The producer's trace from Node bullmq's ``tm`` job option (a JSON W3C carrier), if any."""
    if not isinstance(carrier, str) or len(carrier) > MAX_CARRIER_LENGTH:
        return None
    try:
        fields = json.loads(carrier)
    except ValueError:
        return None
    if not isinstance(fields, dict):
        return None
    return propagate.extract({k: v for k, v in fields.items() if isinstance(v, str)})


def add_trace_ids(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """structlog processor: the current span's trace and span ids, as Azure and OTLP show them."""
    context = trace.get_current_span().get_span_context()
    if context.is_valid:
        event["trace_id"] = format(context.trace_id, "032x")
        event["span_id"] = format(context.span_id, "016x")
    return event


def redacted_url(url: str) -> str:
    """Scheme, host and path, e-mail addresses in the path redacted; no query, no credentials."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, redacted_path(parts.path), "", ""))


def redacted_path(path: str) -> str:
    """The path with each segment holding an e-mail address (plain or %-encoded) redacted."""
    return "/".join(_redacted_segment(segment) for segment in path.split("/"))


def _redacted_segment(segment: str) -> str:
    plain = unquote(segment)
    redacted = redact_text(plain)
    return segment if redacted == plain else redacted


def _redact(span: Span) -> None:
    if not span.is_recording():
        return
    attributes = getattr(span, "attributes", None) or {}
    for key in URL_ATTRIBUTES:
        value = attributes.get(key)
        if isinstance(value, str):
            span.set_attribute(key, "" if key == "url.query" else _redact_value(key, value))


def _redact_value(key: str, value: str) -> str:
    if key in ("http.target", "url.path"):
        return redacted_path(value.split("?", 1)[0])
    return redacted_url(value)


def _redact_client_span(span: Span, _: Any) -> None:
    _redact(span)


async def _async_redact_client_span(span: Span, _: Any) -> None:
    _redact(span)


def _redact_server_span(span: Span, _: Any) -> None:
    _redact(span)
