"""``organisationupdated_v1``: one push job per subscribed application
(docs/legacy-sync.md#organisationupdated_v1)."""

from typing import Any

import pytest

from adapters.memory.directories import InMemoryDirectories
from adapters.memory.job_publisher import InMemoryJobPublisher, PublishedJob
from adapters.memory.state_store import InMemoryDeliveryLog
from domain.errors import InvalidPayload
from domain.model import JobContext
from domain.use_cases.legacy_sync.fan_out_organisation_update import (
    FanOutOrganisationUpdate,
    FanOutOrganisationUpdateUseCase,
)
from entrypoints.worker.runner import parse_payload
from tests.unit.sync.builders import (
    COLLECT_APP,
    CONTEXT,
    S2S_APP,
    service,
    subscribed_services,
)

FLAG = "receiveOrganisationUpdates"

ORGANISATION: dict[str, Any] = {
    "id": "org-1",
    "name": "Springfield Primary",
    "category": {"id": "001", "name": "Establishment"},
    "type": {"id": "02", "name": "Community School"},
    "urn": "100001",
    "uid": None,
    "establishmentNumber": "2001",
    "status": {"id": 1, "name": "Open", "tagColor": "green"},
    "telephone": "01234 567890",
    "localAuthority": {"id": "la-1", "name": "Springfield", "code": "123"},
    "legacyId": 4567,
    "addedByProducer": {"kept": True},
}


async def fan_out(
    data: dict[str, Any], services: list[dict[str, Any]], context: JobContext = CONTEXT
) -> tuple[dict[str, Any], InMemoryJobPublisher]:
    publisher = InMemoryJobPublisher()
    use_case = FanOutOrganisationUpdateUseCase(
        applications=InMemoryDirectories(services=services),
        publisher=publisher,
        delivery_log=InMemoryDeliveryLog(),
    )
    result = await use_case(parse_payload(FanOutOrganisationUpdate, data), context)
    return result, publisher


async def test_each_subscribed_application_gets_the_organisation_as_it_came_in_api_order() -> None:
    result, publisher = await fan_out(ORGANISATION, subscribed_services(FLAG))

    assert result == {"published": 2}
    assert publisher.published == [
        PublishedJob(
            f"sendwsorganisationupdated_v1_{COLLECT_APP}",
            {"organisation": ORGANISATION, "applicationId": COLLECT_APP},
            "1",
        ),
        PublishedJob(
            f"sendwsorganisationupdated_v1_{S2S_APP}",
            {"organisation": ORGANISATION, "applicationId": S2S_APP},
            "2",
        ),
    ]


async def test_values_are_forwarded_unconverted_while_the_filter_reads_them_typed() -> None:
    as_sent = {**ORGANISATION, "legacyId": "4567", "category": {"id": "001", "extra": [1]}}

    _, publisher = await fan_out(as_sent, [service("app", **{FLAG: "true"})])

    [data] = publisher.data_for("sendwsorganisationupdated_v1_app")
    assert data["organisation"] == as_sent


async def test_each_push_carries_the_fan_out_jobs_place_in_production_order() -> None:
    context = JobContext(
        queue="organisationupdated_v1", job_id="42", produced_at_ms=1_767_225_600_123
    )

    _, publisher = await fan_out(ORGANISATION, [service("app", **{FLAG: "true"})], context)

    assert publisher.data_for("sendwsorganisationupdated_v1_app") == [
        {
            "organisation": ORGANISATION,
            "applicationId": "app",
            "snapshotOrder": {"producedAt": 1_767_225_600_123, "sequence": 42},
        }
    ]


async def test_absent_fields_stay_absent_and_nulls_stay_null() -> None:
    sparse = {"id": "org-2", "name": "X", "category": {"id": "010"}, "urn": None, "legacyId": 7}

    _, publisher = await fan_out(sparse, [service("app", **{FLAG: "true"})])

    assert publisher.data_for("sendwsorganisationupdated_v1_app") == [
        {"organisation": sparse, "applicationId": "app"}
    ]


async def test_unsubscribed_and_unreachable_applications_get_nothing() -> None:
    services = [
        service("off", **{FLAG: "false"}),
        service("upper", **{FLAG: "TRUE"}),
        service("no-wsdl", wsdl=None, **{FLAG: "true"}),
        service("user-flag-only", receiveUserUpdates="true"),
    ]
    result, publisher = await fan_out(ORGANISATION, services)

    assert result == {"published": 0}
    assert publisher.published == []


@pytest.mark.parametrize("category", ["050", "053", "021"])
async def test_categories_above_020_are_not_synced(category: str) -> None:
    data = {**ORGANISATION, "category": {"id": category}}
    result, publisher = await fan_out(data, subscribed_services(FLAG))

    assert result == {"published": 0, "skipped": "category is not synced"}
    assert publisher.published == []


@pytest.mark.parametrize("category", ["020", "002", "013", "not-a-number"])
async def test_other_categories_are_synced(category: str) -> None:
    data = {**ORGANISATION, "category": {"id": category}}
    result, _ = await fan_out(data, subscribed_services(FLAG))

    assert result == {"published": 2}


@pytest.mark.parametrize("legacy_id", [None, "absent"])
async def test_an_organisation_without_legacy_id_is_not_fanned_out(legacy_id: Any) -> None:
    data = {key: value for key, value in ORGANISATION.items() if key != "legacyId"}
    if legacy_id is None:
        data["legacyId"] = None
    result, publisher = await fan_out(data, subscribed_services(FLAG))

    assert result == {"published": 0, "skipped": "organisation has no legacyId"}
    assert publisher.published == []


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"id": "o", "name": "n"}, "category: Field required"),
        ({"id": "o", "name": "n", "category": {}}, "category.id: Field required"),
        ({"name": "n", "category": {"id": "001"}}, "id: Field required"),
        ({"id": "o", "name": "n", "category": {"id": "001"}, "legacyId": "x"}, "legacyId:"),
    ],
)
def test_invalid_payload_is_rejected_naming_the_field(data: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidPayload, match=field):
        parse_payload(FanOutOrganisationUpdate, data)
