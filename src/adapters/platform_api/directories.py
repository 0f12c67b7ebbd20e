"""``HttpDirectories``: every directory port over the platform's REST APIs
(docs/platform-apis.md#original-calls); JSON mapped by ``adapters.common.platform_records``.

One ``httpx.AsyncClient`` per process (connection reuse, explicit timeouts), shared with the
token provider. Each API's base URL may be ``None`` when its variable is unset: the worker
still starts, and only calls to that API fail, naming the variable.
"""

import asyncio
import random
import time
import uuid
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
import structlog
from pydantic import SecretStr

from adapters.common import platform_records as records
from adapters.common.tls import default_tls_context
from adapters.platform_api.errors import _translate_errors
from adapters.platform_api.token import AadTokenProvider
from domain import directory
from domain.errors import NotFound, UpstreamMisconfigured, UpstreamUnavailable
from domain.model import Application, JsonObject

SERVICES_PAGE_SIZE = 100
RETRY_BACKOFF_S = (0.25, 0.5)
"""The original's async-retry API strategy (docs/runtime.md#failures): two retries after 250-500
and 500-1000 ms."""
CONNECTION_LIMITS = httpx.Limits(max_connections=60, max_keepalive_connections=10)
"""The original's ``agentKeepAlive`` (maxSockets 60, maxFreeSockets 10)."""
PROBE_ROUTES = {
    "directories": "/users/{id}",
    "organisations": "/organisations/v2/{id}",
    "applications": "/services",
    "access": "/users/{id}/services",
}
"""What ``probe_api`` reads from each API: nothing that exists, so nothing personal."""
UNKNOWN_ID = str(uuid.UUID(int=0))
_NOT_FOUND: Any = object()
"""Marks a 404 apart from an empty body, so writes can tell "missing" from "done"."""


@dataclass(frozen=True)
class _Api:
    name: str
    variable: str
    base_url: str | None

    def url(self, route: str, path: Mapping[str, str]) -> str:
        if not self.base_url:
            raise UpstreamMisconfigured(f"{self.name} API is not configured: set {self.variable}")
        segments = {key: quote(value, safe="") for key, value in path.items()}
        return self.base_url.rstrip("/") + route.format(**segments)


def _correlation_id() -> str:
    bound = structlog.contextvars.get_contextvars().get("correlation_id")
    return str(bound) if bound else str(uuid.uuid4())


