"""Legacy sync keeps each entity's order across two worker processes, through injected 503s.

Node enqueues 50 interleaved updates (5 snapshots each of 5 organisations and 5 users) for one
subscribed application. Two real worker processes share the Redis and a PostgreSQL state
database; the SOAP stand-in answers slowly and says 503 to every fourth call, so pushes are
retried and come back behind newer ones. At the end each entity's last applied envelope is its
last produced snapshot, each entity had exactly one CREATE applied, no older snapshot was applied
after a newer one, and no two calls of one operation were ever in flight at once. The figures go
to the fault-drill summary.
"""

import asyncio
import json
import re
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import redis.asyncio as redis
from psycopg import sql

from tests.conftest import require_service
from tests.e2e.harness import worker_env
from tests.e2e.test_legacy_sync import POSTGRES_ADMIN_URL, application
from tests.faults.rig import DrillResult, WorkerProcess, eventually
from tests.support.asgi_server import serve
from tests.support.platform_stand_in import PlatformStandIn, sample_platform_data
from tests.support.processes import node_async
from tests.support.redis_server import RedisServer
from tests.support.soap_stand_in import SoapStandIn, running_soap_stand_in

APP = "0d3e5f70-0000-4000-8000-00000000a9b1"
ENTITIES = 5
VERSIONS = 5
SOAP_DELAY_S = 0.05
DRILL_LIMIT_S = 60.0
PUSH_QUEUES = {
    "organisation": f"sendwsorganisationupdated_v1_{APP}",
    "user": f"sendwsuserupdated_v1_{APP}",
}
ENTITY = {
    "organisation": re.compile(r"<ws:organisationName>Org (\d) v\d</ws:organisationName>"),
    "user": re.compile(r"<ws:lastName>User(\d) v\d</ws:lastName>"),
}
VERSION = re.compile(r" v(\d)</ws:(?:organisationName|lastName)>")
ACTION = re.compile(r"<ws:action>(\w+)</ws:action>")


def every_fourth_call_is_503(index: int) -> str:
    return "status_503" if index % 4 == 1 else "ok"


def org_id(index: int) -> str:
    return f"0d3e5f70-0000-4000-8000-0000000001{index:02d}"


def user_id(index: int) -> str:
    return f"0d3e5f70-0000-4000-8000-0000000002{index:02d}"


def organisation(index: int, version: int) -> dict[str, Any]:
    return {
        "id": org_id(index), "name": f"Org {index} v{version}",
        "category": {"id": "001", "name": "Establishment"}, "urn": f"10{index}",
        "status": {"id": 1, "name": "Open"}, "legacyId": 300 + index,
    }  # fmt: skip


def user(index: int, version: int) -> dict[str, Any]:
    """A full directories user: the fan-out uses it as it came (names carry the version)."""
    return {"sub": user_id(index), "given_name": "Drill", "family_name": f"User{index} v{version}",
            "email": f"order-{index}@example.org", "status": 1}  # fmt: skip


def platform_data(soap: SoapStandIn) -> dict[str, Any]:
    """One application subscribed to organisations and users; each user in one organisation."""
    data = sample_platform_data()
    subscriber = application(APP, soap, "collect")
    subscriber["relyingParty"]["params"]["receiveRoleUpdates"] = "false"
    data["services"] = [subscriber]
    for index in range(ENTITIES):
        membership = organisation(index, 1)
        data["user_organisations"][user_id(index)] = [
            {"organisation": membership, "numericIdentifier": 500 + index,
             "textIdentifier": f"order{index}"}
        ]  # fmt: skip
        data["user_services"][user_id(index)] = [
            {"serviceId": APP, "organisationId": org_id(index), "roles": []}
        ]
    return data


@asynccontextmanager
async def postgres_database() -> AsyncIterator[str]:
    """A fresh PostgreSQL database the two workers share; dropped afterwards."""
    name = f"dsi_jobs_order_{uuid.uuid4().hex[:12]}"
    try:
        admin = await psycopg.AsyncConnection.connect(
            POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=5
        )
    except psycopg.OperationalError as error:
        require_service("PostgreSQL at " + POSTGRES_ADMIN_URL, error)
        raise
    async with admin:
        await admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            yield f"postgresql://postgres@127.0.0.1:5432/{name}"
        finally:
            await admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@dataclass(frozen=True)
class Applied:
    """One envelope the stand-in received, read back."""

    kind: str
    entity: int
    version: int
    action: str
    answer: str


