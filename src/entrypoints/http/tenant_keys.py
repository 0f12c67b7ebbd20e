"""The Azure AD tenant's issuer and token-signing keys, fetched sparingly.

A token's ``kid`` is chosen by whoever sends it, before anything is verified, so an unknown one
must not cost a fetch each time: the metadata and JWKS are fetched at most once a minute
(``MIN_REFRESH_INTERVAL_S``) whatever arrives, by one request at a time (the others wait for it
and use its result), and otherwise hourly. Within that minute an unknown ``kid`` is refused
without fetching. Metadata without an ``issuer`` is refused (the issuer check would be off);
JWKS entries that are not RSA signing keys, or cannot be parsed, are skipped, not fatal. When a
refresh fails the keys already held stay in use for up to a day.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
import structlog

from adapters.common.tls import default_tls_context

log = structlog.get_logger(__name__)

FetchJson = Callable[[str], Awaitable[Any]]
"""GET a URL and decode its JSON body; injectable so tests can serve a stand-in tenant."""

REFRESH_INTERVAL_S = 3600.0
MIN_REFRESH_INTERVAL_S = 60.0
MAX_KEY_AGE_S = 86_400.0


class TenantMetadataInvalid(Exception):
    """The metadata or JWKS cannot be used (no issuer, no usable key...)."""


@dataclass(frozen=True)
class SigningKey:
    issuer: str
    key: Any


def http_fetch_json(timeout_s: float) -> FetchJson:
    async def fetch(url: str) -> Any:
        async with httpx.AsyncClient(
            verify=default_tls_context(), timeout=timeout_s, follow_redirects=False
        ) as http:
            return (await http.get(url)).raise_for_status().json()

    return fetch


class TenantKeys:
    """Signing keys by ``kid``, with the refresh rules of the module docstring."""

    def __init__(
        self,
        metadata_url: str,
        fetch_json: FetchJson,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._metadata_url = metadata_url
        self._fetch_json = fetch_json
        self._clock = clock
        self._lock = asyncio.Lock()
        self._issuer = ""
        self._keys: dict[str, Any] = {}
        self._fetched_at: float | None = None
        self._attempted_at: float | None = None

    async def signing_key(self, kid: str) -> SigningKey | None:
        """The key named ``kid`` and the issuer it signs for, or ``None`` (refuse the token)."""
        if kid not in self._keys or self._age_s() > REFRESH_INTERVAL_S:
            await self._refresh_unless_recent()
        key = self._keys.get(kid)
        if key is None or self._age_s() > MAX_KEY_AGE_S:
            return None
        return SigningKey(self._issuer, key)

    def _age_s(self) -> float:
        if self._fetched_at is None:
            return float("inf")
        return self._clock() - self._fetched_at

    def _refreshed_recently(self) -> bool:
        return (
            self._attempted_at is not None
            and self._clock() - self._attempted_at < MIN_REFRESH_INTERVAL_S
        )

    async def _refresh_unless_recent(self) -> None:
        if self._refreshed_recently() and not self._lock.locked():
            return
        async with self._lock:  # a refresh under way: wait for it and use its result
            if self._refreshed_recently():
                return
            self._attempted_at = self._clock()
            try:
                self._issuer, self._keys = await self._load()
            except (httpx.HTTPError, ValueError, TenantMetadataInvalid) as error:
                log.warning("monitor_keys_refresh_failed", error_type=type(error).__name__)
                return
            self._fetched_at = self._clock()

    async def _load(self) -> tuple[str, dict[str, Any]]:
        metadata = await self._fetch_json(self._metadata_url)
        issuer = metadata.get("issuer") if isinstance(metadata, dict) else None
        jwks_uri = metadata.get("jwks_uri") if isinstance(metadata, dict) else None
        if not isinstance(issuer, str) or not issuer:
            raise TenantMetadataInvalid("the tenant metadata names no issuer")
        if not isinstance(jwks_uri, str) or not jwks_uri.startswith(("https://", "http://")):
            raise TenantMetadataInvalid("the tenant metadata names no JWKS URL")
        jwks = await self._fetch_json(jwks_uri)
        entries = jwks.get("keys") if isinstance(jwks, dict) else None
        keys = dict(_rsa_signing_keys(entries if isinstance(entries, list) else []))
        if not keys:
            raise TenantMetadataInvalid("the tenant JWKS holds no usable signing key")
        return issuer, keys


def _rsa_signing_keys(entries: list[Any]) -> list[tuple[str, Any]]:
    usable = []
    for entry in entries:
        if not isinstance(entry, dict) or entry.get("kty") != "RSA":
            continue
        if entry.get("use", "sig") != "sig" or not isinstance(entry.get("kid"), str):
            continue
        try:
            usable.append((entry["kid"], jwt.PyJWK(entry, algorithm="RS256").key))
        except (jwt.PyJWTError, ValueError, TypeError, KeyError):
            log.warning("monitor_key_skipped", kid=entry["kid"])
    return usable
