"""The cut-over of docs/cut-over.md, rehearsed: the Node service (a stand-in running the real npm
``bullmq`` 5 worker with the original's options) and this worker share one Redis while jobs keep
arriving. The runbook's steps are walked in order with its exact settings, then the last step is
rolled back. After each step every job was processed exactly once, by the side meant to: Node
alone before a queue moves; either side (never both) while both consume it; this service alone
once Node is stopped; Node alone again after the rollback.

Interoperation on the way: a job the Node worker failed is retried with ``dsi-jobs retry`` and
runs here; a job this worker failed part-way is retried with a Node tool after the worker was
restarted, and its delivery record keeps the recipient already e-mailed from a second e-mail;
Node's ``Queue.getWorkers()`` counts this service's workers and Node reads who ran each job.
"""

import asyncio
import itertools
import json
import signal
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from subprocess import Popen
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis
from bullmq import Queue

from adapters.redis_queue.inspector import BullmqQueueInspector
from tests.e2e.harness import eventually, queue_url, worker_env
from tests.support.asgi_server import serve
from tests.support.notify_stand_in import NotifyApiKey, NotifyStandIn, running_notify_stand_in
from tests.support.platform_stand_in import PlatformStandIn, sample_platform_data
from tests.support.processes import DSI_JOBS, NODE_DIR, clean_env, node_async, running_worker
from tests.support.redis_server import RedisServer, free_port
from tests.support.settings import template_ids
from tests.support.soap_stand_in import SoapStandIn, running_soap_stand_in

RUNBOOK = Path(__file__).resolve().parents[2] / "docs" / "cut-over.md"
APP = "9a8b7c6d-0000-4000-8000-0000000000a1"
PUSH_QUEUE = f"sendwsroleupdated_v1_{APP}"
NODE_RECORDS = "rehearsal:node-processed"
TOKEN = "rehearsal-monitor-token"
RETENTION = {"removeOnComplete": {"age": 3600, "count": 1000}, "removeOnFail": {"age": 43200}}
"""The producers' options, keeping more completed jobs (the producers keep 50) to read back."""
ARRIVAL_INTERVAL_S = 0.15
BAD_ADDRESS = "not-an-address"  # Notify refuses it (400): the job fails after one e-mail


@dataclass(frozen=True)
class Step:
    """One runbook step: the queues of the rehearsal it moves, and the settings it gives."""

    name: str
    moves: tuple[str, ...]
    settings: dict[str, str]


STEPS = (
    Step("test", ("test",), {"JOBS_QUEUES": "test"}),
    Step(
        "one-recipient e-mails", ("passwordreset_v1",),
        {"JOBS_EXCLUDE_QUEUES": "approveraccessrequest_v1,organisationrequest_v1,"
         "*to_approvers*,publicinvitation*,*updated_v1,sendws*"},
    ),
    Step("approver e-mails", ("approveraccessrequest_v1",),
         {"JOBS_EXCLUDE_QUEUES": "publicinvitation*,*updated_v1,sendws*"}),
    Step("public API", ("publicinvitationrequest_v1",),
         {"JOBS_EXCLUDE_QUEUES": "*updated_v1,sendws*"}),
    Step("legacy sync", ("roleupdated_v1", PUSH_QUEUE), {}),
)  # fmt: skip
QUEUES = tuple(queue for step in STEPS for queue in step.moves)
PRODUCED = tuple(queue for queue in QUEUES if queue != PUSH_QUEUE)
"""Push jobs are enqueued by the ``roleupdated_v1`` fan-out, never by a producer."""


