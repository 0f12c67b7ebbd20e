"""Legacy sync end to end: Node-enqueued fan-out jobs → the real worker → SOAP envelopes.

Two subscribed applications, one with the Collect formatters and one with S2S (plus
WS-Addressing), each with its own WSDL on its own SOAP stand-in. The worker is configured by
environment variables only; its state store is SQLite in the test's directory or, for the tests
about CREATE/UPDATE state, also a fresh PostgreSQL database.
"""

import asyncio
import json
import sqlite3
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from psycopg import sql

from tests.conftest import require_service
from tests.e2e.harness import (
    eventually,
    finished_jobs,
    global_concurrency,
    produce,
    read_jobs,
    worker_env,
)
from tests.support.asgi_server import serve
from tests.support.platform_stand_in import BOB, ORG, PlatformStandIn, sample_platform_data
from tests.support.processes import running_worker
from tests.support.redis_server import RedisServer, free_port
from tests.support.soap_stand_in import TNS, ReceivedCall, SoapStandIn, running_soap_stand_in

COLLECT_APP = "5c0e1a2b-0000-4000-8000-0000000c011c"
S2S_APP = "5c0e1a2b-0000-4000-8000-000000000525"
ROLE_ID = "9d8e7f60-0000-4000-8000-000000000005"
PARENT_ROLE_ID = "9d8e7f60-0000-4000-8000-000000000003"
LEGACY_ORG_ID = 42
ENDPOINT_TARGET = "/svc?a=1&b=2"

SOAP_11 = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP_12 = "http://www.w3.org/2003/05/soap-envelope"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
WSA = "http://www.w3.org/2005/08/addressing"
CAP = "http://schemas.datacontract.org/2004/07/Capgemini.DFE.ProvisioningSvcs.COLLECT.Common"
COLLECT_CONTENT_TYPE = "application/soap+xml; charset=utf-8"
S2S_CONTENT_TYPE = "text/xml; charset=utf-8"

ORGANISATION: dict[str, Any] = {
    "id": ORG,
    "name": "Example Academy",
    "category": {"id": "001", "name": "Establishment"},
    "type": {"id": "34", "name": "Academy converter"},
    "urn": "100001",
    "establishmentNumber": "4001",
    "status": {"id": 3, "name": "Proposed to close"},
    "telephone": "01234 567890",
    "region": {"id": "H", "name": "London"},
    "localAuthority": {"id": "la-1", "name": "Camden", "code": "202"},
    "legacyId": LEGACY_ORG_ID,
}
ROLE: dict[str, Any] = {
    "id": ROLE_ID,
    "name": "Finance reviewer",
    "code": "FIN_REVIEW",
    "numericId": 5,
    "status": {"id": 1},
    "parent": {"id": PARENT_ROLE_ID, "name": "Finance", "code": "FIN", "numericId": 3},
}
BOB_EMAIL = "bob+jobs@example.org"  # as seeded by sample_platform_data()
POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
USER_STATE_QUERY = (
    "SELECT CAST(service_id AS TEXT), CAST(user_id AS TEXT), organisation_id, last_action_sent"
    " FROM {table}"
)

UserStateRows = Callable[[], list[tuple[Any, ...]]]


def application(app_id: str, soap: SoapStandIn, formatter: str, **params: str) -> dict[str, Any]:
    """A service subscribed to every family, using ``formatter`` for all three operations."""
    return {
        "id": app_id,
        "name": f"Legacy {formatter}",
        "parentId": None,
        "relyingParty": {
            "client_id": f"legacy-{formatter}",
            "params": {
                "receiveUserUpdates": "true",
                "receiveOrganisationUpdates": "true",
                "receiveRoleUpdates": "true",
                "wsWsdlUrl": soap.wsdl_url,
                "wsProvisionUserFormatterType": formatter,
                "wsProvisionOrganisationFormatterType": formatter,
                "wsProvisionGroupFormatterType": formatter,
                **params,
            },
        },
    }


def platform_data(*services: dict[str, Any]) -> dict[str, Any]:
    """Bob, a member of ORG (legacy id 42) with access to both applications; ``services``
    plus one service that subscribes to nothing."""
    data = sample_platform_data()
    bystander = data["services"][0]
    data["services"] = [bystander, *services]
    data["user_organisations"][BOB] = [
        {
            "organisation": {
                "id": ORG,
                "legacyId": LEGACY_ORG_ID,
                "urn": "100001",
                "category": {"id": "001"},
                "localAuthority": {"code": "202"},
            },
            "numericIdentifier": 7,
            "textIdentifier": "abc",
        }
    ]
    data["user_services"][BOB] = [
        {
            "serviceId": COLLECT_APP,
            "organisationId": ORG,
            "roles": [{"numericId": 5, "code": "FIN_REVIEW"}],
        },
        {"serviceId": S2S_APP.upper(), "organisationId": ORG.upper(), "roles": []},
    ]
    return data


