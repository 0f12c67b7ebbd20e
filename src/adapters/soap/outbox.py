"""A ``LegacyWebService`` that writes each envelope it would send to a file (the local sandbox).

The envelope is the real one: the application's formatter, WS-Security when it has a username,
under a fixed sandbox namespace, since there is no WSDL to read one from. One JSON object per
line, so a newcomer sees exactly what a legacy service would receive. The file holds the
sandbox's made-up personal data; the log line holds none.
"""

from pathlib import Path

import structlog

from adapters.common.outbox_file import OutboxFile, timestamp
from adapters.soap.envelope import render_envelope
from adapters.soap.formatters.selection import format_message
from adapters.soap.service import username_token
from domain.model import Application, LegacyMessage

log = structlog.get_logger(__name__)

SANDBOX_NAMESPACE = "urn:dsi-jobs:sandbox:legacy-provisioning"


class SoapEnvelopeOutbox:
    """Appends ``{at, application_id, operation, action, envelope}`` lines to ``path``."""

    def __init__(self, *, path: Path) -> None:
        self._outbox = OutboxFile(path)

    @property
    def path(self) -> Path:
        return self._outbox.path

    async def provision(self, application: Application, message: LegacyMessage) -> None:
        body = format_message(application, message)
        envelope = render_envelope(
            body, target_namespace=SANDBOX_NAMESPACE, token=username_token(application)
        )
        await self._outbox.append(
            {
                "at": timestamp(),
                "application_id": application.id,
                "operation": message.operation,
                "action": message.action,
                "envelope": envelope,
            }
        )
        log.info(
            "legacy_message_written_to_outbox",
            application_id=application.id,
            operation=message.operation,
            action=message.action,
        )
