"""Push jobs: CREATE then UPDATE per state key, state recorded only after the legacy service
accepted the message (docs/legacy-sync.md#sendwsorganisationupdated_v1, #sendwsroleupdated_v1,
#sendwsuserupdated_v1, #create-or-update)."""

from typing import Any

import pytest

from adapters.memory.legacy_service import InMemoryLegacyWebService
from adapters.memory.state_store import InMemoryDeliveryLog, InMemorySyncStateStore
from domain.errors import InvalidPayload, UpstreamRejected, UpstreamUnavailable, WorkerError
from domain.model import Application, LegacyMessage, SnapshotOrder, SyncStateKey
from domain.use_cases.legacy_sync.organisation import PushOrganisationUpdate
from domain.use_cases.legacy_sync.push import PushToLegacyUseCase
from domain.use_cases.legacy_sync.role import PushRoleUpdate
from domain.use_cases.legacy_sync.service_list import (
    ORGANISATION_PUSH,
    PUSH_OPERATIONS,
    ROLE_PUSH,
    USER_PUSH,
)
from domain.use_cases.legacy_sync.user import PushUserUpdate
from entrypoints.worker.runner import parse_payload
from tests.unit.sync.builders import CONTEXT

APP = Application(id="APP-1", name="Collect", params={"wsWsdlUrl": "https://x/?wsdl"})

ORGANISATION: dict[str, Any] = {
    "id": "org-1",
    "name": "Springfield Primary",
    "category": {"id": "001"},
    "type": {"id": "02"},
    "urn": "100001",
    "uid": None,
    "establishmentNumber": "2001",
    "status": {"id": 1},
    "telephone": "01234 567890",
    "region": {"id": "E"},
    "localAuthority": {"name": "Springfield", "code": "123"},
    "legacyId": 4567,
}

ROLE: dict[str, Any] = {
    "id": "ROLE-1",
    "name": "Data entry",
    "code": "DATA_ENTRY",
    "numericId": 2201,
    "status": {"id": 1},
}

USER: dict[str, Any] = {
    "userId": "USER-1",
    "legacyUserId": "98765",
    "legacyUsername": "alovelace",
    "firstName": "Ada",
    "lastName": "Lovelace",
    "email": "ada@example.com",
    "status": 1,
    "organisationId": 4567,
    "organisationUrn": "100001",
    "organisationUid": None,
    "organisationLACode": "",
    "roles": [{"id": 1, "code": "A"}, {"id": 0, "code": "B"}],
}


def actions(state: InMemorySyncStateStore) -> dict[SyncStateKey, str | None]:
    """The action recorded per key (``None``: nothing sent yet, a failure recorded)."""
    return {key: row.last_action for key, row in state.rows.items()}


def fakes(
    fail_with: WorkerError | None = None,
) -> tuple[InMemoryLegacyWebService, InMemorySyncStateStore]:
    legacy = InMemoryLegacyWebService(fail_with=fail_with)
    return legacy, InMemorySyncStateStore()


async def push_organisation(
    data: dict[str, Any], legacy: InMemoryLegacyWebService, state: InMemorySyncStateStore
) -> Any:
    use_case = PushToLegacyUseCase(
        application=APP,
        legacy_service=legacy,
        sync_state=state,
        delivery_log=InMemoryDeliveryLog(),
    )
    return await use_case(parse_payload(PushOrganisationUpdate, data), CONTEXT)


async def push_role(
    data: dict[str, Any], legacy: InMemoryLegacyWebService, state: InMemorySyncStateStore
) -> Any:
    use_case = PushToLegacyUseCase(
        application=APP,
        legacy_service=legacy,
        sync_state=state,
        delivery_log=InMemoryDeliveryLog(),
    )
    return await use_case(parse_payload(PushRoleUpdate, data), CONTEXT)


async def push_user(
    data: dict[str, Any], legacy: InMemoryLegacyWebService, state: InMemorySyncStateStore
) -> Any:
    use_case = PushToLegacyUseCase(
        application=APP,
        legacy_service=legacy,
        sync_state=state,
        delivery_log=InMemoryDeliveryLog(),
    )
    return await use_case(parse_payload(PushUserUpdate, data), CONTEXT)


ORGANISATION_FIELDS = {
    "establishmentDfeNumber": "1232001",
    "establishmentUrn": "100001",
    "establishmentNumber": "2001",
    "groupUid": None,
    "localAuthorityCode": "123",
    "localAuthorityName": "Springfield",
    "orgEdubaseTypeCode": "02",
    "organisationId": 4567,
    "organisationName": "Springfield Primary",
    "organisationTypeCode": "001",
    "wsOrganisationStatusCode": 1,
    "regionCode": "E",
    "telephoneNumber": "01234 567890",
}


