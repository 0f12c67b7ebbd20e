"""Who consumes each queue, read from the client names BullMQ workers set in Redis.

Node bullmq 5 names a worker's blocking connection ``<prefix>:<base64 queue name>``, or
``<prefix>:<base64 queue name>:w:<worker name>`` when the worker has a name, and
``Queue.getWorkers()`` lists the ``CLIENT LIST`` entries named so. The Python ``bullmq`` package
uses the plain queue name instead, which Node tools do not recognise, so this service names its
workers the Node way with a ``dsi-jobs-`` worker name (``worker_client_name``): Node tools count
them as workers of the queue, and this module tells the two services apart.
"""

import base64
import binascii
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import redis.asyncio as redis

from adapters.common.redis_errors import translate_redis_errors

DSI_JOBS_WORKER = "dsi-jobs-"
"""Worker names of this service start with this (``dsi-jobs-<host>-<pid>``)."""
WORKER_MARKER = ":w:"


def worker_client_name(queue: str, worker_name: str, prefix: str = "bull") -> str:
    """The client name Node bullmq 5 gives a named worker's blocking connection."""
    return f"{prefix}:{_base64(queue)}{WORKER_MARKER}{worker_name}"


@dataclass(frozen=True)
class Consumer:
    """One worker attached to a queue: ``dsi-jobs`` (this service), ``node`` (Node bullmq) or
    ``python`` (another Python ``bullmq`` client, which names connections by plain name)."""

    queue: str
    kind: str
    name: str
    address: str


class BullmqConsumers:
    """Reads ``CLIENT LIST`` once per call and groups the BullMQ workers by queue."""

    def __init__(self, client: redis.Redis, prefix: str = "bull") -> None:
        self._client = client
        self._prefix = prefix

    async def by_queue(self) -> dict[str, list[Consumer]] | None:
        """Workers per queue name, or ``None`` when this Redis refuses ``CLIENT LIST`` (some
        managed services do): then nobody can tell, and callers must not read it as "none"."""
        with translate_redis_errors("list Redis clients"):
            try:
                clients: list[dict[str, Any]] = await self._client.client_list()
            except redis.ResponseError:
                return None
        db = str(self._client.connection_pool.connection_kwargs.get("db", 0))
        return consumers_by_queue(clients, prefix=self._prefix, db=db)


def consumers_by_queue(
    clients: Iterable[Mapping[str, Any]], *, prefix: str = "bull", db: str | None = None
) -> dict[str, list[Consumer]]:
    """Group ``CLIENT LIST`` entries (of database ``db`` when given) into workers per queue.

    A ``dsi-jobs`` worker counts once however many connections carry its name; Node workers
    count once per connection, as ``Queue.getWorkers()`` counts them.
    """
    found: dict[str, list[Consumer]] = {}
    seen: set[tuple[str, str, str]] = set()
    for client in clients:
        if db is not None and str(client.get("db", db)) != db:
            continue
        consumer = _consumer(str(client.get("name") or ""), str(client.get("addr", "")), prefix)
        if consumer is None:
            continue
        if consumer.kind != "node":
            identity = (consumer.queue, consumer.name, _host(consumer.address))
            if identity in seen:
                continue
            seen.add(identity)
        found.setdefault(consumer.queue, []).append(consumer)
    return found


def _consumer(client_name: str, address: str, prefix: str) -> Consumer | None:
    if not client_name.startswith(f"{prefix}:"):
        return None
    queue_part, _, worker_name = client_name[len(prefix) + 1 :].partition(WORKER_MARKER)
    if not queue_part or ":" in queue_part:
        return None  # a QueueEvents (":qe") or another key-like name, not a worker
    decoded = _from_base64(queue_part)
    if decoded is None:
        return Consumer(queue_part, "python", worker_name, address)
    kind = "dsi-jobs" if worker_name.startswith(DSI_JOBS_WORKER) else "node"
    return Consumer(decoded, kind, worker_name, address)


def _base64(queue: str) -> str:
    return base64.b64encode(queue.encode()).decode()


def _from_base64(text: str) -> str | None:
    """The queue name Node encoded, or ``None`` when ``text`` is not its base64 form."""
    try:
        name = base64.b64decode(text, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    return name if name.isprintable() and _base64(name) == text else None


def _host(address: str) -> str:
    return address.rsplit(":", 1)[0]
