"""A subscribed application's SOAP endpoint down, first answering 503, then refusing connections,
while Node-enqueued ``userupdated_v1`` jobs fan out: the pushes retry with back-off and write no
state; once the endpoint is back each user gets exactly one CREATE envelope and one state row,
and the next push is an UPDATE.

The end-to-end set-up of ``tests/e2e/test_legacy_sync.py``: the real worker, the platform-API
stand-in, the SOAP stand-in (reached through a TCP proxy, so it can refuse connections on the
same address its cached WSDL names), SQLite state in the test's directory.
"""

import asyncio
import re
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import redis.asyncio as redis

from tests.e2e.harness import eventually, finished_jobs, produce, read_jobs, worker_env
from tests.e2e.test_legacy_sync import COLLECT_APP, LEGACY_ORG_ID, application, sqlite_user_state
from tests.faults.rig import DrillResult
from tests.support.asgi_server import serve
from tests.support.platform_stand_in import ORG, PlatformStandIn, sample_platform_data
from tests.support.processes import running_worker
from tests.support.redis_server import RedisServer, free_port
from tests.support.soap_stand_in import SoapStandIn, running_soap_stand_in
from tests.support.tcp_proxy import TcpProxy, running_proxy

USERS = 5
PUSH_QUEUE = f"sendwsuserupdated_v1_{COLLECT_APP}"
PHASE_S = 2.0
"""Each outage phase lasts at least this long, and until every push has failed in it."""
SCALE = "0.001"  # SYNC_RETRY: 30 s x 2^n becomes 30 ms x 2^n; 12 attempts span ~60 s
DRILL_LIMIT_S = 55.0
RECOVERY_LIMIT_S = 15.0
USER_ID = re.compile(r"<ws:userId>(\d+)</ws:userId>")
ACTION = re.compile(r"<ws:action>(\w+)</ws:action>")


def drill_user(index: int) -> str:
    return f"7a1b2c3d-0000-4000-8000-0000000010{index:02d}"


def legacy_user_id(index: int) -> str:
    return str(100 + index)


def drill_platform_data(soap: SoapStandIn) -> dict[str, Any]:
    """``USERS`` users in ORG (legacy id 42), each with access to the one subscriber."""
    data = sample_platform_data()
    data["services"] = [data["services"][0], application(COLLECT_APP, soap, "collect")]
    for index in range(USERS):
        sub = drill_user(index)
        data["users"][sub] = {"sub": sub, "given_name": "Drill", "family_name": f"User{index}",
                              "email": f"drill-{index}@example.org", "status": 1}  # fmt: skip
        data["user_organisations"][sub] = [
            {
                "organisation": {"id": ORG, "legacyId": LEGACY_ORG_ID, "urn": "100001",
                                 "category": {"id": "001"}, "localAuthority": {"code": "202"}},
                "numericIdentifier": int(legacy_user_id(index)),
                "textIdentifier": f"drill{index}",
            }
        ]  # fmt: skip
        data["user_services"][sub] = [
            {"serviceId": COLLECT_APP, "organisationId": ORG,
             "roles": [{"numericId": 5, "code": "FIN_REVIEW"}]}
        ]  # fmt: skip
    return data


@dataclass
class SoapDrill:
    server: RedisServer
    events: redis.Redis
    soap: SoapStandIn
    proxy: TcpProxy
    env: dict[str, str]
    workdir: Path

    async def pushes(self, ids: list[str]) -> list[dict[str, Any]]:
        return await read_jobs(self.server, PUSH_QUEUE, ids)

    async def completed_pushes(self) -> set[str]:
        """From the push queue's event stream: fast enough to time the recovery."""
        entries = await self.events.xrange(f"bull:{PUSH_QUEUE}:events")
        return {f["jobId"] for _, f in entries if f.get("event") == "completed"}

    async def failed_pushes(self) -> set[str]:
        entries = await self.events.xrange(f"bull:{PUSH_QUEUE}:events")
        return {f["jobId"] for _, f in entries if f.get("event") == "failed"}

    async def user_state(self) -> list[tuple[Any, ...]]:
        return await asyncio.to_thread(sqlite_user_state, self.workdir / "data" / "state.sqlite3")


@asynccontextmanager
async def soap_drill(private_redis: RedisServer, tmp_path: Path) -> AsyncIterator[SoapDrill]:
    async with running_soap_stand_in() as soap:
        with running_proxy("127.0.0.1", int(soap.base_url.rpartition(":")[2])) as proxy:
            soap.base_url = f"http://127.0.0.1:{proxy.port}"  # the WSDL and its endpoint
            platform = PlatformStandIn(data=drill_platform_data(soap))
            async with serve(platform.app()) as platform_url:
                env = {
                    **worker_env(private_redis, platform_url, tmp_path / "data"),
                    "JOBS_RETRY_DELAY_SCALE": SCALE,
                    "JOBS_HTTP_TIMEOUT_SECONDS": "2",
                }
                events = redis.Redis.from_url(private_redis.url + "/4", decode_responses=True)
                try:
                    yield SoapDrill(private_redis, events, soap, proxy, env, tmp_path)
                finally:
                    await events.aclose()


async def failed_in_phase(
    drill: SoapDrill, ids: list[str], attempts_before: dict[str, int], reason_end: str
) -> dict[str, int] | None:
    """Each push's attempts, once every push has failed in this phase with ``reason_end``;
    ``None`` before. A push that finished now is a failure of the drill."""
    jobs = await drill.pushes(ids)
    finished = [job for job in jobs if job["state"] not in ("waiting", "delayed", "active")]
    assert not finished, finished
    if all(
        job["attemptsMade"] > attempts_before.get(job["id"], 0)
        and str(job["failedReason"]).endswith(reason_end)
        for job in jobs
    ):
        return {job["id"]: job["attemptsMade"] for job in jobs}
    return None