async def test_organisation_is_created_first_then_updated() -> None:
    legacy, state = fakes()
    data = {"organisation": ORGANISATION, "applicationId": "APP-1"}

    assert await push_organisation(data, legacy, state) == {"action": "CREATE"}
    assert await push_organisation(data, legacy, state) == {"action": "UPDATE"}

    assert legacy.sent == [
        ("APP-1", LegacyMessage("ProvisionOrganisation", "CREATE", ORGANISATION_FIELDS)),
        ("APP-1", LegacyMessage("ProvisionOrganisation", "UPDATE", ORGANISATION_FIELDS)),
    ]
    assert actions(state) == {SyncStateKey("organisation", "app-1", "4567"): "UPDATE"}


async def test_local_authority_organisation_sends_its_own_number_as_la_code() -> None:
    legacy, state = fakes()
    council = {
        "id": "org-2",
        "name": "Springfield Council",
        "category": {"id": "002"},
        "establishmentNumber": "330",
        "legacyId": 12,
    }

    await push_organisation({"organisation": council}, legacy, state)

    assert legacy.sent[0][1].fields == {
        "localAuthorityCode": "330",
        "localAuthorityName": "Springfield Council",
        "organisationId": 12,
        "organisationName": "Springfield Council",
        "organisationTypeCode": "002",
    }


@pytest.mark.parametrize(
    "organisation",
    [
        {**ORGANISATION, "establishmentNumber": None},
        {k: v for k, v in ORGANISATION.items() if k != "establishmentNumber"},
        {**ORGANISATION, "localAuthority": {"name": "Springfield"}},
    ],
)
async def test_dfe_number_is_left_out_when_a_part_is_unknown(organisation: Any) -> None:
    legacy, state = fakes()

    await push_organisation({"organisation": organisation}, legacy, state)

    assert "establishmentDfeNumber" not in legacy.sent[0][1].fields


async def test_organisation_without_status_is_sent_without_status_code() -> None:
    legacy, state = fakes()
    organisation = {k: v for k, v in ORGANISATION.items() if k != "status"}

    await push_organisation({"organisation": organisation}, legacy, state)

    assert "wsOrganisationStatusCode" not in legacy.sent[0][1].fields


async def test_organisation_without_legacy_id_fails_permanently_naming_the_field() -> None:
    legacy, state = fakes()

    with pytest.raises(InvalidPayload, match=r"organisation\.legacyId"):
        await push_organisation({"organisation": {**ORGANISATION, "legacyId": None}}, legacy, state)
    assert legacy.sent == []


@pytest.mark.parametrize(
    "error", [UpstreamUnavailable("endpoint: 503"), UpstreamRejected("client fault")]
)
async def test_a_failed_send_leaves_the_state_unchanged(error: WorkerError) -> None:
    legacy, state = fakes(fail_with=error)

    with pytest.raises(type(error)):
        await push_organisation({"organisation": ORGANISATION}, legacy, state)
    assert actions(state) == {SyncStateKey("organisation", "app-1", "4567"): None}

    legacy.fail_with = None
    assert await push_organisation({"organisation": ORGANISATION}, legacy, state) == {
        "action": "CREATE"
    }


async def test_a_failed_update_keeps_the_earlier_create() -> None:
    legacy, state = fakes()
    await push_role({"role": ROLE}, legacy, state)
    legacy.fail_with = UpstreamUnavailable("timeout")

    with pytest.raises(UpstreamUnavailable):
        await push_role({"role": ROLE}, legacy, state)
    assert actions(state) == {SyncStateKey("role", "app-1", "role-1"): "CREATE"}


async def test_role_with_parent_sends_group_fields_then_updates() -> None:
    legacy, state = fakes()
    role = {**ROLE, "status": {"id": 2}, "parent": {"code": "ALL", "numericId": 2200}}

    await push_role({"role": role, "applicationId": "APP-1"}, legacy, state)
    await push_role({"role": role, "applicationId": "APP-1"}, legacy, state)

    fields = {
        "id": 2201,
        "code": "DATA_ENTRY",
        "name": "Data entry",
        "status": "Archived",
        "parentId": 2200,
        "parentCode": "ALL",
    }
    assert legacy.sent == [
        ("APP-1", LegacyMessage("ProvisionGroup", "CREATE", fields)),
        ("APP-1", LegacyMessage("ProvisionGroup", "UPDATE", fields)),
    ]


