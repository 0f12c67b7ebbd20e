"""In-memory ``LegacyWebService``."""

from dataclasses import dataclass, field

from domain.errors import WorkerError
from domain.model import Application, LegacyMessage


@dataclass
class InMemoryLegacyWebService:
    """Records ``(application id, message)`` pairs; ``fail_with`` raises on every call."""

    sent: list[tuple[str, LegacyMessage]] = field(default_factory=list)
    fail_with: WorkerError | None = None

    async def provision(self, application: Application, message: LegacyMessage) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        self.sent.append((application.id, message))
