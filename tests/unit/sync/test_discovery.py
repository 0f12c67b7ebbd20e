"""Which applications get per-application push queues (docs/legacy-sync.md#discovery,
docs/original-bugs.md#item-4, #item-27)."""

from collections.abc import Mapping
from typing import Any

import pytest

from adapters.common import platform_records as records
from adapters.memory.directories import InMemoryDirectories
from domain.errors import UpstreamUnavailable
from domain.model import Application
from domain.use_cases.legacy_sync.discover_subscribed_applications import (
    DiscoverSubscribedApplications,
)
from domain.use_cases.legacy_sync.service_list import (
    ORGANISATION_PUSH,
    PUSH_FAMILIES,
    ROLE_PUSH,
    USER_PUSH,
    ServiceList,
)
from entrypoints.registry import DYNAMIC_FAMILIES
from tests.unit.sync.builders import service


async def discover(services: list[dict[str, Any]]) -> Mapping[str, list[Application]]:
    directory = InMemoryDirectories(services=services)
    return (await DiscoverSubscribedApplications(applications=directory)()).subscribers


async def test_only_the_exact_string_true_subscribes() -> None:
    found = await discover(
        [
            service("app-string", receiveUserUpdates="true"),
            service("app-upper", receiveUserUpdates="TRUE"),
            service("app-json-bool", receiveUserUpdates=True),
            service("app-absent"),
        ]
    )
    assert [application.id for application in found[USER_PUSH]] == ["app-string"]


async def test_each_family_reads_its_own_flag_in_api_order() -> None:
    found = await discover(
        [
            service("org-and-role", receiveOrganisationUpdates="true", receiveRoleUpdates="true"),
            service("user-only", receiveUserUpdates="true"),
            service("org-only", receiveOrganisationUpdates="true"),
        ]
    )
    assert {family: [a.id for a in apps] for family, apps in found.items()} == {
        ORGANISATION_PUSH: ["org-and-role", "org-only"],
        ROLE_PUSH: ["org-and-role"],
        USER_PUSH: ["user-only"],
    }


async def test_applications_carry_id_name_parent_and_string_params_only() -> None:
    found = await discover(
        [
            service(
                "child",
                name="Child service",
                parent_id="parent",
                receiveUserUpdates="true",
                wsUseAddressingHeaders=True,
                wsUsername="user",
            )
        ]
    )
    assert found[USER_PUSH] == [
        Application(
            id="child",
            name="Child service",
            parent_id="parent",
            params={
                "receiveUserUpdates": "true",
                "wsUsername": "user",
                "wsWsdlUrl": "https://legacy.example/svc?wsdl",
            },
            api_secret=None,
        )
    ]


async def test_a_subscriber_without_wsdl_url_gets_no_queue() -> None:
    found = await discover(
        [
            service("no-wsdl", wsdl=None, receiveRoleUpdates="true"),
            service("empty-wsdl", wsdl="", receiveRoleUpdates="true"),
            service("ok", receiveRoleUpdates="true"),
        ]
    )
    assert [application.id for application in found[ROLE_PUSH]] == ["ok"]


async def test_services_without_relying_party_or_id_are_tolerated() -> None:
    found = await discover(
        [
            {"id": "bare"},
            {"id": "null-rp", "relyingParty": None},
            {"id": "null-params", "relyingParty": {"params": None}},
            {"name": "no id"},
            service("ok", receiveOrganisationUpdates="true"),
        ]
    )
    assert {family: [a.id for a in apps] for family, apps in found.items()} == {
        ORGANISATION_PUSH: ["ok"],
        ROLE_PUSH: [],
        USER_PUSH: [],
    }


def test_children_are_the_services_naming_the_application_as_parent() -> None:
    service_list = ServiceList.from_services(
        records.applications(
            [
                service("PARENT", receiveUserUpdates="true"),
                service("child-1", parent_id="parent"),
                service("other", parent_id="someone-else"),
                service("child-2", parent_id="PARENT"),
            ]
        )
    )
    [parent] = service_list.subscribers(USER_PUSH)
    assert [child.id for child in service_list.children_of(parent)] == ["child-1", "child-2"]


async def test_an_applications_api_failure_propagates_so_the_worker_keeps_its_queues() -> None:
    directory = InMemoryDirectories(fail_with=UpstreamUnavailable("applications API: 503"))
    with pytest.raises(UpstreamUnavailable):
        await DiscoverSubscribedApplications(applications=directory)()


async def test_reachable_names_every_application_with_a_wsdl_url_subscribed_or_not() -> None:
    directory = InMemoryDirectories(
        services=[
            service("former-subscriber"),
            service("subscriber", receiveUserUpdates="true"),
            service("no-wsdl", wsdl=None, receiveUserUpdates="true"),
        ]
    )
    found = await DiscoverSubscribedApplications(applications=directory)()
    assert sorted(found.reachable) == ["former-subscriber", "subscriber"]


def test_push_families_are_the_registrys_dynamic_families() -> None:
    assert PUSH_FAMILIES == DYNAMIC_FAMILIES
