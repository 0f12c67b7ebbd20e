"""structlog set-up: one JSON object per line, personal data and secrets redacted as a backstop.

Exceptions are rendered as structured tracebacks *without* frame locals (structlog shows them
by default, and locals hold request headers, form bodies, connection URLs and job data), and
redaction runs *after* rendering, over every value of the line: messages, exception texts and
library log lines alike. Configured secrets are replaced wherever they appear.
"""

import logging
import sys
from collections.abc import Iterable, MutableMapping
from typing import Any
from urllib.parse import quote, quote_plus

import structlog
from structlog.tracebacks import ExceptionDictTransformer

from domain.personal_data import REDACTED, is_sensitive_key, redact_text

MIN_SECRET_CHARS = 8
"""Shorter configured values are not replaced literally (they would blank ordinary words)."""
MAX_NESTING = 16
"""Deeper values in a line (a pathological exception group) are rendered as text."""


class Redactor:
    """The processor: sensitive keys blanked, every string redacted, configured secrets removed."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        literal = {value for value in secrets if len(value) >= MIN_SECRET_CHARS}
        encoded = {form(value, safe="") for value in literal for form in (quote, quote_plus)}
        self._secrets = tuple(sorted(literal | encoded, key=len, reverse=True))

    def __call__(
        self, _: Any, __: str, event: MutableMapping[str, Any]
    ) -> MutableMapping[str, Any]:
        for key in list(event):
            if key == "event" or not is_sensitive_key(key):
                event[key] = self._clean(event[key], 0)
            else:
                event[key] = REDACTED
        return event

    def _clean(self, value: Any, depth: int) -> Any:
        if isinstance(value, str):
            return redact_text(value, self._secrets)
        if value is None or isinstance(value, bool | int | float):
            return value
        if depth < MAX_NESTING and isinstance(value, dict):
            return {str(k): self._clean(v, depth + 1) for k, v in value.items()}
        if depth < MAX_NESTING and isinstance(value, list | tuple):
            return [self._clean(item, depth + 1) for item in value]
        return redact_text(repr(value), self._secrets)


def configure_logging(
    level: str = "info", *, cache: bool = False, secrets: Iterable[str] = ()
) -> None:
    """One JSON object per line on stdout, from structlog and from stdlib loggers alike.

    Our own events take structlog's native path (no stdlib logging on the per-job hot path);
    library loggers (bullmq, httpx, uvicorn, asyncio, Notify's client) go through a stdlib
    handler with the same processors. ``secrets`` are the configured secret values, removed
    from every line. ``cache`` binds loggers once: for the worker process, not for tests.
    """
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    render: list[Any] = [
        structlog.processors.ExceptionRenderer(ExceptionDictTransformer(show_locals=False)),
        Redactor(secrets),
        structlog.processors.JSONRenderer(ensure_ascii=False),
    ]
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


def _through_root(logger: logging.Logger) -> None:
    """A library logger with handlers of its own would bypass the redaction: send it to root."""
    logger.handlers[:] = []
    logger.propagate = True
