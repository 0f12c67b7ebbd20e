"""Map Redis client failures onto the domain taxonomy."""

from collections.abc import Iterator
from contextlib import contextmanager

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from domain.errors import UpstreamUnavailable


@contextmanager
def translate_redis_errors(action: str) -> Iterator[None]:
    """Connection loss and timeouts are retryable; anything else is a bug and propagates."""
    try:
        yield
    except (RedisConnectionError, RedisTimeoutError, OSError) as error:
        raise UpstreamUnavailable(f"redis unavailable while trying to {action}") from error
