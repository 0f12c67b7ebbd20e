"""In-memory ``WebhookSender``."""

from dataclasses import dataclass, field

from adapters.memory.failures import FailsOnDemand
from domain.model import JsonObject


@dataclass(frozen=True)
class PostedWebhook:
    url: str
    body: JsonObject
    signing_secret: str


@dataclass
class InMemoryWebhookSender(FailsOnDemand):
    """Records posts; ``fail_with`` raises on every call."""

    posted: list[PostedWebhook] = field(default_factory=list)

    async def post(self, url: str, body: JsonObject, signing_secret: str) -> None:
        self._fail_if_asked()
        self.posted.append(PostedWebhook(url, dict(body), signing_secret))
