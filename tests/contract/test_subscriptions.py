"""Per-application queues follow the applications API while the worker runs."""

from collections.abc import Mapping
from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict

from domain.errors import UpstreamUnavailable
from domain.model import Application, JobContext
from entrypoints.registry import JobSpec
from entrypoints.settings import redis_connection_options
from entrypoints.worker.service import WorkerService
from entrypoints.worker.subscriptions import SubscriptionWatcher

pytestmark = pytest.mark.real


class Anything(BaseModel):
    model_config = ConfigDict(frozen=True, extra="allow")


async def ok(command: Anything, context: JobContext) -> None:
    return None


class Directory:
    """What discovery answers, changed by the test between refreshes."""

    def __init__(self) -> None:
        self.answer: Mapping[str, list[Application]] | Exception = {}

    async def discover(self) -> Mapping[str, list[Application]]:
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


async def build_specs(application: Application, families: set[str]) -> list[JobSpec[Any]]:
    return [JobSpec(f"{family}_{application.id}", Anything, ok) for family in sorted(families)]


async def test_subscriptions_start_change_and_stop_queues(redis_url: str, queue_name: str) -> None:
    service = WorkerService({}, redis_connection_options(redis_url))
    directory = Directory()
    watcher = SubscriptionWatcher(
        discover=directory.discover,
        build_specs=build_specs,
        service=service,
        interval_s=60,
        grace_s=5,
    )
    collect = Application(queue_name, params={"wsWsdlUrl": "https://a/wsdl"})
    s2s = Application(f"{queue_name}-s2s", params={"wsWsdlUrl": "https://b/wsdl"})
    await service.start()
    try:
        directory.answer = UpstreamUnavailable("applications API down")
        assert await watcher.refresh() is False
        assert service.queues == []

        directory.answer = {"sendwsuserupdated_v1": [collect]}
        assert await watcher.refresh() is True
        assert service.queues == [f"sendwsuserupdated_v1_{queue_name}"]

        directory.answer = {"sendwsuserupdated_v1": [collect, s2s], "sendwsroleupdated_v1": [s2s]}
        await watcher.refresh()
        assert sorted(service.queues) == sorted(
            [
                f"sendwsuserupdated_v1_{queue_name}",
                f"sendwsuserupdated_v1_{queue_name}-s2s",
                f"sendwsroleupdated_v1_{queue_name}-s2s",
            ]
        )

        directory.answer = UpstreamUnavailable("applications API down again")
        assert await watcher.refresh() is False
        assert len(service.queues) == 3, "an outage keeps the queues we have"

        directory.answer = {"sendwsuserupdated_v1": [s2s]}
        await watcher.refresh()
        assert service.queues == [f"sendwsuserupdated_v1_{queue_name}-s2s"]
        assert service.loops_alive()
    finally:
        await service.stop(5)
