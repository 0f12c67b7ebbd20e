"""``verifychangeemail_v1`` (docs/email-jobs.md#verifychangeemail_v1)."""

from typing import Any

import pytest

from adapters.memory.email import InMemoryEmailSender
from domain.errors import InvalidPayload
from domain.model import EmailMessage
from domain.use_cases.email.delivery import EmailDelivery
from domain.use_cases.email.send_change_email_verification import (
    SendChangeEmailVerification,
    SendChangeEmailVerificationUseCase,
)
from tests.unit.support import LINKS, job, parse

QUEUE = "verifychangeemail_v1"
PAYLOAD = {"email": "new@example.com", "firstName": "Jo", "lastName": "Bloggs", "code": "XYZ789"}


async def run(delivery: EmailDelivery, data: dict[str, Any]) -> None:
    use_case = SendChangeEmailVerificationUseCase(delivery=delivery, links=LINKS)
    await use_case(parse(SendChangeEmailVerification, data), job(QUEUE))


def expected(return_url: str) -> EmailMessage:
    return EmailMessage(
        template_key="verifyChangeEmailAddress",
        recipient="new@example.com",
        personalisation={
            "firstName": "Jo",
            "lastName": "Bloggs",
            "email": "new@example.com",
            "code": "XYZ789",
            "returnUrl": return_url,
            "helpUrl": "https://help.test",
        },
        reference=f"{QUEUE}:42:0",
        plain_text_fields=("firstName", "lastName"),
    )


async def test_with_uid_the_link_names_the_user(
    delivery: EmailDelivery, email: InMemoryEmailSender
) -> None:
    await run(delivery, {**PAYLOAD, "uid": "user-1"})

    assert email.sent == [expected("https://profile.test/change-email/user-1/verify")]


@pytest.mark.parametrize("uid", [None, ""])
async def test_without_uid_the_generic_link(
    delivery: EmailDelivery, email: InMemoryEmailSender, uid: str | None
) -> None:
    await run(delivery, {**PAYLOAD, "uid": uid})

    assert email.sent == [expected("https://profile.test/change-email/verify")]


async def test_uid_is_encoded_as_a_path_segment(
    delivery: EmailDelivery, email: InMemoryEmailSender
) -> None:
    await run(delivery, {**PAYLOAD, "uid": "a/b c"})

    assert email.sent[0].personalisation["returnUrl"] == (
        "https://profile.test/change-email/a%2Fb%20c/verify"
    )


async def test_names_not_sent_are_left_out(
    delivery: EmailDelivery, email: InMemoryEmailSender
) -> None:
    await run(delivery, {"email": "new@example.com", "code": "XYZ789"})

    assert email.sent[0].personalisation == {
        "email": "new@example.com",
        "code": "XYZ789",
        "returnUrl": "https://profile.test/change-email/verify",
        "helpUrl": "https://help.test",
    }


@pytest.mark.parametrize("code", [None, ""])
def test_a_payload_without_code_is_refused(code: str | None) -> None:
    with pytest.raises(InvalidPayload, match="invalid payload: code: "):
        parse(SendChangeEmailVerification, {**PAYLOAD, "code": code})
