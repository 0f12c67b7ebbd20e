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

    The message names the database and the driver error's type only: never the URL, the user,
    the password or the statement's parameters, which is why the driver error is not chained
    (a chained cause is stored in the job's stack trace).
    """
    try:
        yield
    except _UNAVAILABLE as error:
        raise UpstreamUnavailable(
            f"state database '{database}' unavailable while trying to {action}"
            f" ({type(error).__name__})"
        ) from None
    except exc.DBAPIError as error:
        if not error.connection_invalidated:
            raise
        raise UpstreamUnavailable(
            f"state database '{database}' connection lost while trying to {action}"
            f" ({type(error).__name__})"
        ) from None
