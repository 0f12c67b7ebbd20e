"""The Azure AD token verifier against a stand-in tenant (its metadata and JWKS served by an
injected fetcher, RSA keys made here): what it accepts, what it refuses, and how often it
asks the tenant for keys whatever a caller sends."""

import asyncio
import base64
import hashlib
import hmac
import json
import time
import uuid
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from entrypoints.http.app import create_app
from entrypoints.http.auth import AzureAdTokenVerifier
from entrypoints.http.tenant_keys import MIN_REFRESH_INTERVAL_S, REFRESH_INTERVAL_S, TenantKeys
from tests.unit.entrypoints.test_http_app import FakeMonitor, redis_up

TENANT = "https://login.example/tenant-id/v2.0"
METADATA_URL = f"{TENANT}/.well-known/openid-configuration"
JWKS_URL = "https://login.example/tenant-id/discovery/v2.0/keys"
ISSUER = "https://login.example/tenant-id/v2.0"
AUDIENCE = "api://signin-shared"
ROLE = "Jobs.Operator"
OPERATOR_CLIENT = "operator-client-id"
KID = "tenant-key-1"


@pytest.fixture(scope="module")
def tenant_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def other_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_jwk(key: rsa.RSAPrivateKey, kid: str) -> dict[str, Any]:
    jwk: dict[str, Any] = RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    return {**jwk, "kid": kid, "use": "sig"}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class StandInTenant:
    """Serves the metadata and the JWKS; counts every fetch; can be taken down."""

    def __init__(self, keys: list[dict[str, Any]], issuer: str | None = ISSUER) -> None:
        self.metadata: dict[str, Any] = {"jwks_uri": JWKS_URL}
        if issuer is not None:
            self.metadata["issuer"] = issuer
        self.jwks = {"keys": keys}
        self.fetches: list[str] = []
        self.down = False

    async def fetch_json(self, url: str) -> Any:
        self.fetches.append(url)
        await asyncio.sleep(0.01)  # concurrent callers pile up behind one refresh
        if self.down:
            raise httpx.ConnectError("tenant unreachable")
        return {METADATA_URL: self.metadata, JWKS_URL: self.jwks}[url]


def verifier(tenant: StandInTenant, clock: Clock | None = None) -> AzureAdTokenVerifier:
    return AzureAdTokenVerifier(
        tenant_url=TENANT, audience=AUDIENCE, allowed_roles=[ROLE],
        allowed_client_ids=[OPERATOR_CLIENT], timeout_s=1,
        keys=TenantKeys(METADATA_URL, tenant.fetch_json, clock or Clock()),
    )  # fmt: skip


def claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {"iss": ISSUER, "aud": AUDIENCE, "iat": now, "exp": now + 600, "roles": [ROLE],
            "azp": "some-client"}  # fmt: skip
    base.update(changes)
    return {key: value for key, value in base.items() if value is not None}


def signed(key: rsa.RSAPrivateKey, body: dict[str, Any], kid: str = KID) -> str:
    return jwt.encode(body, key, algorithm="RS256", headers={"kid": kid})


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def hand_made(header: dict[str, Any], body: dict[str, Any], secret: bytes | None) -> str:
    """A token PyJWT would refuse to make: ``alg=none`` or HS256 keyed with a public key."""
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(body).encode())}"
    signature = b"" if secret is None else hmac.digest(secret, signing_input.encode(), "sha256")
    return f"{signing_input}.{_b64(signature)}"


@pytest.fixture
def tenant(tenant_key: rsa.RSAPrivateKey) -> StandInTenant:
    return StandInTenant([public_jwk(tenant_key, KID)])


async def test_a_valid_token_of_an_operator_is_accepted_until_it_expires(
    tenant: StandInTenant, tenant_key: rsa.RSAPrivateKey
) -> None:
    body = claims()
    grant = await verifier(tenant).verify(signed(tenant_key, body))
    assert grant is not None
    assert grant.expires_at == body["exp"]
    assert tenant.fetches == [METADATA_URL, JWKS_URL]


