"""A local stand-in of the platform APIs (docs/platform-apis.md#original-calls) and the Azure AD
token endpoint.

One starlette app; each API is mounted under its own prefix so tests can tell which base URL a call
went to: ``/directories``, ``/organisations``, ``/applications``, ``/access`` and ``/aad`` (token
endpoint ``/aad/<tenant>/oauth2/v2.0/token``). It answers as the real routers do where
docs/platform-apis.md#endpoints says how (404 for "not found", ``POST /users/by-ids`` 404 when none
match, paginated ``/services``, PATCH rejecting unknown invitation properties) and records every
request so tests can assert on method, raw path, headers and body.
"""

import copy
import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

TENANT = "platform.example"
CLIENT_ID = "jobs-client-id"
CLIENT_SECRET = "jobs-client-secret"
RESOURCE = "api://platform"
INVITATION_PATCHABLE = {
    "email", "firstName", "lastName", "isCompleted", "deactivated", "reason", "callbacks",
}  # fmt: skip

ALICE = "7a1b2c3d-0000-4000-8000-000000000001"
BOB = "7a1b2c3d-0000-4000-8000-000000000002"
CAROL = "7a1b2c3d-0000-4000-8000-000000000003"
ORG = "0b5e6f70-0000-4000-8000-0000000000aa"
OTHER_ORG = "0b5e6f70-0000-4000-8000-0000000000bb"
SERVICE_COUNT = 205  # three pages of 100


def sample_platform_data() -> dict[str, Any]:
    """Seed data, keyed like ``InMemoryDirectories``'s fields, for the fake and the stand-in."""
    users = {
        ALICE: {"sub": ALICE, "given_name": "Alice", "family_name": "Approver",
                "email": "alice@example.org", "status": 1},
        BOB: {"sub": BOB, "given_name": "Bob", "family_name": "Builder",
              "email": "bob+jobs@example.org", "status": 1},
        CAROL: {"sub": CAROL, "given_name": "Carol", "family_name": "Dormant",
                "email": "carol@example.org", "status": 0},
    }  # fmt: skip
    services = [
        {"id": f"service-{n:03d}", "name": f"Service {n}", "parentId": None,
         "relyingParty": {"client_id": f"client-{n:03d}", "api_secret": f"secret-{n}",
                          "params": {"wsWsdlUrl": f"https://legacy.example/{n}?wsdl"}}}
        for n in range(SERVICE_COUNT)
    ]  # fmt: skip
    return {
        "users": users,
        "organisations": {
            ORG: {"id": ORG, "name": "Example Academy", "urn": "100001"},
            OTHER_ORG: {"id": OTHER_ORG, "name": "Other School", "urn": "100002"},
        },
        "organisation_requests": {
            "request-1": {"id": "request-1", "org_id": ORG, "user_id": BOB, "reason": "Head"},
        },
        "approvers": {ORG: [ALICE.upper(), CAROL.upper()]},
        "user_organisations": {
            BOB: [
                {
                    "organisation": {"id": ORG, "legacyId": 42, "urn": "100001"},
                    "numericIdentifier": 7,
                    "textIdentifier": "abc",
                }
            ],
        },
        "user_services": {
            BOB: [
                {
                    "serviceId": "service-001",
                    "organisationId": ORG,
                    "roles": [{"numericId": 5, "code": "ROLE"}],
                }
            ],
        },
        "invitations": {
            "invitation-1": {
                "id": "invitation-1",
                "email": "dan@example.org",
                "firstName": "Dan",
                "lastName": "Invited",
                "callbacks": [],
            },
        },
        "services": services,
    }


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    """The raw path as sent (percent-encoding kept), including the API prefix."""
    query: dict[str, str]
    headers: dict[str, str]
    body: Any


