"""In-memory ``JobPublisher``."""

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field

from adapters.memory.failures import FailsOnDemand
from domain.model import JsonObject


@dataclass(frozen=True)
class PublishedJob:
    queue: str
    data: JsonObject
    job_id: str


@dataclass
class InMemoryJobPublisher(FailsOnDemand):
    """Records what was published; ``fail_with`` makes every call raise that error."""

    published: list[PublishedJob] = field(default_factory=list)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    async def publish(self, queue: str, data: JsonObject) -> str:
        self._fail_if_asked()
        job_id = str(next(self._ids))
        self.published.append(PublishedJob(queue, dict(data), job_id))
        return job_id

    def data_for(self, queue: str) -> list[JsonObject]:
        """The payloads published to ``queue``, in order."""
        return [job.data for job in self.published if job.queue == queue]