async def test_a_client_on_the_allow_list_needs_no_role(
    tenant: StandInTenant, tenant_key: rsa.RSAPrivateKey
) -> None:
    check = verifier(tenant)
    assert await check.verify(signed(tenant_key, claims(roles=None, azp=OPERATOR_CLIENT)))
    v1_token = claims(roles=None, azp=None, appid=OPERATOR_CLIENT)
    assert await check.verify(signed(tenant_key, v1_token))


@pytest.mark.parametrize(
    "body",
    [
        claims(roles=None),
        claims(roles=["Something.Else"]),
        claims(roles=ROLE),  # a string, not the list Azure AD sends
        claims(roles=None, azp=None, appid="some-other-service"),
    ],
    ids=["no role", "other role", "role not a list", "other client"],
)
async def test_tokens_of_the_tenant_without_the_role_or_client_are_refused(
    tenant: StandInTenant, tenant_key: rsa.RSAPrivateKey, body: dict[str, Any]
) -> None:
    assert await verifier(tenant).verify(signed(tenant_key, body)) is None


@pytest.mark.parametrize(
    "body",
    [
        claims(iss="https://evil.example/"),
        claims(aud="api://another-app"),
        claims(exp=int(time.time()) - 120),
        claims(exp=None),
        claims(iss=None),
        claims(aud=None),
        claims(nbf=int(time.time()) + 600),
    ],
    ids=["wrong iss", "wrong aud", "expired", "no exp", "no iss", "no aud", "not yet valid"],
)
async def test_wrong_issuer_audience_or_times_are_refused(
    tenant: StandInTenant, tenant_key: rsa.RSAPrivateKey, body: dict[str, Any]
) -> None:
    assert await verifier(tenant).verify(signed(tenant_key, body)) is None


async def test_a_token_signed_by_another_key_under_the_tenants_kid_is_refused(
    tenant: StandInTenant, other_key: rsa.RSAPrivateKey
) -> None:
    assert await verifier(tenant).verify(signed(other_key, claims())) is None


async def test_alg_none_and_hs256_keyed_with_the_public_key_are_refused_without_a_fetch(
    tenant: StandInTenant, tenant_key: rsa.RSAPrivateKey
) -> None:
    pem = tenant_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    check = verifier(tenant)
    unsigned = hand_made({"alg": "none", "kid": KID}, claims(), None)
    confused = hand_made({"alg": "HS256", "kid": KID, "typ": "JWT"}, claims(), pem)
    for token in (unsigned, confused, "not-a-token", signed_without_kid(tenant_key)):
        assert await check.verify(token) is None
    assert tenant.fetches == []


def signed_without_kid(key: rsa.RSAPrivateKey) -> str:
    return jwt.encode(claims(), key, algorithm="RS256")


async def test_an_unknown_kid_flood_costs_one_refresh_a_minute(
    tenant: StandInTenant, tenant_key: rsa.RSAPrivateKey, other_key: rsa.RSAPrivateKey
) -> None:
    clock = Clock()
    check = verifier(tenant, clock)
    flood = [signed(other_key, claims(), kid=str(uuid.uuid4())) for _ in range(20)]
    good = signed(tenant_key, claims())

    first = await asyncio.gather(*(check.verify(token) for token in [*flood, good]))
    assert first[:-1] == [None] * 20
    assert first[-1] is not None, "the one refresh served every waiting request"
    assert tenant.fetches == [METADATA_URL, JWKS_URL]

    clock.now += MIN_REFRESH_INTERVAL_S - 1
    assert await asyncio.gather(*(check.verify(token) for token in flood)) == [None] * 20
    assert len(tenant.fetches) == 2, "unknown kids within the minute are refused unfetched"

    clock.now += 2
    assert await asyncio.gather(*(check.verify(token) for token in flood)) == [None] * 20
    assert len(tenant.fetches) == 4, "one more refresh after the minute, however many ask"


async def test_a_key_published_later_is_picked_up_by_the_next_refresh(
    tenant: StandInTenant, tenant_key: rsa.RSAPrivateKey, other_key: rsa.RSAPrivateKey
) -> None:
    clock = Clock()
    check = verifier(tenant, clock)
    assert await check.verify(signed(tenant_key, claims()))
    tenant.jwks["keys"].append(public_jwk(other_key, "tenant-key-2"))
    clock.now += MIN_REFRESH_INTERVAL_S
    assert await check.verify(signed(other_key, claims(), kid="tenant-key-2"))


