"""``HttpDirectories`` status mapping, retries, timeouts, tokens and headers, over
``httpx.MockTransport`` (no network, no patching)."""

import asyncio
import email.utils
import time
import traceback
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
import structlog
from pydantic import SecretStr

from adapters.platform_api.directories import HttpDirectories
from domain.directory import DirectoryUser, NewInvitation
from domain.errors import (
    NotFound,
    RateLimited,
    UpstreamMisconfigured,
    UpstreamRejected,
    UpstreamUnavailable,
    WorkerError,
)
from entrypoints.container import build_container, stop_resources
from entrypoints.settings import Settings

Handler = Callable[[httpx.Request], httpx.Response]
SECRET = "very-secret-value"
TOKEN_URL = "https://login.example/tenant.example/oauth2/v2.0/token"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


FOUND = {"sub": "u", "id": "u"}
"""A 200 body every read here maps: a user's ``sub``, an invitation's ``id``."""


class Upstream:
    """A scripted upstream: answers API calls with ``api`` and token calls with a token."""

    def __init__(self, api: Handler, token_lifetime_s: int = 3600) -> None:
        self.api = api
        self.token_lifetime_s = token_lifetime_s
        self.requests: list[httpx.Request] = []
        self.token_requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if str(request.url) == TOKEN_URL:
            self.token_requests.append(request)
            token = f"token-{len(self.token_requests)}"
            body = {"access_token": token, "expires_in": self.token_lifetime_s}
            return httpx.Response(200, json=body)
        self.requests.append(request)
        return self.api(request)


def make(
    upstream: Upstream | Handler,
    *,
    aad: bool = True,
    clock: FakeClock | None = None,
    urls: dict[str, str | None] | None = None,
) -> HttpDirectories:
    """The adapter over ``upstream``; ``urls`` overrides base URLs (``None`` = unset)."""
    credentials: dict[str, Any] = {}
    if aad:
        credentials = {
            "tenant_url": "https://login.example",
            "tenant_domain": "tenant.example",
            "client_id": "client-id",
            "client_secret": SecretStr(SECRET),
            "resource": "api://platform",
        }
    bases: dict[str, Any] = {
        name: f"https://{name.removesuffix('_url')}.example"
        for name in ("directories_url", "organisations_url", "applications_url", "access_url")
    }
    return HttpDirectories(
        **{**bases, **(urls or {})},
        **credentials,
        timeout_s=2.0,
        transport=httpx.MockTransport(upstream),
        retry_backoff_s=(0.0, 0.0),
        clock=clock or FakeClock(),
    )


def answer(status: int, headers: dict[str, str] | None = None, **kw: Any) -> Handler:
    return lambda request: httpx.Response(status, headers=headers, **kw)


async def failure(directories: HttpDirectories, call: str = "get_user") -> WorkerError:
    with pytest.raises(WorkerError) as caught:
        await getattr(directories, call)("someone@example.org")
    return caught.value


# Status mapping -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (500, UpstreamUnavailable),
        (502, UpstreamUnavailable),
        (503, UpstreamUnavailable),
        (429, RateLimited),
        (401, UpstreamMisconfigured),
        (403, UpstreamMisconfigured),
        (400, UpstreamRejected),
        (409, UpstreamRejected),
        (422, UpstreamRejected),
    ],
)
async def test_status_codes_map_to_the_taxonomy(status: int, expected: type[Exception]) -> None:
    directories = make(Upstream(answer(status, json={"email": "someone@example.org"})))
    error = await failure(directories)
    assert type(error) is expected
    assert str(error) == f"directories API GET /users/{{id}} answered {status}"
    assert "someone" not in str(error)
    await directories.aclose()


async def test_a_status_error_chains_nothing_that_names_the_concrete_path() -> None:
    """The job's stored stack trace shows the whole chain: the httpx error names the URL."""
    directories = make(Upstream(answer(500)))
    address = "invitee.person@example.com"  # a variable: traceback lines quote the source
    with pytest.raises(UpstreamUnavailable) as caught:
        await directories.get_user(address)
    trace = "".join(traceback.format_exception(caught.value))
    assert "directories API GET /users/{id} answered 500" in trace
    assert "invitee.person" not in trace
    await directories.aclose()


