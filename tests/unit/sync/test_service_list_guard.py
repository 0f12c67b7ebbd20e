"""An empty services list after subscribers were seen is an upstream error, not "nobody"."""

import pytest

from adapters.memory.directories import InMemoryDirectories
from domain.errors import RetryableError
from domain.use_cases.legacy_sync.discover_subscribed_applications import (
    DiscoverSubscribedApplications,
)
from domain.use_cases.legacy_sync.service_list_guard import ServiceListGuard
from tests.unit.sync.builders import service, subscribed_services


async def test_an_empty_list_is_accepted_until_subscribers_were_seen() -> None:
    directory = InMemoryDirectories(services=[])
    guard = ServiceListGuard(applications=directory)
    assert await guard.list_services() == []
    directory.services = [service("nobody-subscribes")]
    assert len(await guard.list_services()) == 1
    directory.services = []
    assert await guard.list_services() == [], "no subscriber was ever seen"


async def test_an_empty_list_after_subscribers_is_retryable_and_discovery_fails() -> None:
    directory = InMemoryDirectories(services=subscribed_services("receiveUserUpdates"))
    guard = ServiceListGuard(applications=directory)
    discover = DiscoverSubscribedApplications(applications=guard)
    assert (await discover()).subscribers["sendwsuserupdated_v1"]
    directory.services = []
    with pytest.raises(RetryableError, match="listed no services"):
        await discover()
    with pytest.raises(RetryableError):
        await guard.list_services()


async def test_services_that_all_unsubscribed_are_a_real_answer() -> None:
    directory = InMemoryDirectories(services=subscribed_services("receiveUserUpdates"))
    guard = ServiceListGuard(applications=directory)
    await guard.list_services()
    directory.services = [service("was-subscribed")]
    assert len(await guard.list_services()) == 1