@dataclass(frozen=True)
class StateDatabase:
    """Where the worker keeps its sync state: extra environment, and how to read user state."""

    env: dict[str, str]
    user_state_rows: UserStateRows


@pytest.fixture
def state_backend() -> str:
    """SQLite unless a test is parametrised over backends."""
    return "sqlite"


@pytest.fixture
def state_database(state_backend: str, tmp_path: Path) -> Iterator[StateDatabase]:
    if state_backend == "sqlite":
        state_file = tmp_path / "data" / "state.sqlite3"  # the default under JOBS_DATA_DIR
        yield StateDatabase({}, lambda: sqlite_user_state(state_file))
        return
    name = f"dsi_jobs_e2e_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        require_service("PostgreSQL at " + POSTGRES_ADMIN_URL, error)
        raise
    with admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
        yield StateDatabase({"JOBS_STATE_DATABASE_URL": url}, lambda: postgres_user_state(url))
    finally:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=5) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def sqlite_user_state(state_file: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(state_file) as connection:
        rows = connection.execute(USER_STATE_QUERY.format(table="user_state")).fetchall()
    return sorted(rows)


def postgres_user_state(url: str) -> list[tuple[Any, ...]]:
    plain_url = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain_url, connect_timeout=5) as connection:
        query = USER_STATE_QUERY.format(table="service_notifications.user_state")
        rows = connection.execute(query).fetchall()
    return sorted(rows)


@dataclass
class Rig:
    redis: RedisServer
    workdir: Path
    platform: PlatformStandIn
    collect: SoapStandIn
    s2s: SoapStandIn
    env: dict[str, str]
    state: StateDatabase

    def collect_application(self) -> dict[str, Any]:
        return application(COLLECT_APP, self.collect, "collect")

    def s2s_application(self) -> dict[str, Any]:
        return application(S2S_APP, self.s2s, "s2s", wsUseAddressingHeaders="true")

    async def user_state(self) -> list[tuple[Any, ...]]:
        return await asyncio.to_thread(self.state.user_state_rows)


@pytest.fixture
async def rig(
    private_redis: RedisServer, tmp_path: Path, state_database: StateDatabase
) -> AsyncIterator[Rig]:
    async with running_soap_stand_in() as collect, running_soap_stand_in() as s2s:
        platform = PlatformStandIn(data=platform_data())
        async with serve(platform.app()) as platform_url:
            env = {
                **worker_env(private_redis, platform_url, tmp_path / "data"),
                **state_database.env,
            }
            rig = Rig(private_redis, tmp_path, platform, collect, s2s, env, state_database)
            platform.data["services"].extend([rig.collect_application(), rig.s2s_application()])
            yield rig


# Expected envelopes (docs/soap.md#the-envelope) ---------------------------------------------------


def collect_envelope(body: str, *, cap: bool = False) -> str:
    namespaces = f' xmlns:soapenv="{SOAP_12}" xmlns:ws="{TNS}"'
    if cap:
        namespaces += f' xmlns:cap="{CAP}"'
    return f"<soapenv:Envelope{namespaces}><soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"


def s2s_envelope(body: str, soap: SoapStandIn, operation: str) -> str:
    namespaces = f' xmlns:soapenv="{SOAP_11}" xmlns:ws="{TNS}" xmlns:xsi="{XSI}" xmlns:wsa="{WSA}"'
    endpoint = soap.endpoint.replace("&", "&amp;")
    header = (
        f"<soapenv:Header><wsa:To>{endpoint}</wsa:To>"
        f"<wsa:Action>{soap.action(operation)}</wsa:Action></soapenv:Header>"
    )
    body = f"<soapenv:Body>{body}</soapenv:Body>"
    return f"<soapenv:Envelope{namespaces}>{header}{body}</soapenv:Envelope>"


