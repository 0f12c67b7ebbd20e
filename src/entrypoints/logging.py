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


def configure_logging(level: str = "info") -> None:
    """Route structlog and stdlib loggers (bullmq, httpx, uvicorn) through one JSON renderer."""
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _redact,
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.dict_tracebacks,
                structlog.processors.JSONRenderer(ensure_ascii=False),
            ],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("httpx", "httpcore", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