def envelopes(soap: SoapStandIn) -> list[Applied]:
    found = []
    for call in soap.calls:
        kind = "user" if "ProvisionUser" in call.headers["soapaction"] else "organisation"
        entity, version, action = (
            ENTITY[kind].search(call.body), VERSION.search(call.body), ACTION.search(call.body)
        )  # fmt: skip
        assert entity is not None, call.body
        assert version is not None, call.body
        assert action is not None, call.body
        found.append(Applied(kind, int(entity[1]), int(version[1]), action[1], call.answer))
    return found


async def finished_pushes(client: redis.Redis) -> dict[str, list[dict[str, Any]]]:
    """Every finished push job's return value (or failure), per family."""
    found: dict[str, list[dict[str, Any]]] = {}
    for kind, queue in PUSH_QUEUES.items():
        results = []
        for job_id in await client.zrange(f"bull:{queue}:completed", 0, -1):
            results.append(json.loads(await client.hget(f"bull:{queue}:{job_id}", "returnvalue")))
        for job_id in await client.zrange(f"bull:{queue}:failed", 0, -1):
            results.append({"failed": await client.hget(f"bull:{queue}:{job_id}", "failedReason")})
        found[kind] = results
    return found


async def state_rows(url: str) -> dict[tuple[str, int], tuple[str | None, int | None, int | None]]:
    """(kind, entity index) → (last_action_sent, snapshot produced at, snapshot sequence)."""
    query = """
        SELECT 'organisation', s.organisation_id, s.last_action_sent,
               p.snapshot_produced_at, p.snapshot_sequence
        FROM service_notifications.organisation_state s
        LEFT JOIN service_notifications.sync_progress p
          ON p.service_id = s.service_id AND p.entity_kind = 'organisation'
         AND p.entity_id = CAST(s.organisation_id AS TEXT)
        UNION ALL
        SELECT 'user', s.organisation_id, s.last_action_sent,
               p.snapshot_produced_at, p.snapshot_sequence
        FROM service_notifications.user_state s
        LEFT JOIN service_notifications.sync_progress p
          ON p.service_id = s.service_id AND p.entity_kind = 'user'
         AND p.entity_id = CAST(s.user_id AS TEXT) AND p.organisation_id = s.organisation_id
    """
    async with await psycopg.AsyncConnection.connect(url, connect_timeout=5) as connection:
        rows = await (await connection.execute(query)).fetchall()
    return {
        (kind, legacy_id - 300): (action, produced, seq)
        for kind, legacy_id, action, produced, seq in rows
    }


def drill_jobs() -> list[tuple[tuple[str, int], dict[str, Any]]]:
    """(entity, job to enqueue) in production order: each version of every entity in turn."""
    jobs = []
    for version in range(1, VERSIONS + 1):
        for index in range(ENTITIES):
            jobs.append(
                (("organisation", index),
                 {"queue": "organisationupdated_v1", "data": organisation(index, version)})
            )  # fmt: skip
            jobs.append(
                (("user", index), {"queue": "userupdated_v1", "data": user(index, version)})
            )
    return jobs


@dataclass
class Run:
    """What the drill saw: the jobs Node added, the push results, the state rows, the logs."""

    produced: list[tuple[tuple[str, int], tuple[str, str, int]]]
    pushes: dict[str, list[dict[str, Any]]]
    global_limits: list[str | None]
    rows: dict[tuple[str, int], tuple[str | None, int | None, int | None]]
    jobs_by_process: dict[str, Counter[str]]


