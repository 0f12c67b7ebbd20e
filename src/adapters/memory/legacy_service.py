"""In-memory ``LegacyWebService``."""

from dataclasses import dataclass, field

from adapters.memory.failures import FailsOnDemand
from domain.model import Application, LegacyMessage


@dataclass
class InMemoryLegacyWebService(FailsOnDemand):
    """Records ``(application id, message)`` pairs; ``fail_with`` raises on every call."""

    sent: list[tuple[str, LegacyMessage]] = field(default_factory=list)

    async def provision(self, application: Application, message: LegacyMessage) -> None:
        self._fail_if_asked()
        self.sent.append((application.id, message))
