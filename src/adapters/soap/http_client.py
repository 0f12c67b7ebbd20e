"""The one ``httpx.AsyncClient`` for WSDL downloads and SOAP posts, and how replies are read.

The original had no timeout at all (docs/original-bugs.md#item-11): a hung endpoint blocked its
queue. Here every request has explicit connect and read timeouts, redirects are never followed, and
a reply body is read only up to ``MAX_BODY_BYTES`` so a hostile endpoint cannot exhaust memory.
"""

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx

from adapters.common.tls import default_tls_context

CONNECT_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 20.0
MAX_BODY_BYTES = 5 * 1024 * 1024

SOAP_CONTENT_TYPES = frozenset({"text/xml", "application/soap+xml", "multipart/related"})
"""Accepted for SOAP replies (case-insensitive, docs/original-bugs.md#item-13)."""
WSDL_CONTENT_TYPES = SOAP_CONTENT_TYPES | {"application/xml", "application/wsdl+xml"}
"""Accepted for WSDLs: also the plain XML types the original rejected
(docs/original-bugs.md#item-13)."""


def soap_http_client(
    *, timeout_s: float = READ_TIMEOUT_S, connect_timeout_s: float = CONNECT_TIMEOUT_S
) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        verify=default_tls_context(),
        timeout=httpx.Timeout(timeout_s, connect=connect_timeout_s),
        follow_redirects=False,
    )


async def open_soap_http_client(
    timeout_s: float = READ_TIMEOUT_S, connect_timeout_s: float = CONNECT_TIMEOUT_S
) -> AsyncIterator[httpx.AsyncClient]:
    """Container resource: the client lives as long as the worker and is closed at shutdown."""
    client = soap_http_client(timeout_s=timeout_s, connect_timeout_s=connect_timeout_s)
    try:
        yield client
    finally:
        await client.aclose()


@dataclass(frozen=True)
class Reply:
    status: int
    content_type: str
    body: bytes
    retry_after: str | None = None

    @property
    def media_type(self) -> str:
        return self.content_type.split(";", 1)[0].strip().lower()


async def exchange(client: httpx.AsyncClient, request: httpx.Request) -> Reply:
    """Send ``request`` without following redirects and read at most ``MAX_BODY_BYTES``."""
    response = await client.send(request, stream=True, follow_redirects=False)
    try:
        body = bytearray()
        async for chunk in response.aiter_bytes():
            body.extend(chunk[: MAX_BODY_BYTES - len(body)])
            if len(body) >= MAX_BODY_BYTES:
                break
    finally:
        await response.aclose()
    return Reply(
        response.status_code,
        response.headers.get("content-type", ""),
        bytes(body),
        response.headers.get("retry-after"),
    )
