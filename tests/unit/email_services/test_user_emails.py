"""One-recipient jobs: docs/email-jobs.md#userserviceadded_v1, #userserviceadded_v2,
#userservicerejected_v1, #sub_service_request_approved, #sub_service_request_rejected,
#supportoverduerequest, #useraddedtoorganisationrequest_v1."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from pydantic import BaseModel

from adapters.memory.email import InMemoryEmailSender
from adapters.memory.state_store import InMemoryDeliveryLog
from domain.errors import InvalidPayload, TemplateNotConfigured, UpstreamMisconfigured
from domain.model import EmailMessage, JobContext, PlatformLinks
from domain.use_cases.email.delivery import EmailDelivery
from domain.use_cases.email.notify_added_to_organisation import (
    NotifyAddedToOrganisation,
    NotifyAddedToOrganisationUseCase,
)
from domain.use_cases.email.notify_request_rejected import (
    SERVICE_TEMPLATE,
    SUB_SERVICE_TEMPLATE,
    NotifyRequestRejected,
    NotifyRequestRejectedUseCase,
)
from domain.use_cases.email.notify_service_added_v1 import (
    NotifyServiceAddedV1,
    NotifyServiceAddedV1UseCase,
)
from domain.use_cases.email.notify_service_added_v2 import (
    NotifyServiceAddedV2,
    NotifyServiceAddedV2UseCase,
)
from domain.use_cases.email.notify_sub_service_request_approved import (
    NotifySubServiceRequestApproved,
    NotifySubServiceRequestApprovedUseCase,
)
from domain.use_cases.email.remind_overdue_requests import (
    RemindOverdueRequests,
    RemindOverdueRequestsUseCase,
)
from tests.unit.support import LINKS, job, parse

Handler = Callable[[Any, JobContext], Awaitable[dict[str, int]]]

USER = {"email": "jo@example.com", "firstName": "Jo", "lastName": "Bloggs"}
REQUEST = {**USER, "orgName": "Acme School", "serviceName": "Key to Success"}
ROLES = ["Reader", "Editor"]


@dataclass(frozen=True)
class Case:
    queue: str
    command: type[BaseModel]
    build: Callable[[EmailDelivery, PlatformLinks], Handler]
    payload: dict[str, Any]
    expected: EmailMessage


CASES = [
    Case(
        "userserviceadded_v1",
        NotifyServiceAddedV1,
        lambda d, links: NotifyServiceAddedV1UseCase(delivery=d, links=links),
        USER,
        EmailMessage(
            template_key="userRequestForServiceApprovedV1",
            recipient="jo@example.com",
            personalisation={
                "firstName": "Jo",
                "lastName": "Bloggs",
                "signInUrl": "https://services.test",
                "helpUrl": "https://help.test/contact-us",
            },
            reference="userserviceadded_v1:42:0",
            plain_text_fields=("firstName", "lastName"),
        ),
    ),
    Case(
        "userserviceadded_v2",
        NotifyServiceAddedV2,
        lambda d, links: NotifyServiceAddedV2UseCase(delivery=d, links=links),
        {**REQUEST, "requestedSubServices": ROLES, "permission": {"id": 10000, "name": "Approver"}},
        EmailMessage(
            template_key="userRequestForServiceApprovedV2",
            recipient="jo@example.com",
            personalisation={
                "firstName": "Jo",
                "lastName": "Bloggs",
                "orgName": "Acme School",
                "permissionName": "Approver",
                "serviceName": "Key to Success",
                "subServices": ROLES,
                "isApprover": True,
                "signInUrl": "https://services.test/my-services",
                "helpUrl": "https://help.test/contact-us",
            },
            reference="userserviceadded_v2:42:0",
            plain_text_fields=("firstName", "lastName", "orgName", "serviceName"),
        ),
    ),
    Case(
        "userservicerejected_v1",
        NotifyRequestRejected,
        lambda d, links: NotifyRequestRejectedUseCase(
            delivery=d, links=links, template_key=SERVICE_TEMPLATE
        ),
        {**REQUEST, "requestedSubServices": ROLES, "reason": "  Not needed\n"},
        EmailMessage(
            template_key="userRequestForServiceRejected",
            recipient="jo@example.com",
            personalisation={
                "firstName": "Jo",
                "lastName": "Bloggs",
                "orgName": "Acme School",
                "serviceName": "Key to Success",
                "requestedSubServices": ROLES,
                "reason": "Not needed",
                "showReasonHeader": True,
                "signInUrl": "https://services.test/my-services",
                "helpUrl": "https://help.test/contact-us",
            },
            reference="userservicerejected_v1:42:0",
            plain_text_fields=("firstName", "lastName", "orgName", "reason", "serviceName"),
        ),
    ),
    Case(
        "sub_service_request_approved",
        NotifySubServiceRequestApproved,
        lambda d, links: NotifySubServiceRequestApprovedUseCase(delivery=d, links=links),
        {**REQUEST, "requestedSubServices": ROLES, "permission": {"id": 0, "name": "End user"}},
        EmailMessage(
            template_key="userRequestsForSubServicesApproved",
            recipient="jo@example.com",
            personalisation={
                "firstName": "Jo",
                "lastName": "Bloggs",
                "orgName": "Acme School",
                "permissionName": "End user",
                "serviceName": "Key to Success",
                "requestedSubServices": ROLES,
                "signInUrl": "https://services.test/my-services",
                "helpUrl": "https://help.test/contact-us",
            },
            reference="sub_service_request_approved:42:0",
            plain_text_fields=("firstName", "lastName", "orgName", "serviceName"),
        ),
    ),
    Case(
        "sub_service_request_rejected",
        NotifyRequestRejected,
        lambda d, links: NotifyRequestRejectedUseCase(
            delivery=d, links=links, template_key=SUB_SERVICE_TEMPLATE
        ),
        {**REQUEST, "requestedSubServices": ROLES},
        EmailMessage(
            template_key="userRequestsForSubServicesRejected",
            recipient="jo@example.com",
            personalisation={
                "firstName": "Jo",
                "lastName": "Bloggs",
                "orgName": "Acme School",
                "serviceName": "Key to Success",
                "requestedSubServices": ROLES,
                "reason": "",
                "showReasonHeader": False,
                "signInUrl": "https://services.test/my-services",
                "helpUrl": "https://help.test/contact-us",
            },
            reference="sub_service_request_rejected:42:0",
            plain_text_fields=("firstName", "lastName", "orgName", "reason", "serviceName"),
        ),
    ),
    Case(
        "supportoverduerequest",
        RemindOverdueRequests,
        lambda d, links: RemindOverdueRequestsUseCase(delivery=d, links=links),
        {"email": "jo@example.com", "name": "Jo Bloggs", "requestsCount": 3},
        EmailMessage(
            template_key="supportRequestOverdue",
            recipient="jo@example.com",
            personalisation={
                "name": "Jo Bloggs",
                "requestsCount": 3,
                "helpUrl": "https://help.test/contact-us",
                "servicesUrl": "https://services.test/access-requests",
            },
            reference="supportoverduerequest:42:0",
            plain_text_fields=("name",),
        ),
    ),
    Case(
        "useraddedtoorganisationrequest_v1",
        NotifyAddedToOrganisation,
        lambda d, links: NotifyAddedToOrganisationUseCase(delivery=d, links=links),
        {**USER, "orgName": "Acme School"},
        EmailMessage(
            template_key="userAddedToOrganisation",
            recipient="jo@example.com",
            personalisation={
                "firstName": "Jo",
                "lastName": "Bloggs",
                "orgName": "Acme School",
                "signInUrl": "https://services.test",
                "helpUrl": "https://help.test/contact-us",
            },
            reference="useraddedtoorganisationrequest_v1:42:0",
            plain_text_fields=("firstName", "lastName", "orgName"),
        ),
    ),
]
IDS = [case.queue for case in CASES]


@pytest.mark.parametrize("case", CASES, ids=IDS)
async def test_sends_the_documented_email(
    case: Case, delivery: EmailDelivery, email: InMemoryEmailSender
) -> None:
    result = await case.build(delivery, LINKS)(parse(case.command, case.payload), job(case.queue))

    assert email.sent == [case.expected]
    assert result == {"sent": 1, "skipped": 0}


@pytest.mark.parametrize("case", CASES, ids=IDS)
async def test_a_retry_does_not_send_again(
    case: Case, delivery: EmailDelivery, email: InMemoryEmailSender
) -> None:
    handler = case.build(delivery, LINKS)
    command = parse(case.command, case.payload)
    await handler(command, job(case.queue))

    assert await handler(command, job(case.queue)) == {"sent": 0, "skipped": 1}
    assert len(email.sent) == 1


@pytest.mark.parametrize("case", CASES, ids=IDS)
async def test_a_missing_template_sends_nothing(
    case: Case, delivery_log: InMemoryDeliveryLog
) -> None:
    email = InMemoryEmailSender(templates={})
    delivery = EmailDelivery(email=email, delivery_log=delivery_log)

    with pytest.raises(TemplateNotConfigured, match=case.expected.template_key):
        await case.build(delivery, LINKS)(parse(case.command, case.payload), job(case.queue))
    assert email.sent == []


@pytest.mark.parametrize("case", CASES, ids=IDS)
@pytest.mark.parametrize("email_value", [None, "", "   "])
def test_a_payload_without_a_recipient_is_refused(case: Case, email_value: str | None) -> None:
    payload = {**case.payload, "email": email_value}

    with pytest.raises(InvalidPayload, match="email"):
        parse(case.command, payload)


@pytest.mark.parametrize("case", CASES, ids=IDS)
async def test_missing_help_site_fails_naming_the_variable(
    case: Case, delivery: EmailDelivery, email: InMemoryEmailSender
) -> None:
    links = PlatformLinks(services_url="https://services.test", setting_names=LINKS.setting_names)

    with pytest.raises(UpstreamMisconfigured, match="STANDALONE_HELP_HOST_NAME"):
        await case.build(delivery, links)(parse(case.command, case.payload), job(case.queue))
    assert email.sent == []


async def test_absent_fields_are_left_out_and_nulls_kept(
    delivery: EmailDelivery, email: InMemoryEmailSender
) -> None:
    use_case = NotifyAddedToOrganisationUseCase(delivery=delivery, links=LINKS)
    payload = {"email": "jo@example.com", "firstName": None, "unexpected": "ignored"}

    await use_case(parse(NotifyAddedToOrganisation, payload), job("q"))

    assert email.sent[0].personalisation == {
        "firstName": None,
        "signInUrl": "https://services.test",
        "helpUrl": "https://help.test/contact-us",
    }
    assert email.sent[0].plain_text_fields == ()


@pytest.mark.parametrize(
    ("permission", "name", "approver"),
    [
        ({}, "n/a", False),
        ({"id": "10000", "name": ""}, "n/a", False),
        ({"id": 10000}, "n/a", True),
        (None, "n/a", False),
    ],
)
async def test_service_added_v2_permission_defaults(
    delivery: EmailDelivery,
    email: InMemoryEmailSender,
    permission: dict[str, Any] | None,
    name: str,
    approver: bool,
) -> None:
    use_case = NotifyServiceAddedV2UseCase(delivery=delivery, links=LINKS)

    await use_case(parse(NotifyServiceAddedV2, {**USER, "permission": permission}), job("q"))

    personalisation = email.sent[0].personalisation
    assert (personalisation["permissionName"], personalisation["isApprover"]) == (name, approver)
    assert "subServices" not in personalisation


async def test_service_added_v2_without_permission_or_roles(
    delivery: EmailDelivery, email: InMemoryEmailSender
) -> None:
    use_case = NotifyServiceAddedV2UseCase(delivery=delivery, links=LINKS)

    await use_case(parse(NotifyServiceAddedV2, USER), job("q"))

    assert email.sent[0].personalisation == {
        "firstName": "Jo",
        "lastName": "Bloggs",
        "permissionName": "n/a",
        "isApprover": False,
        "signInUrl": "https://services.test/my-services",
        "helpUrl": "https://help.test/contact-us",
    }


async def test_sub_service_approved_without_permission_says_not_applicable(
    delivery: EmailDelivery, email: InMemoryEmailSender
) -> None:
    use_case = NotifySubServiceRequestApprovedUseCase(delivery=delivery, links=LINKS)

    await use_case(parse(NotifySubServiceRequestApproved, USER), job("q"))

    assert email.sent[0].personalisation["permissionName"] == "n/a"


@pytest.mark.parametrize("reason", [None, "", "   "])
async def test_rejection_without_a_reason_hides_the_header(
    delivery: EmailDelivery, email: InMemoryEmailSender, reason: str | None
) -> None:
    use_case = NotifyRequestRejectedUseCase(
        delivery=delivery, links=LINKS, template_key=SERVICE_TEMPLATE
    )

    await use_case(parse(NotifyRequestRejected, {**USER, "reason": reason}), job("q"))

    personalisation = email.sent[0].personalisation
    assert (personalisation["reason"], personalisation["showReasonHeader"]) == ("", False)
    assert "requestedSubServices" not in personalisation


@pytest.mark.parametrize(
    ("model", "payload", "field"),
    [
        (NotifyRequestRejected, {**USER, "reason": 7}, "reason"),
        (NotifyRequestRejected, {**USER, "requestedSubServices": "Reader"}, "requestedSubServices"),
        (NotifyServiceAddedV2, {**USER, "permission": "Approver"}, "permission"),
        (RemindOverdueRequests, {**USER, "requestsCount": "many"}, "requestsCount"),
    ],
)
def test_unusable_fields_are_refused_by_name(
    model: type[BaseModel], payload: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidPayload, match=f"invalid payload: {field}"):
        parse(model, payload)
