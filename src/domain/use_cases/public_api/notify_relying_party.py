"""``publicinvitationnotifyrelyingparty_v1``
(docs/public-api-jobs.md#publicinvitationnotifyrelyingparty_v1): call a relying party's webhook.

Tells the service that asked for an invitation that the person now has an account (or already
had one). The body is signed with the service's own ``api_secret`` when the job names its client
id, else with the platform's default signing secret. The callback URL comes from whoever called the
public API, so the ``WebhookSender`` vets it before sending anything.
"""

from dataclasses import dataclass
from typing import Any

import structlog
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from domain.errors import NotFound, UpstreamMisconfigured
from domain.model import JobContext
from ports.directories import ApplicationDirectory
from ports.webhook import WebhookSender

log = structlog.get_logger(__name__)

NOTIFY_RELYING_PARTY_QUEUE = "publicinvitationnotifyrelyingparty_v1"

SourceId = str | int
"""The caller's own id for the invitation, passed back unchanged (producers may send a number)."""


class NotifyRelyingParty(BaseModel):
    """Wire payload; ``callback``, ``state`` and ``clientId`` may be absent."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    userId: str = Field(min_length=1)
    sourceId: SourceId | None = None
    callback: str | None = None
    state: str | None = None
    clientId: str | None = None

    def webhook_body(self) -> dict[str, Any]:
        """``{sub, sourceId, state}`` without the values the producer left out."""
        body = {"sub": self.userId, "sourceId": self.sourceId, "state": self.state}
        return {key: value for key, value in body.items() if value is not None}


@dataclass(frozen=True, kw_only=True)
class NotifyRelyingPartyUseCase:
    """POSTs the signed body to the callback; no callback means nothing to do."""

    applications: ApplicationDirectory
    webhook: WebhookSender
    default_secret: SecretStr | None
    default_secret_setting: str
    """What the deployment calls the default secret, for the failure when it is missing."""

    async def __call__(self, command: NotifyRelyingParty, context: JobContext) -> dict[str, bool]:
        if not command.callback:
            log.info("relying_party_not_notified", user_id=command.userId, reason="no callback")
            return {"notified": False}
        secret = await self._signing_secret(command.clientId)
        await self.webhook.post(command.callback, command.webhook_body(), secret)
        log.info("relying_party_notified", user_id=command.userId, client_id=command.clientId)
        return {"notified": True}

    async def _signing_secret(self, client_id: str | None) -> str:
        if not client_id:
            if self.default_secret is None or not self.default_secret.get_secret_value():
                raise UpstreamMisconfigured(f"{self.default_secret_setting} is not configured")
            return self.default_secret.get_secret_value()
        service = await self.applications.get_service(client_id)
        if service is None:
            raise NotFound(f"Cannot find application with client id {client_id}")
        if not service.api_secret:
            raise UpstreamMisconfigured(
                f"No api secret configured for {service.id} (clientId {client_id})"
            )
        return service.api_secret
