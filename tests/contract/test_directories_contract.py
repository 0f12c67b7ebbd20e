"""The directory ports' contract, held by the in-memory fake and by ``HttpDirectories`` talking
HTTP on loopback to the platform stand-in (seeded with the same data): the same domain values
from the same JSON, absent fields kept apart from nulls.

The last section checks the wire format the HTTP adapter produces
(docs/platform-apis.md#original-calls).
"""

import copy
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any, Protocol

import pytest
import structlog
from pydantic import SecretStr

from adapters.memory.directories import InMemoryDirectories
from adapters.platform_api.directories import HttpDirectories
from domain.directory import InvitationCallback, NewInvitation
from domain.model import Application
from ports.directories import (
    AccessDirectory,
    ApplicationDirectory,
    OrganisationDirectory,
    UserDirectory,
)
from tests.support.asgi_server import serve
from tests.support.platform_stand_in import (
    ALICE,
    BOB,
    CAROL,
    CLIENT_ID,
    CLIENT_SECRET,
    ORG,
    OTHER_ORG,
    RESOURCE,
    SERVICE_COUNT,
    TENANT,
    PlatformStandIn,
    sample_platform_data,
)

UNKNOWN = "ffffffff-0000-4000-8000-00000000ffff"


class Directories(
    OrganisationDirectory, UserDirectory, AccessDirectory, ApplicationDirectory, Protocol
):
    """Every directory port: what both implementations provide."""


@dataclass
class Backend:
    directories: Directories
    organisation_links: Callable[[], list[tuple[str, str, str, int]]]
    invitations: Callable[[], dict[str, Any]]
    """The invitations as the API stores them (raw JSON)."""


DAVE = "7a1b2c3d-0000-4000-8000-000000000004"
SPARSE_ORG = "0b5e6f70-0000-4000-8000-0000000000cc"


def contract_data() -> dict[str, Any]:
    """The sample data plus records whose shapes the mapping must get right: absent and null
    fields, entries that cannot be read, properties this service does not know."""
    data = sample_platform_data()
    data["users"][DAVE] = {"sub": DAVE, "given_name": None, "email": "dave@example.org"}
    data["user_organisations"][DAVE] = [
        {
            "organisation": {
                "id": SPARSE_ORG,
                "legacyId": 9,
                "category": {"id": "002", "name": "Local authority"},
                "establishmentNumber": "330",
                "localAuthority": {"code": None},
            },
            "numericIdentifier": None,
        },
        "not an object",
    ]
    data["user_services"][DAVE] = [
        {"serviceId": "service-002", "organisationId": SPARSE_ORG, "roles": [{"code": "R"}, 7]},
        {"serviceId": "service-003", "roles": [{"numericId": 1, "code": "X"}]},
    ]
    data["invitations"]["invitation-2"] = {
        "id": "invitation-2",
        "email": "erin@example.org",
        "callbacks": [{"sourceId": "old", "callbackUri": "https://rp.example/old"}],
    }
    data["services"].append(
        {
            "id": "service-odd",
            "parentId": 17,
            "relyingParty": {"client_id": "client-odd", "params": {"flag": True, "ok": "yes"}},
        }
    )
    data["services"].append({"name": "a service without an id"})
    return data


def http_directories(base_url: str) -> HttpDirectories:
    """The adapter pointed at the stand-in, with Azure AD credentials the stand-in accepts."""
    return HttpDirectories(
        directories_url=f"{base_url}/directories",
        organisations_url=f"{base_url}/organisations",
        applications_url=f"{base_url}/applications",
        access_url=f"{base_url}/access",
        tenant_url=f"{base_url}/aad",
        tenant_domain=TENANT,
        client_id=CLIENT_ID,
        client_secret=SecretStr(CLIENT_SECRET),
        resource=RESOURCE,
        timeout_s=5.0,
    )


@pytest.fixture
async def stand_in() -> AsyncIterator[tuple[PlatformStandIn, str]]:
    platform = PlatformStandIn()
    async with serve(platform.app()) as base_url:
        yield platform, base_url


