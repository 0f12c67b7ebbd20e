"""structlog set-up: JSON lines, or human-readable lines in a terminal; personal data and
secrets redacted as a backstop in both.

Exceptions are rendered *without* frame locals (structlog's and Rich's pretty tracebacks show
them, and locals hold request headers, form bodies, connection URLs and job data): as structured
tracebacks in JSON, as Python's plain traceback text on the console. Redaction runs *after* the
exception is rendered and *before* the renderer, over every value of the line: messages,
exception texts and library log lines alike, whichever renderer follows. Configured secrets are
replaced wherever they appear. The console renderer also drops control characters, so a logged
value cannot restyle or retitle the terminal.
"""

import logging
import sys
from collections.abc import Iterable, MutableMapping, Sequence
from typing import Any
from urllib.parse import quote, quote_plus

import structlog
from structlog.tracebacks import ExceptionDictTransformer

from domain.personal_data import REDACTED, is_sensitive_key, redact_text
from entrypoints.terminal import printable

MIN_SECRET_CHARS = 8
"""Shorter configured values are not replaced literally (they would blank ordinary words)."""
MAX_NESTING = 16
"""Deeper values in a line (a pathological exception group) are rendered as text."""
SAFE_KEYS = frozenset({"timestamp", "level"})
"""Written by our own processors, never from data: not searched."""
LOG_FORMATS = ("auto", "json", "console")
"""``auto``: console lines when stdout is a terminal, JSON otherwise (``JOBS_LOG_FORMAT``)."""


class Redactor:
    """The processor: sensitive keys blanked, every string redacted, configured secrets removed."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        literal = {value for value in secrets if len(value) >= MIN_SECRET_CHARS}
        encoded = {form(value, safe="") for value in literal for form in (quote, quote_plus)}
        self._secrets = tuple(sorted(literal | encoded, key=len, reverse=True))
        self._shortest_secret = min(map(len, self._secrets), default=0)
        self._sensitive: dict[str, bool] = {}

    def __call__(
        self, _: Any, __: str, event: MutableMapping[str, Any]
    ) -> MutableMapping[str, Any]:
        for key in list(event):
            if key in SAFE_KEYS:
                continue
            if key != "event" and self._is_sensitive(key):
                event[key] = REDACTED
            else:
                event[key] = self._clean(event[key], 0)
        return event

    def _is_sensitive(self, key: str) -> bool:
        """Per key name, remembered: a process logs a few dozen distinct keys."""
        sensitive = self._sensitive.get(key)
        if sensitive is None:
            sensitive = is_sensitive_key(key)
            if len(self._sensitive) < 10_000:
                self._sensitive[key] = sensitive
        return sensitive

    def _clean(self, value: Any, depth: int) -> Any:
        if isinstance(value, str):
            secrets = self._secrets if len(value) >= self._shortest_secret else ()
            return redact_text(value, secrets)
        if value is None or isinstance(value, bool | int | float):
            return value
        if depth < MAX_NESTING and isinstance(value, dict):
            return {str(k): self._clean(v, depth + 1) for k, v in value.items()}
        if depth < MAX_NESTING and isinstance(value, list | tuple):
            return [self._clean(item, depth + 1) for item in value]
        return redact_text(repr(value), self._secrets)


def configure_logging(
    level: str = "info",
    *,
    cache: bool = False,
    secrets: Iterable[str] = (),
    log_format: str = "auto",
    context: Sequence[Any] = (),
) -> None:
    """One line per event on stdout, from structlog and from stdlib loggers alike.

    Our own events take structlog's native path (no stdlib logging on the per-job hot path);
    library loggers (bullmq, httpx, uvicorn, asyncio, Notify's client) go through a stdlib
    handler with the same processors. ``secrets`` are the configured secret values, removed
    from every line. ``log_format`` is one of ``LOG_FORMATS``. ``cache`` binds loggers once:
    for the worker process, not for tests. ``context`` processors see every redacted line (with
    tracing on: they add the trace and span ids and export the line as an OpenTelemetry log).
    """
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    render = _renderers(Redactor(secrets), console=_console(log_format), context=context)
    structlog.configure(
        processors=[*shared, *render],
        logger_factory=structlog.PrintLoggerFactory(),
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        cache_logger_on_first_use=cache,
    )
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[structlog.stdlib.add_logger_name, *shared],
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *render],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("httpx", "httpcore", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
    for library in ("uvicorn", "uvicorn.error", "uvicorn.access", "asyncio"):
        _through_root(logging.getLogger(library))


def _console(log_format: str) -> bool:
    if log_format not in LOG_FORMATS:
        raise ValueError(f"log format must be one of {', '.join(LOG_FORMATS)}")
    return log_format == "console" or (log_format == "auto" and sys.stdout.isatty())


def _renderers(redactor: Redactor, *, console: bool, context: Sequence[Any] = ()) -> list[Any]:
    """Exception rendering, then redaction, then the renderer: the same order for both."""
    if not console:
        return [
            structlog.processors.ExceptionRenderer(ExceptionDictTransformer(show_locals=False)),
            redactor,
            *context,
            structlog.processors.JSONRenderer(ensure_ascii=False),
        ]
    return [
        structlog.processors.ExceptionRenderer(),  # Python's own traceback text: no locals
        redactor,
        *context,
        _printable_values,
        structlog.dev.ConsoleRenderer(colors=sys.stdout.isatty(), sort_keys=False),
    ]


def _printable_values(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """No control characters reach the terminal (the renderer prints the event text as is)."""
    for key, value in event.items():
        if isinstance(value, str):
            event[key] = printable(value)
    return event


def _through_root(logger: logging.Logger) -> None:
    """A library logger with handlers of its own would bypass the redaction: send it to root."""
    logger.handlers[:] = []
    logger.propagate = True