def collect_user(action: str) -> str:
    return collect_envelope(
        "<ws:ProvisionUser><ws:pur>"
        "<ws:Groups><cap:group><cap:group><cap:codeField>FIN_REVIEW</cap:codeField>"
        "<cap:idField>5</cap:idField></cap:group></cap:group></ws:Groups>"
        f"<ws:action>{action}</ws:action><ws:emailAddress>{BOB_EMAIL}</ws:emailAddress>"
        "<ws:firstName>Bob</ws:firstName><ws:lastName>Builder</ws:lastName>"
        "<ws:organisationId>42</ws:organisationId><ws:userId>7</ws:userId>"
        "<ws:userName>abc</ws:userName><ws:wsAccountStatusCode>1</ws:wsAccountStatusCode>"
        "</ws:pur></ws:ProvisionUser>",
        cap=True,
    )


def collect_organisation(action: str) -> str:
    return collect_envelope(
        "<ws:ProvisionOrganisation><ws:por>"
        f"<ws:action>{action}</ws:action>"
        "<ws:establishmentDfeNumber>2024001</ws:establishmentDfeNumber>"
        "<ws:establishmentUrn>100001</ws:establishmentUrn>"
        "<ws:localAuthorityCode>202</ws:localAuthorityCode>"
        "<ws:orgEdubaseTypeCode>34</ws:orgEdubaseTypeCode>"
        "<ws:organisationId>42</ws:organisationId>"
        "<ws:organisationName>Example Academy</ws:organisationName>"
        "<ws:organisationTypeCode>001</ws:organisationTypeCode>"
        "<ws:wsOrganisationStatusCode>1</ws:wsOrganisationStatusCode>"
        "</ws:por></ws:ProvisionOrganisation>"
    )


def collection_group(action: str) -> str:
    """The Collect/S2S ProvisionGroup body (the two formatters share the tree)."""
    return (
        "<ws:ProvisionCollectionGroup><ws:pcg>"
        "<ws:CollectionGroupParentId>3</ws:CollectionGroupParentId>"
        f"<ws:action>{action}</ws:action>"
        "<ws:collectionGroupCode>FIN_REVIEW</ws:collectionGroupCode>"
        "<ws:collectionGroupDescription></ws:collectionGroupDescription>"
        "<ws:collectionGroupId>5</ws:collectionGroupId>"
        "<ws:collectionGroupName>Finance reviewer</ws:collectionGroupName>"
        "<ws:wsCollectionGroupStatusCode>Active</ws:wsCollectionGroupStatusCode>"
        "</ws:pcg></ws:ProvisionCollectionGroup>"
    )


def s2s_user(action: str, soap: SoapStandIn) -> str:
    return s2s_envelope(
        "<ws:ProvisionUser><ws:pur>"
        f"<ws:action>{action}</ws:action><ws:emailAddress>{BOB_EMAIL}</ws:emailAddress>"
        "<ws:organisationId>42</ws:organisationId><ws:userId>7</ws:userId>"
        "<ws:userName>abc</ws:userName><ws:wsAccountStatusCode>1</ws:wsAccountStatusCode>"
        "</ws:pur></ws:ProvisionUser>",
        soap,
        "ProvisionUser",
    )


def s2s_organisation(action: str, soap: SoapStandIn) -> str:
    return s2s_envelope(
        "<ws:ProvisionOrganisation><ws:por>"
        f"<ws:action>{action}</ws:action>"
        "<ws:establishmentNumber>4001</ws:establishmentNumber>"
        "<ws:localAuthorityCode>202</ws:localAuthorityCode>"
        "<ws:localAuthorityName>Camden</ws:localAuthorityName>"
        "<ws:organisationId>42</ws:organisationId>"
        "<ws:organisationName>Example Academy</ws:organisationName>"
        "<ws:organisationTypeCode>001</ws:organisationTypeCode>"
        "<ws:regionCode>H</ws:regionCode>"
        "<ws:telephoneNumber>01234 567890</ws:telephoneNumber>"
        "<ws:typeOfEstablishmentCode>34</ws:typeOfEstablishmentCode>"
        "<ws:wsOrganisationStatusCode>1</ws:wsOrganisationStatusCode>"
        "</ws:por></ws:ProvisionOrganisation>",
        soap,
        "ProvisionOrganisation",
    )


def by_operation(soap: SoapStandIn, calls: list[ReceivedCall]) -> dict[str, ReceivedCall]:
    """The calls keyed by operation (from their SOAPAction), each operation exactly once."""
    keyed = {call.headers["soapaction"].rpartition("/")[2]: call for call in calls}
    assert len(keyed) == len(calls), [call.headers["soapaction"] for call in calls]
    for operation, call in keyed.items():
        assert call.headers["soapaction"] == soap.action(operation)
        assert call.target == ENDPOINT_TARGET
    return keyed