@pytest.fixture(params=["memory", "http"])
async def backend(request: pytest.FixtureRequest) -> AsyncIterator[Backend]:
    if request.param == "memory":
        fake = InMemoryDirectories(**copy.deepcopy(contract_data()))
        yield Backend(fake, lambda: fake.organisation_links, lambda: fake.invitations)
        return
    platform = PlatformStandIn(data=contract_data())
    async with serve(platform.app()) as base_url:
        adapter = http_directories(base_url)
        try:
            yield Backend(
                adapter, lambda: platform.organisation_links, lambda: platform.data["invitations"]
            )
        finally:
            await adapter.aclose()


@pytest.fixture
def directories(backend: Backend) -> Directories:
    return backend.directories


# UserDirectory ---------------------------------------------------------------------------


async def test_get_user_by_id(directories: Directories) -> None:
    user = await directories.get_user(BOB)
    assert user is not None
    assert (user.id, user.first_name, user.last_name) == (BOB, "Bob", "Builder")
    assert (user.email, user.status) == ("bob+jobs@example.org", 1)
    assert user.is_active


async def test_user_fields_left_out_stay_absent_and_nulls_stay_null(
    directories: Directories,
) -> None:
    user = await directories.get_user(DAVE)
    assert user is not None
    assert (user.is_present("first_name"), user.first_name) == (True, None)
    assert not user.is_present("last_name")
    assert not user.is_present("status")
    assert not user.is_active


async def test_get_user_by_email_ignores_case(directories: Directories) -> None:
    user = await directories.get_user("BOB+Jobs@Example.org")
    assert user is not None
    assert user.id == BOB


async def test_get_user_not_found_is_none(directories: Directories) -> None:
    assert await directories.get_user(UNKNOWN) is None
    assert await directories.get_user("nobody@example.org") is None


async def test_get_users_returns_those_that_exist_ignoring_case(directories: Directories) -> None:
    users = await directories.get_users([ALICE.upper(), UNKNOWN, CAROL])
    assert sorted(user.id for user in users) == sorted([ALICE, CAROL])
    assert [user.is_active for user in sorted(users, key=lambda user: user.id)] == [True, False]


async def test_get_users_none_found_is_empty(directories: Directories) -> None:
    assert await directories.get_users([UNKNOWN]) == []
    assert await directories.get_users([]) == []


async def test_get_invitation_by_email(directories: Directories) -> None:
    invitation = await directories.get_invitation_by_email("Dan@example.org")
    assert invitation is not None
    assert (invitation.id, invitation.callbacks) == ("invitation-1", ())
    assert await directories.get_invitation_by_email("nobody@example.org") is None


async def test_created_invitation_can_be_found_by_its_email(backend: Backend) -> None:
    new_id = await backend.directories.create_invitation(
        NewInvitation(email="frank@example.org", first_name="Frank", last_name="New")
    )
    found = await backend.directories.get_invitation_by_email("frank@example.org")
    assert new_id
    assert found is not None
    assert found.id == new_id
    assert backend.invitations()[new_id] == {
        "id": new_id,
        "email": "frank@example.org",
        "firstName": "Frank",
        "lastName": "New",
        "selfStarted": False,
        "callbacks": [],
        "overrides": {"subject": None, "body": None},
    }


async def test_set_invitation_callbacks_changes_only_the_callbacks(backend: Backend) -> None:
    callback = InvitationCallback(source_id="s1", callback="https://rp.example/cb")
    await backend.directories.set_invitation_callbacks("invitation-1", [callback])
    invitation = await backend.directories.get_invitation_by_email("dan@example.org")
    assert invitation is not None
    assert invitation.has_callback("s1", "https://rp.example/cb")
    stored = backend.invitations()["invitation-1"]
    assert stored["callbacks"] == [{"sourceId": "s1", "callback": "https://rp.example/cb"}]
    assert (stored["firstName"], stored["lastName"]) == ("Dan", "Invited")


