"""A ``WebhookSender`` that writes each relying-party notification to a file (local sandbox).

Nothing leaves the machine: the URL and body that would have been POSTed are appended as one
JSON object per line. The signing secret is not written.
"""

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

import structlog

from domain.model import JsonObject

log = structlog.get_logger(__name__)


class OutboxWebhookSender:
    """Appends ``{at, url, body}`` lines to ``path``."""

    def __init__(self, *, path: Path) -> None:
        self._path = path
        self._lock = asyncio.Lock()

    @property
    def path(self) -> Path:
        return self._path

    async def post(self, url: str, body: JsonObject, signing_secret: str) -> None:
        del signing_secret  # signs nothing: the sandbox's notifications go nowhere
        line = json.dumps(
            {"at": datetime.now(UTC).isoformat(), "url": url, "body": dict(body)},
            ensure_ascii=False,
        )
        async with self._lock:
            await asyncio.to_thread(self._append, line)
        log.info("webhook_written_to_outbox")

    def _append(self, line: str) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        with self._path.open("a", encoding="utf-8") as outbox:
            outbox.write(line + "\n")
