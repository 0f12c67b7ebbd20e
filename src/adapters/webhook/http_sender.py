"""POST a signed JSON body to a relying party's callback URL, treating the URL as hostile.

Checks, in order, before anything is sent: https (plain http only when allowed, for local
development), no credentials in the URL, and every address the host resolves to must be public
unless allow-listed. The request then goes to the vetted address itself (the URL's host is
replaced by that IP), while the ``Host`` header and the TLS SNI/certificate check keep the real
host name (httpcore's ``sni_hostname`` extension). That pins the connection to what was checked,
so DNS rebinding between check and connect cannot redirect it. Each call uses its own client
without proxies from the environment and without connection reuse, so no connection verified for
one host name can carry a request for another. Redirects are not followed; answers are read up
to a cap and discarded.

Error messages name the URL by scheme and host only: paths and query strings may carry tokens.

The signed token carries the original's claims (``iss``, ``iat``, ``exp``) plus two that let a
relying party refuse a token collected elsewhere or replayed with another body:
``callback_origin`` (``scheme://host[:port]`` of the callback URL) and ``body_sha256`` (hex
SHA-256 of the exact body bytes sent). They are private claims, which every JWT library ignores
unless asked; the registered ``aud`` is not used because PyJWT, with its defaults, refuses any
token carrying an ``aud`` it was not told to expect (docs/public-api-jobs.md).
"""

import asyncio
import hashlib
import json
import socket
import ssl
import time
import warnings
from collections.abc import Awaitable, Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import NoReturn

import httpx
import jwt
import structlog

from adapters.common.retry_after import retry_after_seconds
from adapters.common.tls import default_tls_context
from adapters.webhook.address_policy import AllowList, IpAddress, parse_address, refusal_reason
from domain.errors import RateLimited, UpstreamRejected, UpstreamUnavailable
from domain.model import JsonObject

log = structlog.get_logger(__name__)

ISSUER = "signin.education.gov.uk"
TOKEN_LIFETIME_S = 600
MAX_RESPONSE_BYTES = 64 * 1024

Resolver = Callable[[str, int], Awaitable[list[str]]]
"""``(host, port) -> IP address strings``; injectable so tests can fake DNS answers."""


async def resolve_with_getaddrinfo(host: str, port: int) -> list[str]:
    """The host's TCP addresses, in the system's preferred order (off the event loop)."""
    infos = await asyncio.get_running_loop().getaddrinfo(
        host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
    )
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


@dataclass(frozen=True)
class _Target:
    """A vetted destination: where to connect, and what to call it on the wire."""

    url: httpx.URL
    host_header: str
    sni_hostname: str | None
    label: str
    origin: str