async def test_stored_callbacks_are_written_back_whole(backend: Backend) -> None:
    invitation = await backend.directories.get_invitation_by_email("erin@example.org")
    assert invitation is not None
    [old] = invitation.callbacks
    assert (old.source_id, old.callback) == ("old", None)
    new = InvitationCallback(source_id="s2", callback="https://rp.example/new", client_id="c")
    await backend.directories.set_invitation_callbacks(invitation.id, [*invitation.callbacks, new])
    assert backend.invitations()["invitation-2"]["callbacks"] == [
        {"sourceId": "old", "callbackUri": "https://rp.example/old"},
        {"sourceId": "s2", "callback": "https://rp.example/new", "clientId": "c"},
    ]


# OrganisationDirectory -------------------------------------------------------------------


async def test_get_organisation_request(directories: Directories) -> None:
    found = await directories.get_organisation_request("request-1")
    assert found is not None
    assert (found.organisation_id, found.user_id, found.reason) == (ORG, BOB, "Head")
    assert await directories.get_organisation_request("request-404") is None


async def test_get_approver_ids(directories: Directories) -> None:
    assert await directories.get_approver_ids(ORG) == [ALICE.upper(), CAROL.upper()]
    assert await directories.get_approver_ids(OTHER_ORG) == []


async def test_get_organisation(directories: Directories) -> None:
    organisation = await directories.get_organisation(ORG)
    assert organisation is not None
    assert (organisation.name, organisation.urn) == ("Example Academy", "100001")
    assert (organisation.id, organisation.is_present("legacy_id")) == (ORG, False)
    assert await directories.get_organisation(UNKNOWN) is None


async def test_get_user_organisations(directories: Directories) -> None:
    [membership] = await directories.get_user_organisations(BOB)
    assert membership.organisation.legacy_id == 42
    assert (membership.legacy_user_id, membership.legacy_username) == (7, "abc")
    assert await directories.get_user_organisations(UNKNOWN) == []


async def test_memberships_keep_absent_apart_from_null(directories: Directories) -> None:
    [membership] = await directories.get_user_organisations(DAVE)
    organisation = membership.organisation
    assert (organisation.id, organisation.legacy_id, organisation.category_id) == (
        SPARSE_ORG,
        9,
        "002",
    )
    assert (organisation.establishment_number, organisation.local_authority_code) == ("330", None)
    assert organisation.is_present("local_authority_code")
    assert not organisation.is_present("urn")
    assert (membership.is_present("legacy_user_id"), membership.legacy_user_id) == (True, None)
    assert not membership.is_present("legacy_username")


async def test_add_user_and_invitation_to_organisation(backend: Backend) -> None:
    await backend.directories.add_user_to_organisation(ORG, BOB, 0)
    await backend.directories.add_invitation_to_organisation(ORG, "invitation-1", 10000)
    assert backend.organisation_links() == [
        ("user", ORG, BOB, 0),
        ("invitation", ORG, "invitation-1", 10000),
    ]


# AccessDirectory and ApplicationDirectory ------------------------------------------------


async def test_get_user_services(directories: Directories) -> None:
    [access] = await directories.get_user_services(BOB)
    assert (access.service_id, access.organisation_id) == ("service-001", ORG)
    [role] = access.roles
    assert (role.numeric_id, role.code) == (5, "ROLE")
    assert await directories.get_user_services(ALICE) == []


async def test_access_without_an_organisation_or_readable_roles_is_left_out(
    directories: Directories,
) -> None:
    [access] = await directories.get_user_services(DAVE)
    assert access.service_id == "service-002"
    [role] = access.roles
    assert (role.code, role.is_present("numeric_id")) == ("R", False)


async def test_list_services_returns_every_page(directories: Directories) -> None:
    services = await directories.list_services()
    assert [s.id for s in services] == [
        *(f"service-{n:03d}" for n in range(SERVICE_COUNT)),
        "service-odd",
    ]
    assert services[7].params == {"wsWsdlUrl": "https://legacy.example/7?wsdl"}


async def test_services_keep_text_params_only_and_a_string_parent(
    directories: Directories,
) -> None:
    odd = await directories.get_service("client-odd")
    assert odd == Application(id="service-odd", name="", parent_id=None, params={"ok": "yes"})


