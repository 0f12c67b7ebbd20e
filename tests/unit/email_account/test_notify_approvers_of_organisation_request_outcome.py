"""``organisation_request_outcome_to_approvers``
(docs/email-jobs.md#organisation_request_outcome_to_approvers)."""

from typing import Any

import pytest

from adapters.memory.directories import InMemoryDirectories
from adapters.memory.email import InMemoryEmailSender
from adapters.memory.state_store import InMemoryDeliveryLog
from domain.errors import InvalidPayload, TemplateNotConfigured, UpstreamUnavailable
from domain.model import EmailMessage, PlatformLinks
from domain.use_cases.approvers.outcome import (
    ORGANISATION_REQUEST_OUTCOME,
    NotifyApproversOfOrganisationRequestOutcome,
    NotifyApproversOfOutcomeUseCase,
)
from domain.use_cases.email.delivery import EmailDelivery
from tests.unit.support import LINKS, job, parse

QUEUE = "organisation_request_outcome_to_approvers"
APPROVED = "userRequestForOrganisationAccessApprovedToApprovers"
REJECTED = "userRequestForOrganisationAccessRejectedToApprovers"
PAYLOAD: dict[str, Any] = {
    "orgId": "org-1",
    "approverUserId": "actor-1",
    "endUserName": "Jo Bloggs",
    "endUserEmail": "jo@example.com",
    "orgName": "Acme Academy",
    "approved": True,
}
PLAIN_TEXT = ("approverFirstName", "approverLastName", "endUserName", "orgName", "reason")


def user(sub: str, first: str, status: int = 1) -> dict[str, Any]:
    return {
        "sub": sub,
        "given_name": first,
        "family_name": "Smith",
        "email": f"{first.lower()}@example.com",
        "status": status,
    }


@pytest.fixture
def directories() -> InMemoryDirectories:
    return InMemoryDirectories(
        approvers={"org-1": ["ACTOR-1", "APPROVER-1", "APPROVER-2", "APPROVER-3"]},
        users={
            "actor-1": user("actor-1", "Ada"),
            "approver-1": user("approver-1", "Ann"),
            "approver-2": user("approver-2", "Bob", status=0),
            "approver-3": user("approver-3", "Cat"),
        },
    )


def expected(template: str, sub: str, first: str, **overrides: Any) -> EmailMessage:
    return EmailMessage(
        template_key=template,
        recipient=f"{first.lower()}@example.com",
        personalisation={
            "approverFirstName": first,
            "approverLastName": "Smith",
            "endUserName": "Jo Bloggs",
            "endUserEmail": "jo@example.com",
            "orgName": "Acme Academy",
            "showReasonHeader": False,
            "reason": "",
            "helpUrl": "https://help.test/contact-us",
            **overrides,
        },
        reference=f"{QUEUE}:42:{sub}",
        plain_text_fields=PLAIN_TEXT,
    )


async def run(
    delivery: EmailDelivery,
    directories: InMemoryDirectories,
    data: dict[str, Any],
    links: PlatformLinks = LINKS,
) -> dict[str, int]:
    use_case = NotifyApproversOfOutcomeUseCase(
        emails=ORGANISATION_REQUEST_OUTCOME,
        delivery=delivery,
        links=links,
        organisations=directories,
        users=directories,
    )
    return await use_case(parse(NotifyApproversOfOrganisationRequestOutcome, data), job(QUEUE))


async def test_approved_goes_to_the_other_active_approvers(
    delivery: EmailDelivery, email: InMemoryEmailSender, directories: InMemoryDirectories
) -> None:
    result = await run(delivery, directories, {**PAYLOAD, "reason": "ignored"})

    assert result == {"sent": 2, "skipped": 0}
    assert email.sent == [
        expected(APPROVED, "approver-1", "Ann"),
        expected(APPROVED, "approver-3", "Cat"),
    ]


async def test_rejected_carries_the_trimmed_reason(
    delivery: EmailDelivery, email: InMemoryEmailSender, directories: InMemoryDirectories
) -> None:
    await run(delivery, directories, {**PAYLOAD, "approved": "true", "reason": " Not known "})

    assert email.sent == [
        expected(REJECTED, sub, first, showReasonHeader=True, reason="Not known")
        for sub, first in (("approver-1", "Ann"), ("approver-3", "Cat"))
    ]


