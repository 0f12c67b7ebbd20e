"""In-memory ``WebhookSender``."""

from dataclasses import dataclass, field

from domain.errors import WorkerError
from domain.model import JsonObject


@dataclass(frozen=True)
class PostedWebhook:
    url: str
    body: JsonObject
    signing_secret: str


@dataclass
class InMemoryWebhookSender:
    """Records posts; ``fail_with`` raises on every call."""

    posted: list[PostedWebhook] = field(default_factory=list)
    fail_with: WorkerError | None = None

    async def post(self, url: str, body: JsonObject, signing_secret: str) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        self.posted.append(PostedWebhook(url, dict(body), signing_secret))
