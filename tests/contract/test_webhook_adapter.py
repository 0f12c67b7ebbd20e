"""The real webhook adapter against a starlette stand-in on 127.0.0.1.

Loopback is itself a refused destination, so the "accepted" tests allow-list 127.0.0.1 (or a
made-up host name answered by a fake resolver) and allow plain http, except the TLS test, which
serves https with a throw-away certificate. Every refusal test checks that no request reached
the stand-in.
"""

import asyncio
import datetime
import hashlib
import ssl
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
import pytest
import uvicorn
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from adapters.webhook.http_sender import HttpWebhookSender
from domain.errors import RateLimited, UpstreamRejected, UpstreamUnavailable
from tests.support.asgi_server import serve

SECRET = "relying-party-secret-32-bytes-long"
BODY = {"sub": "user-1", "sourceId": "src-1", "state": "EXISTING_USER"}
RP_HOST = "rp.example.test"


@dataclass
class StandIn:
    """A relying party's endpoints; records every request it receives."""

    base_url: str = ""
    requests: list[dict[str, Any]] = field(default_factory=list)
    release: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def port(self) -> int:
        return int(self.base_url.rsplit(":", 1)[1])

    async def record(self, request: Request) -> None:
        self.requests.append(
            {
                "path": request.url.path,
                "headers": dict(request.headers),
                "body": await request.json(),
                "raw": await request.body(),
            }
        )

    async def hook(self, request: Request) -> Response:
        await self.record(request)
        return Response(status_code=204)

    async def redirect(self, request: Request) -> Response:
        await self.record(request)
        return Response(status_code=302, headers={"location": "http://10.0.0.1/internal"})

    async def status(self, request: Request) -> Response:
        await self.record(request)
        code = int(request.path_params["code"])
        return Response(status_code=code, headers={"retry-after": "7"} if code == 429 else {})

    async def big(self, request: Request) -> Response:
        await self.record(request)
        return Response(b"x" * 100_000)

    async def big_stream(self, request: Request) -> Response:
        await self.record(request)

        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(8):
                yield b"y" * 16_384

        return StreamingResponse(chunks())

    async def hang(self, request: Request) -> Response:
        await self.record(request)
        await self.release.wait()
        return Response(status_code=204)

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/hook", self.hook, methods=["POST"]),
                Route("/redirect", self.redirect, methods=["POST"]),
                Route("/status/{code}", self.status, methods=["POST"]),
                Route("/big", self.big, methods=["POST"]),
                Route("/big-stream", self.big_stream, methods=["POST"]),
                Route("/hang", self.hang, methods=["POST"]),
            ]
        )


@pytest.fixture
async def stand_in() -> AsyncIterator[StandIn]:
    rp = StandIn()
    async with serve(rp.app()) as base_url:
        rp.base_url = base_url
        yield rp
        rp.release.set()


def loopback_sender(**options: Any) -> HttpWebhookSender:
    return HttpWebhookSender(
        allow_http=True, allowed_hosts=["127.0.0.1"], read_timeout_s=0.5, **options
    )


def fake_dns(answers: dict[str, list[str]]) -> Any:
    async def resolve(host: str, port: int) -> list[str]:
        if host not in answers:
            raise OSError("name does not resolve")
        return answers[host]

    return resolve


# Accepted -------------------------------------------------------------------------------------


async def test_posts_json_with_a_valid_hs256_token(stand_in: StandIn) -> None:
    before = int(time.time())

    await loopback_sender().post(f"{stand_in.base_url}/hook", BODY, SECRET)

    [received] = stand_in.requests
    assert received["body"] == BODY
    assert received["headers"]["content-type"] == "application/json"
    scheme, token = received["headers"]["authorization"].split(" ")
    assert scheme == "bearer"
    claims = jwt.decode(  # as an existing relying party verifies: the new claims are ignored
        token, SECRET, algorithms=["HS256"], issuer="signin.education.gov.uk",
        options={"require": ["exp", "iat", "iss"]},
    )  # fmt: skip
    assert set(claims) == {"iss", "iat", "exp", "callback_origin", "body_sha256"}
    assert claims["exp"] - claims["iat"] == 600
    assert before <= claims["iat"] <= int(time.time())
    assert claims["callback_origin"] == stand_in.base_url  # http://127.0.0.1:<port>
    assert claims["body_sha256"] == hashlib.sha256(received["raw"]).hexdigest()


async def test_host_name_is_pinned_to_the_vetted_address_and_kept_in_host_header(
    stand_in: StandIn,
) -> None:
    sender = HttpWebhookSender(
        allow_http=True,
        allowed_hosts=[RP_HOST],
        resolver=fake_dns({RP_HOST: ["127.0.0.1"]}),
    )

    await sender.post(f"http://{RP_HOST.upper()}:{stand_in.port}/hook?state=abc", BODY, SECRET)

    [received] = stand_in.requests
    assert received["headers"]["host"].lower() == f"{RP_HOST}:{stand_in.port}"
    token = received["headers"]["authorization"].split(" ")[1]
    claims = jwt.decode(token, SECRET, algorithms=["HS256"])
    assert claims["callback_origin"] == f"http://{RP_HOST}:{stand_in.port}", "the name, not the IP"


