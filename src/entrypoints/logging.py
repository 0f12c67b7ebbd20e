"""structlog set-up: JSON lines, or human-readable lines in a terminal; personal data and
secrets redacted as a backstop in both.

Exceptions are rendered *without* frame locals (structlog's and Rich's pretty tracebacks show
them, and locals hold request headers, form bodies, connection URLs and job data): as structured
tracebacks in JSON, as Python's plain traceback text on the console. Redaction runs *after* the
exception is rendered and *before* the renderer, over every value of the line: messages,
exception texts and library log lines alike, whichever renderer follows. Configured secrets are
replaced wherever they appear. The console renderer also drops control characters, so a logged
value cannot restyle or retitle the terminal.

The worker logs a line or two per job, so the path is kept cheap (bench/README.md, "the real
process"): the job's fields are one context variable, not four; short values already found clean
are remembered (only those: nothing that needed redacting is kept); the configured secrets are
one pattern; the timestamp is added after redaction, since we make it.
"""

import logging
import re
import sys
import time
from collections.abc import Iterable, MutableMapping, Sequence
from contextvars import ContextVar
from typing import Any
from urllib.parse import quote, quote_plus

import structlog
from structlog.tracebacks import ExceptionDictTransformer

from domain.personal_data import REDACTED, is_sensitive_key, redact_text, truncate
from entrypoints.terminal import printable

MIN_SECRET_CHARS = 8
"""Shorter configured values are not replaced literally (they would blank ordinary words)."""
MAX_NESTING = 16
"""Deeper values in a line (a pathological exception group) are rendered as text."""
SAFE_KEYS = frozenset({"timestamp", "level"})
"""Written by our own processors, never from data: not searched."""
LOG_FORMATS = ("auto", "json", "console")
"""``auto``: console lines when stdout is a terminal, JSON otherwise (``JOBS_LOG_FORMAT``)."""
CLEAN_TEXT_CHARS = 128
"""Values up to this length found clean are remembered (queue names, events, outcomes)."""
MAX_REMEMBERED = 4096
"""Remembered clean values and key verdicts; the memory is emptied when it is full."""

_JOB_FIELDS: ContextVar[dict[str, Any] | None] = ContextVar("dsi_jobs_job_fields", default=None)


class job_fields:
    """Every line logged inside the block (by the job's own code too) carries ``fields``."""

    __slots__ = ("_fields", "_token")

    def __init__(self, **fields: Any) -> None:
        self._fields = fields

    def __enter__(self) -> None:
        self._token = _JOB_FIELDS.set(self._fields)

    def __exit__(self, *_: object) -> None:
        _JOB_FIELDS.reset(self._token)


def merge_job_fields(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """The processor that adds the fields of ``job_fields`` (a line's own values win)."""
    fields = _JOB_FIELDS.get()
    if fields:
        for key, value in fields.items():
            event.setdefault(key, value)
    return event


class Redactor:
    """The processor: sensitive keys blanked, every string redacted, configured secrets removed."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        literal = {value for value in secrets if len(value) >= MIN_SECRET_CHARS}
        encoded = {form(value, safe="") for value in literal for form in (quote, quote_plus)}
        self._secrets = tuple(sorted(literal | encoded, key=len, reverse=True))
        self._secret_pattern = (
            re.compile("|".join(re.escape(secret) for secret in self._secrets))
            if self._secrets
            else None
        )
        self._clean_texts: set[str] = set()
        self._sensitive_keys: dict[str, bool] = {}

    def __call__(
        self, _: Any, __: str, event: MutableMapping[str, Any]
    ) -> MutableMapping[str, Any]:
        for key in list(event):
            if key in SAFE_KEYS:
                continue
            if key == "event" or not self._sensitive(key):
                event[key] = self._clean(event[key], 0)
            else:
                event[key] = REDACTED
        return event

    def _sensitive(self, key: Any) -> bool:
        verdict = self._sensitive_keys.get(key) if isinstance(key, str) else None
        if verdict is None:
            verdict = is_sensitive_key(key)
            if isinstance(key, str):
                _remember(self._sensitive_keys, key, verdict)
        return verdict

    def _text(self, value: str) -> str:
        if value in self._clean_texts:
            return value
        text = truncate(value)
        if self._secret_pattern is not None:
            text = self._secret_pattern.sub(REDACTED, text)
        text = redact_text(text)
        if text == value and len(value) <= CLEAN_TEXT_CHARS:
            if len(self._clean_texts) >= MAX_REMEMBERED:
                self._clean_texts.clear()
            self._clean_texts.add(value)
        return text

    def _clean(self, value: Any, depth: int) -> Any:
        if isinstance(value, str):
            return self._text(value)
        if value is None or isinstance(value, bool | int | float):
            return value
        if depth < MAX_NESTING and isinstance(value, dict):
            return {str(k): self._clean(v, depth + 1) for k, v in value.items()}
        if depth < MAX_NESTING and isinstance(value, list | tuple):
            return [self._clean(item, depth + 1) for item in value]
        return self._text(repr(value))


class UtcTimeStamper:
    """``timestamp`` as ISO 8601 UTC with microseconds (``2026-01-31T08:00:00.123456Z``).

    structlog's ``TimeStamper`` builds a ``datetime`` per line; this formats the date and time
    once per second and adds the microseconds.
    """

    def __init__(self) -> None:
        self._second = -1
        self._prefix = ""

    def __call__(
        self, _: Any, __: str, event: MutableMapping[str, Any]
    ) -> MutableMapping[str, Any]:
        now = time.time()
        second = int(now)
        if second != self._second:
            self._second = second
            self._prefix = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        event["timestamp"] = f"{self._prefix}.{int((now - second) * 1_000_000):06d}Z"
        return event


def _remember(memory: dict[str, bool], key: str, verdict: bool) -> None:
    if len(memory) >= MAX_REMEMBERED:
        memory.clear()
    memory[key] = verdict


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
        merge_job_fields,
        structlog.processors.add_log_level,
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
    stamp = UtcTimeStamper()
    if not console:
        return [
            structlog.processors.ExceptionRenderer(ExceptionDictTransformer(show_locals=False)),
            redactor,
            stamp,
            *context,
            structlog.processors.JSONRenderer(ensure_ascii=False),
        ]
    return [
        structlog.processors.ExceptionRenderer(),  # Python's own traceback text: no locals
        redactor,
        stamp,
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
