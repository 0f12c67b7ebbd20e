"""``sendwsorganisationupdated_v1_<applicationId>`` (catalogue §2.30): ProvisionOrganisation.

The application is the one the queue serves (the payload's ``applicationId`` is not trusted to
route, as in the original). State key: (application id, organisation ``legacyId``).
"""

from typing import Any

import structlog

from domain.errors import InvalidPayload
from domain.model import Application, JobContext, SyncStateKey
from domain.use_cases.legacy_sync.organisation import Organisation, provision_organisation_fields
from domain.use_cases.legacy_sync.sync_state import Push, PushJob, send_with_state
from ports.legacy_service import LegacyWebService
from ports.state_store import DeliveryLog, SyncStateStore

log = structlog.get_logger(__name__)


class PushOrganisationUpdate(PushJob):
    organisation: Organisation


class PushOrganisationUpdateUseCase:
    """Sends one organisation to the legacy service of one application."""

    def __init__(
        self,
        *,
        application: Application,
        legacy_service: LegacyWebService,
        sync_state: SyncStateStore,
        delivery_log: DeliveryLog,
    ) -> None:
        self._application = application
        self._legacy_service = legacy_service
        self._sync_state = sync_state
        self._delivery_log = delivery_log

    async def __call__(
        self, command: PushOrganisationUpdate, context: JobContext
    ) -> dict[str, Any]:
        organisation = command.organisation
        if organisation.legacyId is None:
            raise InvalidPayload("organisation.legacyId is required to sync an organisation")
        result = await send_with_state(
            application=self._application,
            push=Push(
                "ProvisionOrganisation",
                provision_organisation_fields(organisation),
                SyncStateKey("organisation", self._application.id, str(organisation.legacyId)),
                command.snapshot(),
            ),
            context=context,
            legacy_service=self._legacy_service,
            sync_state=self._sync_state,
            delivery_log=self._delivery_log,
        )
        log.info(
            "legacy_organisation_synced",
            application_id=self._application.id,
            organisation_id=organisation.id,
            **result,
        )
        return result
