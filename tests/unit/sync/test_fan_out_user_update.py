"""``userupdated_v1``: one push per (subscribed application, organisation)
(docs/legacy-sync.md#userupdated_v1)."""

from typing import Any

import pytest

from adapters.memory.directories import InMemoryDirectories
from adapters.memory.job_publisher import InMemoryJobPublisher
from adapters.memory.state_store import InMemoryDeliveryLog
from domain.errors import InvalidPayload, NotFound
from domain.model import JobContext
from domain.use_cases.legacy_sync.fan_out_user_update import (
    FanOutUserUpdate,
    FanOutUserUpdateUseCase,
)
from entrypoints.worker.runner import parse_payload
from tests.unit.sync.builders import COLLECT_APP, CONTEXT, S2S_APP, service, subscribed_services

FLAG = "receiveUserUpdates"
USER_ID = "5B5E6A34-0000-4000-8000-000000000001"

USER = {
    "sub": USER_ID,
    "given_name": "Ada",
    "family_name": "Lovelace",
    "email": "ada@example.com",
    "status": 1,
}

SCHOOL = {
    "organisation": {
        "id": "ORG-SCHOOL",
        "legacyId": 4567,
        "urn": "100001",
        "uid": None,
        "category": {"id": "001"},
        "establishmentNumber": "2001",
        "localAuthority": {"code": "123"},
    },
    "numericIdentifier": "98765",
    "textIdentifier": "alovelace",
}
COUNCIL = {
    "organisation": {
        "id": "org-council",
        "legacyId": 12,
        "urn": None,
        "uid": "GUID-12",
        "category": {"id": "002"},
        "establishmentNumber": "330",
    },
    "numericIdentifier": "98766",
    "textIdentifier": "alovelace2",
}


def access(service_id: str, organisation_id: str, *roles: tuple[int, str]) -> dict[str, Any]:
    return {
        "serviceId": service_id,
        "organisationId": organisation_id,
        "roles": [{"id": f"r{n}", "numericId": n, "code": code} for n, code in roles],
    }


def directories(services: list[dict[str, Any]], **seed: Any) -> InMemoryDirectories:
    return InMemoryDirectories(
        services=services,
        users=seed.get("users", {USER_ID: USER}),
        user_organisations={USER_ID: seed.get("memberships", [SCHOOL, COUNCIL])},
        user_services={USER_ID: seed.get("access", [])},
    )


async def fan_out(
    data: dict[str, Any], directory: InMemoryDirectories, context: JobContext = CONTEXT
) -> tuple[dict[str, Any], InMemoryJobPublisher]:
    publisher = InMemoryJobPublisher()
    use_case = FanOutUserUpdateUseCase(
        applications=directory,
        users=directory,
        organisations=directory,
        access=directory,
        publisher=publisher,
        delivery_log=InMemoryDeliveryLog(),
    )
    result = await use_case(parse_payload(FanOutUserUpdate, data), context)
    return result, publisher


