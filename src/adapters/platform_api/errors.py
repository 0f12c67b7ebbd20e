"""HTTP outcomes of the platform APIs mapped onto the error taxonomy, in one place.

Messages name the API and the route *template* (``directories API GET /users/{id} answered
500``): never the concrete path, which may hold an e-mail address, never a body, never a token.
A status error is not chained either: BullMQ stores the chain in the job's stack trace.
"""

from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from adapters.common.retry_after import retry_after_seconds
from domain.errors import (
    PermanentError,
    RateLimited,
    UpstreamMisconfigured,
    UpstreamRejected,
    UpstreamUnavailable,
)


@contextmanager
def _translate_errors(
    where: str, *, client_error: type[PermanentError] = UpstreamRejected
) -> Iterator[None]:
    """Turn httpx failures inside the block into taxonomy errors naming ``where``.

    ``client_error`` is the class for 4xx other than 401/403/429: ``UpstreamRejected`` for the
    platform APIs, ``UpstreamMisconfigured`` for the token endpoint (a 400 there means bad
    credentials or scope, which only an operator can fix).
    """
    try:
        yield
    except httpx.HTTPStatusError as error:  # its text holds the concrete URL: not chained
        raise _classify(error.response, where, client_error) from None
    except httpx.TimeoutException as error:
        raise UpstreamUnavailable(f"{where} timed out ({type(error).__name__})") from error
    except httpx.TransportError as error:
        raise UpstreamUnavailable(f"{where} failed ({type(error).__name__})") from error
    except ValueError as error:  # a 2xx whose body is not JSON
        raise UpstreamUnavailable(f"{where} answered a body that is not JSON") from error


def _classify(
    response: httpx.Response, where: str, client_error: type[PermanentError]
) -> Exception:
    status = response.status_code
    message = f"{where} answered {status}"
    retry_after = retry_after_seconds(response.headers.get("retry-after"))
    if status == 429:
        return RateLimited(message, retry_after_s=retry_after)
    if status >= 500:
        return UpstreamUnavailable(message, retry_after_s=retry_after)
    if status in (401, 403) or status < 400:
        return UpstreamMisconfigured(message)
    return client_error(message)
