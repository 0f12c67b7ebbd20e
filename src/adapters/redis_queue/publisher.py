"""``JobPublisher`` on the ``bullmq`` package, byte-compatible with the Node jobs-client."""

from typing import Any

import redis.asyncio as redis

from adapters.common.redis_errors import translate_redis_errors
from adapters.redis_queue.queues import Queues
from domain.model import JsonObject

PRODUCER_JOB_OPTIONS: dict[str, Any] = {
    "removeOnComplete": {"age": 3600, "count": 50},
    "removeOnFail": {"age": 43200},
}
"""The retention options every Node producer (login.dfe.jobs-client) sets: nothing else."""


class BullmqJobPublisher:
    """Adds ``(name=queue, data, PRODUCER_JOB_OPTIONS)`` to ``queue`` over one shared connection.

    The original opened and closed a Redis connection per enqueue; this keeps one client and one
    ``Queue`` object per queue name for the life of the process.
    """

    def __init__(self, client: redis.Redis, prefix: str = "bull") -> None:
        self._client = client
        self._prefix = prefix
        self._queue = Queues(client, prefix)

    async def publish(self, queue: str, data: JsonObject) -> str:
        with translate_redis_errors(f"enqueue a {queue} job"):
            job = await self._queue(queue).add(queue, dict(data), dict(PRODUCER_JOB_OPTIONS))
        return str(job.id)

    async def ping(self) -> None:
        with translate_redis_errors("ping"):
            await self._client.ping()  # type: ignore[misc]
