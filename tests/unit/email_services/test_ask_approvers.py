"""``servicerequest_to_approvers_v2`` and ``sub_service_request_to_approvers``
(docs/email-jobs.md#servicerequest_to_approvers_v2, #sub_service_request_to_approvers)."""

from typing import Any

import pytest

from adapters.memory.directories import InMemoryDirectories
from adapters.memory.email import InMemoryEmailSender
from adapters.memory.job_publisher import InMemoryJobPublisher, PublishedJob
from adapters.memory.state_store import InMemoryDeliveryLog
from domain.errors import InvalidPayload, TemplateNotConfigured, UpstreamUnavailable
from domain.model import EmailMessage
from domain.use_cases.approvers.ask_approvers_for_service_access import (
    AskApproversForServiceAccess,
    AskApproversForServiceAccessUseCase,
)
from domain.use_cases.approvers.ask_approvers_for_sub_service_access import (
    AskApproversForSubServiceAccess,
    AskApproversForSubServiceAccessUseCase,
)
from domain.use_cases.approvers.request import ApproverRequestSender
from domain.use_cases.email.delivery import EmailDelivery
from tests.unit.email_services.support import ORG_ID, add_approver, recipients
from tests.unit.support import LINKS, job, parse

SERVICE_QUEUE = "servicerequest_to_approvers_v2"
ROLES_QUEUE = "sub_service_request_to_approvers"
SERVICE_REQUEST = {
    "senderName": "Jo Bloggs",
    "senderEmail": "jo@example.com",
    "orgId": ORG_ID,
    "orgName": "Acme School",
    "requestedServiceName": "Key to Success",
    "requestedSubServices": ["Reader"],
    "rejectServiceUrl": "https://services.test/request/r-1/reject",
    "approveServiceUrl": "https://services.test/request/r-1/approve",
    "helpUrl": "https://help.test/requests",
}
ROLES_REQUEST = {
    "senderFirstName": "Jo",
    "senderLastName": "Bloggs",
    "senderEmail": "jo@example.com",
    "orgId": ORG_ID,
    "orgName": "Acme School",
    "serviceName": "Key to Success",
    "requestedSubServices": ["Reader", "Editor"],
    "rejectUrl": "https://services.test/roles/r-2/reject",
    "approveUrl": "https://services.test/roles/r-2/approve",
    "helpUrl": "https://help.test/roles",
}


def request_sender(
    delivery: EmailDelivery,
    directories: InMemoryDirectories,
    publisher: InMemoryJobPublisher,
    delivery_log: InMemoryDeliveryLog,
) -> ApproverRequestSender:
    return ApproverRequestSender(
        delivery=delivery,
        organisations=directories,
        users=directories,
        publisher=publisher,
        delivery_log=delivery_log,
    )


def service_use_case(*fakes: Any) -> AskApproversForServiceAccessUseCase:
    return AskApproversForServiceAccessUseCase(sender=request_sender(*fakes))


def roles_use_case(*fakes: Any) -> AskApproversForSubServiceAccessUseCase:
    return AskApproversForSubServiceAccessUseCase(sender=request_sender(*fakes), links=LINKS)


@pytest.fixture
def fakes(
    delivery: EmailDelivery,
    directories: InMemoryDirectories,
    publisher: InMemoryJobPublisher,
    delivery_log: InMemoryDeliveryLog,
) -> tuple[Any, ...]:
    return delivery, directories, publisher, delivery_log


async def test_service_request_goes_to_each_active_approver(
    fakes: tuple[Any, ...], directories: InMemoryDirectories, email: InMemoryEmailSender
) -> None:
    add_approver(directories, "a-1")
    add_approver(directories, "a-2", status=0)
    add_approver(directories, "a-3")

    result = await service_use_case(*fakes)(
        parse(AskApproversForServiceAccess, SERVICE_REQUEST), job(SERVICE_QUEUE)
    )

    shared = {
        "orgName": "Acme School",
        "senderName": "Jo Bloggs",
        "senderEmail": "jo@example.com",
        "requestedServiceName": "Key to Success",
        "requestedSubServices": ["Reader"],
        "approveServiceUrl": "https://services.test/request/r-1/approve",
        "rejectServiceUrl": "https://services.test/request/r-1/reject",
        "helpUrl": "https://help.test/requests",
    }
    assert email.sent == [
        EmailMessage(
            template_key="userRequestToApproverForServiceAccess",
            recipient=f"{user}@example.com",
            personalisation={"firstName": f"First {user}", "lastName": f"Last {user}", **shared},
            reference=f"{SERVICE_QUEUE}:42:{user}",
            plain_text_fields=(
                "firstName",
                "lastName",
                "senderName",
                "orgName",
                "requestedServiceName",
            ),
        )
        for user in ("a-1", "a-3")
    ]
    assert result == {"sent": 2, "skipped": 0}


