"""Port: put a follow-up job on one of the platform's queues."""

from typing import Protocol

from domain.model import JsonObject


class JobPublisher(Protocol):
    """Enqueues exactly as the Node producers do: job name == queue name, their retention options.

    Raises ``UpstreamUnavailable`` when the queue store cannot be reached.
    """

    async def publish(self, queue: str, data: JsonObject) -> str:
        """Enqueue ``data`` on ``queue`` and return the new job's id."""
        ...