@pytest.mark.parametrize("actor", ["actor-1", "ACTOR-1", "Actor-1"])
async def test_the_acting_approver_is_left_out_whatever_the_case(
    delivery: EmailDelivery,
    email: InMemoryEmailSender,
    directories: InMemoryDirectories,
    actor: str,
) -> None:
    directories.approvers["org-1"] = ["actor-1", "approver-1"]

    await run(delivery, directories, {**PAYLOAD, "approverUserId": actor})

    assert [message.recipient for message in email.sent] == ["ann@example.com"]


async def test_nobody_left_is_success_without_email(
    delivery: EmailDelivery, email: InMemoryEmailSender, directories: InMemoryDirectories
) -> None:
    directories.approvers["org-1"] = ["ACTOR-1", "APPROVER-2"]
    no_help_site = PlatformLinks(services_url=LINKS.services_url, setting_names=LINKS.setting_names)

    assert await run(delivery, directories, PAYLOAD, no_help_site) == {"sent": 0, "skipped": 0}
    assert email.sent == []


async def test_newer_producer_field_names_are_accepted(
    delivery: EmailDelivery, email: InMemoryEmailSender, directories: InMemoryDirectories
) -> None:
    data = {
        "organisationId": "org-1",
        "approverUserId": "actor-1",
        "approved": True,
        "email": "jo@example.com",
        "name": "Jo Bloggs",
        "orgName": "Acme Academy",
    }

    await run(delivery, directories, data)

    assert email.sent[0] == expected(APPROVED, "approver-1", "Ann")


async def test_missing_optional_fields_are_left_out(
    delivery: EmailDelivery, email: InMemoryEmailSender, directories: InMemoryDirectories
) -> None:
    directories.users["approver-1"].pop("family_name")
    directories.approvers["org-1"] = ["approver-1"]

    await run(delivery, directories, {"orgId": "org-1", "approverUserId": "actor-1"})

    assert email.sent == [
        EmailMessage(
            template_key=REJECTED,
            recipient="ann@example.com",
            personalisation={
                "approverFirstName": "Ann",
                "showReasonHeader": False,
                "reason": "",
                "helpUrl": "https://help.test/contact-us",
            },
            reference=f"{QUEUE}:42:approver-1",
            plain_text_fields=("approverFirstName", "reason"),
        )
    ]


async def test_retry_after_partial_failure_emails_only_the_rest(
    delivery_log: InMemoryDeliveryLog, directories: InMemoryDirectories
) -> None:
    email = InMemoryEmailSender(fail_with=UpstreamUnavailable("Notify down"), fail_after=1)
    delivery = EmailDelivery(email=email, delivery_log=delivery_log)

    with pytest.raises(UpstreamUnavailable):
        await run(delivery, directories, PAYLOAD)
    email.fail_with = None

    assert await run(delivery, directories, PAYLOAD) == {"sent": 1, "skipped": 1}
    assert email.sent == [
        expected(APPROVED, "approver-1", "Ann"),
        expected(APPROVED, "approver-3", "Cat"),
    ]


async def test_missing_template_sends_nothing(
    delivery_log: InMemoryDeliveryLog, directories: InMemoryDirectories
) -> None:
    email = InMemoryEmailSender(templates={REJECTED: "id"})

    with pytest.raises(TemplateNotConfigured):
        await run(EmailDelivery(email=email, delivery_log=delivery_log), directories, PAYLOAD)
    assert email.sent == []


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({k: v for k, v in PAYLOAD.items() if k != "approverUserId"}, "approverUserId"),
        ({**PAYLOAD, "approverUserId": ""}, "approverUserId"),
        ({k: v for k, v in PAYLOAD.items() if k != "orgId"}, "orgId"),
        ({**PAYLOAD, "reason": ["no"]}, "reason"),
    ],
)
def test_unusable_payload_is_refused_naming_the_field(data: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidPayload, match=f"invalid payload: {field}: "):
        parse(NotifyApproversOfOrganisationRequestOutcome, data)
