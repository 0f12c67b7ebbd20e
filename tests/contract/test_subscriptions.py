"""Per-application queues follow the applications API while the worker runs, on a real Redis
and real BullMQ workers: an outage keeps the queues, an unsubscribed application's queue is
drained before its worker stops, and jobs nobody can deliver any more fail with a reason."""

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
import redis.asyncio as redis

from adapters.redis_queue.inspector import BullmqQueueInspector
from adapters.redis_queue.publisher import BullmqJobPublisher
from domain.errors import UpstreamUnavailable
from domain.model import Application, JobContext
from domain.use_cases.legacy_sync.discover_subscribed_applications import Subscriptions
from domain.use_cases.legacy_sync.unreachable_push import AnyPush
from entrypoints.jobs.sync import failing_push_spec
from entrypoints.queue_selection import QueueSelection
from entrypoints.registry import JobSpec
from entrypoints.settings import redis_connection_options
from entrypoints.worker.service import WorkerService, WorkerTuning
from entrypoints.worker.subscriptions import SubscriptionWatcher
from tests.support.redis_server import RedisServer, running_redis

pytestmark = pytest.mark.real

USER = "sendwsuserupdated_v1"
ROLE = "sendwsroleupdated_v1"
COLLECT = Application("collect-app", params={"wsWsdlUrl": "https://a/wsdl"})
S2S = Application("s2s-app", params={"wsWsdlUrl": "https://b/wsdl"})


class Directory:
    """What discovery answers, changed by the test between refreshes."""

    def __init__(self) -> None:
        self.answer: Subscriptions | Exception = answer()

    async def discover(self) -> Subscriptions:
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


def answer(
    reachable: tuple[Application, ...] = (), **subscribers: list[Application]
) -> Subscriptions:
    listed = {app.id: app for apps in subscribers.values() for app in apps}
    return Subscriptions(
        {family: subscribers.get(family.split("_")[0], []) for family in (USER, ROLE)},
        {**listed, **{app.id: app for app in reachable}},
    )


class Rig:
    def __init__(self, client: redis.Redis, connection: dict[str, Any]) -> None:
        self.release = asyncio.Event()
        self.done: list[str] = []
        self.failures: list[str] = []
        self.noted: list[dict[str, str]] = []
        self.directory = Directory()
        self.inspector = BullmqQueueInspector(client)
        self.publisher = BullmqJobPublisher(client)
        self.service = WorkerService({}, connection, WorkerTuning(drain_delay_s=1))
        self.watcher = SubscriptionWatcher(
            discover=self.directory.discover,
            build_specs=self.build_specs,
            failing_spec=failing_push_spec,
            queues=self.inspector,
            service=self.service,
            interval_s=60,
            grace_s=5,
            on_failure=self.failures.append,
            on_unsubscribed=lambda queues: self.noted.append(dict(queues)),
        )

    async def build_specs(self, application: Application, families: set[str]) -> list[JobSpec[Any]]:
        async def push(command: AnyPush, context: JobContext) -> None:
            await self.release.wait()
            self.done.append(f"{context.queue}:{context.job_id}")

        return [  # one at a time, as the real push queues (the order is asserted)
            JobSpec(f"{family}_{application.id}", AnyPush, push, concurrency=1)
            for family in families
        ]

    async def settled(self, queue: str) -> dict[str, int]:
        for _ in range(100):
            counts = await self.inspector.counts(queue)
            if not any(counts[state] for state in ("waiting", "active", "delayed")):
                return counts
            await asyncio.sleep(0.05)
        raise AssertionError(f"{queue} did not settle: {counts}")


@pytest.fixture(scope="module")
def private_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A Redis of this module's own: the watcher looks at every ``sendws*`` queue in it."""
    with running_redis(tmp_path_factory.mktemp("redis")) as server:
        yield server


@pytest.fixture
async def rig(private_redis: RedisServer) -> AsyncIterator[Rig]:
    url = f"{private_redis.url}/4"
    client = redis.Redis.from_url(url, decode_responses=True)
    await client.flushdb()
    rig = Rig(client, redis_connection_options(url))
    await rig.service.start()
    try:
        yield rig
    finally:
        rig.release.set()
        await rig.service.stop(5)
        await client.aclose()


