"""In-memory fakes shared by the public-API job tests."""

import pytest

from adapters.memory.directories import InMemoryDirectories
from adapters.memory.job_publisher import InMemoryJobPublisher
from adapters.memory.state_store import InMemoryDeliveryLog
from adapters.memory.webhook import InMemoryWebhookSender


@pytest.fixture
def directories() -> InMemoryDirectories:
    return InMemoryDirectories()


@pytest.fixture
def publisher() -> InMemoryJobPublisher:
    return InMemoryJobPublisher()


@pytest.fixture
def delivery_log() -> InMemoryDeliveryLog:
    return InMemoryDeliveryLog()


@pytest.fixture
def webhook() -> InMemoryWebhookSender:
    return InMemoryWebhookSender()
