"""In-memory ``JobPublisher``."""

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field

from domain.errors import WorkerError
from domain.model import JsonObject


@dataclass(frozen=True)
class PublishedJob:
    queue: str
    data: JsonObject
    job_id: str


@dataclass
class InMemoryJobPublisher:
    """Records what was published; ``fail_with`` makes every call raise that error."""

    published: list[PublishedJob] = field(default_factory=list)
    fail_with: WorkerError | None = None
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    async def publish(self, queue: str, data: JsonObject) -> str:
        if self.fail_with is not None:
            raise self.fail_with
        job_id = str(next(self._ids))
        self.published.append(PublishedJob(queue, dict(data), job_id))
        return job_id

    def data_for(self, queue: str) -> list[JsonObject]:
        """The payloads published to ``queue``, in order."""
        return [job.data for job in self.published if job.queue == queue]