async def run_drill(soap: SoapStandIn, redis_server: RedisServer, tmp_path: Path) -> Run:
    async with postgres_database() as database_url:
        platform = PlatformStandIn(data=platform_data(soap))
        async with serve(platform.app()) as platform_url:
            env = {
                **worker_env(redis_server, platform_url, tmp_path / "data"),
                "JOBS_STATE_DATABASE_URL": database_url,
            }
            workers = [WorkerProcess(env, tmp_path, name) for name in ("first", "second")]
            client = redis.Redis.from_url(redis_server.url + "/4", decode_responses=True)
            try:
                await asyncio.gather(*(worker.ready() for worker in workers))
                jobs = drill_jobs()
                added = await node_async(
                    "produce_each.mjs", redis_server.url + "/4", json.dumps([j for _, j in jobs])
                )

                async def all_pushes_finished() -> dict[str, list[dict[str, Any]]] | None:
                    found = await finished_pushes(client)
                    done = all(len(found[kind]) == ENTITIES * VERSIONS for kind in PUSH_QUEUES)
                    return found if done else None

                pushes = await eventually(all_pushes_finished, 45, "every push finishes", 0.2)
                limits = [
                    await client.hget(f"bull:{queue}:meta", "concurrency")
                    for queue in PUSH_QUEUES.values()
                ]
            finally:
                await client.aclose()
                await asyncio.gather(*(worker.stop() for worker in workers))
            rows = await state_rows(database_url)
    by_process = {
        worker.name: Counter(
            "push" if entry.get("queue") in PUSH_QUEUES.values() else "fan-out"
            for entry in worker.events("job_finished")
            if entry.get("outcome") in ("completed", "stale")
        )
        for worker in workers
    }
    produced = [(entity, tuple(job)) for (entity, _), job in zip(jobs, added, strict=True)]
    return Run(produced, pushes, limits, rows, by_process)  # type: ignore[arg-type]


def applied_by_entity(calls: list[Applied]) -> dict[tuple[str, int], list[Applied]]:
    """The envelopes the stand-in accepted, per entity, in the order they arrived."""
    found: dict[tuple[str, int], list[Applied]] = defaultdict(list)
    for call in calls:
        if call.answer == "ok":
            found[(call.kind, call.entity)].append(call)
    return found


async def test_two_workers_apply_each_entitys_snapshots_in_production_order(
    private_redis: RedisServer, tmp_path: Path, report: Callable[[DrillResult], None]
) -> None:
    started = time.monotonic()
    async with (
        asyncio.timeout(DRILL_LIMIT_S),
        running_soap_stand_in(script=every_fourth_call_is_503, delay_s=SOAP_DELAY_S) as soap,
    ):
        run = await run_drill(soap, private_redis, tmp_path)
    elapsed_s = time.monotonic() - started

    calls = envelopes(soap)
    applied = applied_by_entity(calls)
    versions = {
        key: [call.version for call in entity_calls] for key, entity_calls in applied.items()
    }
    out_of_order = sorted(key for key, seen in versions.items() if seen != sorted(set(seen)))
    creates = Counter(
        key for key, entity_calls in applied.items() for c in entity_calls if c.action == "CREATE"
    )
    results = [result for family in run.pushes.values() for result in family]
    stale = sum(result.get("skipped") == "stale" for result in results)
    failed = [result for result in results if "failed" in result]
    answered_503 = sum(call.answer != "ok" for call in calls)
    report(DrillResult(
        f"legacy order: 2 workers, {len(run.produced)} updates of {2 * ENTITIES} entities, "
        "every 4th SOAP call 503",
        len(run.produced), len(results) - len(failed), len(failed), 0, len(out_of_order),
        f"{len(calls)} SOAP calls ({answered_503} answered 503), "
        f"{len(calls) - answered_503} applied, {stale} skipped as stale, "
        f"CREATEs per entity {dict(sorted(Counter(creates.values()).items()))}, jobs by process "
        f"{ {name: dict(jobs) for name, jobs in run.jobs_by_process.items()} }, {elapsed_s:.0f} s",
    ))  # fmt: skip

    everyone = {(kind, index) for kind in PUSH_QUEUES for index in range(ENTITIES)}
    assert run.global_limits == ["1", "1"]
    assert soap.max_in_flight == Counter(
        {soap.action("ProvisionUser"): 1, soap.action("ProvisionOrganisation"): 1}
    ), "two pushes of one application ran at once"
    assert failed == []
    assert out_of_order == [], "an older snapshot was applied after a newer one"
    assert {key: seen[-1] for key, seen in versions.items()} == dict.fromkeys(everyone, VERSIONS)
    assert creates == Counter(dict.fromkeys(everyone, 1)), "not exactly one CREATE per entity"
    assert stale > 0, "the drill never exercised the stale-snapshot rule"
    last_produced = {
        entity: (timestamp, int(job_id)) for entity, (_, job_id, timestamp) in run.produced
    }
    assert {key: (at, sequence) for key, (_, at, sequence) in run.rows.items()} == last_produced
    assert {action for action, _, _ in run.rows.values()} <= {"CREATE", "UPDATE"}
    assert all(jobs.total() > 0 for jobs in run.jobs_by_process.values()), run.jobs_by_process
