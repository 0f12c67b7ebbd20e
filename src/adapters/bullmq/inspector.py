"""Read queue state the way Node tools do (same keys, same Lua), for the CLI and HTTP app."""

import redis.asyncio as redis
from bullmq import Queue

from adapters.bullmq.errors import translate_redis_errors

JOB_STATES = ("waiting", "active", "delayed", "prioritized", "completed", "failed", "paused")


class BullmqQueueInspector:
    """Counts of jobs by state, per queue."""

    def __init__(self, client: redis.Redis, prefix: str = "bull") -> None:
        self._client = client
        self._prefix = prefix

    async def counts(self, queue: str) -> dict[str, int]:
        """Jobs in ``queue`` by state, every state present (zero when empty)."""
        with translate_redis_errors(f"count {queue} jobs"):
            found = await Queue(
                queue, {"connection": self._client, "prefix": self._prefix}
            ).getJobCounts(*JOB_STATES)
        return {state: int(found.get(state, 0)) for state in JOB_STATES}
