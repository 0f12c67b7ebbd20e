"""A ``WebhookSender`` that writes each relying-party notification to a file (local sandbox).

Nothing leaves the machine: the URL and body that would have been POSTed are appended as one
JSON object per line. The signing secret is not written.
"""

from pathlib import Path

import structlog

from adapters.common.outbox_file import OutboxFile, timestamp
from domain.model import JsonObject

log = structlog.get_logger(__name__)


class OutboxWebhookSender:
    """Appends ``{at, url, body}`` lines to ``path``."""

    def __init__(self, *, path: Path) -> None:
        self._outbox = OutboxFile(path)

    @property
    def path(self) -> Path:
        return self._outbox.path

    async def post(self, url: str, body: JsonObject, signing_secret: str) -> None:
        del signing_secret  # signs nothing: the sandbox's notifications go nowhere
        await self._outbox.append({"at": timestamp(), "url": url, "body": dict(body)})
        log.info("webhook_written_to_outbox")