async def test_get_service_by_id_or_client_id(directories: Directories) -> None:
    by_id = await directories.get_service("service-007")
    by_client_id = await directories.get_service("client-007")
    assert by_id is not None
    assert by_id == by_client_id
    assert (by_id.id, by_id.name, by_id.api_secret) == ("service-007", "Service 7", "secret-7")
    assert await directories.get_service("service-999") is None


# Wire format of the HTTP adapter ---------------------------------------------------------


@pytest.fixture
async def wired(
    stand_in: tuple[PlatformStandIn, str],
) -> AsyncIterator[tuple[HttpDirectories, PlatformStandIn]]:
    platform, base_url = stand_in
    adapter = http_directories(base_url)
    try:
        yield adapter, platform
    finally:
        await adapter.aclose()


async def test_requests_carry_bearer_token_correlation_id_and_json(
    wired: tuple[HttpDirectories, PlatformStandIn],
) -> None:
    adapter, platform = wired
    with structlog.contextvars.bound_contextvars(correlation_id="invitation_v2-17"):
        await adapter.get_users([ALICE, BOB])
    [token_call] = platform.calls_to("/aad/")
    [call] = platform.calls_to("/directories/")
    assert token_call.path == f"/aad/{TENANT}/oauth2/v2.0/token"
    assert call.method == "POST"
    assert call.path == "/directories/users/by-ids"
    assert call.body == {"ids": f"{ALICE},{BOB}"}
    assert call.headers["authorization"] == f"bearer {platform.issued_tokens[0]}"
    assert call.headers["x-correlation-id"] == "invitation_v2-17"
    assert call.headers["content-type"] == "application/json"


async def test_correlation_id_defaults_to_a_fresh_uuid(
    wired: tuple[HttpDirectories, PlatformStandIn],
) -> None:
    adapter, platform = wired
    await adapter.get_user(BOB)
    [call] = platform.calls_to("/directories/")
    assert uuid.UUID(call.headers["x-correlation-id"]).version == 4


async def test_email_path_segments_are_percent_encoded(
    wired: tuple[HttpDirectories, PlatformStandIn],
) -> None:
    adapter, platform = wired
    await adapter.get_user("bob+jobs@example.org")
    await adapter.get_invitation_by_email("dan@example.org")
    assert [c.path for c in platform.calls_to("/directories/")] == [
        "/directories/users/bob%2Bjobs%40example.org",
        "/directories/invitations/by-email/dan%40example.org",
    ]


async def test_services_are_paged_by_100_until_number_of_pages(
    wired: tuple[HttpDirectories, PlatformStandIn],
) -> None:
    adapter, platform = wired
    await adapter.list_services()
    assert [c.query for c in platform.calls_to("/applications/")] == [
        {"page": "1", "pageSize": "100"},
        {"page": "2", "pageSize": "100"},
        {"page": "3", "pageSize": "100"},
    ]


async def test_invitation_patch_sends_only_the_callbacks(
    wired: tuple[HttpDirectories, PlatformStandIn],
) -> None:
    adapter, platform = wired
    callback = InvitationCallback(source_id=3, callback="https://rp.example/cb", client_id=None)
    await adapter.set_invitation_callbacks("invitation-1", [callback])
    [call] = platform.calls_to("/directories/")
    assert (call.method, call.path) == ("PATCH", "/directories/invitations/invitation-1")
    assert call.body == {
        "callbacks": [{"sourceId": 3, "callback": "https://rp.example/cb", "clientId": None}]
    }


async def test_organisation_links_send_the_role_id(
    wired: tuple[HttpDirectories, PlatformStandIn],
) -> None:
    adapter, platform = wired
    await adapter.add_user_to_organisation(ORG, BOB, 10000)
    [call] = platform.calls_to("/organisations/")
    assert (call.method, call.path) == ("PUT", f"/organisations/organisations/{ORG}/users/{BOB}")
    assert call.body == {"roleId": 10000}


async def test_one_token_serves_many_calls(
    wired: tuple[HttpDirectories, PlatformStandIn],
) -> None:
    adapter, platform = wired
    await adapter.get_user(BOB)
    await adapter.get_organisation(ORG)
    await adapter.get_user_services(BOB)
    assert len(platform.calls_to("/aad/")) == 1
    assert len(platform.issued_tokens) == 1
