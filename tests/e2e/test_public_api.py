"""Public-API invitation jobs end to end: Node-enqueued jobs → the real worker → the platform
stand-in and a relying party's webhook on loopback (allow-listed for the test only)."""

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.e2e.harness import eventually, finished_jobs, job_counts, produce, worker_env
from tests.support.asgi_server import serve
from tests.support.platform_stand_in import ORG, PlatformStandIn, sample_platform_data
from tests.support.processes import running_worker
from tests.support.redis_server import RedisServer, free_port

NOTIFY_QUEUE = "publicinvitationnotifyrelyingparty_v1"
RP_SERVICE = "3f2e1d0c-0000-4000-8000-0000000000f1"
RP_CLIENT = "rp-client"
RP_SECRET = "relying-party-api-secret-of-32+-bytes"
JOB_JWT_SECRET = "platform-job-jwt-secret-of-32+-bytes"
ISSUER = "signin.education.gov.uk"
NEW_USER = "6e5d4c3b-0000-4000-8000-000000000042"


@dataclass(frozen=True)
class Hook:
    target: str
    headers: dict[str, str]
    body: Any


@dataclass
class WebhookStandIn:
    """A relying party's callback endpoint: records every POST and answers 204."""

    received: list[Hook] = field(default_factory=list)

    def app(self) -> Starlette:
        async def hook(request: Request) -> Response:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            body = json.loads(await request.body())
            self.received.append(Hook(target, dict(request.headers), body))
            return Response(status_code=204)

        return Starlette(routes=[Route("/callbacks/{name}", hook, methods=["POST"])])


@dataclass
class Listener:
    """A bare TCP port that counts connections: proof that nothing was sent to it."""

    host: str
    port: int = 0
    connections: int = 0


@asynccontextmanager
async def listening(host: str) -> AsyncIterator[Listener]:
    listener = Listener(host)

    async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        listener.connections += 1
        writer.close()

    server = await asyncio.start_server(accept, host, 0)
    listener.port = server.sockets[0].getsockname()[1]
    try:
        yield listener
    finally:
        server.close()
        await server.wait_closed()


def platform_data() -> dict[str, Any]:
    """The sample data with one relying party whose ``api_secret`` signs its webhooks."""
    data = sample_platform_data()
    data["services"] = [
        {
            "id": RP_SERVICE,
            "name": "Relying party",
            "parentId": None,
            "relyingParty": {"client_id": RP_CLIENT, "api_secret": RP_SECRET, "params": {}},
        }
    ]
    return data


@dataclass
class Rig:
    redis: RedisServer
    workdir: Path
    platform: PlatformStandIn
    webhook: WebhookStandIn
    webhook_url: str
    env: dict[str, str]


@pytest.fixture
async def rig(private_redis: RedisServer, tmp_path: Path) -> AsyncIterator[Rig]:
    platform = PlatformStandIn(data=platform_data())
    webhook = WebhookStandIn()
    async with serve(platform.app()) as platform_url, serve(webhook.app()) as webhook_url:
        env = {
            **worker_env(private_redis, platform_url, tmp_path / "data"),
            "JOB_JWT_SECRET": JOB_JWT_SECRET,
            "JOBS_WEBHOOK_ALLOW_HTTP": "true",
            "JOBS_WEBHOOK_ALLOWED_HOSTS": "127.0.0.1",
        }
        yield Rig(private_redis, tmp_path, platform, webhook, webhook_url, env)


def verified_claims(hook: Hook, secret: str) -> dict[str, Any]:
    """The bearer token's claims, checked as a relying party would (HS256, issuer, expiry)."""
    scheme, _, token = hook.headers["authorization"].partition(" ")
    assert scheme == "bearer"
    claims: dict[str, Any] = jwt.decode(
        token,
        secret,
        algorithms=["HS256"],
        issuer=ISSUER,
        options={"require": ["iss", "iat", "exp"]},
    )
    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    assert claims["exp"] - claims["iat"] == 600
    return claims


def directory_calls(platform: PlatformStandIn) -> list[tuple[str, str, Any]]:
    """Calls to the directories and organisations APIs: (method, raw path, JSON body)."""
    prefixes = ("/directories/", "/organisations/")
    return [(r.method, r.path, r.body) for r in platform.requests if r.path.startswith(prefixes)]


async def test_completed_invitation_calls_each_callback_with_a_signed_body(rig: Rig) -> None:
    first = f"{rig.webhook_url}/callbacks/first?ref=a1"
    second = f"{rig.webhook_url}/callbacks/second"
    completion = {
        "userId": NEW_USER,
        "callbacks": [
            {"sourceId": "src-1", "callback": first, "clientId": RP_CLIENT},
            {"sourceId": 77, "callback": second},
        ],
    }
    async with running_worker(rig.env, rig.workdir, free_port()):
        ids = await produce(rig.redis, "publicinvitationcomplete_v1", completion)
        (completed,) = await finished_jobs(rig.redis, "publicinvitationcomplete_v1", ids)
        notified = await finished_jobs(rig.redis, NOTIFY_QUEUE, ["1", "2"])
        await eventually(lambda: len(rig.webhook.received) == 2, "two webhook calls")

    assert completed["returnvalue"] == {"published": 2, "skipped": 0}
    assert [job["state"] for job in notified] == ["completed", "completed"]
    assert [job["returnvalue"] for job in notified] == [{"notified": True}] * 2
    assert [job["data"] for job in notified] == [
        {"userId": NEW_USER, "sourceId": "src-1", "callback": first, "clientId": RP_CLIENT},
        {"userId": NEW_USER, "sourceId": 77, "callback": second},
    ]

    hooks = {hook.target: hook for hook in rig.webhook.received}
    assert set(hooks) == {"/callbacks/first?ref=a1", "/callbacks/second"}
    with_client, without_client = hooks["/callbacks/first?ref=a1"], hooks["/callbacks/second"]
    assert with_client.body == {"sub": NEW_USER, "sourceId": "src-1"}
    assert without_client.body == {"sub": NEW_USER, "sourceId": 77}
    for hook in (with_client, without_client):
        assert hook.headers["content-type"] == "application/json"
        assert hook.headers["host"] == rig.webhook_url.removeprefix("http://")
    assert verified_claims(with_client, RP_SECRET)["iss"] == ISSUER
    assert verified_claims(without_client, JOB_JWT_SECRET)["iss"] == ISSUER
    with pytest.raises(jwt.InvalidSignatureError):
        verified_claims(with_client, JOB_JWT_SECRET)
    assert [r.path for r in rig.platform.calls_to("/applications/services/")] == [
        f"/applications/services/{RP_CLIENT}"
    ]


