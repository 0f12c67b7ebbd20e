"""``organisationrequest_v1`` (docs/email-jobs.md#organisationrequest_v1)."""

import re
from typing import Any

import pytest

from adapters.memory.directories import InMemoryDirectories
from adapters.memory.job_publisher import InMemoryJobPublisher, PublishedJob
from adapters.memory.state_store import InMemoryDeliveryLog
from domain.errors import InvalidPayload, NotFound, UpstreamUnavailable
from domain.use_cases.approvers.ask_approvers_for_organisation_access import (
    AskApproversForOrganisationAccess,
)
from domain.use_cases.approvers.route_organisation_request import (
    RouteOrganisationRequest,
    RouteOrganisationRequestUseCase,
)
from tests.unit.support import job, parse

QUEUE = "organisationrequest_v1"


def user(sub: str, first: str, email: str, status: int = 1) -> dict[str, Any]:
    return {
        "sub": sub,
        "given_name": first,
        "family_name": "Smith",
        "email": email,
        "status": status,
    }


@pytest.fixture
def directories() -> InMemoryDirectories:
    return InMemoryDirectories(
        organisation_requests={
            "req-1": {"org_id": "org-1", "user_id": "user-1", "reason": "I teach here"}
        },
        organisations={"org-1": {"id": "org-1", "name": "Acme Academy", "urn": "123456"}},
        approvers={"org-1": ["APPROVER-3", "APPROVER-2", "APPROVER-1"]},
        users={
            "user-1": user("user-1", "Jo", "jo@example.com"),
            "approver-1": user("approver-1", "Ann", "ann@example.com"),
            "approver-2": user("approver-2", "Bob", "bob@example.com", status=0),
            "approver-3": user("approver-3", "Cat", "cat@example.com"),
        },
    )


def use_case(
    directories: InMemoryDirectories,
    publisher: InMemoryJobPublisher,
    delivery_log: InMemoryDeliveryLog,
) -> RouteOrganisationRequestUseCase:
    return RouteOrganisationRequestUseCase(
        organisations=directories,
        users=directories,
        publisher=publisher,
        delivery_log=delivery_log,
    )


async def run(
    directories: InMemoryDirectories,
    publisher: InMemoryJobPublisher,
    delivery_log: InMemoryDeliveryLog,
    request_id: str = "req-1",
) -> dict[str, Any]:
    command = parse(RouteOrganisationRequest, {"requestId": request_id})
    return await use_case(directories, publisher, delivery_log)(command, job(QUEUE))


async def test_active_approvers_are_asked(
    directories: InMemoryDirectories,
    publisher: InMemoryJobPublisher,
    delivery_log: InMemoryDeliveryLog,
) -> None:
    result = await run(directories, publisher, delivery_log)

    assert result == {"enqueued": "approveraccessrequest_v1", "job_id": "1"}
    assert publisher.published == [
        PublishedJob(
            "approveraccessrequest_v1",
            {
                "recipients": [
                    {"email": "cat@example.com", "firstName": "Cat", "lastName": "Smith"},
                    {"email": "ann@example.com", "firstName": "Ann", "lastName": "Smith"},
                ],
                "orgName": "Acme Academy",
                "userName": "Jo Smith",
                "userEmail": "jo@example.com",
                "orgId": "org-1",
                "requestId": "req-1",
            },
            "1",
        )
    ]
    parse(AskApproversForOrganisationAccess, dict(publisher.published[0].data))


async def test_without_active_approvers_support_is_asked(
    directories: InMemoryDirectories,
    publisher: InMemoryJobPublisher,
    delivery_log: InMemoryDeliveryLog,
) -> None:
    directories.approvers["org-1"] = ["approver-2"]
    directories.organisations["org-1"]["urn"] = None

    await run(directories, publisher, delivery_log)

    assert publisher.data_for("supportrequest_v1") == [
        {
            "name": "Jo Smith",
            "email": "jo@example.com",
            "orgName": "Acme Academy",
            "urn": "",
            "message": "Organisation request for Acme Academy, no approvers exist. "
            "Request reason: I teach here",
            "type": "Access to an organisation",
        }
    ]
    assert publisher.data_for("approveraccessrequest_v1") == []


@pytest.mark.parametrize("reason", [None, "  "])
async def test_support_message_without_reason_does_not_say_null(
    directories: InMemoryDirectories,
    publisher: InMemoryJobPublisher,
    delivery_log: InMemoryDeliveryLog,
    reason: str | None,
) -> None:
    directories.approvers.clear()
    directories.organisation_requests["req-1"]["reason"] = reason

    await run(directories, publisher, delivery_log)

    [support] = publisher.data_for("supportrequest_v1")
    assert support["message"] == "Organisation request for Acme Academy, no approvers exist."
    assert support["urn"] == "123456"


@pytest.mark.parametrize(
    ("break_it", "message"),
    [
        (lambda d: d.organisation_requests.clear(), "organisation request (requestId) not found"),
        (lambda d: d.organisations.clear(), "organisation of the request (org_id) not found"),
        (lambda d: d.users.pop("user-1"), "requesting user of the request (user_id) not found"),
        (
            lambda d: d.organisation_requests["req-1"].pop("user_id"),
            "organisation request has no user_id",
        ),
    ],
    ids=["request", "organisation", "user", "user id"],
)
async def test_missing_records_fail_permanently_without_follow_up(
    directories: InMemoryDirectories,
    publisher: InMemoryJobPublisher,
    delivery_log: InMemoryDeliveryLog,
    break_it: Any,
    message: str,
) -> None:
    break_it(directories)

    with pytest.raises(NotFound, match=re.escape(message)):
        await run(directories, publisher, delivery_log)
    assert publisher.published == []


async def test_a_redelivered_job_does_not_enqueue_twice(
    directories: InMemoryDirectories,
    publisher: InMemoryJobPublisher,
    delivery_log: InMemoryDeliveryLog,
) -> None:
    await run(directories, publisher, delivery_log)
    again = await run(directories, publisher, delivery_log)

    assert again == {"enqueued": None, "skipped": 1}
    assert len(publisher.published) == 1


async def test_a_failed_enqueue_is_retried(
    directories: InMemoryDirectories,
    publisher: InMemoryJobPublisher,
    delivery_log: InMemoryDeliveryLog,
) -> None:
    publisher.fail_with = UpstreamUnavailable("redis down")
    with pytest.raises(UpstreamUnavailable):
        await run(directories, publisher, delivery_log)

    publisher.fail_with = None
    await run(directories, publisher, delivery_log)

    assert [job.queue for job in publisher.published] == ["approveraccessrequest_v1"]


@pytest.mark.parametrize("data", [{}, {"requestId": ""}])
def test_payload_without_request_id_is_refused(data: dict[str, Any]) -> None:
    with pytest.raises(InvalidPayload, match="invalid payload: requestId: "):
        parse(RouteOrganisationRequest, data)
