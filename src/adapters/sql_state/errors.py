"""Map database driver failures onto the domain taxonomy."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import exc

from domain.errors import UpstreamMisconfigured, UpstreamUnavailable

_UNAVAILABLE = (
    exc.OperationalError,  # refused, lost, authentication, SQLite "database is locked"
    exc.InterfaceError,
    exc.TimeoutError,  # no pooled connection free in time
    OSError,  # socket errors, and TimeoutError from the per-call asyncio.timeout
)
NATIVE_DRIVER_MISSING = "Failed to load the driver"
"""mssql-python's message when ODBC Driver 18 cannot load (on Debian: ``libltdl7`` missing)."""


@contextmanager
def translate_db_errors(database: str, action: str) -> Iterator[None]:
    """Unreachable or timed out → retryable; a driver that cannot load → permanent; SQL
    mistakes are bugs and propagate.

    The message names the database and the driver error's type (with mssql-python's fixed
    classification) only: never the URL, the user, the password or the statement's parameters,
    which is why the driver error is not chained (a chained cause is stored in the job's stack
    trace, and mssql-python's frames hold the connection string in their locals).
    """
    try:
        yield
    except _UNAVAILABLE as error:
        if NATIVE_DRIVER_MISSING in str(getattr(error, "orig", "")):
            raise UpstreamMisconfigured(
                "the SQL Server driver could not load ODBC Driver 18: a system library is "
                "missing (Debian: apt-get install libltdl7; see docs/state-store.md)"
            ) from None
        raise UpstreamUnavailable(
            f"state database '{database}' unavailable while trying to {action} ({_kind(error)})"
        ) from None
    except exc.DBAPIError as error:
        if not error.connection_invalidated:
            raise
        raise UpstreamUnavailable(
            f"state database '{database}' connection lost while trying to {action} ({_kind(error)})"
        ) from None


def _kind(error: BaseException) -> str:
    """The driver's error class, with mssql-python's fixed classification (never free text)."""
    original = getattr(error, "orig", None) or error
    classification = getattr(original, "driver_error", None)
    name = type(original).__name__
    return f"{name}: {classification}" if isinstance(classification, str) else name
