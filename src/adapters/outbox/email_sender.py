"""Write each e-mail that would be sent to an outbox file (JSON lines) and the log.

Used when ``GOVNOTIFY_API_KEY`` is not set, so the worker runs on a fresh machine and people can
see what it would have sent. The file holds recipients; the log line does not.
"""

import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path

import structlog

from adapters.common.outbox_file import OutboxFile, timestamp
from adapters.common.templates import TemplateMap
from domain.model import EmailMessage

log = structlog.get_logger(__name__)


class OutboxEmailSender:
    """``EmailSender`` appending to ``path``. ``templates`` of ``None`` accepts every key."""

    def __init__(self, *, path: Path, templates: Mapping[str, str] | None = None) -> None:
        self._outbox = OutboxFile(path)
        self._templates = TemplateMap(dict(templates)) if templates else None

    @property
    def path(self) -> Path:
        return self._outbox.path

    def require_templates(self, template_keys: Iterable[str]) -> None:
        if self._templates is not None:
            self._templates.require(template_keys)

    async def send(self, message: EmailMessage) -> str:
        key = message.template_key
        template_id = self._templates.id_for(key) if self._templates is not None else None
        notification_id = str(uuid.uuid4())
        await self._outbox.append(
            {
                "id": notification_id,
                "at": timestamp(),
                "template_key": key,
                "template_id": template_id,
                "email_address": message.recipient,
                "personalisation": dict(message.personalisation),
                "reference": message.reference,
                "sanitise_content_for": list(message.plain_text_fields),
            }
        )
        log.info(
            "email_written_to_outbox",
            template_key=message.template_key,
            reference=message.reference,
            notification_id=notification_id,
        )
        return notification_id

    async def was_sent(self, reference: str) -> bool:
        return await self._outbox.any(lambda record: record.get("reference") == reference)