class HttpDirectories:
    """Implements ``OrganisationDirectory``, ``UserDirectory``, ``AccessDirectory`` and
    ``ApplicationDirectory``. Deliberately no ``ping``: readiness never probes third parties.

    Network errors, timeouts and 5xx are retried in place as the original did (not for
    ``POST /invitations``, which is not idempotent); whatever still fails is raised for the
    job's own retry policy.
    """

    def __init__(
        self,
        *,
        directories_url: str | None,
        organisations_url: str | None,
        applications_url: str | None,
        access_url: str | None,
        timeout_s: float,
        tenant_url: str | None = None,
        tenant_domain: str | None = None,
        client_id: str | None = None,
        client_secret: SecretStr | None = None,
        resource: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        retry_backoff_s: Sequence[float] = RETRY_BACKOFF_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = httpx.AsyncClient(
            verify=default_tls_context(),
            timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 5.0)),
            limits=CONNECTION_LIMITS,
            transport=transport,
            headers={"accept": "application/json"},
        )
        self._tokens = AadTokenProvider(
            self._client,
            tenant_url=tenant_url,
            tenant_domain=tenant_domain,
            client_id=client_id,
            client_secret=client_secret,
            resource=resource,
            clock=clock,
        )
        self._retry_backoff_s = tuple(retry_backoff_s)
        self._directories = _Api("directories", "STANDALONE_DIRECTORIES_HOST_NAME", directories_url)
        self._organisations = _Api(
            "organisations", "STANDALONE_ORGANISATIONS_HOST_NAME", organisations_url
        )
        self._applications = _Api(
            "applications", "STANDALONE_APPLICATIONS_HOST_NAME", applications_url
        )
        self._access = _Api("access", "STANDALONE_ACCESS_HOST_NAME", access_url)

    async def aclose(self) -> None:
        await self._client.aclose()

    # OrganisationDirectory ---------------------------------------------------------------

    async def get_organisation_request(
        self, request_id: str
    ) -> directory.OrganisationRequest | None:
        route = "/organisations/requests/{id}"
        found = await self._get_object(self._organisations, route, {"id": request_id})
        return None if found is None else records.organisation_request(found)

    async def get_approver_ids(self, organisation_id: str) -> list[str]:
        route = "/organisations/{id}/approvers"
        approvers = await self._get_list(self._organisations, route, {"id": organisation_id})
        return [str(user_id) for user_id in approvers]

    async def get_organisation(
        self, organisation_id: str
    ) -> directory.DirectoryOrganisation | None:
        route = "/organisations/v2/{id}"
        found = await self._get_object(self._organisations, route, {"id": organisation_id})
        return None if found is None else records.organisation(found)

    async def get_user_organisations(self, user_id: str) -> list[directory.Membership]:
        route = "/organisations/v2/associated-with-user/{id}"
        return records.memberships(
            await self._get_list(self._organisations, route, {"id": user_id})
        )

    async def add_user_to_organisation(
        self, organisation_id: str, user_id: str, role_id: int
    ) -> None:
        route = "/organisations/{org}/users/{user}"
        path = {"org": organisation_id, "user": user_id}
        await self._write(self._organisations, "PUT", route, path, {"roleId": role_id})

    async def add_invitation_to_organisation(
        self, organisation_id: str, invitation_id: str, role_id: int
    ) -> None:
        route = "/organisations/{org}/invitations/{invitation}"
        path = {"org": organisation_id, "invitation": invitation_id}
        await self._write(self._organisations, "PUT", route, path, {"roleId": role_id})

    # UserDirectory -----------------------------------------------------------------------

    async def get_user(self, user_id_or_email: str) -> directory.DirectoryUser | None:
        route, path = "/users/{id}", {"id": user_id_or_email}
        found = await self._get_object(self._directories, route, path)
        return None if found is None else records.user(found)

    async def get_users(self, user_ids: Sequence[str]) -> list[directory.DirectoryUser]:
        if not user_ids:
            return []
        body = await self._call(
            self._directories, "POST", "/users/by-ids", json={"ids": ",".join(user_ids)}
        )
        return records.users(_as_list(body, self._directories, "POST /users/by-ids"))

    async def get_invitation_by_email(self, email: str) -> directory.Invitation | None:
        route = "/invitations/by-email/{email}"
        found = await self._get_object(self._directories, route, {"email": email})
        return None if found is None else records.invitation(found)

    async def create_invitation(self, invitation: directory.NewInvitation) -> str:
        where = "POST /invitations"
        json = records.new_invitation_json(invitation)
        body = await self._call(self._directories, "POST", "/invitations", json=json, retry=False)
        created = _as_object(body, self._directories, where) or {}
        if not created.get("id"):
            raise UpstreamMisconfigured(f"directories API {where} answered without id")
        return str(created["id"])

    async def set_invitation_callbacks(
        self, invitation_id: str, callbacks: Sequence[directory.InvitationCallback]
    ) -> None:
        body = {"callbacks": [records.callback_json(callback) for callback in callbacks]}
        path = {"id": invitation_id}
        await self._write(self._directories, "PATCH", "/invitations/{id}", path, body)

    # AccessDirectory ---------------------------------------------------------------------

    async def get_user_services(self, user_id: str) -> list[directory.ServiceAccess]:
        route = "/users/{id}/services"
        return records.service_access(await self._get_list(self._access, route, {"id": user_id}))

    # ApplicationDirectory ----------------------------------------------------------------

    async def list_services(self) -> list[Application]:
        """Every page. The list never legitimately answers 404, a body without a ``services``
        list or a bad page count: each is retryable ``UpstreamUnavailable`` naming the
        variable, never "no services" (a wrong host would switch legacy sync off silently)."""
        services: list[Any] = []
        page, pages = 1, 1
        while page <= pages:
            query = {"page": page, "pageSize": SERVICES_PAGE_SIZE}
            body = await self._call(self._applications, "GET", "/services", params=query)
            listing = _service_listing(body, self._applications)
            services.extend(listing["services"])
            pages = _page_count(listing.get("numberOfPages"), self._applications, "GET /services")
            page += 1
        return records.applications(services)

    async def get_service(self, id_or_client_id: str) -> Application | None:
        route, path = "/services/{id}", {"id": id_or_client_id}
        found = await self._get_object(self._applications, route, path)
        return None if found is None else records.application(found)

    # Preflight (``dsi-jobs check``) ------------------------------------------------------

    async def probe_token(self) -> bool:
        """Fetch a fresh Azure AD token; ``False`` when Azure AD is not configured at all."""
        self._tokens.forget()
        return await self._tokens.token() is not None

    def configured(self, api: str) -> bool:
        """Whether ``api`` (one of ``PROBE_ROUTES``) has a base URL."""
        return bool(self._apis()[api].base_url)

    async def probe_api(self, api: str) -> str:
        """One harmless read from ``api`` (one of ``PROBE_ROUTES``), no in-place retry; says
        what it proved. Raises as every call does (401 is ``UpstreamMisconfigured``)."""
        route = PROBE_ROUTES[api]
        if api == "applications":
            query = {"page": 1, "pageSize": 1}
            body = await self._call(self._applications, "GET", route, params=query, retry=False)
            _service_listing(body, self._applications)
            return "GET /services answered a list of services"
        await self._call(self._apis()[api], "GET", route, {"id": UNKNOWN_ID}, retry=False)
        return f"GET {route} for an unknown id answered 200 or 404"

    def _apis(self) -> dict[str, _Api]:
        return {
            "directories": self._directories,
            "organisations": self._organisations,
            "applications": self._applications,
            "access": self._access,
        }

    # Plumbing ----------------------------------------------------------------------------

    async def _get_object(
        self, api: _Api, route: str, path: Mapping[str, str]
    ) -> JsonObject | None:
        return _as_object(await self._call(api, "GET", route, path), api, f"GET {route}")

    async def _get_list(self, api: _Api, route: str, path: Mapping[str, str]) -> list[Any]:
        return _as_list(await self._call(api, "GET", route, path), api, f"GET {route}")

    async def _write(
        self, api: _Api, method: str, route: str, path: Mapping[str, str], body: JsonObject
    ) -> None:
        """A write whose target must exist: 404 is ``NotFound``, not "nothing to do"."""
        if await self._call(api, method, route, path, json=body) is _NOT_FOUND:
            raise NotFound(f"{api.name} API {method} {route} answered 404")

    async def _call(
        self,
        api: _Api,
        method: str,
        route: str,
        path: Mapping[str, str] | None = None,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        retry: bool = True,
    ) -> Any:
        """The decoded JSON body; ``_NOT_FOUND`` for 404; ``None`` for an empty 2xx."""
        url = api.url(route, path or {})
        for delay in self._retry_backoff_s if retry else ():
            try:
                return await self._send(api, method, route, url, json=json, params=params)
            except UpstreamUnavailable:
                await asyncio.sleep(delay * random.uniform(1.0, 2.0))  # noqa: S311 - jitter
        return await self._send(api, method, route, url, json=json, params=params)

    async def _send(
        self,
        api: _Api,
        method: str,
        route: str,
        url: str,
        *,
        json: Any,
        params: Mapping[str, Any] | None,
    ) -> Any:
        headers = {"x-correlation-id": _correlation_id()}
        token = await self._tokens.token()
        if token is not None:
            headers["authorization"] = f"bearer {token}"
        with _translate_errors(f"{api.name} API {method} {route}"):
            response = await self._client.request(
                method, url, headers=headers, json=json, params=params
            )
            if response.status_code == 404:
                return _NOT_FOUND
            if response.status_code == 401:
                self._tokens.forget()
            response.raise_for_status()
            return response.json() if response.content else None


