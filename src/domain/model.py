"""Value objects shared by use cases and ports. Frozen: they describe facts, not state."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

JsonObject = Mapping[str, Any]


@dataclass(frozen=True)
class EmailMessage:
    """One e-mail to one recipient, by template key (resolved to a Notify id by the adapter).

    ``reference`` is deterministic per job and recipient and carries no personal data, so a
    duplicate can be traced in Notify. ``plain_text_fields`` names personalisation keys holding
    free text from users, which Notify must not render as Markdown or links.
    """

    template_key: str
    recipient: str
    personalisation: Mapping[str, Any]
    reference: str | None = None
    plain_text_fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class JobContext:
    """What a use case may know about the job it serves: ids for idempotency keys, never data."""

    queue: str
    job_id: str
    attempt: int = 1
    correlation_id: str = ""
    redelivered: bool = False
    """An earlier attempt started: it failed, or its worker died (so effects may be half done)."""
    produced_at_ms: int = 0
    """The job's BullMQ ``timestamp``: when its producer added it (its clock, ms); 0 unknown."""

    def reference(self, *parts: str) -> str:
        """A Notify ``reference`` / delivery key that is stable across retries of this job."""
        return ":".join((self.queue, self.job_id, *parts))

    def snapshot_order(self) -> "SnapshotOrder | None":
        """Where this job's payload stands in production order (``None`` when unknown)."""
        if self.produced_at_ms <= 0:
            return None
        sequence = int(self.job_id) if self.job_id.isdecimal() else 0
        return SnapshotOrder(self.produced_at_ms, sequence)


@dataclass(frozen=True, order=True)
class SnapshotOrder:
    """The place of a snapshot in the order the platform produced it, compared as a pair.

    ``produced_at_ms`` is the producer's job timestamp; ``sequence`` the producer queue's job
    id (BullMQ numbers jobs per queue in the order Redis received them), which breaks ties
    within one millisecond.
    """

    produced_at_ms: int
    sequence: int = 0


@dataclass(frozen=True)
class SyncState:
    """What the state store knows of one entity at one legacy service.

    ``last_action`` is the original's ``last_action_sent``; ``applied`` the newest snapshot the
    legacy service was sent (``None`` before this service sent one with a known order); the
    failure fields describe the last push that failed, until a push succeeds.
    """

    last_action: str | None = None
    applied: SnapshotOrder | None = None
    last_failure: str | None = None
    failed_job: str | None = None
    failed_at: datetime | None = None
    """Naive UTC, as the state tables store times."""


@dataclass(frozen=True)
class Application:
    """A service (relying party) as the applications API describes it, as far as jobs need it.

    ``params`` (which hold the legacy service's password) and ``api_secret`` are left out of
    ``repr``, so no log line or error message that shows an application shows them.
    """

    id: str
    name: str = ""
    parent_id: str | None = None
    params: Mapping[str, str] = field(default_factory=dict, repr=False)
    api_secret: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class SyncStateKey:
    """Primary key of one row of the legacy-sync state tables (docs/state-store.md#tables).

    ``kind`` is ``user``, ``role`` or ``organisation``; ``entity_id`` is the user or role id
    (GUIDs, compared case-insensitively) or the organisation legacy id; ``organisation_id`` is
    the organisation legacy id for user rows only.
    """

    kind: str
    service_id: str
    entity_id: str
    organisation_id: int | None = None

    def normalised(self) -> "SyncStateKey":
        """GUIDs compare case-insensitively (SQL Server returns them upper-case)."""
        return SyncStateKey(
            self.kind, self.service_id.lower(), self.entity_id.lower(), self.organisation_id
        )


@dataclass(frozen=True)
class LegacyMessage:
    """One provisioning call to a legacy SOAP service, before formatting.

    ``operation`` is ``ProvisionUser``, ``ProvisionOrganisation`` or ``ProvisionGroup``; ``action``
    is ``CREATE`` or ``UPDATE``; ``fields`` are the parameters of
    docs/legacy-sync.md#provision-parameters.

    ``fields`` contract (exact camelCase keys; any other key fails the job with InvalidPayload;
    an absent key omits the element, ``None`` sends nil where the formatter supports it):

    * ProvisionUser: saUserId, saUsername, firstName, lastName, emailAddress, organisationId,
      wsAccountStatusCode (raw directories status), establishmentUrn, localAuthorityCode,
      groupUpdates (required list of ``{"id", "code"}``, may be empty), organisationUid.
    * ProvisionGroup: id, code, name, status (``Active``/``Archived``), parentId, parentCode.
    * ProvisionOrganisation: establishmentDfeNumber, establishmentUrn, establishmentNumber,
      groupUid, localAuthorityCode, localAuthorityName, orgEdubaseTypeCode, organisationId,
      organisationName, organisationTypeCode, wsOrganisationStatusCode, regionCode,
      telephoneNumber (the original client's ``provisionOrganisation`` argument names).

    Values are text, numbers, booleans or ``None``.
    """

    operation: str
    action: str
    fields: Mapping[str, Any]


@dataclass(frozen=True)
class PlatformLinks:
    """Base URLs of the platform's sites, used to build links in e-mails (docs/settings.md).

    Links are built by plain concatenation as the original did (``help_url + "/contact-us"``).
    A value is ``None`` when the deployment did not set it; ``domain.use_cases.email.sending``
    turns that into a job failure naming the setting, so the worker itself still starts.
    ``setting_names`` says what the deployment calls each value (given by the entrypoints).
    """

    interactions_url: str | None = None
    profile_url: str | None = None
    services_url: str | None = None
    help_url: str | None = None
    setting_names: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class EmailSettings:
    """Settings e-mail jobs need beside links: the support desk, the Entra switch, and whether
    a relying party's own invitation wording is sanitised like text people typed.
    ``setting_names`` as for ``PlatformLinks``."""

    support_email_address: str | None = None
    use_entra_for_account_registration: bool = False
    sanitise_invitation_overrides: bool = False
    setting_names: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)


def setting_name(names: Mapping[str, str], field_name: str) -> str:
    """What the deployment calls ``field_name`` (the field's own name when it was not said)."""
    return names.get(field_name, field_name)