async def test_role_without_parent_sends_null_parent() -> None:
    legacy, state = fakes()

    await push_role({"role": ROLE}, legacy, state)

    assert legacy.sent[0][1].fields == {
        "id": 2201,
        "code": "DATA_ENTRY",
        "name": "Data entry",
        "status": "Active",
        "parentId": None,
        "parentCode": None,
    }


async def test_user_is_created_then_updated_per_organisation() -> None:
    legacy, state = fakes()
    other_org = {**USER, "organisationId": 12}

    await push_user({"user": USER, "applicationId": "APP-1"}, legacy, state)
    await push_user({"user": other_org, "applicationId": "APP-1"}, legacy, state)
    await push_user({"user": USER, "applicationId": "APP-1"}, legacy, state)

    assert [message.action for _, message in legacy.sent] == ["CREATE", "CREATE", "UPDATE"]
    assert legacy.sent[0][1] == LegacyMessage(
        "ProvisionUser",
        "CREATE",
        {
            "saUserId": "98765",
            "saUsername": "alovelace",
            "firstName": "Ada",
            "lastName": "Lovelace",
            "emailAddress": "ada@example.com",
            "organisationId": 4567,
            "wsAccountStatusCode": 1,
            "establishmentUrn": "100001",
            "localAuthorityCode": "",
            "groupUpdates": [{"id": 1, "code": "A"}, {"id": 0, "code": "B"}],
            "organisationUid": None,
        },
    )
    assert actions(state) == {
        SyncStateKey("user", "app-1", "user-1", 4567): "UPDATE",
        SyncStateKey("user", "app-1", "user-1", 12): "CREATE",
    }


async def test_user_fields_absent_from_the_job_stay_absent() -> None:
    legacy, state = fakes()
    sparse = {"userId": "USER-1", "organisationId": 9, "status": 0, "legacyUsername": None}

    await push_user({"user": sparse}, legacy, state)

    assert legacy.sent[0][1].fields == {
        "saUsername": None,
        "organisationId": 9,
        "wsAccountStatusCode": 0,
        "groupUpdates": [],
    }


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"user": {**USER, "organisationId": None}}, "user.organisationId"),
        ({"user": {k: v for k, v in USER.items() if k != "userId"}}, "user.userId"),
        ({"applicationId": "APP-1"}, "user: Field required"),
    ],
)
def test_invalid_user_push_is_rejected_naming_the_field(data: Any, field: str) -> None:
    with pytest.raises(InvalidPayload, match=field):
        parse_payload(PushUserUpdate, data)


def test_invalid_role_push_is_rejected_naming_the_field() -> None:
    with pytest.raises(InvalidPayload, match=r"role\.status: Field required"):
        parse_payload(PushRoleUpdate, {"role": {"id": "r", "name": "n", "code": "c"}})


class StateWriteFailsOnce(InMemorySyncStateStore):
    """The database goes away between the SOAP call and the state write, once."""

    failed = False

    async def record_sent(
        self, key: SyncStateKey, action: str, snapshot: SnapshotOrder | None
    ) -> None:
        if not self.failed:
            self.failed = True
            raise UpstreamUnavailable("state database down")
        await super().record_sent(key, action, snapshot)


async def test_a_retried_push_is_not_sent_twice_and_writes_the_missing_state() -> None:
    legacy = InMemoryLegacyWebService()
    state = StateWriteFailsOnce()
    use_case = PushToLegacyUseCase(
        application=APP, legacy_service=legacy, sync_state=state, delivery_log=InMemoryDeliveryLog()
    )
    command = parse_payload(PushRoleUpdate, {"role": ROLE})
    with pytest.raises(UpstreamUnavailable):
        await use_case(command, CONTEXT)  # the SOAP call went through, the state write did not

    assert await use_case(command, CONTEXT) == {"action": "CREATE"}
    assert [message.action for _, message in legacy.sent] == ["CREATE"]
    assert list(actions(state).values()) == ["CREATE"]


async def test_each_family_calls_the_operation_the_preflight_looks_for() -> None:
    """``dsi-jobs check`` asks each subscriber's WSDL for ``PUSH_OPERATIONS[family]``."""
    sent = {}
    for family, push, data in (
        (ORGANISATION_PUSH, push_organisation, {"organisation": ORGANISATION}),
        (ROLE_PUSH, push_role, {"role": ROLE}),
        (USER_PUSH, push_user, {"user": USER, "applicationId": "APP-1"}),
    ):
        legacy, state = fakes()
        await push(data, legacy, state)
        sent[family] = legacy.sent[0][1].operation
    assert sent == dict(PUSH_OPERATIONS)
