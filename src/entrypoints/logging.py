"""structlog set-up: one JSON object per line, personal data and secrets redacted as a backstop."""

import logging
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

from domain.errors import redact_personal_data

SENSITIVE_KEYS = frozenset(
    {
        "email", "email_address", "recipient", "password", "code", "api_key", "token",
        "secret", "authorization", "personalisation", "given_name", "family_name", "name",
    }
)  # fmt: skip


def _redact(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key in list(event):
        if key.lower() in SENSITIVE_KEYS:
            event[key] = "[redacted]"
        elif isinstance(event[key], str):  # "event" too: library loggers put free text there
            event[key] = redact_personal_data(event[key])
    return event


def configure_logging(level: str = "info", *, cache: bool = False) -> None:
    """One JSON object per line on stdout, from structlog and from stdlib loggers alike.

    Our own events take structlog's native path (no stdlib logging on the per-job hot path);
    library loggers (bullmq, httpx, uvicorn, Notify's client) go through a stdlib handler with
    the same processors. ``cache`` binds loggers once: for the worker process, not for tests.
    """
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _redact,
    ]
    render: list[Any] = [
        structlog.processors.dict_tracebacks,
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