async def test_rate_limited_honours_retry_after_seconds() -> None:
    directories = make(Upstream(answer(429, headers={"retry-after": "7"})))
    error = await failure(directories)
    assert isinstance(error, RateLimited)
    assert error.retry_after_s == 7.0
    await directories.aclose()


async def test_retry_after_may_be_an_http_date() -> None:
    later = email.utils.formatdate(time.time() + 60, usegmt=True)
    directories = make(Upstream(answer(429, headers={"retry-after": later})))
    error = await failure(directories)
    assert isinstance(error, RateLimited)
    assert error.retry_after_s is not None
    assert 55 <= error.retry_after_s <= 61
    await directories.aclose()


async def test_rate_limited_is_not_retried_in_place() -> None:
    upstream = Upstream(answer(429))
    directories = make(upstream)
    await failure(directories)
    assert len(upstream.requests) == 1
    await directories.aclose()


@pytest.mark.parametrize(
    ("call", "args", "message"),
    [
        ("add_user_to_organisation", ("o", "u", 0), "PUT /organisations/{org}/users/{user}"),
        (
            "add_invitation_to_organisation",
            ("o", "i", 0),
            "PUT /organisations/{org}/invitations/{invitation}",
        ),
        ("set_invitation_callbacks", ("i", []), "PATCH /invitations/{id}"),
    ],
)
async def test_writes_to_missing_targets_are_not_found(
    call: str, args: tuple[Any, ...], message: str
) -> None:
    directories = make(Upstream(answer(404)))
    with pytest.raises(NotFound, match=message.replace("{", r"\{").replace("}", r"\}")):
        await getattr(directories, call)(*args)
    await directories.aclose()


async def test_a_body_that_is_not_json_is_unavailable() -> None:
    directories = make(Upstream(answer(200, text="<html>proxy error</html>")))
    error = await failure(directories)
    assert isinstance(error, UpstreamUnavailable)
    assert str(error) == "directories API GET /users/{id} answered a body that is not JSON"
    await directories.aclose()


async def test_a_body_of_the_wrong_shape_is_misconfigured() -> None:
    directories = make(Upstream(answer(200, json=["not", "an", "object"])))
    error = await failure(directories)
    assert isinstance(error, UpstreamMisconfigured)
    await directories.aclose()


@pytest.mark.parametrize(
    ("reply", "says"),
    [
        (answer(404, json={"error": "not found"}), "answered 404"),
        (answer(200, json=["a", "list", "not", "a", "listing"]), "answered no list of services"),
        (answer(200, json={"services": {"not": "a list"}}), "answered no list of services"),
        (answer(200, json={"page": 1, "numberOfPages": 0}), "answered no list of services"),
        (answer(204), "answered no list of services"),
        (answer(200, json={"services": [], "numberOfPages": "x"}), "a bad numberOfPages"),
    ],
    ids=["404", "a-list", "services-not-a-list", "no-services", "empty-body", "bad-pages"],
)
async def test_a_services_list_that_is_not_one_is_retryable_never_empty(
    reply: Handler, says: str
) -> None:
    """A wrong host or path must not read as "nobody subscribes": fan-outs retry instead."""
    directories = make(Upstream(reply))
    with pytest.raises(UpstreamUnavailable, match=says) as caught:
        await directories.list_services()
    assert "STANDALONE_APPLICATIONS_HOST_NAME" in str(caught.value) or says.endswith("Pages")
    await directories.aclose()


# Network failures and in-place retries ----------------------------------------------------


@pytest.mark.parametrize(
    "exception", [httpx.ReadTimeout("slow"), httpx.ConnectTimeout("slow"), httpx.PoolTimeout("x")]
)
async def test_timeouts_are_unavailable(exception: Exception) -> None:
    def raise_it(request: httpx.Request) -> httpx.Response:
        raise exception

    directories = make(Upstream(raise_it))
    error = await failure(directories)
    assert isinstance(error, UpstreamUnavailable)
    assert str(error) == f"directories API GET /users/{{id}} timed out ({type(exception).__name__})"
    await directories.aclose()


