"""Fixtures of the CLI contract tests, which run ``entrypoints.cli.main`` in-process."""

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog

from tests.support.redis_server import RedisServer, running_redis


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """``main`` configures logging onto the captured stdout; put the test runner's back."""
    root = logging.getLogger()
    handlers, level, config = root.handlers[:], root.level, structlog.get_config()
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    structlog.configure(**config)


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[RedisServer]:
    """A private ``redis-server`` named by ``LOCAL_REDIS_CONN``, run from ``tmp_path``."""
    with running_redis(tmp_path) as redis_server:
        monkeypatch.chdir(tmp_path)
        monkeypatch.setenv("LOCAL_REDIS_CONN", redis_server.url)
        yield redis_server
