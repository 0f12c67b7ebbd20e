"""Queue name → (payload model, use case): the one table of what this worker consumes.

Each job family declares its specs in ``entrypoints/jobs/<family>.py``; ``build_registry``
merges them in the original's registration order (docs/runtime.md#registration).
"""

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from domain.model import JobContext
from entrypoints.worker.retry import NO_RETRY, SYNC_RETRY, RetryPolicy

C = TypeVar("C", bound=BaseModel)


@dataclass(frozen=True)
class RateLimit:
    """At most ``max_jobs`` per ``duration_ms``, shared by every worker on the same Redis."""

    max_jobs: int
    duration_ms: int


def completed(result: Any) -> str:
    """The metrics outcome of a job that returned: ``completed``."""
    return "completed"


@dataclass(frozen=True)
class JobSpec(Generic[C]):
    """How one queue's jobs are parsed, handled, bounded and retried."""

    queue: str
    command: type[C]
    handler: Callable[[C, JobContext], Awaitable[Any]]
    timeout_s: float = 180.0  # room for a Notify 429 pause (60 s) inside one attempt
    concurrency: int | None = None  # None: the service default (JOBS_CONCURRENCY)
    global_concurrency: int | None = None
    """At most this many jobs of the queue active at once across every worker sharing the Redis
    (BullMQ's queue-level ``concurrency``, honoured by Node workers too); ``None``: no limit set."""
    limiter: RateLimit | None = None
    retry: RetryPolicy = NO_RETRY
    outcome: Callable[[Any], str] = completed
    """The outcome label (metrics, logs) of a job that returned, from its result."""


Registry = Mapping[str, JobSpec[Any]]


def build_registry(*groups: Sequence[JobSpec[Any]]) -> Registry:
    """Merge the job families' specs into one mapping; a queue registered twice is a bug."""
    registry: dict[str, JobSpec[Any]] = {}
    for group in groups:
        for spec in group:
            if spec.queue in registry:
                raise ValueError(f"job type {spec.queue!r} is registered twice")
            registry[spec.queue] = spec
    return registry


DYNAMIC_FAMILIES = (
    "sendwsorganisationupdated_v1",
    "sendwsroleupdated_v1",
    "sendwsuserupdated_v1",
)
"""Per-application queues: ``<family>_<applicationId>`` (docs/runtime.md#registration)."""


def is_push_queue(queue: str) -> bool:
    """A per-application legacy-sync queue (``<family>_<applicationId>``)."""
    return any(queue.startswith(f"{family}_") for family in DYNAMIC_FAMILIES)


def attempts_allowed(registry: Registry, queue: str) -> int | None:
    """How many attempts this worker gives a job of ``queue`` (``None``: not one it consumes)."""
    spec = registry.get(queue)
    if spec is not None:
        return spec.retry.max_attempts
    return SYNC_RETRY.max_attempts if is_push_queue(queue) else None


FAMILIES = ("e-mail", "public API", "legacy sync", "test")
"""How operators group the queues (the dashboard's sections)."""
_PUBLIC_API = frozenset(
    {"publicinvitationrequest_v1", "publicinvitationcomplete_v1",
     "publicinvitationnotifyrelyingparty_v1"}
)  # fmt: skip
_SYNC_FAN_OUTS = frozenset({"organisationupdated_v1", "roleupdated_v1", "userupdated_v1"})


def queue_family(queue: str) -> str:
    """The family (``FAMILIES``) a queue belongs to; every other registered queue is e-mail."""
    if queue == "test":
        return "test"
    if queue in _PUBLIC_API:
        return "public API"
    if queue in _SYNC_FAN_OUTS or is_push_queue(queue):
        return "legacy sync"
    return "e-mail"