async def test_https_verifies_the_certificate_for_the_host_name_while_connecting_to_the_ip(
    tmp_path: Path,
) -> None:
    rp = StandIn()
    trust = write_certificate(tmp_path, RP_HOST)
    async with serve_tls(rp.app(), tmp_path) as port:
        sender = HttpWebhookSender(
            allowed_hosts=[RP_HOST],
            resolver=fake_dns({RP_HOST: ["127.0.0.1"]}),
            ssl_context=trust,
        )
        await sender.post(f"https://{RP_HOST}:{port}/hook", BODY, SECRET)

        other = HttpWebhookSender(
            allowed_hosts=["other.example.test"],
            resolver=fake_dns({"other.example.test": ["127.0.0.1"]}),
            ssl_context=trust,
        )
        with pytest.raises(UpstreamUnavailable, match=r"^webhook https://other.example.test "):
            await other.post(f"https://other.example.test:{port}/hook", BODY, SECRET)

    assert [r["headers"]["host"] for r in rp.requests] == [f"{RP_HOST}:{port}"]


# Refused before any request -------------------------------------------------------------------


async def test_plain_http_is_refused_unless_allowed(stand_in: StandIn) -> None:
    sender = HttpWebhookSender(allowed_hosts=["127.0.0.1"])

    with pytest.raises(UpstreamRejected) as raised:
        await sender.post(f"{stand_in.base_url}/hook", BODY, SECRET)

    assert str(raised.value) == (
        "webhook http://127.0.0.1 refused: only https callback URLs are allowed"
    )
    assert stand_in.requests == []


async def test_loopback_is_refused_without_allow_list(stand_in: StandIn) -> None:
    sender = HttpWebhookSender(allow_http=True)

    with pytest.raises(UpstreamRejected) as raised:
        await sender.post(f"{stand_in.base_url}/hook?token=s3cret", BODY, SECRET)

    assert str(raised.value) == (
        "webhook http://127.0.0.1 refused: the host resolves to a loopback address"
    )
    assert stand_in.requests == []


async def test_localhost_name_resolved_by_the_system_is_refused(stand_in: StandIn) -> None:
    sender = HttpWebhookSender(allow_http=True)

    with pytest.raises(UpstreamRejected, match="refused: the host resolves to a loopback address"):
        await sender.post(f"http://localhost:{stand_in.port}/hook", BODY, SECRET)

    assert stand_in.requests == []


@pytest.mark.parametrize(
    ("answers", "kind"),
    [
        (["10.20.30.40"], "a private address"),
        (["93.184.215.14", "127.0.0.1"], "a loopback address"),
        (["169.254.169.254"], "a cloud metadata address"),
        (["fd00:ec2::254"], "a cloud metadata address"),
        (["168.63.129.16"], "the Azure host agent address"),
        (["2002:7f00:1::"], "a 6to4 address wrapping a loopback address"),
        (["2001:0:4136:e378:8000:63bf:3fff:fdd2"], "a Teredo tunnel address"),
    ],
)
async def test_host_resolving_to_an_internal_address_is_refused(
    stand_in: StandIn, answers: list[str], kind: str
) -> None:
    sender = HttpWebhookSender(resolver=fake_dns({"rp.example.org": answers}))

    with pytest.raises(UpstreamRejected) as raised:
        await sender.post("https://rp.example.org/cb", BODY, SECRET)

    assert (
        str(raised.value) == f"webhook https://rp.example.org refused: the host resolves to {kind}"
    )
    assert stand_in.requests == []


@pytest.mark.parametrize(
    ("url", "target", "reason"),
    [
        ("https://10.1.2.3/cb", "https://10.1.2.3", "the host resolves to a private address"),
        ("https://[::1]:8443/cb", "https://[::1]", "the host resolves to a loopback address"),
        (
            "https://169.254.169.254/latest/meta-data",
            "https://169.254.169.254",
            "the host resolves to a cloud metadata address",
        ),
        (
            "http://168.63.129.16/machine?comp=goalstate",
            "http://168.63.129.16",
            "the host resolves to the Azure host agent address",
        ),
        (
            "https://[2002:a00:1::1]/cb",
            "https://[2002:a00:1::1]",
            "the host resolves to a 6to4 address wrapping a private address",
        ),
        ("https://user:pw@rp.example.org/cb", "https://rp.example.org", "it contains credentials"),
        ("ftp://rp.example.org/cb", "ftp://rp.example.org", "only https callback URLs are allowed"),
        ("not a url", "callback URL", "only https callback URLs are allowed"),
        ("https:///cb", "callback URL", "it has no host"),
        ("https://[::1/cb", "callback URL", "it is not a valid URL"),
        ("https://rp.example.org:99999/cb", "https://rp.example.org", "its port is out of range"),
    ],
)
async def test_bad_urls_are_refused_with_a_reason(url: str, target: str, reason: str) -> None:
    sender = HttpWebhookSender(
        allow_http=True, allowed_hosts=["169.254.0.0/16", "168.63.129.16"], resolver=fake_dns({})
    )

    with pytest.raises(UpstreamRejected) as raised:
        await sender.post(url, BODY, SECRET)

    assert str(raised.value) == f"webhook {target} refused: {reason}"