def payload(queue: str, n: int) -> dict[str, Any]:
    """The n-th job of ``queue``, as its producer would send it."""
    if queue == "passwordreset_v1":
        return {"email": f"reset-{n}@example.org", "firstName": "Rae", "lastName": "Set",
                "code": f"C{n:05d}", "clientId": "services", "uid": str(uuid.uuid4())}  # fmt: skip
    if queue == "approveraccessrequest_v1":
        return {"recipients": [{"email": f"approver-a-{n}@example.org", "firstName": "Ann"},
                               {"email": f"approver-b-{n}@example.org", "firstName": "Abe"}],
                "orgName": "Example Academy", "userName": "Bob Builder",
                "userEmail": "bob@example.org", "requestId": f"req-{n}"}  # fmt: skip
    if queue == "publicinvitationrequest_v1":
        return {"email": f"invitee-{n}@example.org", "firstName": "Ivy", "lastName": "Tee",
                "sourceId": n, "clientId": "rp-client"}  # fmt: skip
    if queue == "roleupdated_v1":
        return {"id": str(uuid.uuid4()), "name": f"Role {n}", "code": f"ROLE_{n}",
                "numericId": n, "status": {"id": 1}}  # fmt: skip
    return {"n": n}


@dataclass
class Rig:
    """Redis, the stand-ins, the job producer and whichever side is running."""

    redis: RedisServer
    client: aioredis.Redis
    notify: NotifyStandIn
    platform: PlatformStandIn
    soap: SoapStandIn
    env: dict[str, str]
    workdir: Path
    produced: dict[str, list[str]] = field(default_factory=dict)
    node: asyncio.subprocess.Process | None = None
    worker: tuple[AbstractAsyncContextManager[Popen[str]], int] | None = None
    _counter: "itertools.count[int]" = field(default_factory=lambda: itertools.count(1))
    _queues: dict[str, Queue] = field(default_factory=dict)
    _leaving: list["asyncio.Task[None]"] = field(default_factory=list)

    async def add(self, queue: str, data: dict[str, Any] | None = None) -> str:
        if queue not in self._queues:
            self._queues[queue] = Queue(queue, {"connection": self.client})
        n = next(self._counter)
        job = await self._queues[queue].add(queue, data or payload(queue, n), RETENTION)
        self.produced.setdefault(queue, []).append(str(job.id))
        return str(job.id)

    async def batch(self) -> dict[str, list[str]]:
        """Two jobs for each producer's queue, waited on until final."""
        ids = {queue: [await self.add(queue), await self.add(queue)] for queue in PRODUCED}
        await self.settled(ids)
        return ids

    async def settled(self, ids: dict[str, list[str]], timeout_s: float = 20.0) -> None:
        async def done() -> bool:
            for queue, queue_ids in ids.items():
                for job_id in queue_ids:
                    if not await self.client.hget(f"bull:{queue}:{job_id}", "finishedOn"):
                        return False
            return True

        await eventually(done, f"jobs {ids} finished", timeout_s, interval_s=0.1)

    # The two sides ---------------------------------------------------------------------

    async def start_node(self) -> None:
        """The Node service: one worker per rehearsed queue, as the original registers them."""
        self.node = await asyncio.create_subprocess_exec(
            "node", "consume.mjs", queue_url(self.redis), json.dumps(list(QUEUES)), NODE_RECORDS,
            cwd=NODE_DIR, stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        assert self.node.stdout is not None
        line = await asyncio.wait_for(self.node.stdout.readline(), timeout=20)
        assert json.loads(line) == {"ready": True}

    async def stop_node(self) -> None:
        """PATCH /monitor {"state": "stopped"}: every Node worker closes (in-flight jobs end)."""
        assert self.node is not None
        self.node.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(self.node.wait(), timeout=20) == 0
        self.node = None

    async def move_to(self, settings: dict[str, str], *, shrinking: bool = False) -> None:
        """Deploy this worker with ``settings`` as a rolling restart does: the new process
        starts, then the old one drains and exits. Where the new process consumes more than
        the old, the old one's exit is not waited for (both are this service); where it
        consumes less, it is, so that no later job can reach the old process."""
        port = free_port()
        workdir = self.workdir / f"worker-{port}"
        workdir.mkdir()
        started = running_worker({**self.env, **settings}, workdir, port)
        await started.__aenter__()
        previous, self.worker = self.worker, (started, port)
        if previous is not None:
            self._leaving.append(asyncio.create_task(previous[0].__aexit__(None, None, None)))
        if shrinking:
            await self.gone()

    async def gone(self) -> None:
        """Every replaced worker process has exited."""
        leaving, self._leaving = self._leaving, []
        await asyncio.gather(*leaving)

    async def stop_worker(self) -> None:
        if self.worker is not None:
            await self.worker[0].__aexit__(None, None, None)
            self.worker = None
        await self.gone()

    # Who did what ------------------------------------------------------------------------

    async def node_runs(self) -> Counter[tuple[str, str]]:
        records = await self.client.lrange(NODE_RECORDS, 0, -1)
        return Counter((entry["queue"], entry["id"]) for entry in map(json.loads, records))

    async def sides(self, ids: dict[str, list[str]]) -> dict[tuple[str, str], str]:
        """``node`` or ``dsi-jobs`` per job; fails unless each ran exactly once, to the end."""
        node_runs = await self.node_runs()
        found = {}
        for queue, queue_ids in ids.items():
            for job_id in queue_ids:
                job = await self.client.hgetall(f"bull:{queue}:{job_id}")
                here = job.get("pb", "").startswith("dsi-jobs-")
                by_node = node_runs[(queue, job_id)]
                what = f"{queue} job {job_id}: {job} (Node ran it {by_node}x)"
                assert job.get("ats") == "1", f"started more than once: {what}"
                assert by_node <= 1, f"run twice by Node: {what}"
                assert here != (by_node == 1), f"not exactly one side: {what}"
                assert await self.client.zscore(f"bull:{queue}:completed", job_id), what
                found[(queue, job_id)] = "dsi-jobs" if here else "node"
        return found

    def emails(self, reference: str) -> int:
        return sum(email.body.get("reference") == reference for email in self.notify.accepted)

    async def check_effects(self, sides: dict[tuple[str, str], str]) -> None:
        """What each job did: e-mails and invitations exactly once when run here, none when
        Node's stand-in ran it (it only records)."""
        invitations = Counter(i.get("email") for i in self.platform.data["invitations"].values())
        for (queue, job_id), side in sides.items():
            expected = 1 if side == "dsi-jobs" else 0
            if queue == "passwordreset_v1":
                assert self.emails(f"{queue}:{job_id}:0") == expected, job_id
            elif queue == "approveraccessrequest_v1":
                assert [self.emails(f"{queue}:{job_id}:{slot}") for slot in "01"] == [expected] * 2
            elif queue == "publicinvitationrequest_v1":
                data = json.loads(await self.client.hget(f"bull:{queue}:{job_id}", "data"))
                assert invitations[data["email"]] == expected, data["email"]

    async def expect(self, ids: dict[str, list[str]], *, node_only: Iterable[str] = (),
                     here_only: Iterable[str] = ()) -> dict[tuple[str, str], str]:  # fmt: skip
        sides = await self.sides(ids)
        for (queue, job_id), side in sides.items():
            if queue in node_only:
                assert side == "node", f"{queue} job {job_id} ran here, not on Node"
            if queue in here_only:
                assert side == "dsi-jobs", f"{queue} job {job_id} ran on Node, not here"
        await self.check_effects(sides)
        return sides

    # Operators' views ----------------------------------------------------------------------

    async def http(self, path: str) -> httpx.Response:
        assert self.worker is not None
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{self.worker[1]}") as http:
            return await http.get(path, headers={"authorization": f"Bearer {TOKEN}"})

    async def cli(self, *argv: str) -> str:
        process = await asyncio.create_subprocess_exec(
            *DSI_JOBS, *argv, env=clean_env(self.env), cwd=self.workdir,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await asyncio.wait_for(process.communicate(), timeout=30)
        assert process.returncode == 0, err.decode()
        return out.decode()


@asynccontextmanager
async def arriving(rig: Rig) -> AsyncIterator[None]:
    """Jobs keep arriving on every producer's queue while the steps are walked."""

    async def arrive() -> None:
        for queue in itertools.cycle(PRODUCED):
            await rig.add(queue)
            await asyncio.sleep(ARRIVAL_INTERVAL_S)

    task = asyncio.create_task(arrive())
    try:
        yield
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


@pytest.fixture
async def rig(private_redis: RedisServer, tmp_path: Path) -> AsyncIterator[Rig]:
    key = NotifyApiKey.generate()
    async with (
        running_notify_stand_in(key) as (notify, notify_url),
        running_soap_stand_in() as soap,
    ):
        data = sample_platform_data()
        data["services"] = [{
            "id": APP, "name": "Legacy Collect", "parentId": None,
            "relyingParty": {"client_id": "legacy-collect", "params": {
                "receiveRoleUpdates": "true", "wsWsdlUrl": soap.wsdl_url,
                "wsProvisionGroupFormatterType": "collect"}},
        }]  # fmt: skip
        platform = PlatformStandIn(data=data)
        async with serve(platform.app()) as platform_url:
            env = {
                **worker_env(private_redis, platform_url, tmp_path / "data"),
                "GOVNOTIFY_API_KEY": key.value,
                "GOVNOTIFY_BASE_URL": notify_url,
                "GOVNOTIFY_TEMP_MAP": json.dumps({"email": template_ids()}),
                "STANDALONE_INTERACTIONS_HOST_NAME": "interactions.signin.example",
                "STANDALONE_SERVICES_HOST_NAME": "services.signin.example",
                "STANDALONE_HELP_HOST_NAME": "help.signin.example",
                "JOBS_MONITOR_TOKEN": TOKEN,
                "JOBS_SHUTDOWN_GRACE_SECONDS": "5",
                "JOBS_HTTP_TIMEOUT_SECONDS": "15",  # a loaded machine must not time out a push
            }
            client = aioredis.Redis.from_url(queue_url(private_redis), decode_responses=True)
            rig = Rig(private_redis, client, notify, platform, soap, env, tmp_path)
            try:
                yield rig
            finally:
                await rig.stop_worker()
                if rig.node is not None:
                    await rig.stop_node()
                await client.aclose()


def test_the_runbook_gives_the_settings_rehearsed_here() -> None:
    runbook = RUNBOOK.read_text()
    for step in STEPS:
        assert f"Step {STEPS.index(step) + 1}: {step.name}" in runbook, step.name
        for name, value in step.settings.items():
            assert f"{name}={value}" in runbook, (step.name, name)


async def test_cut_over_rehearsal(rig: Rig) -> None:
    await rig.start_node()
    failed_on_node = await rig.add("passwordreset_v1", {**payload("passwordreset_v1", 0),
                                                        "failOnNode": True})  # fmt: skip
    async with arriving(rig):
        # Before: Node consumes everything.
        await rig.expect(await rig.batch(), node_only=QUEUES)

        # Steps 1-4: this worker joins queue by queue; Node still consumes every queue.
        moved: list[str] = []
        for step in STEPS[:4]:
            await rig.move_to(step.settings)
            moved.extend(step.moves)
            await rig.expect(await rig.batch(), node_only=[q for q in QUEUES if q not in moved])
            ready = (await rig.http("/readyz")).json()
            assert set(moved) <= set(ready["queues"]["consuming"]), step.name
        workers = (await node_async("read.mjs", queue_url(rig.redis), "test", "[]"))["workers"]
        assert sorted(name.partition(":w:")[2][:9] for name in workers) == ["", "dsi-jobs-"]

        # Step 5: Node stopped first; the legacy-sync queues wait, flagged, with no consumer.
        await rig.stop_node()
        waiting = {"roleupdated_v1": [await rig.add("roleupdated_v1")]}
        status = await rig.cli("status")
        flagged = [line for line in status.splitlines() if "NO CONSUMER" in line]
        assert len(flagged) == 1, status
        assert " roleupdated_v1 " in flagged[0], status
        await eventually(
            lambda: unconsumed_in_metrics(rig), "the unconsumed queue counted in /metrics", 30
        )  # refreshed every 5 s; slower on a loaded machine
        # A job the Node worker failed: retried with dsi-jobs, processed here.
        (failed,) = await BullmqQueueInspector(rig.client).failed("passwordreset_v1")
        assert (failed.id, failed.failed_reason) == (failed_on_node, "failed by the Node stand-in")
        await rig.cli("retry", "passwordreset_v1", failed_on_node)
        await rig.settled({"passwordreset_v1": [failed_on_node]})
        assert rig.emails(f"passwordreset_v1:{failed_on_node}:0") == 1
        # A job failed here after its first e-mail, then the worker moves (restarts).
        partial = await rig.add("approveraccessrequest_v1", with_bad_second_recipient())
        await rig.settled({"approveraccessrequest_v1": [partial]})
        await rig.move_to(STEPS[4].settings)
        await rig.settled(waiting)
        await rig.expect(waiting, here_only=QUEUES)
        await rig.expect(await rig.batch(), here_only=QUEUES)
        await eventually(lambda: drained(rig, PUSH_QUEUE), "the pushes sent")
        assert len(rig.soap.calls) == await rig.client.zcard(f"bull:{PUSH_QUEUE}:completed")
        # ...and a Node tool retries it: the first approver is not e-mailed again.
        assert await node_async("retry.mjs", queue_url(rig.redis), "approveraccessrequest_v1",
                                json.dumps([partial])) == [partial]  # fmt: skip
        await eventually(lambda: attempts(rig, "approveraccessrequest_v1", partial, 2), "rerun")
        (job,) = (await node_async("read.mjs", queue_url(rig.redis), "approveraccessrequest_v1",
                                   json.dumps([partial])))["jobs"]  # fmt: skip
        assert (job["state"], job["attemptsMade"]) == ("failed", 2)
        assert job["processedBy"].startswith("dsi-jobs-")
        assert "email_address Not a valid email address" in job["failedReason"]
        assert rig.emails(f"approveraccessrequest_v1:{partial}:0") == 1

        # Rollback of step 5: this worker leaves legacy sync; the Node service starts again.
        await rig.move_to(STEPS[3].settings, shrinking=True)
        await rig.start_node()
        await rig.expect(await rig.batch(), node_only=STEPS[4].moves)

    everything = {queue: ids for queue, ids in rig.produced.items()}
    everything["passwordreset_v1"].remove(failed_on_node)
    everything["approveraccessrequest_v1"].remove(partial)
    await rig.settled(everything, timeout_s=30)
    await eventually(lambda: drained(rig, PUSH_QUEUE), "every push run")
    everything[PUSH_QUEUE] = await rig.client.zrange(f"bull:{PUSH_QUEUE}:completed", 0, -1)
    sides = await rig.expect(everything)
    pushed_here = sum(
        side == "dsi-jobs" for (queue, _), side in sides.items() if queue == PUSH_QUEUE
    )
    assert len(rig.soap.calls) == pushed_here, "one SOAP call per push run here"


def with_bad_second_recipient() -> dict[str, Any]:
    data = payload("approveraccessrequest_v1", 99)
    data["recipients"][1]["email"] = BAD_ADDRESS
    return data


async def attempts(rig: Rig, queue: str, job_id: str, made: int) -> bool:
    job = await rig.client.hgetall(f"bull:{queue}:{job_id}")
    return job.get("atm") == str(made) and bool(job.get("finishedOn"))


async def drained(rig: Rig, queue: str) -> bool:
    """Nothing waiting, delayed or running in ``queue``."""
    counts = await Queue(queue, {"connection": rig.client}).getJobCounts(
        "wait", "active", "delayed"
    )
    return not any(counts.values())


async def unconsumed_in_metrics(rig: Rig) -> bool:
    text = (await rig.http("/metrics")).text
    return 'dsi_jobs_queue_unconsumed{queue="roleupdated_v1"} 1.0' in text
