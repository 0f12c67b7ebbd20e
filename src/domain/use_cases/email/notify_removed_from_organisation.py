"""``userremovedfromorganisationrequest_v1``
(docs/email-jobs.md#userremovedfromorganisationrequest_v1): tell a user they were removed from an
organisation, then ask legacy sync to re-send their remaining access (best effort)."""

from dataclasses import dataclass

from domain.model import JobContext
from domain.use_cases.email.fields import UserEmailPayload
from domain.use_cases.email.removal_notice import RemovalNoticeSender

TEMPLATE = "userRemovedFromOrganisation"


class NotifyRemovedFromOrganisation(UserEmailPayload):
    """Payload of ``sendUserRemovedFromOrganisation(email, firstName, lastName, orgName)``."""

    org_name: str | None = None


@dataclass(frozen=True, kw_only=True)
class NotifyRemovedFromOrganisationUseCase:
    """The e-mail must go out (its failure fails the job); the follow-up may fail quietly."""

    template_keys = frozenset({TEMPLATE})

    sender: RemovalNoticeSender

    async def __call__(
        self, command: NotifyRemovedFromOrganisation, context: JobContext
    ) -> dict[str, int]:
        return await self.sender.send(
            command,
            context,
            template=TEMPLATE,
            fields={"orgName": "org_name"},
            after="organisation_removal",
        )