async def test_connection_errors_are_unavailable() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    directories = make(Upstream(refuse))
    error = await failure(directories, "get_invitation_by_email")
    assert isinstance(error, UpstreamUnavailable)
    assert "/invitations/by-email/{email} failed (ConnectError)" in str(error)
    await directories.aclose()


async def test_the_client_has_an_explicit_timeout() -> None:
    seen: list[dict[str, Any]] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request.extensions["timeout"])
        return httpx.Response(200, json=FOUND)

    directories = make(Upstream(record))
    await directories.get_user("u")
    assert seen == [{"connect": 2.0, "read": 2.0, "write": 2.0, "pool": 2.0}]
    await directories.aclose()


async def test_transient_failures_are_retried_in_place_twice() -> None:
    answers = iter(
        [httpx.Response(503), httpx.Response(502), httpx.Response(200, json={"sub": "u"})]
    )
    upstream = Upstream(lambda request: next(answers))
    directories = make(upstream)
    assert await directories.get_user("u") == DirectoryUser(id="u")
    assert len(upstream.requests) == 3
    await directories.aclose()


async def test_creating_an_invitation_is_not_retried_in_place() -> None:
    upstream = Upstream(answer(503))
    directories = make(upstream)
    with pytest.raises(UpstreamUnavailable, match=r"POST /invitations answered 503"):
        await directories.create_invitation(NewInvitation(email="x@example.org"))
    assert len(upstream.requests) == 1
    await directories.aclose()


# Azure AD tokens --------------------------------------------------------------------------


async def test_token_request_is_client_credentials_for_the_resource_scope() -> None:
    upstream = Upstream(answer(200, json=FOUND))
    directories = make(upstream)
    await directories.get_user("u")
    [token_request] = upstream.token_requests
    assert token_request.method == "POST"
    assert parse_qs(token_request.content.decode()) == {
        "grant_type": ["client_credentials"],
        "client_id": ["client-id"],
        "client_secret": [SECRET],
        "scope": ["api://platform/.default"],
    }
    assert upstream.requests[0].headers["authorization"] == "bearer token-1"
    await directories.aclose()


async def test_concurrent_calls_share_one_token_fetch() -> None:
    upstream = Upstream(answer(200, json=FOUND))
    directories = make(upstream)
    await asyncio.gather(*(directories.get_user(str(n)) for n in range(20)))
    assert len(upstream.token_requests) == 1
    assert {r.headers["authorization"] for r in upstream.requests} == {"bearer token-1"}
    await directories.aclose()


async def test_token_is_refetched_shortly_before_it_expires() -> None:
    clock = FakeClock()
    upstream = Upstream(answer(200, json=FOUND), token_lifetime_s=3600)
    directories = make(upstream, clock=clock)
    await directories.get_user("a")
    clock.now += 3400  # inside the token's life, before the refresh margin
    await directories.get_user("b")
    clock.now += 100  # within two minutes of expiry
    await directories.get_user("c")
    assert len(upstream.token_requests) == 2
    assert upstream.requests[-1].headers["authorization"] == "bearer token-2"
    await directories.aclose()


async def test_a_401_drops_the_cached_token() -> None:
    answers = iter([httpx.Response(401), httpx.Response(200, json=FOUND)])
    upstream = Upstream(lambda request: next(answers))
    directories = make(upstream)
    with pytest.raises(UpstreamMisconfigured):
        await directories.get_user("a")
    await directories.get_user("b")
    assert len(upstream.token_requests) == 2
    await directories.aclose()


@pytest.mark.parametrize("status", [400, 401])
async def test_a_refused_token_request_is_misconfigured_and_hides_the_secret(status: int) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        if str(request.url) == TOKEN_URL:
            return httpx.Response(status, json={"error": "invalid_client", "secret": SECRET})
        return httpx.Response(200, json=FOUND)

    directories = make(refuse)
    error = await failure(directories)
    assert isinstance(error, UpstreamMisconfigured)
    assert str(error) == (
        f"Azure AD token endpoint POST /{{tenant}}/oauth2/v2.0/token answered {status}"
    )
    await directories.aclose()


