"""Dashboard sessions in a real Redis: only a hash of the id is stored, and it expires."""

import hashlib

import pytest
import redis.asyncio as redis

from entrypoints.http.dashboard_sessions import KEY_PREFIX, RedisDashboardSessions

pytestmark = pytest.mark.real


async def test_a_session_is_a_hashed_key_that_expires(redis_client: redis.Redis) -> None:
    sessions = RedisDashboardSessions(redis_client)
    session_id = await sessions.create(ttl_s=120)
    assert await sessions.valid(session_id)
    assert not await sessions.valid(session_id + "x")
    assert not await sessions.valid("")
    key = KEY_PREFIX + hashlib.sha256(session_id.encode()).hexdigest()
    assert 0 < await redis_client.pttl(key) <= 120_000, "shared by replicas, and it expires"
    assert not [k async for k in redis_client.scan_iter(match=f"*{session_id}*")]
    await redis_client.delete(key)
    assert not await sessions.valid(session_id)