async def test_invitation_request_creates_then_extends_the_invitation(rig: Rig) -> None:
    email = "erin.newcomer@example.org"
    encoded = "erin.newcomer%40example.org"
    request = {
        "firstName": "Erin",
        "lastName": "Newcomer",
        "email": email,
        "organisation": ORG,
        "sourceId": "src-9",
        "callback": f"{rig.webhook_url}/callbacks/erin",
        "userRedirect": "https://rp.example/welcome",
        "clientId": RP_CLIENT,
        "inviteSubjectOverride": "Join us",
    }
    again = {**request, "sourceId": "src-10", "callback": f"{rig.webhook_url}/callbacks/again"}
    queue = "publicinvitationrequest_v1"
    async with running_worker(rig.env, rig.workdir, free_port()):
        (created,) = await finished_jobs(rig.redis, queue, await produce(rig.redis, queue, request))
        calls_for_new = directory_calls(rig.platform)
        (extended,) = await finished_jobs(rig.redis, queue, await produce(rig.redis, queue, again))
        counts = await job_counts(rig.redis, NOTIFY_QUEUE)

    assert created["returnvalue"] == {"outcome": "new_invitation"}
    assert extended["returnvalue"] == {"outcome": "existing_invitation"}
    (invitation_id,) = [key for key in rig.platform.data["invitations"] if key != "invitation-1"]
    first_callback = {"sourceId": "src-9", "callback": request["callback"], "clientId": RP_CLIENT}
    second_callback = {"sourceId": "src-10", "callback": again["callback"], "clientId": RP_CLIENT}
    link = ("PUT", f"/organisations/organisations/{ORG}/invitations/{invitation_id}", {"roleId": 0})
    assert calls_for_new == [
        ("GET", f"/directories/users/{encoded}", None),
        ("GET", f"/directories/invitations/by-email/{encoded}", None),
        (
            "POST",
            "/directories/invitations",
            {
                "firstName": "Erin",
                "lastName": "Newcomer",
                "email": email,
                "origin": {"clientId": RP_CLIENT, "redirectUri": "https://rp.example/welcome"},
                "selfStarted": False,
                "callbacks": [first_callback],
                "overrides": {"subject": "Join us", "body": None},
            },
        ),
        link,
    ]
    assert directory_calls(rig.platform)[len(calls_for_new) :] == [
        ("GET", f"/directories/users/{encoded}", None),
        ("GET", f"/directories/invitations/by-email/{encoded}", None),
        (
            "PATCH",
            f"/directories/invitations/{invitation_id}",
            {"callbacks": [first_callback, second_callback]},
        ),
        link,
    ]
    assert rig.platform.organisation_links == [("invitation", ORG, invitation_id, 0)] * 2
    assert rig.platform.data["invitations"][invitation_id]["callbacks"] == [
        first_callback,
        second_callback,
    ]
    assert sum(counts.values()) == 0, counts  # no relying party is told until the account exists
    assert rig.webhook.received == []


async def test_refused_callbacks_fail_permanently_and_reach_nothing(rig: Rig) -> None:
    # As an operator would run it: https only (the default), 127.0.0.1 still allow-listed.
    https_only = {key: value for key, value in rig.env.items() if key != "JOBS_WEBHOOK_ALLOW_HTTP"}
    async with listening("127.0.0.1") as allowed_host, listening("127.0.0.2") as loopback:
        callbacks = [
            f"http://127.0.0.1:{allowed_host.port}/callbacks/plain-http",
            f"https://127.0.0.2:{loopback.port}/callbacks/loopback",
            "https://10.20.30.40/callbacks/private",
        ]
        completion = {
            "userId": NEW_USER,
            "callbacks": [
                {"sourceId": f"src-{n}", "callback": url} for n, url in enumerate(callbacks)
            ],
        }
        async with running_worker(https_only, rig.workdir, free_port()):
            await produce(rig.redis, "publicinvitationcomplete_v1", completion)
            notified = await finished_jobs(rig.redis, NOTIFY_QUEUE, ["1", "2", "3"])

    assert [job["data"]["callback"] for job in notified] == callbacks
    assert [(job["state"], job["attemptsMade"]) for job in notified] == [("failed", 1)] * 3
    assert [job["failedReason"] for job in notified] == [
        "webhook http://127.0.0.1 refused: only https callback URLs are allowed",
        "webhook https://127.0.0.2 refused: the host resolves to a loopback address",
        "webhook https://10.20.30.40 refused: the host resolves to a private address",
    ]
    assert (allowed_host.connections, loopback.connections) == (0, 0)
    assert rig.webhook.received == []
