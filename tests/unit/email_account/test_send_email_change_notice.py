"""``notifychangeemail_v1`` (docs/email-jobs.md#notifychangeemail_v1)."""

import pytest

from adapters.memory.email import InMemoryEmailSender
from domain.errors import InvalidPayload
from domain.model import EmailMessage
from domain.use_cases.email.delivery import EmailDelivery
from domain.use_cases.email.send_email_change_notice import (
    SendEmailChangeNotice,
    SendEmailChangeNoticeUseCase,
)
from tests.unit.support import LINKS, job, parse

QUEUE = "notifychangeemail_v1"


async def test_the_old_address_is_told_the_new_one(
    delivery: EmailDelivery, email: InMemoryEmailSender
) -> None:
    data = {
        "email": "old@example.com",
        "firstName": "Jo",
        "lastName": "Bloggs",
        "newEmail": "new@example.com",
    }
    use_case = SendEmailChangeNoticeUseCase(delivery=delivery, links=LINKS)

    await use_case(parse(SendEmailChangeNotice, data), job(QUEUE))

    assert email.sent == [
        EmailMessage(
            template_key="notifyChangeEmailAddress",
            recipient="old@example.com",
            personalisation={
                "firstName": "Jo",
                "lastName": "Bloggs",
                "newEmail": "new@example.com",
                "profileUrl": "https://profile.test",
                "helpUrl": "https://help.test",
            },
            reference=f"{QUEUE}:42:0",
            plain_text_fields=("firstName", "lastName"),
        )
    ]


async def test_fields_not_sent_are_left_out(
    delivery: EmailDelivery, email: InMemoryEmailSender
) -> None:
    use_case = SendEmailChangeNoticeUseCase(delivery=delivery, links=LINKS)

    await use_case(
        parse(SendEmailChangeNotice, {"email": "old@example.com", "lastName": None}), job(QUEUE)
    )

    assert email.sent[0].personalisation == {
        "lastName": None,
        "profileUrl": "https://profile.test",
        "helpUrl": "https://help.test",
    }


def test_a_non_text_new_address_is_refused() -> None:
    with pytest.raises(InvalidPayload, match="invalid payload: newEmail: "):
        parse(SendEmailChangeNotice, {"email": "old@example.com", "newEmail": ["x"]})
