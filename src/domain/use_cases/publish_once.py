"""Enqueue a follow-up job at most once per job, even when the job is retried or redelivered.

A follow-up here ends in a relying party's webhook being called, so a duplicate is visible
outside the platform. The delivery log remembers which follow-ups a job already enqueued.
"""

from domain.model import JsonObject
from ports.job_publisher import JobPublisher
from ports.state_store import DeliveryLog


async def publish_once(
    *, jobs: JobPublisher, delivery_log: DeliveryLog, key: str, queue: str, data: JsonObject
) -> bool:
    """Publish ``data`` on ``queue`` unless ``key`` (from ``JobContext.reference``) is recorded.

    Returns whether it published now.
    """
    if await delivery_log.was_delivered(key):
        return False
    await jobs.publish(queue, data)
    await delivery_log.record_delivered(key)
    return True