async def test_roles_request_goes_to_each_active_approver(
    fakes: tuple[Any, ...], directories: InMemoryDirectories, email: InMemoryEmailSender
) -> None:
    add_approver(directories, "a-1")

    result = await roles_use_case(*fakes)(
        parse(AskApproversForSubServiceAccess, ROLES_REQUEST), job(ROLES_QUEUE)
    )

    assert email.sent == [
        EmailMessage(
            template_key="userRequestToApproverForSubServiceAccess",
            recipient="a-1@example.com",
            personalisation={
                "firstName": "First a-1",
                "lastName": "Last a-1",
                "senderName": "Jo Bloggs",
                "orgName": "Acme School",
                "approveUrl": "https://services.test/roles/r-2/approve",
                "serviceName": "Key to Success",
                "rejectUrl": "https://services.test/roles/r-2/reject",
                "requestedSubServices": ["Reader", "Editor"],
                "helpUrl": "https://help.test/roles",
                "contactUsUrl": "https://help.test/contact-us",
            },
            reference=f"{ROLES_QUEUE}:42:a-1",
            plain_text_fields=("firstName", "lastName", "senderName", "orgName", "serviceName"),
        )
    ]
    assert result == {"sent": 1, "skipped": 0}


@pytest.mark.parametrize("roles", [[], None, "absent"])
@pytest.mark.parametrize(
    ("queue", "request_data", "model", "build"),
    [
        (SERVICE_QUEUE, SERVICE_REQUEST, AskApproversForServiceAccess, service_use_case),
        (ROLES_QUEUE, ROLES_REQUEST, AskApproversForSubServiceAccess, roles_use_case),
    ],
    ids=[SERVICE_QUEUE, ROLES_QUEUE],
)
async def test_no_roles_reads_no_roles_selected(
    fakes: tuple[Any, ...],
    directories: InMemoryDirectories,
    email: InMemoryEmailSender,
    roles: Any,
    queue: str,
    request_data: dict[str, Any],
    model: Any,
    build: Any,
) -> None:
    add_approver(directories, "a-1")
    payload = {k: v for k, v in request_data.items() if k != "requestedSubServices"}
    if roles != "absent":
        payload["requestedSubServices"] = roles

    await build(*fakes)(parse(model, payload), job(queue))

    assert email.sent[0].personalisation["requestedSubServices"] == ["No roles selected."]


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        ({"senderFirstName": "Jo"}, "Jo"),
        ({"senderLastName": "Bloggs"}, "Bloggs"),
        ({}, ""),
    ],
)
async def test_sender_name_leaves_out_missing_parts(
    fakes: tuple[Any, ...],
    directories: InMemoryDirectories,
    email: InMemoryEmailSender,
    names: dict[str, str],
    expected: str,
) -> None:
    add_approver(directories, "a-1")
    senders = ("senderFirstName", "senderLastName")
    payload = {k: v for k, v in ROLES_REQUEST.items() if k not in senders} | names

    await roles_use_case(*fakes)(parse(AskApproversForSubServiceAccess, payload), job(ROLES_QUEUE))

    assert email.sent[0].personalisation["senderName"] == expected


async def test_without_active_approvers_the_service_request_goes_to_support(
    fakes: tuple[Any, ...],
    directories: InMemoryDirectories,
    email: InMemoryEmailSender,
    publisher: InMemoryJobPublisher,
) -> None:
    add_approver(directories, "a-1", status=0)
    directories.organisations[ORG_ID] = {"id": ORG_ID, "name": "Acme School", "urn": "100001"}
    use_case = service_use_case(*fakes)
    command = parse(AskApproversForServiceAccess, SERVICE_REQUEST)

    first = await use_case(command, job(SERVICE_QUEUE))
    retried = await use_case(command, job(SERVICE_QUEUE))

    assert email.sent == []
    assert publisher.published == [
        PublishedJob(
            "supportrequest_v1",
            {
                "name": "Jo Bloggs",
                "email": "jo@example.com",
                "orgName": "Acme School",
                "service": "Key to Success",
                "message": "Service access request for Key to Success at Acme School, "
                "no approvers exist. Roles requested: Reader",
                "urn": "100001",
                "type": "Access to a service",
            },
            "1",
        )
    ]
    assert first == {"sent": 0, "skipped": 0, "support_requests": 1}
    assert retried == {"sent": 0, "skipped": 0, "support_requests": 0}


