"""Dashboard sign-in sessions: what the cookie holds instead of the token itself.

``/dashboard?token=`` exchanges a verified token for a random session id that lives no longer
than the token (and at most ``MAX_SESSION_S``). The cookie then carries only that id: a stolen
cookie cannot be replayed against ``/monitor`` or ``/metrics``, and it dies with the token.
Sessions are kept in Redis (only a hash of the id), so every worker replica behind the load
balancer knows them.
"""

import hashlib
import secrets
import time
from typing import Protocol

import redis.asyncio as redis

from adapters.common.redis_errors import translate_redis_errors

MAX_SESSION_S = 8 * 3600
KEY_PREFIX = "dsi-jobs:dashboard-session:"
MAX_ID_CHARS = 128


class DashboardSessions(Protocol):
    async def create(self, ttl_s: float) -> str:
        """A new session id valid for ``ttl_s`` seconds."""
        ...

    async def valid(self, session_id: str) -> bool: ...


class RedisDashboardSessions:
    """Sessions as expiring Redis keys named by the id's SHA-256."""

    def __init__(self, client: redis.Redis) -> None:
        self._client = client

    async def create(self, ttl_s: float) -> str:
        session_id = secrets.token_urlsafe(32)
        with translate_redis_errors("record a dashboard session"):
            await self._client.set(_key(session_id), "1", px=max(1, int(ttl_s * 1000)))
        return session_id

    async def valid(self, session_id: str) -> bool:
        if not session_id or len(session_id) > MAX_ID_CHARS:
            return False
        with translate_redis_errors("check a dashboard session"):
            return bool(await self._client.exists(_key(session_id)))


class InMemoryDashboardSessions:
    """Sessions of one process (tests, and an app built without Redis)."""

    def __init__(self) -> None:
        self._expiry: dict[str, float] = {}

    async def create(self, ttl_s: float) -> str:
        session_id = secrets.token_urlsafe(32)
        self._expiry[_key(session_id)] = time.monotonic() + ttl_s
        return session_id

    async def valid(self, session_id: str) -> bool:
        expiry = self._expiry.get(_key(session_id))
        return expiry is not None and time.monotonic() < expiry


def _key(session_id: str) -> str:
    return KEY_PREFIX + hashlib.sha256(session_id.encode()).hexdigest()
