"""Bearer-token checks for ``/monitor``, ``/metrics``, ``/dashboard`` and every other route
that is not a probe. See docs/security.md.

Outside ``dev`` tokens are Azure AD access tokens: RS256 only, signed by a key the tenant
publishes (``entrypoints.http.tenant_keys``), issued by the tenant's issuer, for the audience
``AAD_SHD_APP_ID``, not expired. A valid token is not enough: the caller must hold one of the
app roles in ``JOBS_MONITOR_ALLOWED_ROLES`` (``roles`` claim) or be one of the clients in
``JOBS_MONITOR_ALLOWED_CLIENT_IDS`` (``azp``, or ``appid`` in v1 tokens). Every service of the
tenant holds tokens for the shared app, this worker included; they must not stop the workers.

In ``dev`` the original had no authentication; here a static token (``JOBS_MONITOR_TOKEN``) is
required instead, and without one every request is refused.
"""

import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

import jwt
import structlog
from pydantic import SecretStr

from entrypoints.http.tenant_keys import FetchJson, TenantKeys, http_fetch_json

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Grant:
    """A verified token; ``expires_at`` (epoch seconds) is when it stops being valid, if ever."""

    expires_at: float | None = None


class TokenVerifier(Protocol):
    async def verify(self, token: str) -> Grant | None:
        """The grant the token carries, or ``None`` when it must be refused."""
        ...


class StaticTokenVerifier:
    """Accepts exactly one configured token; with none configured, accepts nothing."""

    def __init__(self, token: SecretStr | None) -> None:
        self._token = token

    async def verify(self, token: str) -> Grant | None:
        if self._token is None:
            return None
        if hmac.compare_digest(token.encode(), self._token.get_secret_value().encode()):
            return Grant()
        return None


class AzureAdTokenVerifier:
    """Validates the tenant's RS256 access tokens and the caller's role or client id."""

    def __init__(
        self,
        *,
        tenant_url: str | None,
        audience: str | None,
        allowed_roles: Iterable[str] = (),
        allowed_client_ids: Iterable[str] = (),
        timeout_s: float,
        fetch_json: FetchJson | None = None,
        keys: TenantKeys | None = None,
    ) -> None:
        self._audience = audience
        self._roles = frozenset(allowed_roles)
        self._clients = frozenset(allowed_client_ids)
        self._keys = keys
        if keys is None and tenant_url:
            metadata_url = f"{tenant_url.rstrip('/')}/.well-known/openid-configuration"
            self._keys = TenantKeys(metadata_url, fetch_json or http_fetch_json(timeout_s))

    async def verify(self, token: str) -> Grant | None:
        if self._keys is None or not self._audience or not (self._roles or self._clients):
            return _refused("not_configured")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            return _refused("malformed")
        kid = header.get("kid")
        if header.get("alg") != "RS256" or not isinstance(kid, str) or not kid:
            return _refused("algorithm_or_key_id")  # checked before anything is fetched
        signing = await self._keys.signing_key(kid)
        if signing is None:
            return _refused("unknown_key")
        try:
            claims = jwt.decode(
                token,
                key=signing.key,
                algorithms=["RS256"],
                audience=self._audience,
                issuer=signing.issuer,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.PyJWTError as error:
            return _refused(type(error).__name__)
        if not self._allowed(claims):
            return _refused("role_or_client_not_allowed")
        return Grant(expires_at=float(claims["exp"]))

    def _allowed(self, claims: dict[str, Any]) -> bool:
        roles = claims.get("roles")
        if isinstance(roles, list) and self._roles.intersection(
            r for r in roles if isinstance(r, str)
        ):
            return True
        client = claims.get("azp") or claims.get("appid")
        return isinstance(client, str) and client in self._clients


def _refused(reason: str) -> Grant | None:
    log.info("monitor_token_rejected", reason=reason)
    return None


def bearer_token(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None
