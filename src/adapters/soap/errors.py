"""The SOAP adapter's one translation of transport failures and replies into the taxonomy.

Faults decide by code, not HTTP status (SOAP 1.1 faults arrive as 500): ``Client``/``Sender``
→ ``UpstreamRejected``; ``Server``/``Receiver`` → ``UpstreamUnavailable``; ``VersionMismatch``/
``MustUnderstand`` → ``UpstreamMisconfigured`` (our envelope does not suit that service).
Without a fault: 5xx → unavailable, 429 → rate limited, 401/403 → misconfigured (credentials),
3xx → misconfigured (redirects are not followed), other non-200 → rejected. For the WSDL
download, which only depends on configuration, every non-200 but 5xx/429 is misconfiguration.
Messages name the application and operation; fault texts are scrubbed of credentials and
personal data and shortened; reply bodies and envelopes are never echoed.
"""

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import httpx

from adapters.common.retry_after import retry_after_seconds
from adapters.soap.faults import SoapFault
from adapters.soap.http_client import Reply
from domain.errors import (
    RateLimited,
    UpstreamMisconfigured,
    UpstreamRejected,
    UpstreamUnavailable,
    WorkerError,
)
from domain.personal_data import redact_text

MAX_FAULT_TEXT = 200
_ENVELOPE_FAULTS = frozenset({"VersionMismatch", "MustUnderstand", "DataEncodingUnknown"})


@contextmanager
def translate_transport_errors(what: str) -> Iterator[None]:
    """httpx failures → taxonomy; the message names the exception type, never the URL."""
    try:
        yield
    except httpx.UnsupportedProtocol as error:
        raise UpstreamMisconfigured(f"{what}: the URL is not http(s)") from error
    except httpx.InvalidURL as error:
        raise UpstreamMisconfigured(f"{what}: the URL is invalid") from error
    except httpx.TimeoutException as error:
        raise UpstreamUnavailable(f"{what} timed out ({type(error).__name__})") from error
    except httpx.TransportError as error:
        raise UpstreamUnavailable(f"{what} failed ({type(error).__name__})") from error


def fault_error(fault: SoapFault, status: int, what: str, secrets: Iterable[str]) -> WorkerError:
    text = scrub(fault.text, secrets)
    message = f"{what}: SOAP fault {fault.code or '(no code)'} (HTTP {status}): {text}"
    if fault.code in ("Client", "Sender"):
        return UpstreamRejected(message)
    if fault.code in ("Server", "Receiver"):
        return UpstreamUnavailable(message)
    if fault.code in _ENVELOPE_FAULTS:
        return UpstreamMisconfigured(message)
    if 400 <= status < 500:
        return UpstreamRejected(message)
    return UpstreamUnavailable(message)


def status_error(reply: Reply, what: str) -> WorkerError:
    status = reply.status
    message = f"{what}: HTTP {status}"
    if status >= 500:
        return UpstreamUnavailable(message)
    if status == 429:
        return RateLimited(message, retry_after_s=retry_after_seconds(reply.retry_after))
    if status in (401, 403):
        return UpstreamMisconfigured(f"{message} (check wsUsername/wsPassword)")
    if 300 <= status < 400:
        return UpstreamMisconfigured(f"{message} (redirects are not followed)")
    return UpstreamRejected(message)


def wsdl_status_error(reply: Reply, what: str) -> WorkerError:
    """The WSDL URL is configuration: any answer but 5xx/429 means it points at the wrong place."""
    if reply.status >= 500 or reply.status == 429:
        return status_error(reply, what)
    return UpstreamMisconfigured(
        f"{what}: HTTP {reply.status} (redirects are not followed)"
        if 300 <= reply.status < 400
        else f"{what}: HTTP {reply.status}"
    )


def content_type_error(reply: Reply, what: str) -> WorkerError:
    """A 200 that is not SOAP XML (an HTML maintenance page, say): retry within the attempts."""
    shown = scrub(reply.content_type or "(none)", ())
    return UpstreamUnavailable(f"{what}: content type {shown} is not SOAP XML")


def scrub(text: str, secrets: Iterable[str]) -> str:
    """Remove known secrets and personal values, e-mail addresses; one line, at most 200 chars.

    The text is cut to a few times that length before anything searches it (replies can be 5 MB).
    """
    text = redact_text(text, [s for s in secrets if len(s) >= 3], limit=MAX_FAULT_TEXT * 4)
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= MAX_FAULT_TEXT else text[: MAX_FAULT_TEXT - 1] + "…"
