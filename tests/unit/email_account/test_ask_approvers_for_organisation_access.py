"""``approveraccessrequest_v1`` (docs/email-jobs.md#approveraccessrequest_v1)."""

from typing import Any

import pytest

from adapters.memory.email import InMemoryEmailSender
from adapters.memory.state_store import InMemoryDeliveryLog
from domain.errors import InvalidPayload, TemplateNotConfigured, UpstreamUnavailable
from domain.model import EmailMessage
from domain.use_cases.approvers.ask_approvers_for_organisation_access import (
    AskApproversForOrganisationAccess,
    AskApproversForOrganisationAccessUseCase,
)
from domain.use_cases.email.delivery import EmailDelivery
from tests.unit.support import LINKS, job, parse

QUEUE = "approveraccessrequest_v1"
PAYLOAD: dict[str, Any] = {
    "recipients": [
        {"email": "ann@example.com", "firstName": "Ann", "lastName": "Lee"},
        {"email": "bob@example.com", "firstName": "Bob", "lastName": "Ray"},
        {"email": "cat@example.com", "firstName": "Cat", "lastName": "Day"},
    ],
    "orgName": "Acme Academy",
    "userName": "Jo Bloggs",
    "userEmail": "jo@example.com",
    "orgId": "org-1",
    "requestId": "req-1",
}


def expected(index: int, first: str, last: str, address: str) -> EmailMessage:
    return EmailMessage(
        template_key="approverRequestAccess",
        recipient=address,
        personalisation={
            "approverFirstName": first,
            "approverLastName": last,
            "orgName": "Acme Academy",
            "name": "Jo Bloggs",
            "email": "jo@example.com",
            "returnUrl": "https://services.test/access-requests/organisation-requests/req-1",
            "helpUrl": "https://help.test",
        },
        reference=f"{QUEUE}:42:{index}",
        plain_text_fields=("approverFirstName", "approverLastName", "orgName", "name"),
    )


ALL_THREE = [
    expected(0, "Ann", "Lee", "ann@example.com"),
    expected(1, "Bob", "Ray", "bob@example.com"),
    expected(2, "Cat", "Day", "cat@example.com"),
]


async def run(delivery: EmailDelivery, data: dict[str, Any]) -> dict[str, int]:
    use_case = AskApproversForOrganisationAccessUseCase(delivery=delivery, links=LINKS)
    return await use_case(parse(AskApproversForOrganisationAccess, data), job(QUEUE))


async def test_each_recipient_in_order(delivery: EmailDelivery, email: InMemoryEmailSender) -> None:
    assert await run(delivery, PAYLOAD) == {"sent": 3, "skipped": 0}
    assert email.sent == ALL_THREE


async def test_retry_after_partial_failure_emails_only_the_rest(
    delivery_log: InMemoryDeliveryLog,
) -> None:
    email = InMemoryEmailSender(fail_with=UpstreamUnavailable("Notify down"), fail_after=1)
    delivery = EmailDelivery(email=email, delivery_log=delivery_log)

    with pytest.raises(UpstreamUnavailable):
        await run(delivery, PAYLOAD)
    email.fail_with = None
    result = await run(delivery, PAYLOAD)

    assert result == {"sent": 2, "skipped": 1}
    assert email.sent == ALL_THREE


async def test_request_id_is_encoded_as_a_path_segment(
    delivery: EmailDelivery, email: InMemoryEmailSender
) -> None:
    await run(delivery, {**PAYLOAD, "requestId": "../admin?x=1"})

    assert email.sent[0].personalisation["returnUrl"] == (
        "https://services.test/access-requests/organisation-requests/..%2Fadmin%3Fx%3D1"
    )


async def test_missing_optional_fields_are_left_out(
    delivery: EmailDelivery, email: InMemoryEmailSender
) -> None:
    await run(delivery, {"recipients": [{"email": "ann@example.com"}], "requestId": "req-1"})

    assert email.sent[0].personalisation == {
        "returnUrl": "https://services.test/access-requests/organisation-requests/req-1",
        "helpUrl": "https://help.test",
    }


async def test_no_recipients_is_success_without_email(
    delivery: EmailDelivery, email: InMemoryEmailSender
) -> None:
    assert await run(delivery, {**PAYLOAD, "recipients": []}) == {"sent": 0, "skipped": 0}
    assert email.sent == []


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({k: v for k, v in PAYLOAD.items() if k != "recipients"}, "recipients"),
        ({**PAYLOAD, "recipients": [{"firstName": "Ann"}]}, "recipients.0.email"),
        ({k: v for k, v in PAYLOAD.items() if k != "requestId"}, "requestId"),
    ],
)
def test_unusable_payload_is_refused_naming_the_field(data: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidPayload, match=f"invalid payload: {field}: "):
        parse(AskApproversForOrganisationAccess, data)


async def test_missing_template_sends_nothing(delivery_log: InMemoryDeliveryLog) -> None:
    email = InMemoryEmailSender(templates={})
    with pytest.raises(TemplateNotConfigured):
        await run(EmailDelivery(email=email, delivery_log=delivery_log), PAYLOAD)
    assert email.sent == []
