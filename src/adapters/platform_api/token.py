"""Azure AD client-credentials tokens for the platform APIs (docs/platform-apis.md#original-calls).

The v2.0 endpoint with ``scope=<AAD_SHD_APP_ID>/.default`` is the modern form of the original's
``resource`` request and yields a token for the same audience. One token is cached until
shortly before it expires; concurrent callers share one fetch.

With none of the five settings present the provider yields no token (local stand-ins need
none); with only some present, every call fails naming the missing variables.
"""

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

import httpx
import structlog
from pydantic import SecretStr

from adapters.platform_api.errors import _translate_errors
from domain.errors import UpstreamMisconfigured

log = structlog.get_logger(__name__)

TOKEN_ROUTE = "/{tenant}/oauth2/v2.0/token"  # noqa: S105 - a route, not a secret
EXPIRY_MARGIN_S = 120.0
"""Refresh this long before ``expires_in`` runs out, so a token never expires in flight."""


@dataclass(frozen=True)
class _Credentials:
    token_url: str
    form: dict[str, str]
    secret: SecretStr


class AadTokenProvider:
    """Fetches and caches a bearer token for ``<resource>/.default``."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        tenant_url: str | None,
        tenant_domain: str | None,
        client_id: str | None,
        client_secret: SecretStr | None,
        resource: str | None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._clock = clock
        settings = {
            "TENANT_URL": tenant_url,
            "PLATFORM_GLOBAL_TENANT_DOMAIN": tenant_domain,
            "AAD_SHD_CLIENT_ID": client_id,
            "AAD_SHD_CLIENT_SECRET": client_secret,
            "AAD_SHD_APP_ID": resource,
        }
        self._missing = [name for name, value in settings.items() if not value]
        self._enabled = len(self._missing) < len(settings)
        self._credentials: _Credentials | None = None
        if tenant_url and tenant_domain and client_id and client_secret and resource:
            tenant = quote(tenant_domain, safe="")
            self._credentials = _Credentials(
                token_url=f"{tenant_url.rstrip('/')}/{tenant}/oauth2/v2.0/token",
                form={
                    "grant_type": "client_credentials",
                    "client_id": client_id,
                    "scope": f"{resource.rstrip('/')}/.default",
                },
                secret=client_secret,
            )
        self._lock = asyncio.Lock()
        self._token: str | None = None
        self._refresh_at = 0.0

    async def token(self) -> str | None:
        """A valid access token, or ``None`` when Azure AD is not configured at all."""
        if not self._enabled:
            return None
        if self._credentials is None:
            raise UpstreamMisconfigured(
                f"Azure AD client credentials are incomplete: set {', '.join(self._missing)}"
            )
        token = self._cached()
        if token is not None:
            return token
        async with self._lock:  # one fetch; callers queued behind it reuse its token
            return self._cached() or await self._fetch(self._credentials)

    def forget(self) -> None:
        """Drop the cached token (after a 401) so the next call fetches a fresh one."""
        self._token = None

    def _cached(self) -> str | None:
        return self._token if self._clock() < self._refresh_at else None

    async def _fetch(self, credentials: _Credentials) -> str:
        where = f"Azure AD token endpoint POST {TOKEN_ROUTE}"
        form = {**credentials.form, "client_secret": credentials.secret.get_secret_value()}
        started = self._clock()
        with _translate_errors(where, client_error=UpstreamMisconfigured):
            response = await self._client.post(credentials.token_url, data=form)
            response.raise_for_status()
            body = response.json()
        token = body.get("access_token") if isinstance(body, dict) else None
        try:
            lifetime = float(body["expires_in"])
        except (KeyError, TypeError, ValueError):
            lifetime = 0.0
        if not isinstance(token, str) or not token or lifetime <= 0:
            raise UpstreamMisconfigured(f"{where} answered without access_token and expires_in")
        self._token = token
        self._refresh_at = started + max(lifetime - EXPIRY_MARGIN_S, lifetime / 2)
        log.debug("platform_api_token_fetched", expires_in_s=lifetime)
        return token
