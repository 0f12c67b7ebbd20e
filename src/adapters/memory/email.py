"""In-memory ``EmailSender``."""

import itertools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from adapters.common.templates import TemplateMap
from domain.errors import WorkerError
from domain.model import EmailMessage


@dataclass
class InMemoryEmailSender:
    """Records sent messages. ``templates`` of ``None`` accepts every template key.

    ``fail_with`` raises on every send; ``fail_after`` lets that many sends succeed first,
    which is how the partial-failure paths are exercised; ``fail_times`` stops failing after
    that many failures (a passing fault).
    """

    templates: Mapping[str, str] | None = None
    sent: list[EmailMessage] = field(default_factory=list)
    fail_with: WorkerError | None = None
    fail_after: int = 0
    fail_times: int | None = None
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def require_templates(self, template_keys: Iterable[str]) -> None:
        if self.templates is not None:
            TemplateMap(self.templates).require(template_keys)

    async def send(self, message: EmailMessage) -> str:
        self.require_templates([message.template_key])
        failing = self.fail_times is None or self.fail_times > 0
        if self.fail_with is not None and len(self.sent) >= self.fail_after and failing:
            if self.fail_times is not None:
                self.fail_times -= 1
            raise self.fail_with
        self.sent.append(message)
        return f"memory-{next(self._ids)}"

    async def was_sent(self, reference: str) -> bool:
        return any(message.reference == reference for message in self.sent)