async def test_keys_are_refreshed_hourly_and_kept_while_the_tenant_is_down(
    tenant: StandInTenant, tenant_key: rsa.RSAPrivateKey
) -> None:
    clock = Clock()
    check = verifier(tenant, clock)
    token = signed(tenant_key, claims())
    assert await check.verify(token)
    clock.now += REFRESH_INTERVAL_S + 1
    tenant.down = True
    assert await check.verify(token), "the keys already held stay in use"
    assert len(tenant.fetches) == 3


async def test_a_key_that_cannot_be_parsed_is_skipped_not_fatal(
    tenant_key: rsa.RSAPrivateKey,
) -> None:
    broken = {"kty": "RSA", "kid": "broken", "use": "sig", "n": "***", "e": "AQAB"}
    symmetric = {"kty": "oct", "kid": "hmac", "k": _b64(b"shared")}
    encryption = {**public_jwk(tenant_key, "enc"), "use": "enc"}
    junk: Any = "junk"
    tenant = StandInTenant([broken, symmetric, encryption, junk, public_jwk(tenant_key, KID)])
    check = verifier(tenant)
    assert await check.verify(signed(tenant_key, claims()))
    assert await check.verify(signed(tenant_key, claims(), kid="enc")) is None


async def test_metadata_without_an_issuer_is_refused(tenant_key: rsa.RSAPrivateKey) -> None:
    tenant = StandInTenant([public_jwk(tenant_key, KID)], issuer=None)
    check = verifier(tenant)
    for issuer in (ISSUER, "https://evil.example/"):
        assert await check.verify(signed(tenant_key, claims(iss=issuer))) is None
    assert tenant.fetches == [METADATA_URL], "the JWKS is not even fetched"


async def test_without_an_allow_list_every_token_is_refused(
    tenant: StandInTenant, tenant_key: rsa.RSAPrivateKey
) -> None:
    check = AzureAdTokenVerifier(
        tenant_url=TENANT, audience=AUDIENCE, timeout_s=1,
        keys=TenantKeys(METADATA_URL, tenant.fetch_json, Clock()),
    )  # fmt: skip
    assert await check.verify(signed(tenant_key, claims())) is None


@pytest.mark.parametrize("path", ["/monitor", "/metrics", "/dashboard"])
async def test_routes_refuse_a_tenant_token_without_the_role(
    tenant: StandInTenant, tenant_key: rsa.RSAPrivateKey, path: str
) -> None:
    from entrypoints.http.metrics import JobMetrics

    app = create_app(
        monitor=FakeMonitor(), ping_redis=redis_up, verifier=verifier(tenant), grace_s=1,
        metrics=JobMetrics(),
    )  # fmt: skip
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")
    own_token = signed(tenant_key, claims(roles=None, azp="dsi-jobs-worker"))
    answer = await http.patch(
        "/monitor", json={"state": "stopped"}, headers={"authorization": f"Bearer {own_token}"}
    )
    assert answer.status_code == 401
    answer = await http.get(path, headers={"authorization": f"Bearer {own_token}"})
    assert answer.status_code == 401
    operator = signed(tenant_key, claims())
    if path != "/dashboard":  # no dashboard routes on this app: 404 once authenticated
        answer = await http.get(path, headers={"authorization": f"Bearer {operator}"})
        assert answer.status_code == 200


def test_hs256_confusion_helper_is_a_real_hmac() -> None:
    """Guards the hand-made token above: the signature is HMAC-SHA256 of the signing input."""
    secret = b"k" * 32
    token = hand_made({"alg": "HS256"}, {"a": 1}, secret)
    head, body, signature = token.split(".")
    expected = hmac.new(secret, f"{head}.{body}".encode(), hashlib.sha256).digest()
    assert signature == _b64(expected)
    assert jwt.decode(token, secret, algorithms=["HS256"]) == {"a": 1}
