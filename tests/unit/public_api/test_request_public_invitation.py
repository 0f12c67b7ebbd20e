"""publicinvitationrequest_v1 (docs/public-api-jobs.md#publicinvitationrequest_v1): existing user,
existing invitation, new one."""

from typing import Any

import pytest

from adapters.memory.directories import InMemoryDirectories
from adapters.memory.job_publisher import InMemoryJobPublisher
from adapters.memory.state_store import InMemoryDeliveryLog
from domain.errors import UpstreamRejected, UpstreamUnavailable
from domain.model import JobContext
from domain.use_cases.public_api.request_public_invitation import (
    RequestPublicInvitation,
    RequestPublicInvitationUseCase,
)

CONTEXT = JobContext(queue="publicinvitationrequest_v1", job_id="41")
NOTIFY = "publicinvitationnotifyrelyingparty_v1"


def command(**changes: Any) -> RequestPublicInvitation:
    wire = {
        "firstName": "Ada",
        "lastName": "Lovelace",
        "email": "ada@example.org",
        "organisation": "org-1",
        "sourceId": "src-1",
        "callback": "https://rp.example.org/hook",
        "userRedirect": "https://rp.example.org/home",
        "clientId": "rp-client",
        "futureField": "ignored",
        **changes,
    }
    return RequestPublicInvitation.model_validate({k: v for k, v in wire.items() if v is not None})


@pytest.fixture
def use_case(
    directories: InMemoryDirectories,
    publisher: InMemoryJobPublisher,
    delivery_log: InMemoryDeliveryLog,
) -> RequestPublicInvitationUseCase:
    return RequestPublicInvitationUseCase(
        users=directories, organisations=directories, jobs=publisher, delivery_log=delivery_log
    )


# Step 1: existing user -------------------------------------------------------------------


async def test_existing_user_is_linked_and_relying_party_job_enqueued(
    use_case: RequestPublicInvitationUseCase,
    directories: InMemoryDirectories,
    publisher: InMemoryJobPublisher,
) -> None:
    directories.users["u1"] = {"sub": "user-1", "email": "ADA@example.org"}

    result = await use_case(command(), CONTEXT)

    assert result == {"outcome": "existing_user"}
    assert directories.organisation_links == [("user", "org-1", "user-1", 0)]
    assert [(job.queue, job.data) for job in publisher.published] == [
        (
            NOTIFY,
            {
                "userId": "user-1",
                "sourceId": "src-1",
                "callback": "https://rp.example.org/hook",
                "state": "EXISTING_USER",
                "clientId": "rp-client",
            },
        )
    ]
    assert directories.invitations == {}


async def test_existing_user_without_organisation_or_callback_does_nothing_else(
    use_case: RequestPublicInvitationUseCase,
    directories: InMemoryDirectories,
    publisher: InMemoryJobPublisher,
) -> None:
    directories.users["u1"] = {"sub": "user-1", "email": "ada@example.org"}

    result = await use_case(command(organisation="", callback=None), CONTEXT)

    assert result == {"outcome": "existing_user"}
    assert directories.organisation_links == []
    assert publisher.published == []


async def test_retried_job_enqueues_the_relying_party_job_once(
    use_case: RequestPublicInvitationUseCase,
    directories: InMemoryDirectories,
    publisher: InMemoryJobPublisher,
) -> None:
    directories.users["u1"] = {"sub": "user-1", "email": "ada@example.org"}

    await use_case(command(), CONTEXT)
    await use_case(command(), JobContext(queue=CONTEXT.queue, job_id="41", attempt=2))

    assert len(publisher.published) == 1
    assert directories.organisation_links == [("user", "org-1", "user-1", 0)] * 2


async def test_user_without_sub_fails_naming_the_field(
    use_case: RequestPublicInvitationUseCase, directories: InMemoryDirectories
) -> None:
    directories.users["u1"] = {"email": "ada@example.org"}

    with pytest.raises(UpstreamRejected, match="directories API returned a user without 'sub'"):
        await use_case(command(), CONTEXT)


# Step 2: existing invitation --------------------------------------------------------------