async def test_without_azure_ad_settings_no_token_is_sent() -> None:
    upstream = Upstream(answer(200, json=FOUND))
    directories = make(upstream, aad=False)
    await directories.get_user("u")
    assert upstream.token_requests == []
    assert "authorization" not in upstream.requests[0].headers
    await directories.aclose()


async def test_incomplete_azure_ad_settings_name_the_missing_variables() -> None:
    upstream = Upstream(answer(200, json=FOUND))
    directories = HttpDirectories(
        directories_url="https://directories.example",
        organisations_url=None,
        applications_url=None,
        access_url=None,
        tenant_url="https://login.example",
        client_id="client-id",
        timeout_s=2.0,
        transport=httpx.MockTransport(upstream),
    )
    with pytest.raises(UpstreamMisconfigured) as caught:
        await directories.get_user("u")
    assert str(caught.value) == (
        "Azure AD client credentials are incomplete: set PLATFORM_GLOBAL_TENANT_DOMAIN, "
        "AAD_SHD_CLIENT_SECRET, AAD_SHD_APP_ID"
    )
    assert upstream.requests == []
    await directories.aclose()


# Headers and URLs -------------------------------------------------------------------------


async def test_correlation_id_comes_from_the_job_context() -> None:
    upstream = Upstream(answer(200, json=FOUND))
    directories = make(upstream)
    with structlog.contextvars.bound_contextvars(correlation_id="userupdated_v1-99"):
        await directories.get_user("u")
    await directories.get_user("u")
    first, second = (r.headers["x-correlation-id"] for r in upstream.requests)
    assert first == "userupdated_v1-99"
    assert uuid.UUID(second).version == 4
    await directories.aclose()


async def test_path_segments_are_percent_encoded() -> None:
    upstream = Upstream(answer(200, json=FOUND))
    directories = make(upstream, urls={"directories_url": "https://directories.example/base/"})
    await directories.get_invitation_by_email("a/b+c@example.org")
    assert (
        upstream.requests[0].url.raw_path == b"/base/invitations/by-email/a%2Fb%2Bc%40example.org"
    )
    await directories.aclose()


CALLS: list[tuple[str, Callable[[HttpDirectories], Awaitable[Any]], str]] = [
    ("directories_url", lambda d: d.get_user("u"), "STANDALONE_DIRECTORIES_HOST_NAME"),
    ("directories_url", lambda d: d.get_users(["u"]), "STANDALONE_DIRECTORIES_HOST_NAME"),
    ("organisations_url", lambda d: d.get_organisation("o"), "STANDALONE_ORGANISATIONS_HOST_NAME"),
    ("organisations_url", lambda d: d.get_approver_ids("o"), "STANDALONE_ORGANISATIONS_HOST_NAME"),
    ("applications_url", lambda d: d.list_services(), "STANDALONE_APPLICATIONS_HOST_NAME"),
    ("applications_url", lambda d: d.get_service("s"), "STANDALONE_APPLICATIONS_HOST_NAME"),
    ("access_url", lambda d: d.get_user_services("u"), "STANDALONE_ACCESS_HOST_NAME"),
]


@pytest.mark.parametrize(("setting", "call", "variable"), CALLS)
async def test_an_unset_base_url_names_its_variable(
    setting: str, call: Callable[[HttpDirectories], Awaitable[Any]], variable: str
) -> None:
    upstream = Upstream(answer(200, json=FOUND))
    directories = make(upstream, urls={setting: None})
    with pytest.raises(UpstreamMisconfigured, match=f"API is not configured: set {variable}$"):
        await call(directories)
    assert upstream.requests == []
    assert upstream.token_requests == []
    await directories.aclose()


async def test_the_container_builds_the_http_adapter_from_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("JOBS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("STANDALONE_DIRECTORIES_HOST_NAME", "directories.example")
    monkeypatch.delenv("STANDALONE_ACCESS_HOST_NAME", raising=False)
    container = build_container(Settings(_env_file=None))
    directories = await container.adapters.directories()
    assert isinstance(directories, HttpDirectories)
    with pytest.raises(UpstreamMisconfigured, match="set STANDALONE_ACCESS_HOST_NAME"):
        await directories.get_user_services("u")
    await stop_resources(container)
