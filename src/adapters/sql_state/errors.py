"""Map database driver failures onto the domain taxonomy."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import exc

from domain.errors import UpstreamUnavailable

_UNAVAILABLE = (
    exc.OperationalError,  # refused, lost, authentication, SQLite "database is locked"
    exc.InterfaceError,
    exc.TimeoutError,  # no pooled connection free in time
    OSError,  # socket errors, and TimeoutError from the per-call asyncio.timeout
)


@contextmanager
def translate_db_errors(database: str, action: str) -> Iterator[None]:
    """Unreachable or timed out → retryable; SQL mistakes are bugs and propagate.

    The message names the database only: never the URL, the user or the password.
    """
    try:
        yield
    except _UNAVAILABLE as error:
        raise UpstreamUnavailable(
            f"state database '{database}' unavailable while trying to {action}"
        ) from error
    except exc.DBAPIError as error:
        if not error.connection_invalidated:
            raise
        raise UpstreamUnavailable(
            f"state database '{database}' connection lost while trying to {action}"
        ) from error
