"""Tracing as the worker sees it: one span per job, one per upstream call, or nothing at all.

The OpenTelemetry SDK is imported only when an exporter is configured
(``APPLICATIONINSIGHTS_CONNECTION_STRING`` or ``OTEL_EXPORTER_OTLP_ENDPOINT``); otherwise the
worker gets ``NO_TRACING``, whose spans are shared do-nothing objects (docs/operations.md
"Telemetry").
"""

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any, Protocol

from entrypoints.settings import Settings

RecordOutcome = Callable[[str], None]
"""Called once with the call's outcome: ok, rate_limited, retryable, permanent or error."""


class JobSpan(Protocol):
    def finish(self, outcome: str, retry_delay_ms: int | None, error_type: str | None) -> None:
        """Record how the attempt ended: completed, retried (after a delay) or failed."""


class Tracing(Protocol):
    def job(
        self, queue: str, job_id: str, attempt: int, carrier: object
    ) -> AbstractContextManager[JobSpan]:
        """The span of one job attempt, continuing the producer's trace when ``carrier`` holds one.

        ``carrier`` is the job's BullMQ ``tm`` option, as Node bullmq's ``telemetry`` wrote it.
        """

    def call(self, upstream: str, operation: str) -> AbstractContextManager[RecordOutcome]:
        """A child span around one call to an upstream (Notify, a platform API, SOAP, ...)."""

    def log_processors(self) -> list[Any]:
        """structlog processors: the current trace and span ids on every line, and the line
        exported as an OpenTelemetry log."""

    def instrument_app(self, app: Any) -> Any:
        """The HTTP app with a server span per request."""

    def shutdown(self) -> None:
        """Flush what is buffered and stop exporting."""


class _NoSpan:
    def finish(self, outcome: str, retry_delay_ms: int | None, error_type: str | None) -> None:
        return None


def _ignore(_: str) -> None:
    return None


class NoTracing:
    """Tracing off: no SDK imported, no span objects made per job or call."""

    _span: JobSpan = _NoSpan()

    def job(
        self, queue: str, job_id: str, attempt: int, carrier: object
    ) -> AbstractContextManager[JobSpan]:
        return nullcontext(self._span)

    def call(self, upstream: str, operation: str) -> AbstractContextManager[RecordOutcome]:
        return nullcontext(_ignore)

    def log_processors(self) -> list[Any]:
        return []

    def instrument_app(self, app: Any) -> Any:
        return app

    def shutdown(self) -> None:
        return None


NO_TRACING = NoTracing()


def tracing_configured(settings: Settings) -> bool:
    return bool(
        settings.applicationinsights_connection_string or settings.otel_exporter_otlp_endpoint
    )


def start_tracing(settings: Settings) -> Tracing:
    """Exporters from the settings, or ``NO_TRACING`` (without importing the SDK) when none."""
    if not tracing_configured(settings):
        return NO_TRACING
    from entrypoints.otel import OtelTracing, exporters  # only when on

    return OtelTracing.start(exporters(settings))


@contextmanager
def traced(tracing: Tracing) -> Iterator[Tracing]:
    """``tracing`` until the block ends, then flushed and stopped."""
    try:
        yield tracing
    finally:
        tracing.shutdown()