def assert_round(rig: Rig, calls_so_far: int, action: str) -> None:
    """The three envelopes each stand-in received in this round, byte for byte."""
    collect = by_operation(rig.collect, rig.collect.calls[calls_so_far : calls_so_far + 3])
    assert collect["ProvisionUser"].body == collect_user(action)
    assert collect["ProvisionOrganisation"].body == collect_organisation(action)
    assert collect["ProvisionGroup"].body == collect_envelope(collection_group(action))
    assert {call.headers["content-type"] for call in collect.values()} == {COLLECT_CONTENT_TYPE}

    s2s = by_operation(rig.s2s, rig.s2s.calls[calls_so_far : calls_so_far + 3])
    assert s2s["ProvisionUser"].body == s2s_user(action, rig.s2s)
    assert s2s["ProvisionOrganisation"].body == s2s_organisation(action, rig.s2s)
    assert s2s["ProvisionGroup"].body == s2s_envelope(
        collection_group(action), rig.s2s, "ProvisionGroup"
    )
    assert {call.headers["content-type"] for call in s2s.values()} == {S2S_CONTENT_TYPE}


async def calls_received(rig: Rig, collect: int, s2s: int, what: str) -> None:
    await eventually(
        lambda: (len(rig.collect.calls), len(rig.s2s.calls)) == (collect, s2s),
        what,
        timeout_s=20,
    )


# Tests -------------------------------------------------------------------------------------


@pytest.mark.parametrize("state_backend", ["sqlite", "postgresql"])
async def test_each_update_reaches_each_subscriber_as_create_then_update(rig: Rig) -> None:
    fan_outs = {
        "userupdated_v1": {"sub": BOB},
        "organisationupdated_v1": ORGANISATION,
        "roleupdated_v1": ROLE,
    }
    async with running_worker(rig.env, rig.workdir, free_port()):
        for round_number, action in enumerate(("CREATE", "UPDATE")):
            ids = {queue: await produce(rig.redis, queue, data) for queue, data in fan_outs.items()}
            for queue, job_ids in ids.items():
                (job,) = await finished_jobs(rig.redis, queue, job_ids)
                assert (job["state"], job["returnvalue"]) == ("completed", {"published": 2}), job
            expected = 3 * (round_number + 1)
            await calls_received(rig, expected, expected, f"{action} envelopes at both services")
            assert_round(rig, 3 * round_number, action)

        for family in ("sendwsuserupdated_v1", "sendwsorganisationupdated_v1"):
            for app_id in (COLLECT_APP, S2S_APP):
                pushes = await finished_jobs(rig.redis, f"{family}_{app_id}", ["1", "2"])
                assert [job["returnvalue"] for job in pushes] == [
                    {"action": "CREATE"},
                    {"action": "UPDATE"},
                ]
                assert pushes[0]["data"]["applicationId"] == app_id
                orders = [job["data"]["snapshotOrder"] for job in pushes]
                assert [order["sequence"] for order in orders] == [1, 2]
                assert orders[0]["producedAt"] <= orders[1]["producedAt"]
                assert await global_concurrency(rig.redis, f"{family}_{app_id}") == 1
        organisation_push = await finished_jobs(
            rig.redis, f"sendwsorganisationupdated_v1_{COLLECT_APP}", ["1"]
        )
        assert organisation_push[0]["data"]["organisation"] == ORGANISATION  # as produced
        assert await global_concurrency(rig.redis, "userupdated_v1") is None

    assert rig.collect.wsdl_requests == 1
    assert rig.s2s.wsdl_requests == 1
    assert await rig.user_state() == sorted(
        [
            (COLLECT_APP, BOB.lower(), LEGACY_ORG_ID, "UPDATE"),
            (S2S_APP, BOB.lower(), LEGACY_ORG_ID, "UPDATE"),
        ]
    )