def _as_object(body: Any, api: _Api, call: str) -> JsonObject | None:
    if body is _NOT_FOUND or body is None:
        return None
    if not isinstance(body, dict):
        raise UpstreamMisconfigured(f"{api.name} API {call} answered a non-object body")
    return body


def _as_list(body: Any, api: _Api, call: str) -> list[Any]:
    if body is _NOT_FOUND or body is None:
        return []
    if not isinstance(body, list):
        raise UpstreamMisconfigured(f"{api.name} API {call} answered a non-list body")
    return body


def _service_listing(body: Any, api: _Api) -> JsonObject:
    where = f"{api.name} API GET /services"
    hint = f"(check {api.variable})"
    if body is _NOT_FOUND:
        raise UpstreamUnavailable(f"{where} answered 404 {hint}")
    if not isinstance(body, dict) or not isinstance(body.get("services"), list):
        raise UpstreamUnavailable(f"{where} answered no list of services {hint}")
    return body


def _page_count(value: Any, api: _Api, call: str) -> int:
    if value is None:
        return 0
    try:
        return int(value)
    except (TypeError, ValueError):
        raise UpstreamUnavailable(f"{api.name} API {call} answered a bad numberOfPages") from None


async def open_http_directories(directories: HttpDirectories) -> AsyncIterator[HttpDirectories]:
    """Container resource: hands out the adapter and closes its HTTP client at shutdown."""
    try:
        yield directories
    finally:
        await directories.aclose()
