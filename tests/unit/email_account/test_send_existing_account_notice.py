"""``registerexistinguser_v1`` (docs/email-jobs.md#registerexistinguser_v1)."""

from typing import Any

import pytest

from adapters.memory.email import InMemoryEmailSender
from domain.errors import InvalidPayload
from domain.model import EmailMessage
from domain.use_cases.email.delivery import EmailDelivery
from domain.use_cases.email.send_existing_account_notice import (
    SendExistingAccountNotice,
    SendExistingAccountNoticeUseCase,
)
from tests.unit.support import LINKS, job, parse

QUEUE = "registerexistinguser_v1"
PAYLOAD: dict[str, Any] = {
    "email": "jo@example.com",
    "firstName": "Jo",
    "lastName": "Bloggs",
    "serviceName": "Teacher services",
    "returnUrl": "https://rp.test/start",
}


async def run(delivery: EmailDelivery, data: dict[str, Any]) -> None:
    use_case = SendExistingAccountNoticeUseCase(delivery=delivery, links=LINKS)
    await use_case(parse(SendExistingAccountNotice, data), job(QUEUE))


def expected(service_name: str) -> EmailMessage:
    return EmailMessage(
        template_key="notifyExistingUserWhenAttemptingToRegisterAgain",
        recipient="jo@example.com",
        personalisation={
            "firstName": "Jo",
            "lastName": "Bloggs",
            "email": "jo@example.com",
            "serviceName": service_name,
            "returnUrl": "https://rp.test/start",
            "helpUrl": "https://help.test/contact-us",
        },
        reference=f"{QUEUE}:42:0",
        plain_text_fields=("firstName", "lastName", "serviceName"),
    )


async def test_points_back_to_the_service(
    delivery: EmailDelivery, email: InMemoryEmailSender
) -> None:
    await run(delivery, PAYLOAD)

    assert email.sent == [expected("Teacher services")]


@pytest.mark.parametrize("service_name", [None, ""])
async def test_without_service_name_says_dfe_sign_in(
    delivery: EmailDelivery, email: InMemoryEmailSender, service_name: str | None
) -> None:
    await run(delivery, {**PAYLOAD, "serviceName": service_name})

    assert email.sent == [expected("DfE Sign-in")]


async def test_return_url_not_sent_is_left_out(
    delivery: EmailDelivery, email: InMemoryEmailSender
) -> None:
    await run(delivery, {"email": "jo@example.com"})

    assert email.sent[0].personalisation == {
        "email": "jo@example.com",
        "serviceName": "DfE Sign-in",
        "helpUrl": "https://help.test/contact-us",
    }


def test_a_non_text_return_url_is_refused() -> None:
    with pytest.raises(InvalidPayload, match="invalid payload: returnUrl: "):
        parse(SendExistingAccountNotice, {**PAYLOAD, "returnUrl": {"href": "x"}})
