"""``roleupdated_v1``: one push job per subscribed application (docs/legacy-sync.md#roleupdated_v1,
docs/original-bugs.md#item-23)."""

from typing import Any

import pytest

from adapters.memory.directories import InMemoryDirectories
from adapters.memory.job_publisher import InMemoryJobPublisher
from adapters.memory.state_store import InMemoryDeliveryLog
from domain.errors import InvalidPayload
from domain.use_cases.legacy_sync.fan_out_role_update import (
    FanOutRoleUpdate,
    FanOutRoleUpdateUseCase,
)
from entrypoints.worker.runner import parse_payload
from tests.unit.sync.builders import COLLECT_APP, CONTEXT, S2S_APP, service, subscribed_services

FLAG = "receiveRoleUpdates"

ROLE: dict[str, Any] = {
    "id": "role-1",
    "name": "Data entry",
    "code": "DATA_ENTRY",
    "numericId": 2201,
    "status": {"id": 1},
    "parent": {"id": "role-0", "name": "All", "code": "ALL", "numericId": 2200},
}


async def fan_out(
    data: dict[str, Any], services: list[dict[str, Any]]
) -> tuple[dict[str, Any], InMemoryJobPublisher]:
    publisher = InMemoryJobPublisher()
    use_case = FanOutRoleUpdateUseCase(
        applications=InMemoryDirectories(services=services),
        publisher=publisher,
        delivery_log=InMemoryDeliveryLog(),
    )
    result = await use_case(parse_payload(FanOutRoleUpdate, data), CONTEXT)
    return result, publisher


async def test_without_an_owner_every_subscribed_application_gets_the_role_as_it_came() -> None:
    as_sent = {**ROLE, "parent": {**ROLE["parent"], "status": {"id": 1}}, "extra": 1}
    result, publisher = await fan_out(as_sent, subscribed_services(FLAG))

    assert result == {"published": 2}
    assert [(job.queue, job.data) for job in publisher.published] == [
        (f"sendwsroleupdated_v1_{COLLECT_APP}", {"role": as_sent, "applicationId": COLLECT_APP}),
        (f"sendwsroleupdated_v1_{S2S_APP}", {"role": as_sent, "applicationId": S2S_APP}),
    ]


async def test_with_an_owner_only_the_owner_and_its_parent_get_the_role() -> None:
    services = [
        service("parent", **{FLAG: "true"}),
        service("owner", parent_id="parent", **{FLAG: "true"}),
        service("unrelated", **{FLAG: "true"}),
    ]
    role = {**ROLE, "applicationId": "OWNER"}

    _, publisher = await fan_out(role, services)

    assert [(job.queue, job.data) for job in publisher.published] == [
        ("sendwsroleupdated_v1_parent", {"role": role, "applicationId": "parent"}),
        ("sendwsroleupdated_v1_owner", {"role": role, "applicationId": "owner"}),
    ]


async def test_an_owner_that_does_not_subscribe_means_nobody_gets_the_role() -> None:
    services = [service("owner", **{FLAG: "false"}), service("other", **{FLAG: "true"})]

    result, publisher = await fan_out({**ROLE, "applicationId": "owner"}, services)

    assert result == {"published": 0}
    assert publisher.published == []


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"id": "r", "name": "n", "code": "c"}, "status: Field required"),
        ({"id": "r", "name": "n", "code": "c", "status": {}}, "status.id: Field required"),
        ({"id": "r", "name": "n", "status": {"id": 1}}, "code: Field required"),
    ],
)
def test_invalid_payload_is_rejected_naming_the_field(data: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidPayload, match=field):
        parse_payload(FanOutRoleUpdate, data)


async def test_a_retried_fan_out_does_not_enqueue_the_same_push_twice() -> None:
    publisher = InMemoryJobPublisher()
    use_case = FanOutRoleUpdateUseCase(
        applications=InMemoryDirectories(services=subscribed_services(FLAG)),
        publisher=publisher,
        delivery_log=InMemoryDeliveryLog(),
    )
    command = parse_payload(FanOutRoleUpdate, ROLE)
    first = await use_case(command, CONTEXT)
    again = await use_case(command, CONTEXT)  # the same job, retried or redelivered

    assert first == again == {"published": 2}
    assert len(publisher.published) == 2
