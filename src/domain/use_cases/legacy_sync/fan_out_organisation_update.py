"""``organisationupdated_v1`` (docs/legacy-sync.md#organisationupdated_v1): one push job per
subscribed application.

Two deliberate changes from the original: the category filter it meant to apply now runs
(docs/original-bugs.md#item-22: categories above ``020``, such as ``050``-``053``, are not synced),
and an organisation without ``legacyId`` is not fanned out, because every push of it could only
fail (the sync state and the legacy services key organisations by that id).
"""

from typing import Any

import structlog

from domain.model import JobContext
from domain.use_cases.legacy_sync.fan_out import FanOut, subscribers
from domain.use_cases.legacy_sync.organisation import Organisation
from domain.use_cases.legacy_sync.service_list import ORGANISATION_PUSH
from domain.use_cases.legacy_sync.wire import KeepsReceived

log = structlog.get_logger(__name__)


class FanOutOrganisationUpdate(Organisation, KeepsReceived):
    """The payload is the organisations API's organisation object itself, forwarded as it came."""


class FanOutOrganisationUpdateUseCase(FanOut):
    """Enqueues ``{organisation, applicationId}`` for each subscribed application, in order."""

    async def __call__(
        self, command: FanOutOrganisationUpdate, context: JobContext
    ) -> dict[str, Any]:
        skipped = command.not_synced_reason()
        if skipped is not None:
            log.info(
                "organisation_update_not_synced",
                organisation_id=command.id,
                category=command.category.id,
                reason=skipped,
            )
            return {"published": 0, "skipped": skipped}
        organisation = command.received()
        published = 0
        for application in await subscribers(self.applications, ORGANISATION_PUSH):
            await self._publish(
                context, ORGANISATION_PUSH, "organisation", application.id, organisation
            )
            published += 1
        log.info("organisation_update_fanned_out", organisation_id=command.id, jobs=published)
        return {"published": published}
