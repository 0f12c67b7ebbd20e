"""``userserviceremoved_v1`` (docs/email-jobs.md#userserviceremoved_v1): tell a user a service was
removed, then ask legacy sync to re-send their remaining access (best effort)."""

from dataclasses import dataclass

from domain.model import JobContext
from domain.use_cases.email.fields import UserEmailPayload
from domain.use_cases.email.removal_notice import RemovalNoticeSender

TEMPLATE = "userServiceRemoved"


class NotifyServiceRemoved(UserEmailPayload):
    """Payload of ``sendUserServiceRemoved(email, firstName, lastName, serviceName, orgName)``."""

    service_name: str | None = None
    org_name: str | None = None


@dataclass(frozen=True, kw_only=True)
class NotifyServiceRemovedUseCase:
    """The e-mail must go out (its failure fails the job); the follow-up may fail quietly."""

    template_keys = frozenset({TEMPLATE})

    sender: RemovalNoticeSender

    async def __call__(self, command: NotifyServiceRemoved, context: JobContext) -> dict[str, int]:
        return await self.sender.send(
            command,
            context,
            template=TEMPLATE,
            fields={"serviceName": "service_name", "orgName": "org_name"},
            after="service_removal",
        )