async def test_application_subscribed_while_running_gets_pushes_without_restart(
    rig: Rig,
) -> None:
    services = rig.platform.data["services"]
    services.remove(rig.s2s_application())
    async with running_worker(rig.env, rig.workdir, free_port()) as worker:
        (job,) = await finished_jobs(
            rig.redis,
            "organisationupdated_v1",
            await produce(rig.redis, "organisationupdated_v1", ORGANISATION),
        )
        assert job["returnvalue"] == {"published": 1}
        await calls_received(rig, 1, 0, "the one subscriber's CREATE")

        services.append(rig.s2s_application())
        listings = len(rig.platform.calls_to("/applications/services"))
        await eventually(
            lambda: len(rig.platform.calls_to("/applications/services")) > listings,
            "the worker's next look at the service list",
            timeout_s=5,
        )
        (job,) = await finished_jobs(
            rig.redis,
            "organisationupdated_v1",
            await produce(rig.redis, "organisationupdated_v1", ORGANISATION),
        )
        assert job["returnvalue"] == {"published": 2}
        await calls_received(rig, 2, 1, "a push to the newly subscribed application")
        assert worker.poll() is None

    assert rig.collect.calls[1].body == collect_organisation("UPDATE")
    assert by_operation(rig.s2s, rig.s2s.calls)["ProvisionOrganisation"].body == (
        s2s_organisation("CREATE", rig.s2s)
    )


async def push_of(rig: Rig, queue: str, fan_out_id: str) -> dict[str, Any]:
    """The push a fan-out job published on ``queue``, once it has finished.

    Found by its ``snapshotOrder`` (the id of the fan-out job that published it), not by
    guessing its own job id: a push queue's ids are shared by every update, so a guessed id can
    name another update's push. More than one push from one fan-out fails here, listed.
    """

    async def finished() -> dict[str, Any] | None:
        jobs = await read_jobs(rig.redis, queue, [str(n) for n in range(1, 7)])
        mine = [
            job for job in jobs
            if job["state"] != "missing"
            and job["data"].get("snapshotOrder", {}).get("sequence") == int(fan_out_id)
        ]  # fmt: skip
        assert len(mine) <= 1, f"fan-out job {fan_out_id} published {len(mine)} pushes: {mine}"
        return mine[0] if mine and mine[0]["state"] in ("completed", "failed") else None

    found: dict[str, Any] = await eventually(
        finished, f"the push of fan-out job {fan_out_id} on {queue}", timeout_s=30, interval_s=0.3
    )
    return found


def actions(soap: SoapStandIn) -> list[str]:
    """The action of every envelope a stand-in received, in order."""
    return [call.body.split("<ws:action>")[1].split("<")[0] for call in soap.calls]


@pytest.mark.parametrize("state_backend", ["sqlite", "postgresql"])
async def test_soap_fault_fails_the_push_and_leaves_the_state_alone(rig: Rig) -> None:
    rig.collect.answer = "client_fault_200"
    rig.collect.fault_text = (
        f"User {BOB_EMAIL} (Bob Builder, username abc) is not allowed in organisation 42"
    )
    collect_queue = f"sendwsuserupdated_v1_{COLLECT_APP}"
    s2s_queue = f"sendwsuserupdated_v1_{S2S_APP}"
    async with running_worker(rig.env, rig.workdir, free_port()):
        (first,) = await produce(rig.redis, "userupdated_v1", {"sub": BOB})
        failed = await push_of(rig, collect_queue, first)
        created = await push_of(rig, s2s_queue, first)
        rows_after_fault = await rig.user_state()

        rig.collect.answer = "ok"
        (second,) = await produce(rig.redis, "userupdated_v1", {"sub": BOB})
        retried = await push_of(rig, collect_queue, second)
        updated = await push_of(rig, s2s_queue, second)
        rows_after_retry = await rig.user_state()

    attempts = [job["attemptsMade"] for job in (failed, created, retried, updated)]
    assert (actions(rig.collect), actions(rig.s2s), attempts) == (
        ["CREATE", "CREATE"],
        ["CREATE", "UPDATE"],
        [1, 1, 1, 1],
    ), "one envelope per push, one attempt each"
    assert failed["state"] == "failed"
    assert failed["failedReason"] == (
        f"application {COLLECT_APP}: ProvisionUser: SOAP fault Client (HTTP 200): "
        "User [redacted] ([redacted] [redacted], username [redacted]) "
        "is not allowed in organisation 42"
    )
    assert created["returnvalue"] == {"action": "CREATE"}
    assert rows_after_fault == [(S2S_APP, BOB.lower(), LEGACY_ORG_ID, "CREATE")]

    assert retried["returnvalue"] == {"action": "CREATE"}
    assert updated["returnvalue"] == {"action": "UPDATE"}
    assert rig.collect.calls[0].body == collect_user("CREATE")
    assert rig.collect.calls[1].body == collect_user("CREATE")
    assert rig.s2s.calls[1].body == s2s_user("UPDATE", rig.s2s)
    assert rows_after_retry == sorted(
        [
            (COLLECT_APP, BOB.lower(), LEGACY_ORG_ID, "CREATE"),
            (S2S_APP, BOB.lower(), LEGACY_ORG_ID, "UPDATE"),
        ]
    )