async def test_existing_invitation_gets_the_callback_in_the_directories_shape(
    use_case: RequestPublicInvitationUseCase,
    directories: InMemoryDirectories,
    publisher: InMemoryJobPublisher,
) -> None:
    earlier = {"sourceId": "other", "callback": "https://other.example.org/cb", "clientId": "x"}
    directories.invitations["inv-9"] = {
        "id": "inv-9",
        "email": "ada@example.org",
        "callbacks": [earlier],
    }

    result = await use_case(command(), CONTEXT)

    assert result == {"outcome": "existing_invitation"}
    assert directories.invitations["inv-9"]["callbacks"] == [
        earlier,
        {"sourceId": "src-1", "callback": "https://rp.example.org/hook", "clientId": "rp-client"},
    ]
    assert directories.organisation_links == [("invitation", "org-1", "inv-9", 0)]
    assert publisher.published == []


async def test_existing_invitation_with_the_same_callback_is_not_updated(
    use_case: RequestPublicInvitationUseCase, directories: InMemoryDirectories
) -> None:
    same = {"sourceId": "src-1", "callback": "https://rp.example.org/hook", "clientId": "old"}
    directories.invitations["inv-9"] = {
        "id": "inv-9",
        "email": "ada@example.org",
        "callbacks": [same],
    }

    await use_case(command(), CONTEXT)

    assert directories.invitations["inv-9"]["callbacks"] == [same]
    assert directories.organisation_links == [("invitation", "org-1", "inv-9", 0)]


@pytest.mark.parametrize(
    "other",
    [
        {"sourceId": "src-2", "callback": "https://rp.example.org/hook"},
        {"sourceId": "src-1", "callback": "https://rp.example.org/other"},
        {"sourceId": "src-1", "callbackUri": "https://rp.example.org/hook"},
    ],
)
async def test_duplicate_check_needs_same_source_id_and_callback_url(
    use_case: RequestPublicInvitationUseCase,
    directories: InMemoryDirectories,
    other: dict[str, str],
) -> None:
    directories.invitations["inv-9"] = {
        "id": "inv-9",
        "email": "ada@example.org",
        "callbacks": [other],
    }

    await use_case(command(), CONTEXT)

    assert len(directories.invitations["inv-9"]["callbacks"]) == 2


async def test_existing_invitation_with_missing_callbacks_and_no_organisation(
    use_case: RequestPublicInvitationUseCase, directories: InMemoryDirectories
) -> None:
    directories.invitations["inv-9"] = {
        "id": "inv-9",
        "email": "ada@example.org",
        "callbacks": None,
    }

    await use_case(command(organisation=None), CONTEXT)

    assert directories.invitations["inv-9"]["callbacks"] == [
        {"sourceId": "src-1", "callback": "https://rp.example.org/hook", "clientId": "rp-client"}
    ]
    assert directories.organisation_links == []


async def test_existing_invitation_without_a_callback_is_left_alone(
    use_case: RequestPublicInvitationUseCase, directories: InMemoryDirectories
) -> None:
    directories.invitations["inv-9"] = {"id": "inv-9", "email": "ada@example.org"}

    await use_case(command(callback=None), CONTEXT)

    assert directories.invitations["inv-9"] == {"id": "inv-9", "email": "ada@example.org"}
    assert directories.organisation_links == [("invitation", "org-1", "inv-9", 0)]


# Step 3: new invitation ---------------------------------------------------------------------


async def test_new_invitation_uses_origin_and_native_callback_fields(
    use_case: RequestPublicInvitationUseCase,
    directories: InMemoryDirectories,
    publisher: InMemoryJobPublisher,
) -> None:
    result = await use_case(
        command(inviteSubjectOverride="Join us", inviteBodyOverride="Welcome"), CONTEXT
    )

    assert result == {"outcome": "new_invitation"}
    assert directories.invitations == {
        "invitation-1": {
            "id": "invitation-1",
            "firstName": "Ada",
            "lastName": "Lovelace",
            "email": "ada@example.org",
            "origin": {"clientId": "rp-client", "redirectUri": "https://rp.example.org/home"},
            "selfStarted": False,
            "callbacks": [
                {
                    "sourceId": "src-1",
                    "callback": "https://rp.example.org/hook",
                    "clientId": "rp-client",
                }
            ],
            "overrides": {"subject": "Join us", "body": "Welcome"},
        }
    }
    assert directories.organisation_links == [("invitation", "org-1", "invitation-1", 0)]
    assert publisher.published == []


