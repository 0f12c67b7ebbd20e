"""In-memory fakes shared by the job tests; a test module may override one with seeded data."""

import pytest

from adapters.memory.directories import InMemoryDirectories
from adapters.memory.email import InMemoryEmailSender
from adapters.memory.job_publisher import InMemoryJobPublisher
from adapters.memory.state_store import InMemoryDeliveryLog
from domain.use_cases.email.delivery import EmailDelivery


@pytest.fixture
def email() -> InMemoryEmailSender:
    return InMemoryEmailSender()


@pytest.fixture
def delivery_log() -> InMemoryDeliveryLog:
    return InMemoryDeliveryLog()


@pytest.fixture
def delivery(email: InMemoryEmailSender, delivery_log: InMemoryDeliveryLog) -> EmailDelivery:
    return EmailDelivery(email=email, delivery_log=delivery_log)


@pytest.fixture
def directories() -> InMemoryDirectories:
    return InMemoryDirectories()


@pytest.fixture
def publisher() -> InMemoryJobPublisher:
    return InMemoryJobPublisher()