MONITOR_TOKEN = "e2e-monitor-token"


def stopped_queues(workdir: Path) -> set[str]:
    """Queues the worker has logged stopping (``dynamic_workers_changed``)."""
    stopped: set[str] = set()
    for line in (workdir / "worker.log").read_text().splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and entry.get("event") == "dynamic_workers_changed":
            stopped.update(entry.get("stopped", []))
    return stopped


async def metric(port: int, name: str) -> float:
    """The sum of ``name``'s samples on the worker's /metrics (0 when absent)."""
    async with httpx.AsyncClient(timeout=5) as client:
        answer = await client.get(
            f"http://127.0.0.1:{port}/metrics", headers={"authorization": f"Bearer {MONITOR_TOKEN}"}
        )
    answer.raise_for_status()
    return sum(
        float(line.rpartition(" ")[2])
        for line in answer.text.splitlines()
        if line.startswith((f"{name} ", f"{name}{{"))
    )


async def test_a_failing_services_list_retries_fan_outs_and_keeps_push_workers(rig: Rig) -> None:
    collect_queue = f"sendwsuserupdated_v1_{COLLECT_APP}"
    port = free_port()
    async with running_worker({**rig.env, "JOBS_MONITOR_TOKEN": MONITOR_TOKEN}, rig.workdir, port):
        await finished_jobs(
            rig.redis, "userupdated_v1", await produce(rig.redis, "userupdated_v1", {"sub": BOB})
        )
        await calls_received(rig, 1, 1, "one user push at each service")
        (push,) = await read_jobs(rig.redis, collect_queue, ["1"])

        rig.platform.services_status = 404  # e.g. a wrong STANDALONE_APPLICATIONS_HOST_NAME
        await eventually(
            lambda: metric(port, "dsi_jobs_subscription_refresh_failures_total"),
            "a failed subscription refresh counted on /metrics",
        )
        fan_out = await produce(rig.redis, "userupdated_v1", {"sub": BOB})

        async def retried() -> dict[str, Any] | None:
            (job,) = await read_jobs(rig.redis, "userupdated_v1", fan_out)
            return job if job["attemptsMade"] >= 2 and job["state"] != "completed" else None

        job = await eventually(retried, "the fan-out retried, not completed with nothing")
        assert "answered 404 (check STANDALONE_APPLICATIONS_HOST_NAME)" in job["failedReason"]

        again = {key: value for key, value in push["data"].items() if key != "snapshotOrder"}
        await produce(rig.redis, collect_queue, again)  # as a Node fan-out would: no order
        await calls_received(rig, 2, 1, "the push worker kept through the outage")

        rig.platform.services_status = 200
        (done,) = await finished_jobs(rig.redis, "userupdated_v1", fan_out)
        assert done["state"] == "completed"
        assert done["returnvalue"] == {"published": 2}
        await calls_received(rig, 3, 2, "the retried fan-out's pushes")


async def test_an_unsubscribed_applications_queue_is_drained_then_its_worker_stops(
    rig: Rig,
) -> None:
    collect_queue = f"sendwsuserupdated_v1_{COLLECT_APP}"
    port = free_port()
    async with running_worker({**rig.env, "JOBS_MONITOR_TOKEN": MONITOR_TOKEN}, rig.workdir, port):
        rig.collect.answer = "hang"  # the push stays active until released
        await produce(rig.redis, "userupdated_v1", {"sub": BOB})
        await calls_received(rig, 1, 1, "one user push at each service")

        rig.platform.data["services"].remove(rig.collect_application())  # gone from the API
        draining = f'dsi_jobs_unsubscribed_queues{{handling="draining",queue="{collect_queue}"}}'
        await eventually(lambda: metric(port, draining), "the queue shown as draining")

        rig.collect.answer = "ok"
        rig.collect._release.set()
        (pushed,) = await finished_jobs(rig.redis, collect_queue, ["1"])
        assert pushed["state"] == "completed"
        await eventually(
            lambda: collect_queue in stopped_queues(rig.workdir),
            "the drained queue's worker stopped",
        )
        assert await metric(port, draining) == 0