async def run_phase(
    drill: SoapDrill, ids: list[str], attempts_before: dict[str, int], reason_end: str
) -> dict[str, int]:
    started = time.monotonic()

    async def done() -> dict[str, int] | None:
        attempts = await failed_in_phase(drill, ids, attempts_before, reason_end)
        return attempts if time.monotonic() - started >= PHASE_S else None

    attempts: dict[str, int] = await eventually(
        done, f"every push fails with '{reason_end}'", timeout_s=15, interval_s=0.2
    )
    assert await drill.user_state() == [], "a failed push wrote sync state"
    return attempts


def envelopes_by_user(
    soap: SoapStandIn, start: int, end: int | None = None
) -> Counter[tuple[str, str]]:
    """(legacy user id, action) of each envelope the stand-in received in ``[start:end]``."""
    found: Counter[tuple[str, str]] = Counter()
    for call in soap.calls[start:end]:
        user, action = USER_ID.search(call.body), ACTION.search(call.body)
        assert user is not None, "not a ProvisionUser envelope"
        assert action is not None, "not a ProvisionUser envelope"
        found[(user.group(1), action.group(1))] += 1
    return found


async def test_soap_endpoint_down_then_back_sends_each_user_once(
    private_redis: RedisServer, tmp_path: Path, report: Callable[[DrillResult], None]
) -> None:
    async with asyncio.timeout(DRILL_LIMIT_S), soap_drill(private_redis, tmp_path) as drill:
        drill.soap.answer = "status_503"
        async with running_worker(drill.env, drill.workdir, free_port()) as worker:
            subs = [drill_user(index) for index in range(USERS)]
            fan_outs = await produce(drill.server, "userupdated_v1", *({"sub": s} for s in subs))
            fanned = await finished_jobs(drill.server, "userupdated_v1", fan_outs)
            push_ids = [str(n) for n in range(1, USERS + 1)]

            # Phase 1: the WSDL is served (and cached), every SOAP call answers 503.
            after_503 = await run_phase(drill, push_ids, {}, ": ProvisionUser: HTTP 503")
            # Phase 2: nothing listens at the WSDL's endpoint any more.
            drill.proxy.cut()
            after_refused = await run_phase(
                drill, push_ids, after_503, ": ProvisionUser failed (ConnectError)"
            )
            drill.soap.answer = "ok"
            rejected = len(drill.soap.calls)  # nothing can arrive while the proxy is cut
            drill.proxy.restore()
            restored_at = time.monotonic()
            await eventually(
                lambda: _all_completed(drill, push_ids), "every push completes",
                timeout_s=RECOVERY_LIMIT_S, interval_s=0.05,
            )  # fmt: skip
            recovery_s = time.monotonic() - restored_at
            pushes = await drill.pushes(push_ids)
            accepted = envelopes_by_user(drill.soap, rejected)
            state_after_recovery = await drill.user_state()

            # A later update of one user is an UPDATE.
            await produce(drill.server, "userupdated_v1", {"sub": subs[0]})
            (later,) = await finished_jobs(drill.server, PUSH_QUEUE, [str(USERS + 1)])
            later_envelopes = envelopes_by_user(drill.soap, rejected + accepted.total())
            assert worker.poll() is None

        completed = await drill.completed_pushes()
        failed = await drill.failed_pushes()
        duplicates = sum(count - 1 for count in accepted.values())
        attempts = sorted(job["attemptsMade"] for job in pushes)
        report(DrillResult(
            f"SOAP endpoint 503, then refused ({PHASE_S:g}+ s each): {USERS} user pushes,"
            f" attemptsMade {attempts[0]}-{attempts[-1]}",
            USERS, len(set(push_ids) & completed), len(set(push_ids) & failed),
            len(set(push_ids) - completed - failed), duplicates,
            f"all pushes done {recovery_s:.1f} s after the endpoint returned",
        ))  # fmt: skip

    assert [job["returnvalue"] for job in fanned] == [{"published": 1}] * USERS
    assert [job["returnvalue"] for job in pushes] == [{"action": "CREATE"}] * USERS
    for job in pushes:
        assert job["attemptsMade"] > after_refused[job["id"]] > after_503[job["id"]] >= 1, job
    refused_by_user = envelopes_by_user(drill.soap, 0, rejected)
    assert {action for _, action in refused_by_user} == {"CREATE"}
    assert sorted(accepted.items()) == [((legacy_user_id(i), "CREATE"), 1) for i in range(USERS)]
    assert drill.soap.wsdl_requests == 1, "the WSDL is fetched once and kept through the outage"
    assert state_after_recovery == sorted(
        (COLLECT_APP, sub.lower(), LEGACY_ORG_ID, "CREATE") for sub in subs
    )
    assert later["returnvalue"] == {"action": "UPDATE"}
    assert later_envelopes == Counter({(legacy_user_id(0), "UPDATE"): 1})
    assert await drill.user_state() == sorted(
        (COLLECT_APP, sub.lower(), LEGACY_ORG_ID, "UPDATE" if sub == subs[0] else "CREATE")
        for sub in subs
    )
    assert recovery_s < RECOVERY_LIMIT_S


async def _all_completed(drill: SoapDrill, ids: list[str]) -> bool:
    return set(ids) <= await drill.completed_pushes()
