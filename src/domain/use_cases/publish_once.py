"""Enqueue a follow-up job at most once per job, even when the job is retried or redelivered.

A duplicate follow-up is visible outside the worker (a second e-mail to every approver, a second
webhook call), so the delivery log remembers which follow-ups a job already enqueued.
"""

from collections.abc import Awaitable, Callable

from domain.model import JsonObject
from ports.job_publisher import JobPublisher
from ports.state_store import DeliveryLog

FollowUp = tuple[str, JsonObject]
"""A queue name and the data to enqueue on it."""


async def publish_built_once(
    *,
    jobs: JobPublisher,
    delivery_log: DeliveryLog,
    key: str,
    build: Callable[[], Awaitable[FollowUp]],
) -> tuple[str, str] | None:
    """Build and publish a follow-up unless ``key`` (from ``JobContext.reference``) is recorded.

    ``key`` is checked before ``build`` runs, so a redelivered job repeats none of its look-ups.
    Returns the queue and the new job's id, or ``None`` when an earlier attempt published.
    """
    if await delivery_log.was_delivered(key):
        return None
    queue, data = await build()
    job_id = await jobs.publish(queue, data)
    await delivery_log.record_delivered(key)
    return queue, job_id


async def publish_once(
    *, jobs: JobPublisher, delivery_log: DeliveryLog, key: str, queue: str, data: JsonObject
) -> bool:
    """Publish ``data`` on ``queue`` unless ``key`` is recorded; whether it published now."""

    async def ready() -> FollowUp:
        return queue, data

    published = await publish_built_once(jobs=jobs, delivery_log=delivery_log, key=key, build=ready)
    return published is not None
