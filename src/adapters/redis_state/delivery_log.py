"""``DeliveryLog`` as Redis keys beside the jobs, living longer than any job can be retried."""

import redis.asyncio as redis

from adapters.common.redis_errors import translate_redis_errors

DELIVERY_RECORD_TTL_S = 72 * 3600
"""Longer than retries (≤ 6 h) plus failed-job retention (12 h), so a manual retry is safe too."""


class RedisDeliveryLog:
    """``dsi-jobs:delivered:<key>`` = ``1``, expiring after ``DELIVERY_RECORD_TTL_S``."""

    def __init__(self, client: redis.Redis, ttl_s: int = DELIVERY_RECORD_TTL_S) -> None:
        self._client = client
        self._ttl_s = ttl_s

    @staticmethod
    def _key(key: str) -> str:
        return f"dsi-jobs:delivered:{key}"

    async def was_delivered(self, key: str) -> bool:
        with translate_redis_errors("read delivery records"):
            return bool(await self._client.exists(self._key(key)))

    async def record_delivered(self, key: str) -> None:
        with translate_redis_errors("write delivery records"):
            await self._client.set(self._key(key), "1", ex=self._ttl_s)
