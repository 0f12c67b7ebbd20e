"""The webhook fake the public-API job tests add to the shared ones (tests/unit/conftest.py)."""

import pytest

from adapters.memory.webhook import InMemoryWebhookSender


@pytest.fixture
def webhook() -> InMemoryWebhookSender:
    return InMemoryWebhookSender()