@dataclass
class PlatformStandIn:
    """The app's state: seeded data, issued tokens, recorded requests and organisation links."""

    data: dict[str, Any] = field(default_factory=sample_platform_data)
    require_token: bool = True
    token_lifetime_s: int = 3599
    requests: list[RecordedRequest] = field(default_factory=list)
    organisation_links: list[tuple[str, str, str, int]] = field(default_factory=list)
    issued_tokens: list[str] = field(default_factory=list)
    services_status: int = 200
    """Anything else: ``GET /services`` answers this status (a wrong host or path: 404)."""

    def __post_init__(self) -> None:
        self.data = copy.deepcopy(self.data)

    def calls_to(self, prefix: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.startswith(prefix)]

    def app(self) -> Starlette:
        def route(path: str, endpoint: Callable[..., Awaitable[Response]], method: str) -> Route:
            return Route(path, self._recorded(endpoint), methods=[method])

        return Starlette(
            routes=[
                Mount("/aad", routes=[route("/{tenant}/oauth2/v2.0/token", self._token, "POST")]),
                Mount(
                    "/directories",
                    routes=[
                        route("/users/by-ids", self._users_by_ids, "POST"),
                        route("/users/{id}", self._user, "GET"),
                        route("/invitations/by-email/{email}", self._invitation_by_email, "GET"),
                        route("/invitations", self._create_invitation, "POST"),
                        route("/invitations/{id}", self._update_invitation, "PATCH"),
                    ],
                ),
                Mount(
                    "/organisations",
                    routes=[
                        route("/organisations/requests/{id}", self._organisation_request, "GET"),
                        route(
                            "/organisations/v2/associated-with-user/{id}", self._user_orgs, "GET"
                        ),
                        route("/organisations/v2/{id}", self._organisation, "GET"),
                        route("/organisations/{id}/approvers", self._approvers, "GET"),
                        route("/organisations/{org}/users/{member}", self._link, "PUT"),
                        route("/organisations/{org}/invitations/{member}", self._link, "PUT"),
                    ],
                ),
                Mount(
                    "/applications",
                    routes=[
                        route("/services", self._services, "GET"),
                        route("/services/{id}", self._service, "GET"),
                    ],
                ),
                Mount(
                    "/access", routes=[route("/users/{id}/services", self._user_services, "GET")]
                ),
            ]
        )

    # Recording and auth --------------------------------------------------------------------

    def _recorded(
        self, endpoint: Callable[[Request], Awaitable[Response]]
    ) -> Callable[[Request], Awaitable[Response]]:
        async def handle(request: Request) -> Response:
            raw = await request.body()
            content_type = request.headers.get("content-type", "")
            body: Any = None
            if raw and content_type.startswith("application/json"):
                body = json.loads(raw)
            elif raw:
                body = dict(parse_qsl(raw.decode()))
            self.requests.append(
                RecordedRequest(
                    method=request.method,
                    path=request.scope["raw_path"].decode(),
                    query=dict(request.query_params),
                    headers=dict(request.headers),
                    body=body,
                )
            )
            is_token_call = request.url.path.startswith("/aad/")
            if self.require_token and not is_token_call and not self._authorised(request):
                return JSONResponse({"error": "unauthorised"}, status_code=401)
            request.state.body = body
            return await endpoint(request)

        return handle

    def _authorised(self, request: Request) -> bool:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and token in self.issued_tokens

    async def _token(self, request: Request) -> Response:
        form = request.state.body or {}
        expected = {
            "grant_type": "client_credentials",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "scope": f"{RESOURCE}/.default",
        }
        if request.path_params["tenant"] != TENANT or form != expected:
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        token = f"stand-in-token-{len(self.issued_tokens) + 1}"
        self.issued_tokens.append(token)
        return JSONResponse(
            {"token_type": "Bearer", "expires_in": self.token_lifetime_s, "access_token": token}
        )

    # Directories ---------------------------------------------------------------------------

    def _find_user(self, key: str) -> dict[str, Any] | None:
        wanted = key.lower()
        for user in self.data["users"].values():
            if wanted in (str(user["sub"]).lower(), str(user["email"]).lower()):
                return dict(user)
        return None

    async def _user(self, request: Request) -> Response:
        return _found(self._find_user(request.path_params["id"]))

    async def _users_by_ids(self, request: Request) -> Response:
        wanted = {i.strip().lower() for i in request.state.body["ids"].split(",")}
        users = [u for u in self.data["users"].values() if str(u["sub"]).lower() in wanted]
        return _found(users or None)

    async def _invitation_by_email(self, request: Request) -> Response:
        wanted = request.path_params["email"].lower()
        for invitation in self.data["invitations"].values():
            if str(invitation.get("email", "")).lower() == wanted:
                return JSONResponse(invitation)
        return _found(None)

    async def _create_invitation(self, request: Request) -> Response:
        invitation_id = str(uuid.uuid4())
        invitation = {**request.state.body, "id": invitation_id}
        self.data["invitations"][invitation_id] = invitation
        return JSONResponse(invitation, status_code=201)

    async def _update_invitation(self, request: Request) -> Response:
        invitation = self.data["invitations"].get(request.path_params["id"])
        if invitation is None:
            return _found(None)
        changes = request.state.body
        if set(changes) - INVITATION_PATCHABLE:
            return JSONResponse({"error": "unpatchable property"}, status_code=400)
        invitation.update(changes)
        return Response(status_code=202)

    # Organisations -------------------------------------------------------------------------

    async def _organisation_request(self, request: Request) -> Response:
        return _found(self.data["organisation_requests"].get(request.path_params["id"]))

    async def _organisation(self, request: Request) -> Response:
        return _found(self.data["organisations"].get(request.path_params["id"]))

    async def _user_orgs(self, request: Request) -> Response:
        return _found(self.data["user_organisations"].get(request.path_params["id"]))

    async def _approvers(self, request: Request) -> Response:
        return _found(self.data["approvers"].get(request.path_params["id"]))

    async def _link(self, request: Request) -> Response:
        org = request.path_params["org"]
        if org not in self.data["organisations"]:
            return _found(None)
        kind = "user" if "/users/" in request.url.path else "invitation"
        role_id = request.state.body["roleId"]
        self.organisation_links.append((kind, org, request.path_params["member"], role_id))
        return Response(status_code=202)

    # Applications and access ---------------------------------------------------------------

    async def _services(self, request: Request) -> Response:
        if self.services_status != 200:
            return JSONResponse({"error": "scripted"}, status_code=self.services_status)
        page = int(request.query_params.get("page", "1"))
        size = int(request.query_params.get("pageSize", "25"))
        services = self.data["services"]
        pages = -(-len(services) // size)
        return JSONResponse(
            {
                "services": services[(page - 1) * size : page * size],
                "page": page,
                "numberOfPages": pages,
                "totalNumberOfRecords": len(services),
            }
        )

    async def _service(self, request: Request) -> Response:
        key = request.path_params["id"]
        for service in self.data["services"]:
            relying_party = service.get("relyingParty") or {}
            if key in (service.get("id"), relying_party.get("client_id")):
                return JSONResponse(service)
        return _found(None)

    async def _user_services(self, request: Request) -> Response:
        return _found(self.data["user_services"].get(request.path_params["id"]) or None)


def _found(value: Any) -> Response:
    if value is None:
        return JSONResponse({"error": "not found"}, status_code=404)
    return JSONResponse(value)