async def test_unresolvable_host_is_retryable() -> None:
    sender = HttpWebhookSender(resolver=fake_dns({}))

    with pytest.raises(UpstreamUnavailable, match="host name did not resolve"):
        await sender.post("https://gone.example.org/cb", BODY, SECRET)


# Answers ------------------------------------------------------------------------------------


async def test_redirect_is_not_followed(stand_in: StandIn) -> None:
    with pytest.raises(UpstreamRejected) as raised:
        await loopback_sender().post(f"{stand_in.base_url}/redirect", BODY, SECRET)

    assert str(raised.value) == (
        "webhook http://127.0.0.1 answered 302: redirects are not followed"
    )
    assert [r["path"] for r in stand_in.requests] == ["/redirect"]


@pytest.mark.parametrize("path", ["/big", "/big-stream"])
async def test_oversized_answer_is_refused(stand_in: StandIn, path: str) -> None:
    with pytest.raises(UpstreamRejected) as raised:
        await loopback_sender().post(f"{stand_in.base_url}{path}", BODY, SECRET)

    assert str(raised.value) == "webhook http://127.0.0.1 answered more than 65536 bytes"


async def test_hanging_endpoint_times_out_as_retryable(stand_in: StandIn) -> None:
    started = time.monotonic()

    with pytest.raises(UpstreamUnavailable) as raised:
        await loopback_sender().post(f"{stand_in.base_url}/hang", BODY, SECRET)

    assert str(raised.value) == "webhook http://127.0.0.1 timed out"
    assert time.monotonic() - started < 5


@pytest.mark.parametrize(
    ("code", "error", "message"),
    [
        (500, UpstreamUnavailable, "webhook http://127.0.0.1 answered 500"),
        (503, UpstreamUnavailable, "webhook http://127.0.0.1 answered 503"),
        (400, UpstreamRejected, "webhook http://127.0.0.1 answered 400"),
        (401, UpstreamRejected, "webhook http://127.0.0.1 answered 401"),
        (404, UpstreamRejected, "webhook http://127.0.0.1 answered 404"),
    ],
)
async def test_status_codes_map_to_the_taxonomy(
    stand_in: StandIn, code: int, error: type[Exception], message: str
) -> None:
    with pytest.raises(error) as raised:
        await loopback_sender().post(f"{stand_in.base_url}/status/{code}", BODY, SECRET)

    assert str(raised.value) == message


async def test_429_is_rate_limited_with_retry_after(stand_in: StandIn) -> None:
    with pytest.raises(RateLimited) as raised:
        await loopback_sender().post(f"{stand_in.base_url}/status/429", BODY, SECRET)

    assert raised.value.retry_after_s == 7.0


async def test_connection_refused_is_retryable() -> None:
    closed = HttpWebhookSender(allow_http=True, allowed_hosts=["127.0.0.1"])
    async with serve(StandIn().app()) as base_url:
        url = f"{base_url}/hook"

    with pytest.raises(
        UpstreamUnavailable, match=r"^webhook http://127.0.0.1 could not be reached"
    ):
        await closed.post(url, BODY, SECRET)


# TLS helpers --------------------------------------------------------------------------------


def write_certificate(directory: Path, host: str) -> ssl.SSLContext:
    """A self-signed certificate for ``host`` (files in ``directory``) and a context trusting it."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    pem = certificate.public_bytes(serialization.Encoding.PEM)
    (directory / "cert.pem").write_bytes(pem)
    (directory / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return ssl.create_default_context(cadata=pem.decode())


@asynccontextmanager
async def serve_tls(app: Starlette, directory: Path) -> AsyncIterator[int]:
    """Like ``tests.support.asgi_server.serve`` but over TLS; yields the port."""
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, log_level="warning", access_log=False, lifespan="off",
        ws="none", timeout_graceful_shutdown=2,
        ssl_certfile=str(directory / "cert.pem"), ssl_keyfile=str(directory / "key.pem"),
    )  # fmt: skip
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(10):
            while not server.started:
                if task.done():
                    task.result()
                await asyncio.sleep(0.01)
        yield server.servers[0].sockets[0].getsockname()[1]
    finally:
        server.should_exit = True
        await task
