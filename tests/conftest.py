"""Shared fixtures: a real Redis on loopback (tests never flush it: they use unique queues)."""

import os
import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as redis

REDIS_URL = os.environ.get(  # noqa: TID251 - where the tests find Redis, not a service setting
    "DSI_TEST_REDIS_URL", "redis://127.0.0.1:6379/4"
)


def pytest_report_header() -> str:
    """Say up front whether the state-store contract suite reaches a real SQL Server."""
    if os.environ.get("JOBS_TEST_MSSQL_URL"):  # noqa: TID251 - a test database, not a setting
        return "SQL Server state-store contract: running against JOBS_TEST_MSSQL_URL"
    return (
        "SQL Server state-store contract: NOT run (set JOBS_TEST_MSSQL_URL to a throwaway database)"
    )


def require_service(what: str, error: Exception) -> None:
    """A missing local service skips locally but fails in CI (CI must start it)."""
    message = f"{what} is not reachable: {error}"
    if os.environ.get("CI"):  # noqa: TID251 - the CI runner, not a service setting
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def redis_url() -> str:
    return REDIS_URL


@pytest.fixture
async def redis_client() -> AsyncIterator[redis.Redis]:
    client = redis.Redis.from_url(REDIS_URL, decode_responses=True)
    try:
        await client.ping()
    except (redis.ConnectionError, OSError) as error:
        await client.aclose()
        require_service("Redis at " + REDIS_URL, error)
    yield client
    await client.aclose()


@pytest.fixture
def queue_name() -> str:
    """A queue no other test (or concurrent test run) uses."""
    return f"test-{uuid.uuid4().hex[:12]}"
