"""Bearer-token checks for ``/monitor`` and every route after it (catalogue §1.6).

Outside ``dev`` tokens are Azure AD access tokens, validated as the original did: signature from
the tenant's OIDC metadata (``TENANT_URL/.well-known/openid-configuration``), issuer checked,
audience ``AAD_SHD_APP_ID``. In ``dev`` the original had no authentication; here a static token
(``JOBS_MONITOR_TOKEN``) is required instead, and without one every request is refused.
"""

import hmac
import time
from typing import Any, Protocol

import httpx
import jwt
import structlog
from pydantic import SecretStr

log = structlog.get_logger(__name__)

METADATA_CACHE_S = 3600.0


class TokenVerifier(Protocol):
    async def verify(self, token: str) -> bool: ...


class StaticTokenVerifier:
    """Accepts exactly one configured token; with none configured, accepts nothing."""

    def __init__(self, token: SecretStr | None) -> None:
        self._token = token

    async def verify(self, token: str) -> bool:
        if self._token is None:
            return False
        return hmac.compare_digest(token.encode(), self._token.get_secret_value().encode())


class AzureAdTokenVerifier:
    """Validates RS256 access tokens against the tenant's published signing keys."""

    def __init__(self, *, tenant_url: str | None, audience: str | None, timeout_s: float) -> None:
        self._metadata_url = (
            f"{tenant_url.rstrip('/')}/.well-known/openid-configuration" if tenant_url else None
        )
        self._audience = audience
        self._timeout_s = timeout_s
        self._issuer: str | None = None
        self._keys: dict[str, Any] = {}
        self._fetched_at = 0.0

    async def _refresh(self) -> None:
        if self._metadata_url is None:
            return
        async with httpx.AsyncClient(timeout=self._timeout_s, follow_redirects=False) as http:
            metadata = (await http.get(self._metadata_url)).raise_for_status().json()
            jwks = (await http.get(metadata["jwks_uri"])).raise_for_status().json()
        self._issuer = metadata.get("issuer")
        self._keys = {
            key["kid"]: jwt.PyJWK(key).key for key in jwks.get("keys", []) if "kid" in key
        }
        self._fetched_at = time.monotonic()

    async def verify(self, token: str) -> bool:
        if self._metadata_url is None or not self._audience:
            return False
        try:
            kid = str(jwt.get_unverified_header(token).get("kid", ""))
            if kid not in self._keys or time.monotonic() - self._fetched_at > METADATA_CACHE_S:
                await self._refresh()
            key = self._keys.get(kid)
            if key is None:
                return False
            jwt.decode(
                token,
                key=key,
                algorithms=["RS256"],
                audience=self._audience,
                issuer=self._issuer,
                options={"require": ["exp", "iss", "aud"]},
            )
        except (jwt.PyJWTError, httpx.HTTPError, KeyError, ValueError) as error:
            log.info("monitor_token_rejected", error_type=type(error).__name__)
            return False
        return True


def bearer_token(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None