class HttpWebhookSender:
    """``WebhookSender`` over httpx, with the SSRF guards described in the module docstring."""

    def __init__(
        self,
        *,
        allow_http: bool = False,
        allowed_hosts: Iterable[str] = (),
        connect_timeout_s: float = 5.0,
        read_timeout_s: float = 10.0,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
        resolver: Resolver = resolve_with_getaddrinfo,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self._allow_http = allow_http
        self._allow = AllowList.from_entries(allowed_hosts)
        self._timeout = httpx.Timeout(read_timeout_s, connect=connect_timeout_s)
        # Read timeouts apply per chunk: this bounds a server that answers one byte at a time.
        self._total_timeout_s = connect_timeout_s + read_timeout_s * 2
        self._max_response_bytes = max_response_bytes
        self._resolver = resolver
        self._ssl_context = ssl_context or default_tls_context()

    async def post(self, url: str, body: JsonObject, signing_secret: str) -> None:
        target = await self._vet(url)
        content = json.dumps(dict(body)).encode()
        headers = {
            "host": target.host_header,
            "authorization": f"bearer {_token(signing_secret, target.origin, content)}",
            "content-type": "application/json",
        }
        extensions = {"sni_hostname": target.sni_hostname} if target.sni_hostname else {}
        async with httpx.AsyncClient(
            verify=self._ssl_context,
            timeout=self._timeout,
            follow_redirects=False,
            trust_env=False,
            limits=httpx.Limits(max_keepalive_connections=0),
        ) as client:
            with _translate_errors(target.label):
                async with asyncio.timeout(self._total_timeout_s):
                    request = client.build_request(
                        "POST",
                        target.url,
                        headers=headers,
                        content=content,
                        extensions=extensions,
                    )
                    response = await client.send(request, stream=True)
                    try:
                        self._check_status(response, target.label)
                        await self._drain(response, target.label)
                    finally:
                        await response.aclose()
        log.info("webhook_delivered", target=target.label, status=response.status_code)

    async def _vet(self, url: str) -> _Target:
        """Refuse the URL, or say which vetted address to connect to."""
        try:
            parsed = httpx.URL(url)
            port = parsed.port or {"https": 443, "http": 80}.get(parsed.scheme, 0)
            host = parsed.raw_host.decode("ascii")
        except (httpx.InvalidURL, UnicodeError, ValueError):
            raise UpstreamRejected("webhook callback URL refused: it is not a valid URL") from None
        label = f"{parsed.scheme}://{_bracketed(host)}" if host else "callback URL"
        if parsed.scheme != "https" and not (parsed.scheme == "http" and self._allow_http):
            _refuse(label, "only https callback URLs are allowed")
        if not host:
            _refuse(label, "it has no host")
        if parsed.userinfo:
            _refuse(label, "it contains credentials")
        if not 0 < port < 65536:
            _refuse(label, "its port is out of range")
        address = await self._pick_address(host, port, label)
        host_header = parsed.netloc.decode("ascii")
        origin = label + (f":{parsed.port}" if parsed.port is not None else "")
        if parse_address(host) is not None:
            return _Target(parsed, host_header, None, label, origin)
        pinned = parsed.copy_with(host=str(address))
        sni = host if parsed.scheme == "https" else None
        return _Target(pinned, host_header, sni, label, origin)

    async def _pick_address(self, host: str, port: int, label: str) -> IpAddress:
        literal = parse_address(host)
        if literal is not None:
            addresses = [literal]
        else:
            addresses = await self._resolve(host, port, label)
        reason = refusal_reason(host, addresses, self._allow)
        if reason is not None:
            _refuse(label, reason)
        return addresses[0]

    async def _resolve(self, host: str, port: int, label: str) -> list[IpAddress]:
        try:
            async with asyncio.timeout(self._timeout.connect):
                answers = await self._resolver(host, port)
        except (OSError, TimeoutError):
            raise UpstreamUnavailable(f"webhook {label}: host name did not resolve") from None
        addresses = [address for text in answers if (address := parse_address(text)) is not None]
        if not addresses:
            raise UpstreamUnavailable(f"webhook {label}: host name did not resolve")
        return addresses

    def _check_status(self, response: httpx.Response, label: str) -> None:
        status = response.status_code
        if 200 <= status < 300:
            return
        if 300 <= status < 400:
            raise UpstreamRejected(f"webhook {label} answered {status}: redirects are not followed")
        if status == 429:
            raise RateLimited(
                f"webhook {label} answered 429",
                retry_after_s=retry_after_seconds(response.headers.get("retry-after")),
            )
        if status >= 500:
            raise UpstreamUnavailable(f"webhook {label} answered {status}")
        raise UpstreamRejected(f"webhook {label} answered {status}")

    async def _drain(self, response: httpx.Response, label: str) -> None:
        """Read (raw, undecoded) and discard the answer, refusing one larger than the cap."""
        too_large = UpstreamRejected(
            f"webhook {label} answered more than {self._max_response_bytes} bytes"
        )
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self._max_response_bytes:
            raise too_large
        received = 0
        async for chunk in response.aiter_raw():
            received += len(chunk)
            if received > self._max_response_bytes:
                raise too_large


def _bracketed(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _refuse(label: str, reason: str) -> NoReturn:
    raise UpstreamRejected(f"webhook {label} refused: {reason}")


def _token(secret: str, origin: str, content: bytes) -> str:
    """HS256 JWT as the original signed it (``iss``, ``iat``, ``exp`` = now + 10 minutes), bound
    to the callback's origin and the body (see the module docstring)."""
    now = int(time.time())
    claims = {
        "iss": ISSUER, "iat": now, "exp": now + TOKEN_LIFETIME_S,
        "callback_origin": origin, "body_sha256": hashlib.sha256(content).hexdigest(),
    }  # fmt: skip
    with warnings.catch_warnings(record=True) as caught:
        # The key length is the relying party's choice; note it in the log, do not fail on it.
        warnings.simplefilter("always", jwt.warnings.InsecureKeyLengthWarning)
        token = jwt.encode(claims, secret, algorithm="HS256")
    if caught:
        log.warning("webhook_secret_short")
    return token


@contextmanager
def _translate_errors(label: str) -> Iterator[None]:
    """Map httpx failures to the error taxonomy; the message names the target, not the URL."""
    try:
        yield
    except httpx.TimeoutException as error:
        raise UpstreamUnavailable(f"webhook {label} timed out") from error
    except TimeoutError as error:
        raise UpstreamUnavailable(f"webhook {label} timed out") from error
    except httpx.TransportError as error:
        raise UpstreamUnavailable(
            f"webhook {label} could not be reached ({type(error).__name__})"
        ) from error
