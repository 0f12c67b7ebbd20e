"""One ``bullmq.Queue`` object per queue name, made on first use over one shared Redis client."""

import redis.asyncio as redis
from bullmq import Queue


class Queues:
    """``queues(name)`` is the ``Queue`` for ``name`` under ``prefix``, kept for the process."""

    def __init__(self, client: redis.Redis, prefix: str = "bull") -> None:
        self._client = client
        self._prefix = prefix
        self._queues: dict[str, Queue] = {}

    def __call__(self, name: str) -> Queue:
        queue = self._queues.get(name)
        if queue is None:
            queue = Queue(name, {"connection": self._client, "prefix": self._prefix})
            self._queues[name] = queue
        return queue
