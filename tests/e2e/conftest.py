"""End-to-end fixtures: a private Redis, the real worker process, the real npm bullmq."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.processes import require_node_modules
from tests.support.redis_server import RedisServer, running_redis


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[RedisServer]:
    with running_redis(tmp_path) as server:
        yield server


@pytest.fixture(autouse=True)
def _node_modules() -> None:
    require_node_modules()
