"""What ``dsi-jobs check`` learns from the queue store: that it answers with these credentials
and database, and whether BullMQ can run on it safely (version, eviction policy).

``INFO`` is used rather than ``CONFIG GET``, which managed Redis (Azure) disables.
"""

from dataclasses import dataclass

import redis.asyncio as redis
from redis.exceptions import AuthenticationError, ResponseError

from adapters.common.redis_errors import translate_redis_errors
from domain.errors import UpstreamMisconfigured

MINIMUM_VERSION = (5, 0, 0)
"""BullMQ refuses older servers."""
RECOMMENDED_VERSION = (6, 2, 0)
"""BullMQ warns below this one."""
SAFE_EVICTION_POLICY = "noeviction"
"""Any other policy may evict BullMQ's lock and job keys: lost or duplicated jobs."""


@dataclass(frozen=True)
class RedisFacts:
    version: str
    maxmemory_policy: str
    db: int

    def problems(self) -> list[str]:
        """Why BullMQ must not run here (empty when it may)."""
        problems = []
        if _version(self.version) < MINIMUM_VERSION:
            problems.append(f"Redis {self.version} is older than BullMQ's minimum 5.0.0")
        if self.maxmemory_policy != SAFE_EVICTION_POLICY:
            problems.append(
                f"maxmemory-policy is {self.maxmemory_policy}, not noeviction: evicted BullMQ "
                "keys lose or duplicate jobs"
            )
        return problems

    def summary(self) -> str:
        note = "" if _version(self.version) >= RECOMMENDED_VERSION else " (below 6.2.0)"
        return f"Redis {self.version}{note}, db {self.db}, maxmemory-policy {self.maxmemory_policy}"


async def redis_facts(client: redis.Redis) -> RedisFacts:
    """Authenticate, select the database and read ``INFO``; raise naming what failed."""
    with translate_redis_errors("check the queue store"):
        try:
            await client.ping()  # type: ignore[misc]
            server = await client.info("server")
            memory = await client.info("memory")
        except AuthenticationError:
            raise UpstreamMisconfigured("Redis refused the user name or password") from None
        except ResponseError as error:  # e.g. SELECT of a database the server does not have
            raise UpstreamMisconfigured(f"Redis refused the connection ({error})") from None
    db = int(client.connection_pool.connection_kwargs.get("db", 0))
    return RedisFacts(
        str(server.get("redis_version", "")), str(memory.get("maxmemory_policy", "")), db
    )


def _version(text: str) -> tuple[int, ...]:
    parts = []
    for part in text.split(".")[:3]:
        parts.append(int(part) if part.isdigit() else 0)
    return tuple(parts)