async def test_new_invitation_without_callback_overrides_or_organisation(
    use_case: RequestPublicInvitationUseCase, directories: InMemoryDirectories
) -> None:
    await use_case(command(callback=None, organisation=None, inviteSubjectOverride=""), CONTEXT)

    invitation = directories.invitations["invitation-1"]
    assert invitation["callbacks"] == []
    assert invitation["overrides"] == {"subject": None, "body": None}
    assert directories.organisation_links == []


async def test_retry_after_a_failed_organisation_link_completes_without_a_second_invitation(
    use_case: RequestPublicInvitationUseCase, directories: InMemoryDirectories
) -> None:
    await use_case(command(organisation=None), CONTEXT)

    await use_case(command(), CONTEXT)

    assert list(directories.invitations) == ["invitation-1"]
    assert len(directories.invitations["invitation-1"]["callbacks"]) == 1
    assert directories.organisation_links == [("invitation", "org-1", "invitation-1", 0)]


async def test_directory_outage_propagates_as_retryable(
    use_case: RequestPublicInvitationUseCase, directories: InMemoryDirectories
) -> None:
    directories.fail_with = UpstreamUnavailable("directories API answered 503")

    with pytest.raises(UpstreamUnavailable):
        await use_case(command(), CONTEXT)


def test_numeric_source_id_is_kept_as_sent() -> None:
    assert command(sourceId=17).sourceId == 17


@pytest.mark.parametrize("email", [None, ""])
def test_email_is_the_one_required_field(email: str | None) -> None:
    wire = {"email": email} if email is not None else {}
    with pytest.raises(ValueError, match="email"):
        RequestPublicInvitation.model_validate(wire)


# Leniency: the original read nothing but the e-mail address before acting ------------------


async def test_without_user_redirect_the_invitation_is_created_without_redirect_uri(
    use_case: RequestPublicInvitationUseCase, directories: InMemoryDirectories
) -> None:
    result = await use_case(command(userRedirect=None), CONTEXT)

    assert result == {"outcome": "new_invitation"}
    assert directories.invitations["invitation-1"]["origin"] == {"clientId": "rp-client"}
    assert directories.organisation_links == [("invitation", "org-1", "invitation-1", 0)]


async def test_without_client_id_or_redirect_there_is_no_origin_and_callbacks_omit_it(
    use_case: RequestPublicInvitationUseCase, directories: InMemoryDirectories
) -> None:
    await use_case(command(userRedirect=None, clientId=None), CONTEXT)

    invitation = directories.invitations["invitation-1"]
    assert "origin" not in invitation
    assert invitation["callbacks"] == [
        {"sourceId": "src-1", "callback": "https://rp.example.org/hook"}
    ]


async def test_without_names_the_invitation_is_created_without_them(
    use_case: RequestPublicInvitationUseCase, directories: InMemoryDirectories
) -> None:
    await use_case(command(firstName=None, lastName=None), CONTEXT)

    invitation = directories.invitations["invitation-1"]
    assert "firstName" not in invitation
    assert "lastName" not in invitation
    assert invitation["email"] == "ada@example.org"


async def test_without_source_id_the_relying_party_job_leaves_it_out(
    use_case: RequestPublicInvitationUseCase,
    directories: InMemoryDirectories,
    publisher: InMemoryJobPublisher,
) -> None:
    directories.users["u1"] = {"sub": "user-1", "email": "ada@example.org"}

    await use_case(command(sourceId=None, clientId=None), CONTEXT)

    assert [job.data for job in publisher.published] == [
        {"userId": "user-1", "callback": "https://rp.example.org/hook", "state": "EXISTING_USER"}
    ]