async def test_without_approvers_the_roles_request_goes_to_support(
    fakes: tuple[Any, ...], email: InMemoryEmailSender, publisher: InMemoryJobPublisher
) -> None:
    payload = {k: v for k, v in ROLES_REQUEST.items() if k not in ("senderFirstName", "orgName")}
    payload["requestedSubServices"] = []

    result = await roles_use_case(*fakes)(
        parse(AskApproversForSubServiceAccess, payload), job(ROLES_QUEUE)
    )

    assert email.sent == []
    assert publisher.data_for("supportrequest_v1") == [
        {
            "name": "Bloggs",
            "email": "jo@example.com",
            "service": "Key to Success",
            "message": "Role request for Key to Success at , no approvers exist. "
            "Roles requested: No roles selected.",
            "urn": "",
            "type": "Access to a service",
        }
    ]
    assert result == {"sent": 0, "skipped": 0, "support_requests": 1}


async def test_an_approver_without_an_address_is_skipped(
    fakes: tuple[Any, ...], directories: InMemoryDirectories, email: InMemoryEmailSender
) -> None:
    add_approver(directories, "a-1", email=None)
    add_approver(directories, "a-2")

    result = await service_use_case(*fakes)(
        parse(AskApproversForServiceAccess, SERVICE_REQUEST), job(SERVICE_QUEUE)
    )

    assert recipients(email.sent) == ["a-2@example.com"]
    assert result == {"sent": 1, "skipped": 0}


async def test_an_approver_without_names_gets_no_name_keys(
    fakes: tuple[Any, ...], directories: InMemoryDirectories, email: InMemoryEmailSender
) -> None:
    add_approver(directories, "a-1")
    del directories.users["a-1"]["given_name"]
    directories.users["a-1"]["family_name"] = None

    await service_use_case(*fakes)(
        parse(AskApproversForServiceAccess, SERVICE_REQUEST), job(SERVICE_QUEUE)
    )

    personalisation = email.sent[0].personalisation
    assert "firstName" not in personalisation
    assert personalisation["lastName"] is None


@pytest.mark.parametrize(
    ("queue", "request_data", "model", "build"),
    [
        (SERVICE_QUEUE, SERVICE_REQUEST, AskApproversForServiceAccess, service_use_case),
        (ROLES_QUEUE, ROLES_REQUEST, AskApproversForSubServiceAccess, roles_use_case),
    ],
    ids=[SERVICE_QUEUE, ROLES_QUEUE],
)
async def test_a_retry_after_two_of_five_emails_only_the_other_three(
    directories: InMemoryDirectories,
    publisher: InMemoryJobPublisher,
    delivery_log: InMemoryDeliveryLog,
    queue: str,
    request_data: dict[str, Any],
    model: Any,
    build: Any,
) -> None:
    for index in range(1, 6):
        add_approver(directories, f"a-{index}")
    email = InMemoryEmailSender(fail_with=UpstreamUnavailable("Notify 503"), fail_after=2)
    use_case = build(
        EmailDelivery(email=email, delivery_log=delivery_log), directories, publisher, delivery_log
    )
    command = parse(model, request_data)

    with pytest.raises(UpstreamUnavailable):
        await use_case(command, job(queue))
    email.fail_with = None
    result = await use_case(command, job(queue))

    assert recipients(email.sent) == [f"a-{index}@example.com" for index in range(1, 6)]
    assert result == {"sent": 3, "skipped": 2}


async def test_a_missing_template_sends_nothing(
    directories: InMemoryDirectories,
    publisher: InMemoryJobPublisher,
    delivery_log: InMemoryDeliveryLog,
) -> None:
    add_approver(directories, "a-1")
    email = InMemoryEmailSender(templates={})
    delivery = EmailDelivery(email=email, delivery_log=delivery_log)

    with pytest.raises(TemplateNotConfigured, match="userRequestToApproverForSubServiceAccess"):
        await roles_use_case(delivery, directories, publisher, delivery_log)(
            parse(AskApproversForSubServiceAccess, ROLES_REQUEST), job(ROLES_QUEUE)
        )
    assert email.sent == []


@pytest.mark.parametrize(
    ("model", "payload", "field"),
    [
        (AskApproversForServiceAccess, {**SERVICE_REQUEST, "orgId": None}, "orgId"),
        (AskApproversForSubServiceAccess, {**ROLES_REQUEST, "orgId": ""}, "orgId"),
        (
            AskApproversForServiceAccess,
            {**SERVICE_REQUEST, "requestedSubServices": "Reader"},
            "requestedSubServices",
        ),
    ],
)
def test_unusable_payloads_are_refused_by_name(
    model: Any, payload: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidPayload, match=f"invalid payload: {field}"):
        parse(model, payload)
