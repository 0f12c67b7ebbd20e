"""``SyncJobs`` and ``push_specs`` wire the use cases to the queues with in-memory adapters."""

import pytest
from dependency_injector import containers, providers

from adapters.memory.directories import InMemoryDirectories
from adapters.memory.job_publisher import InMemoryJobPublisher
from adapters.memory.legacy_service import InMemoryLegacyWebService
from adapters.memory.state_store import InMemoryDeliveryLog, InMemorySyncStateStore
from domain.model import Application
from domain.use_cases.legacy_sync.fan_out_organisation_update import FanOutOrganisationUpdate
from domain.use_cases.legacy_sync.role import PushRoleUpdate
from domain.use_cases.legacy_sync.service_list import PUSH_FAMILIES, ROLE_PUSH, USER_PUSH
from entrypoints.jobs.sync import SyncJobs, push_specs
from entrypoints.worker.retry import SYNC_RETRY
from entrypoints.worker.runner import run_job
from tests.unit.sync.builders import CONTEXT, service

APP = Application(id="App-1", params={"wsWsdlUrl": "https://x/?wsdl"})


class FakeAdapters(containers.DeclarativeContainer):
    job_publisher = providers.Singleton(InMemoryJobPublisher)
    directories = providers.Singleton(InMemoryDirectories)
    legacy_service = providers.Singleton(InMemoryLegacyWebService)
    sync_state = providers.Singleton(InMemorySyncStateStore)
    delivery_log = providers.Singleton(InMemoryDeliveryLog)


def test_specs_cover_the_three_fan_out_queues() -> None:
    jobs = SyncJobs(adapters=FakeAdapters())

    specs = jobs.specs()

    assert [spec.queue for spec in specs] == [
        "organisationupdated_v1",
        "roleupdated_v1",
        "userupdated_v1",
    ]
    assert {spec.retry for spec in specs} == {SYNC_RETRY}
    assert specs[0].command is FanOutOrganisationUpdate


async def test_a_fan_out_spec_runs_against_the_adapters() -> None:
    adapters = FakeAdapters()
    adapters.directories().services.append(service("app", receiveOrganisationUpdates="true"))
    [organisation_spec, *_] = SyncJobs(adapters=adapters).specs()

    data = {"id": "o", "name": "n", "category": {"id": "001"}, "legacyId": 1}
    assert await run_job(organisation_spec, data, CONTEXT) == {"published": 1}
    assert adapters.job_publisher().data_for("sendwsorganisationupdated_v1_app") == [
        {"organisation": data, "applicationId": "app"}
    ]


async def test_application_specs_build_one_push_queue_per_family() -> None:
    adapters = FakeAdapters()
    jobs = SyncJobs(adapters=adapters)

    specs = jobs.application_specs(APP, families=set(PUSH_FAMILIES))

    assert [
        (spec.queue, spec.concurrency, spec.global_concurrency, spec.retry) for spec in specs
    ] == [
        ("sendwsorganisationupdated_v1_App-1", 1, 1, SYNC_RETRY),
        ("sendwsroleupdated_v1_App-1", 1, 1, SYNC_RETRY),
        ("sendwsuserupdated_v1_App-1", 1, 1, SYNC_RETRY),
    ]
    role = {"id": "r", "name": "n", "code": "c", "numericId": 5, "status": {"id": 1}}
    assert await run_job(specs[1], {"role": role, "applicationId": "App-1"}, CONTEXT) == {
        "action": "CREATE"
    }
    [(application_id, message)] = adapters.legacy_service().sent
    assert application_id == "App-1"
    assert message.operation == "ProvisionGroup"
    assert specs[1].command is PushRoleUpdate


def test_push_specs_builds_only_the_requested_families() -> None:
    specs = push_specs(
        APP,
        legacy_service=InMemoryLegacyWebService(),
        sync_state=InMemorySyncStateStore(),
        delivery_log=InMemoryDeliveryLog(),
        families={USER_PUSH, ROLE_PUSH},
    )

    assert [spec.queue for spec in specs] == [
        "sendwsroleupdated_v1_App-1",
        "sendwsuserupdated_v1_App-1",
    ]


def test_push_specs_refuses_an_unknown_family() -> None:
    with pytest.raises(ValueError, match="unknown legacy-sync families: sendwsthing_v1"):
        push_specs(
            APP,
            legacy_service=InMemoryLegacyWebService(),
            sync_state=InMemorySyncStateStore(),
            delivery_log=InMemoryDeliveryLog(),
            families={"sendwsthing_v1"},
        )


async def test_discovery_is_available_from_the_container() -> None:
    adapters = FakeAdapters()
    adapters.directories().services.append(service("app", receiveUserUpdates="true"))

    found = await SyncJobs(adapters=adapters).discover_subscriptions()()

    assert [application.id for application in found.subscribers[USER_PUSH]] == ["app"]
