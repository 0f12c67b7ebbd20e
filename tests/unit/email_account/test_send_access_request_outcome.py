"""``accessrequest_v1`` (docs/email-jobs.md#accessrequest_v1)."""

from typing import Any

import pytest

from adapters.memory.email import InMemoryEmailSender
from domain.errors import InvalidPayload
from domain.model import EmailMessage
from domain.use_cases.email.delivery import EmailDelivery
from domain.use_cases.email.send_access_request_outcome import (
    SendAccessRequestOutcome,
    SendAccessRequestOutcomeUseCase,
)
from tests.unit.support import LINKS, job, parse

QUEUE = "accessrequest_v1"
PAYLOAD = {"email": "jo@example.com", "name": "Jo Bloggs", "orgName": "Acme Academy"}


def expected(template: str, **personalisation: Any) -> EmailMessage:
    return EmailMessage(
        template_key=template,
        recipient="jo@example.com",
        personalisation={
            "orgName": "Acme Academy",
            "name": "Jo Bloggs",
            **personalisation,
            "servicesUrl": "https://services.test",
            "helpUrl": "https://help.test/contact-us",
        },
        reference="accessrequest_v1:42:0",
        plain_text_fields=("orgName", "name", "reason"),
    )


async def run(delivery: EmailDelivery, data: dict[str, Any]) -> dict[str, int]:
    use_case = SendAccessRequestOutcomeUseCase(delivery=delivery, links=LINKS)
    return await use_case(parse(SendAccessRequestOutcome, data), job(QUEUE))


async def test_approved_hides_any_reason(
    delivery: EmailDelivery, email: InMemoryEmailSender
) -> None:
    result = await run(delivery, {**PAYLOAD, "approved": True, "reason": "ignored"})

    assert result == {"sent": 1, "skipped": 0}
    assert email.sent == [
        expected("userRequestForOrganisationAccessApproved", showReasonHeader=False, reason="")
    ]


async def test_rejected_shows_the_trimmed_reason(
    delivery: EmailDelivery, email: InMemoryEmailSender
) -> None:
    await run(delivery, {**PAYLOAD, "approved": False, "reason": "  Not one of ours \n"})

    assert email.sent == [
        expected(
            "userRequestForOrganisationAccessRejected",
            showReasonHeader=True,
            reason="Not one of ours",
        )
    ]


@pytest.mark.parametrize("approved", ["true", 1, None])
async def test_only_the_boolean_true_approves(
    delivery: EmailDelivery, email: InMemoryEmailSender, approved: object
) -> None:
    await run(delivery, {**PAYLOAD, "approved": approved})

    assert [message.template_key for message in email.sent] == [
        "userRequestForOrganisationAccessRejected"
    ]


@pytest.mark.parametrize("reason", [None, "   "])
async def test_rejected_without_reason_shows_no_header(
    delivery: EmailDelivery, email: InMemoryEmailSender, reason: str | None
) -> None:
    await run(delivery, {**PAYLOAD, "approved": False, "reason": reason})

    assert email.sent == [
        expected("userRequestForOrganisationAccessRejected", showReasonHeader=False, reason="")
    ]


async def test_fields_not_sent_are_left_out_and_nulls_kept(
    delivery: EmailDelivery, email: InMemoryEmailSender
) -> None:
    await run(delivery, {"email": "jo@example.com", "name": None, "approved": True})

    assert email.sent[0].personalisation == {
        "name": None,
        "showReasonHeader": False,
        "reason": "",
        "servicesUrl": "https://services.test",
        "helpUrl": "https://help.test/contact-us",
    }
    assert email.sent[0].plain_text_fields == ("reason",)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "Jo", "approved": True}, "email"),
        ({**PAYLOAD, "email": "  "}, "email"),
        ({**PAYLOAD, "approved": False, "reason": 7}, "reason"),
    ],
)
def test_unusable_payload_is_refused_naming_the_field(data: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidPayload, match=f"invalid payload: {field}: "):
        parse(SendAccessRequestOutcome, data)
