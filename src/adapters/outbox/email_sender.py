"""Write each e-mail that would be sent to an outbox file (JSON lines) and the log.

Used when ``GOVNOTIFY_API_KEY`` is not set, so the worker runs on a fresh machine and people can
see what it would have sent. The file holds recipients; the log line does not.
"""

import asyncio
import json
import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path

import structlog

from domain.errors import TemplateNotConfigured
from domain.model import EmailMessage

log = structlog.get_logger(__name__)


class OutboxEmailSender:
    """``EmailSender`` appending to ``path``. ``templates`` of ``None`` accepts every key."""

    def __init__(self, *, path: Path, templates: Mapping[str, str] | None = None) -> None:
        self._path = path
        self._templates = dict(templates) if templates else None
        self._lock = asyncio.Lock()

    @property
    def path(self) -> Path:
        return self._path

    def require_templates(self, template_keys: Iterable[str]) -> None:
        if self._templates is None:
            return
        for key in template_keys:
            if not self._templates.get(key):
                raise TemplateNotConfigured(key)

    async def send(self, message: EmailMessage) -> str:
        self.require_templates([message.template_key])
        notification_id = str(uuid.uuid4())
        line = json.dumps(
            {
                "id": notification_id,
                "at": datetime.now(UTC).isoformat(),
                "template_key": message.template_key,
                "template_id": (self._templates or {}).get(message.template_key),
                "email_address": message.recipient,
                "personalisation": dict(message.personalisation),
                "reference": message.reference,
                "sanitise_content_for": list(message.plain_text_fields),
            },
            ensure_ascii=False,
        )
        async with self._lock:
            await asyncio.to_thread(self._append, line)
        log.info(
            "email_written_to_outbox",
            template_key=message.template_key,
            reference=message.reference,
            notification_id=notification_id,
        )
        return notification_id

    async def was_sent(self, reference: str) -> bool:
        async with self._lock:
            return await asyncio.to_thread(self._contains_reference, reference)

    def _contains_reference(self, reference: str) -> bool:
        if not self._path.exists():
            return False
        with self._path.open(encoding="utf-8") as outbox:
            return any(json.loads(line).get("reference") == reference for line in outbox)

    def _append(self, line: str) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        with self._path.open("a", encoding="utf-8") as outbox:
            outbox.write(line + "\n")
