"""``passwordreset_v1`` (docs/email-jobs.md#passwordreset_v1)."""

from typing import Any

import pytest

from adapters.memory.email import InMemoryEmailSender
from domain.errors import InvalidPayload
from domain.model import EmailMessage
from domain.use_cases.email.delivery import EmailDelivery
from domain.use_cases.email.send_password_reset import SendPasswordReset, SendPasswordResetUseCase
from tests.unit.support import LINKS, job, parse

QUEUE = "passwordreset_v1"
PAYLOAD: dict[str, Any] = {
    "email": "jo@example.com",
    "firstName": "Jo",
    "lastName": "Bloggs",
    "code": "ABC123",
    "clientId": "services",
    "uid": "user-1",
}


async def run(delivery: EmailDelivery, data: dict[str, Any]) -> None:
    use_case = SendPasswordResetUseCase(
        delivery=delivery, links=LINKS, new_id=lambda: "f00dfeed-0000-4000-8000-000000000000"
    )
    await use_case(parse(SendPasswordReset, data), job(QUEUE))


async def test_code_and_reset_link(delivery: EmailDelivery, email: InMemoryEmailSender) -> None:
    await run(delivery, PAYLOAD)

    assert email.sent == [
        EmailMessage(
            template_key="verifyPasswordResetRequest",
            recipient="jo@example.com",
            personalisation={
                "firstName": "Jo",
                "lastName": "Bloggs",
                "code": "ABC123",
                "returnUrl": "https://interactions.test/f00dfeed-0000-4000-8000-000000000000"
                "/resetpassword/user-1/confirm?clientid=services",
                "helpUrl": "https://help.test/contact-us",
            },
            reference=f"{QUEUE}:42:0",
            plain_text_fields=("firstName", "lastName"),
        )
    ]


async def test_each_link_gets_a_fresh_random_id(
    delivery: EmailDelivery, email: InMemoryEmailSender
) -> None:
    use_case = SendPasswordResetUseCase(delivery=delivery, links=LINKS)
    command = parse(SendPasswordReset, PAYLOAD)

    await use_case(command, job(QUEUE, "1"))
    await use_case(command, job(QUEUE, "2"))

    first, second = (str(message.personalisation["returnUrl"]) for message in email.sent)
    assert first != second
    assert first.startswith("https://interactions.test/")
    assert first.endswith("/resetpassword/user-1/confirm?clientid=services")


async def test_link_parts_are_encoded(delivery: EmailDelivery, email: InMemoryEmailSender) -> None:
    await run(delivery, {**PAYLOAD, "uid": "a/b", "clientId": "x&y=z"})

    assert str(email.sent[0].personalisation["returnUrl"]).endswith(
        "/resetpassword/a%2Fb/confirm?clientid=x%26y%3Dz"
    )


async def test_names_not_sent_are_left_out(
    delivery: EmailDelivery, email: InMemoryEmailSender
) -> None:
    data = {k: v for k, v in PAYLOAD.items() if k not in ("firstName", "lastName")}

    await run(delivery, data)

    assert set(email.sent[0].personalisation) == {"code", "returnUrl", "helpUrl"}


@pytest.mark.parametrize("field", ["code", "clientId", "uid"])
def test_a_payload_without_a_link_part_or_code_is_refused(field: str) -> None:
    data = {k: v for k, v in PAYLOAD.items() if k != field}

    with pytest.raises(InvalidPayload, match=f"invalid payload: {field}: Field required"):
        parse(SendPasswordReset, data)