async def test_subscriptions_start_change_and_stop_queues(rig: Rig) -> None:
    rig.directory.answer = UpstreamUnavailable("applications API GET /services answered 404")
    assert await rig.watcher.refresh() is False
    assert rig.service.queues == []
    assert rig.failures == ["applications API GET /services answered 404"]

    rig.directory.answer = answer(sendwsuserupdated=[COLLECT])
    assert await rig.watcher.refresh() is True
    assert rig.service.queues == [f"{USER}_collect-app"]

    rig.directory.answer = answer(sendwsuserupdated=[COLLECT, S2S], sendwsroleupdated=[S2S])
    await rig.watcher.refresh()
    assert sorted(rig.service.queues) == [
        f"{ROLE}_s2s-app",
        f"{USER}_collect-app",
        f"{USER}_s2s-app",
    ]

    rig.directory.answer = RuntimeError("anything at all")
    assert await rig.watcher.refresh() is False
    assert len(rig.service.queues) == 3, "an outage keeps the queues we have"
    assert rig.failures[-1] == "RuntimeError", "only our own errors are quoted"

    rig.directory.answer = answer(sendwsuserupdated=[S2S])
    await rig.watcher.refresh()
    assert rig.service.queues == [f"{USER}_s2s-app"], "queues without jobs stop at once"
    assert rig.service.loops_alive()
    assert rig.noted[-1] == {}


async def test_an_unsubscribed_queue_is_drained_before_its_worker_stops(rig: Rig) -> None:
    queue = f"{USER}_collect-app"
    rig.directory.answer = answer(sendwsuserupdated=[COLLECT])
    await rig.watcher.refresh()
    ids = [await rig.publisher.publish(queue, {"n": n}) for n in range(3)]

    rig.directory.answer = answer()  # unsubscribed, and gone from the API altogether
    await rig.watcher.refresh()
    assert rig.service.queues == [queue], "jobs are waiting: the worker stays"
    assert rig.watcher.unsubscribed == {queue: "draining"}
    assert await rig.inspector.unsubscribed() == {queue: "draining"}
    assert rig.watcher.application_names() == {queue: "collect-app (unsubscribed: draining)"}

    rig.release.set()
    counts = await rig.settled(queue)
    assert counts["completed"] == 3
    assert rig.done == [f"{queue}:{job_id}" for job_id in ids]
    await rig.watcher.refresh()
    assert rig.service.queues == [], "drained: the worker stops"
    assert await rig.inspector.unsubscribed() == {}


async def test_jobs_left_for_a_listed_former_subscriber_are_delivered(rig: Rig) -> None:
    """After a restart: jobs in Redis, no worker, the application listed but unsubscribed."""
    queue = f"{ROLE}_s2s-app"
    await rig.publisher.publish(queue, {"role": "r"})
    rig.release.set()
    rig.directory.answer = answer(reachable=(S2S,))
    await rig.watcher.refresh()
    assert rig.watcher.unsubscribed == {queue: "draining"}
    assert (await rig.settled(queue))["completed"] == 1


async def test_jobs_nobody_can_deliver_fail_with_a_reason_after_a_second_look(rig: Rig) -> None:
    queue = f"{USER}_gone-app"
    job_id = await rig.publisher.publish(queue, {"user": "u"})
    rig.directory.answer = answer(sendwsuserupdated=[COLLECT])

    await rig.watcher.refresh()
    assert rig.watcher.unsubscribed == {queue: "undeliverable"}
    assert queue not in rig.service.queues, "one refresh's word is not enough to fail work"
    assert rig.noted[-1] == {queue: "undeliverable"}

    await rig.watcher.refresh()
    assert rig.watcher.unsubscribed == {queue: "failing"}
    assert (await rig.settled(queue))["failed"] == 1
    record = await rig.inspector.job(queue, job_id)
    assert record is not None
    assert record.failed_reason.startswith(
        f"application gone-app no longer subscribes to {USER} and the applications API gives "
        "no WSDL URL for it: not sent"
    )
    await rig.watcher.refresh()
    assert rig.watcher.unsubscribed == {}
    assert rig.service.queues == [f"{USER}_collect-app"]


async def test_only_selected_push_queues_get_a_worker_but_all_are_known(rig: Rig) -> None:
    selection = QueueSelection.parse("sendwsrole*", None)
    watcher = replace_consumes(rig, selection.consumes)
    rig.directory.answer = answer(sendwsuserupdated=[COLLECT], sendwsroleupdated=[COLLECT])

    assert await watcher.refresh() is True
    assert rig.service.queues == [f"{ROLE}_collect-app"]
    assert watcher.subscribed == [f"{ROLE}_collect-app", f"{USER}_collect-app"]


def replace_consumes(rig: Rig, consumes: Callable[[str], bool]) -> SubscriptionWatcher:
    """The rig's watcher, consuming only the push queues ``consumes`` selects."""
    return SubscriptionWatcher(
        discover=rig.directory.discover, build_specs=rig.build_specs,
        failing_spec=failing_push_spec, queues=rig.inspector, service=rig.service,
        interval_s=60, grace_s=5, consumes=consumes,
    )  # fmt: skip