def legacy_user(membership: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    organisation = membership["organisation"]
    return {
        "userId": USER_ID,
        "legacyUserId": membership["numericIdentifier"],
        "legacyUsername": membership["textIdentifier"],
        "firstName": "Ada",
        "lastName": "Lovelace",
        "email": "ada@example.com",
        "status": 1,
        "organisationId": organisation["legacyId"],
        "organisationUrn": organisation["urn"],
        "organisationUid": organisation["uid"],
        **overrides,
    }


async def test_a_user_in_two_organisations_gets_one_push_per_organisation() -> None:
    directory = directories(
        subscribed_services(FLAG),
        access=[
            access(COLLECT_APP.lower(), "org-school", (1, "A"), (2, "B")),
            access(COLLECT_APP, "ORG-COUNCIL"),
        ],
    )

    result, publisher = await fan_out({"sub": USER_ID}, directory)

    assert result == {"published": 2}
    queue = f"sendwsuserupdated_v1_{COLLECT_APP}"
    assert [(job.queue, job.data) for job in publisher.published] == [
        (
            queue,
            {
                "user": legacy_user(
                    SCHOOL,
                    organisationLACode="123",
                    roles=[{"id": 1, "code": "A"}, {"id": 2, "code": "B"}],
                ),
                "applicationId": COLLECT_APP,
            },
        ),
        (
            queue,
            {
                "user": legacy_user(COUNCIL, organisationLACode="330", roles=[]),
                "applicationId": COLLECT_APP,
            },
        ),
    ]


async def test_each_subscribed_application_gets_its_own_access_only() -> None:
    directory = directories(
        subscribed_services(FLAG),
        access=[
            access(S2S_APP, "org-school", (3, "S2S_ROLE")),
            access(COLLECT_APP, "org-council"),
            access("8f3e0000-0000-4000-8000-00000000dead", "org-school", (4, "OTHER")),
        ],
    )

    _, publisher = await fan_out({"sub": USER_ID}, directory)

    assert [(job.queue, job.data["user"]["organisationId"]) for job in publisher.published] == [
        (f"sendwsuserupdated_v1_{COLLECT_APP}", 12),
        (f"sendwsuserupdated_v1_{S2S_APP}", 4567),
    ]
    assert publisher.published[1].data["user"]["roles"] == [{"id": 3, "code": "S2S_ROLE"}]


async def test_child_service_roles_merge_into_the_parents_push() -> None:
    services = [
        service("parent", **{FLAG: "true"}),
        service("child", parent_id="parent"),
    ]
    directory = directories(
        services,
        access=[
            access("parent", "org-school", (1, "PARENT_ROLE")),
            access("child", "ORG-SCHOOL", (2, "CHILD_ROLE")),
            access("child", "org-council", (3, "CHILD_ONLY")),
        ],
    )

    _, publisher = await fan_out({"sub": USER_ID}, directory)

    assert [
        (job.queue, job.data["user"]["organisationId"], job.data["user"]["roles"])
        for job in publisher.published
    ] == [
        (
            "sendwsuserupdated_v1_parent",
            4567,
            [{"id": 1, "code": "PARENT_ROLE"}, {"id": 2, "code": "CHILD_ROLE"}],
        ),
        ("sendwsuserupdated_v1_parent", 12, [{"id": 3, "code": "CHILD_ONLY"}]),
    ]


async def test_unsubscribed_applications_and_unknown_organisations_get_nothing() -> None:
    directory = directories(
        subscribed_services(FLAG),
        access=[
            access("6a9c1e3b-0000-4000-8000-0000000000ff", "org-school"),
            access(COLLECT_APP, "org-the-user-is-not-in"),
        ],
    )

    result, publisher = await fan_out({"sub": USER_ID}, directory)

    assert result == {"published": 0}
    assert publisher.published == []


async def test_an_organisation_without_legacy_id_is_skipped() -> None:
    no_legacy_id = {**SCHOOL, "organisation": {**SCHOOL["organisation"], "legacyId": None}}
    directory = directories(
        subscribed_services(FLAG),
        memberships=[no_legacy_id, COUNCIL],
        access=[access(COLLECT_APP, "org-school"), access(COLLECT_APP, "org-council")],
    )

    _, publisher = await fan_out({"sub": USER_ID}, directory)

    assert [job.data["user"]["organisationId"] for job in publisher.published] == [12]


@pytest.mark.parametrize("category", ["050", "053", 51])
async def test_users_of_organisations_that_are_not_synced_are_not_pushed(category: Any) -> None:
    supplier = {**SCHOOL, "organisation": {**SCHOOL["organisation"], "category": {"id": category}}}
    directory = directories(
        subscribed_services(FLAG),
        memberships=[supplier, COUNCIL],
        access=[access(COLLECT_APP, "org-school"), access(COLLECT_APP, "org-council")],
    )

    result, publisher = await fan_out({"sub": USER_ID}, directory)

    assert result == {"published": 1}
    assert [job.data["user"]["organisationId"] for job in publisher.published] == [12]


async def test_each_push_carries_the_fan_out_jobs_place_in_production_order() -> None:
    directory = directories(subscribed_services(FLAG), access=[access(COLLECT_APP, "org-council")])
    context = JobContext(queue="userupdated_v1", job_id="7", produced_at_ms=1_767_225_600_000)

    _, publisher = await fan_out({"sub": USER_ID}, directory, context)

    [job] = publisher.published
    assert job.data["snapshotOrder"] == {"producedAt": 1_767_225_600_000, "sequence": 7}
    assert set(job.data) == {"user", "applicationId", "snapshotOrder"}


async def test_a_full_payload_is_used_as_is_even_for_a_deactivated_user() -> None:
    payload = {**USER, "status": 0, "given_name": "From payload"}
    directory = directories(
        subscribed_services(FLAG), users={}, access=[access(COLLECT_APP, "org-council")]
    )

    _, publisher = await fan_out(payload, directory)

    [job] = publisher.published
    assert job.data["user"] == legacy_user(
        COUNCIL, firstName="From payload", status=0, organisationLACode="330", roles=[]
    )


async def test_absent_user_and_membership_fields_stay_absent() -> None:
    sparse_membership = {"organisation": {"id": "org-x", "legacyId": 9}}
    directory = directories(
        subscribed_services(FLAG),
        users={USER_ID: {"sub": USER_ID, "email": "a@b.c", "status": 1}},
        memberships=[sparse_membership],
        access=[{"serviceId": COLLECT_APP, "organisationId": "org-x", "roles": [{"code": "C"}]}],
    )

    _, publisher = await fan_out({"sub": USER_ID}, directory)

    assert publisher.published[0].data["user"] == {
        "userId": USER_ID,
        "email": "a@b.c",
        "status": 1,
        "organisationId": 9,
        "organisationLACode": "",
        "roles": [{"code": "C"}],
    }


async def test_a_user_with_no_access_yields_no_jobs() -> None:
    result, publisher = await fan_out({"sub": USER_ID}, directories(subscribed_services(FLAG)))

    assert result == {"published": 0}
    assert publisher.published == []


async def test_a_user_the_directory_does_not_know_fails_permanently() -> None:
    directory = directories(subscribed_services(FLAG), users={})

    with pytest.raises(NotFound, match="'sub' was not found") as raised:
        await fan_out({"sub": USER_ID, "email": "ada@example.com"}, directory)
    assert USER_ID not in str(raised.value)
    assert "ada@example.com" not in str(raised.value)


def test_a_payload_without_sub_is_rejected_naming_the_field() -> None:
    with pytest.raises(InvalidPayload, match="sub: Field required"):
        parse_payload(FanOutUserUpdate, {"email": "ada@example.com"})
