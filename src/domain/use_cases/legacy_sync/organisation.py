"""The organisation object of the organisations API and the ProvisionOrganisation parameters.

Shape: docs/legacy-sync.md#organisationupdated_v1; derived values:
docs/legacy-sync.md#provision-parameters. Fixed (docs/original-bugs.md#item-20): a missing
``status`` no longer crashes the job, and ``establishmentDfeNumber`` is sent only when both the LA
code and the establishment number are known (never the text ``undefined``).
"""

import re
from typing import Any

from domain.errors import InvalidPayload
from domain.model import SyncStateKey
from domain.use_cases.legacy_sync.sync_state import Push, PushJob
from domain.use_cases.legacy_sync.wire import Scalar, WireModel, copy_present, is_present

LOCAL_AUTHORITY_CATEGORY = "002"
MAX_CATEGORY_TO_SYNC = 20
"""Organisations whose category number is above this (e.g. ``050``-``053``) are not synced."""

_LEADING_INTEGER = re.compile(r"\s*([+-]?\d+)")


class Category(WireModel):
    id: str
    name: str | None = None


class Reference(WireModel):
    """``type``, ``status`` and ``region``: an id (and a display name the sync does not use)."""

    id: Scalar | None = None
    name: str | None = None


class Status(Reference):
    tagColor: str | None = None


class LocalAuthority(WireModel):
    id: str | None = None
    name: str | None = None
    code: Scalar | None = None


class Organisation(WireModel):
    """The fields the sync reads; the producer insists on ``id``, ``name`` and ``category.id``."""

    id: str
    name: str
    category: Category
    type: Reference | None = None
    urn: Scalar | None = None
    uid: Scalar | None = None
    upin: Scalar | None = None
    ukprn: Scalar | None = None
    establishmentNumber: Scalar | None = None
    status: Status | None = None
    telephone: Scalar | None = None
    region: Reference | None = None
    localAuthority: LocalAuthority | None = None
    legacyId: int | None = None

    def not_synced_reason(self) -> str | None:
        """Why the organisation is not sent to legacy services (``None``: it is)."""
        return not_synced_reason(self.category.id, self.legacyId)


def category_number(category_id: Any) -> int | None:
    """A category id read as JavaScript's ``parseInt`` would (``"050"`` → 50)."""
    if not isinstance(category_id, str | int) or isinstance(category_id, bool):
        return None
    match = _LEADING_INTEGER.match(str(category_id))
    return int(match.group(1)) if match else None


def not_synced_reason(category_id: Any, legacy_id: Any) -> str | None:
    """The one rule for organisations and for users through them (the original's intended filter):

    * a category above ``020`` (``050``-``053``...) is not synced; non-numeric ids pass;
    * an organisation without ``legacyId`` cannot be: the state table and the legacy
      services key organisations by it.
    """
    number = category_number(category_id)
    if number is not None and number > MAX_CATEGORY_TO_SYNC:
        return "category is not synced"
    if legacy_id is None:
        return "organisation has no legacyId"
    return None


def provision_organisation_fields(organisation: Organisation) -> dict[str, Any]:
    """ProvisionOrganisation parameters (docs/legacy-sync.md#provision-parameters), named as the
    original client's ``provisionOrganisation`` arguments (the contract with the SOAP
    adapter).

    A key is left out when its source was absent; ``None`` means the source was ``null``.
    """
    la = organisation.localAuthority
    fields: dict[str, Any] = {}
    if la is not None and _known(la, "code") and _known(organisation, "establishmentNumber"):
        fields["establishmentDfeNumber"] = f"{la.code}{organisation.establishmentNumber}"
    copy_present(fields, "establishmentUrn", organisation, "urn")
    if la is not None:
        copy_present(fields, "establishmentNumber", organisation, "establishmentNumber")
    copy_present(fields, "groupUid", organisation, "uid")
    if organisation.category.id == LOCAL_AUTHORITY_CATEGORY:
        copy_present(fields, "localAuthorityCode", organisation, "establishmentNumber")
    else:
        copy_present(fields, "localAuthorityCode", la, "code")
    if la is not None:
        copy_present(fields, "localAuthorityName", la, "name")
    else:
        fields["localAuthorityName"] = organisation.name
    copy_present(fields, "orgEdubaseTypeCode", organisation.type, "id")
    fields["organisationId"] = organisation.legacyId
    fields["organisationName"] = organisation.name or ""
    fields["organisationTypeCode"] = organisation.category.id
    copy_present(fields, "wsOrganisationStatusCode", organisation.status, "id")
    copy_present(fields, "regionCode", organisation.region, "id")
    copy_present(fields, "telephoneNumber", organisation, "telephone")
    return fields


def _known(model: WireModel, name: str) -> bool:
    return is_present(model, name) and getattr(model, name) not in (None, "")


class PushOrganisationUpdate(PushJob):
    """Payload of an organisation push: ``{organisation, applicationId, snapshotOrder}``. State
    key: (application id, organisation ``legacyId``), so an organisation without one is refused."""

    organisation: Organisation

    def push(self, application_id: str) -> Push:
        organisation = self.organisation
        if organisation.legacyId is None:
            raise InvalidPayload("organisation.legacyId is required to sync an organisation")
        return Push(
            "ProvisionOrganisation",
            provision_organisation_fields(organisation),
            SyncStateKey("organisation", application_id, str(organisation.legacyId)),
            self.snapshot(),
            {"organisation_id": organisation.id},
        )
