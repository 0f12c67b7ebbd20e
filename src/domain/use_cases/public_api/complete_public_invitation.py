"""``publicinvitationcomplete_v1`` (docs/public-api-jobs.md#publicinvitationcomplete_v1): an
invited person finished registering.

The directories API sends the invitation's callbacks; each one with a URL becomes a
``publicinvitationnotifyrelyingparty_v1`` job, once per callback even if this job is retried.
An entry without a URL is skipped: the notification job would have nothing to call.
"""

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from domain.model import JobContext
from domain.use_cases.public_api.notify_relying_party import NOTIFY_RELYING_PARTY_QUEUE, SourceId
from domain.use_cases.publish_once import publish_once
from ports.job_publisher import JobPublisher
from ports.state_store import DeliveryLog


class InvitationCallback(BaseModel):
    """One callback as the directories API stores it (``state`` is not stored, so rarely set)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    sourceId: SourceId | None = None
    callback: str | None = None
    state: str | None = None
    clientId: str | None = None


class CompletePublicInvitation(BaseModel):
    """Wire payload: the new user's id and the invitation's callbacks (may be absent)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    userId: str = Field(min_length=1)
    callbacks: list[InvitationCallback] | None = None


@dataclass(frozen=True, kw_only=True)
class CompletePublicInvitationUseCase:
    """Fans the callbacks out to notification jobs, in order."""

    jobs: JobPublisher
    delivery_log: DeliveryLog

    async def __call__(
        self, command: CompletePublicInvitation, context: JobContext
    ) -> dict[str, int]:
        published = skipped = 0
        for index, entry in enumerate(command.callbacks or []):
            if not entry.callback:
                continue
            data = {"userId": command.userId, **entry.model_dump(exclude_none=True)}
            if await publish_once(
                jobs=self.jobs,
                delivery_log=self.delivery_log,
                key=context.reference("callback", str(index)),
                queue=NOTIFY_RELYING_PARTY_QUEUE,
                data=data,
            ):
                published += 1
            else:
                skipped += 1
        return {"published": published, "skipped": skipped}
