"""``service_request_outcome_to_approvers`` and ``sub_service_request_outcome_to_approvers``: the
other approvers hear the decision (docs/email-jobs.md#service_request_outcome_to_approvers,
#sub_service_request_outcome_to_approvers)."""

from dataclasses import dataclass
from typing import Any

import pytest

from adapters.memory.directories import InMemoryDirectories
from adapters.memory.email import InMemoryEmailSender
from adapters.memory.state_store import InMemoryDeliveryLog
from domain.errors import InvalidPayload, TemplateNotConfigured, UpstreamUnavailable
from domain.model import EmailMessage
from domain.use_cases.approvers.outcome import (
    SERVICE_REQUEST_OUTCOME,
    SUB_SERVICE_REQUEST_OUTCOME,
    NotifyApproversOfOutcomeUseCase,
    NotifyApproversOfServiceRequestOutcome,
    NotifyApproversOfSubServiceRequestOutcome,
    OutcomeEmails,
    OutcomeToApprovers,
)
from domain.use_cases.email.delivery import EmailDelivery
from tests.unit.email_services.support import ORG_ID, add_approver, recipients
from tests.unit.support import LINKS, job, parse

ROLES = ["Reader", "Editor"]
DECISION = {
    "orgId": ORG_ID,
    "approverUserId": "actor",
    "endUserName": "Jo Bloggs",
    "endUserEmail": "jo@example.com",
    "orgName": "Acme School",
    "requestedSubServices": ROLES,
}


@dataclass(frozen=True)
class Case:
    queue: str
    command: type[OutcomeToApprovers]
    emails: OutcomeEmails
    service: dict[str, str]
    approved_template: str
    rejected_template: str


CASES = [
    Case(
        "service_request_outcome_to_approvers",
        NotifyApproversOfServiceRequestOutcome,
        SERVICE_REQUEST_OUTCOME,
        {"requestedServiceName": "Key to Success"},
        "userRequestForServiceApprovedToApprovers",
        "userRequestForServiceRejectedToApprovers",
    ),
    Case(
        "sub_service_request_outcome_to_approvers",
        NotifyApproversOfSubServiceRequestOutcome,
        SUB_SERVICE_REQUEST_OUTCOME,
        {"serviceName": "Key to Success"},
        "userRequestForSubServicesApprovedToApprovers",
        "userRequestForSubServicesRejectedToApprovers",
    ),
]
IDS = [case.queue for case in CASES]


def build(
    case: Case, delivery: EmailDelivery, directories: InMemoryDirectories
) -> NotifyApproversOfOutcomeUseCase:
    return NotifyApproversOfOutcomeUseCase(
        emails=case.emails,
        delivery=delivery,
        links=LINKS,
        organisations=directories,
        users=directories,
    )


def expected(case: Case, user: str, template: str, **reason: Any) -> EmailMessage:
    return EmailMessage(
        template_key=template,
        recipient=f"{user}@example.com",
        personalisation={
            "approverFirstName": f"First {user}",
            "approverLastName": f"Last {user}",
            "endUserName": "Jo Bloggs",
            "endUserEmail": "jo@example.com",
            "orgName": "Acme School",
            **case.service,
            "requestedSubServices": ROLES,
            **reason,
            "helpUrl": "https://help.test/contact-us",
        },
        reference=f"{case.queue}:42:{user}",
        plain_text_fields=(
            "endUserName",
            "approverFirstName",
            "approverLastName",
            "orgName",
            "reason",
            *case.service,
        ),
    )


@pytest.fixture
def approvers(directories: InMemoryDirectories) -> InMemoryDirectories:
    """``actor`` decided; ``a-1`` and ``a-3`` are active; ``a-2`` is deactivated."""
    for user in ("a-1", "actor", "a-2", "a-3"):
        add_approver(directories, user, status=0 if user == "a-2" else 1)
    return directories


@pytest.mark.parametrize("case", CASES, ids=IDS)
async def test_approval_goes_to_the_other_active_approvers(
    case: Case,
    delivery: EmailDelivery,
    email: InMemoryEmailSender,
    approvers: InMemoryDirectories,
) -> None:
    payload = {**DECISION, **case.service, "approved": True, "reason": "ignored when approved"}

    result = await build(case, delivery, approvers)(parse(case.command, payload), job(case.queue))

    assert email.sent == [
        expected(case, user, case.approved_template, showReasonHeader=False, reason="")
        for user in ("a-1", "a-3")
    ]
    assert result == {"sent": 2, "skipped": 0}


@pytest.mark.parametrize("case", CASES, ids=IDS)
@pytest.mark.parametrize("approved", [False, "true", None, "absent"])
async def test_anything_but_boolean_true_is_a_rejection(
    case: Case,
    delivery: EmailDelivery,
    email: InMemoryEmailSender,
    approvers: InMemoryDirectories,
    approved: Any,
) -> None:
    payload = {**DECISION, **case.service, "reason": "  Not needed  "}
    if approved != "absent":
        payload["approved"] = approved

    await build(case, delivery, approvers)(parse(case.command, payload), job(case.queue))

    assert email.sent == [
        expected(case, user, case.rejected_template, showReasonHeader=True, reason="Not needed")
        for user in ("a-1", "a-3")
    ]


@pytest.mark.parametrize("case", CASES, ids=IDS)
async def test_the_acting_approver_is_excluded_whatever_the_case(
    case: Case, delivery: EmailDelivery, email: InMemoryEmailSender, approvers: InMemoryDirectories
) -> None:
    approvers.approvers[ORG_ID] = [user.lower() for user in approvers.approvers[ORG_ID]]
    payload = {**DECISION, **case.service, "approverUserId": "ACTOR", "approved": True}

    await build(case, delivery, approvers)(parse(case.command, payload), job(case.queue))

    assert recipients(email.sent) == ["a-1@example.com", "a-3@example.com"]


@pytest.mark.parametrize("case", CASES, ids=IDS)
async def test_newer_producers_field_names_are_accepted(
    case: Case, delivery: EmailDelivery, email: InMemoryEmailSender, approvers: InMemoryDirectories
) -> None:
    payload = {
        "organisationId": ORG_ID,
        "approverUserId": "actor",
        "name": "Jo Bloggs",
        "email": "jo@example.com",
        "orgName": "Acme School",
        "requestedSubServices": ROLES,
        "approved": True,
        **case.service,
    }

    await build(case, delivery, approvers)(parse(case.command, payload), job(case.queue))

    assert email.sent == [
        expected(case, user, case.approved_template, showReasonHeader=False, reason="")
        for user in ("a-1", "a-3")
    ]


@pytest.mark.parametrize("case", CASES, ids=IDS)
async def test_nobody_left_to_tell_is_a_success(
    case: Case,
    delivery: EmailDelivery,
    email: InMemoryEmailSender,
    directories: InMemoryDirectories,
) -> None:
    add_approver(directories, "actor")
    add_approver(directories, "a-2", status=0)

    result = await build(case, delivery, directories)(
        parse(case.command, {**DECISION, "approved": True}), job(case.queue)
    )

    assert email.sent == []
    assert result == {"sent": 0, "skipped": 0}


@pytest.mark.parametrize("case", CASES, ids=IDS)
async def test_absent_fields_are_left_out_and_nulls_kept(
    case: Case, delivery: EmailDelivery, email: InMemoryEmailSender, approvers: InMemoryDirectories
) -> None:
    payload = {"orgId": ORG_ID, "approverUserId": "actor", "orgName": None}

    await build(case, delivery, approvers)(parse(case.command, payload), job(case.queue))

    assert email.sent[0].personalisation == {
        "approverFirstName": "First a-1",
        "approverLastName": "Last a-1",
        "orgName": None,
        "showReasonHeader": False,
        "reason": "",
        "helpUrl": "https://help.test/contact-us",
    }


@pytest.mark.parametrize("case", CASES, ids=IDS)
async def test_a_retry_after_two_of_five_emails_only_the_other_three(
    case: Case, directories: InMemoryDirectories, delivery_log: InMemoryDeliveryLog
) -> None:
    add_approver(directories, "actor")
    for index in range(1, 6):
        add_approver(directories, f"a-{index}")
    email = InMemoryEmailSender(fail_with=UpstreamUnavailable("Notify 503"), fail_after=2)
    use_case = build(case, EmailDelivery(email=email, delivery_log=delivery_log), directories)
    command = parse(case.command, {**DECISION, **case.service, "approved": True})

    with pytest.raises(UpstreamUnavailable):
        await use_case(command, job(case.queue))
    email.fail_with = None
    result = await use_case(command, job(case.queue))

    assert recipients(email.sent) == [f"a-{index}@example.com" for index in range(1, 6)]
    assert result == {"sent": 3, "skipped": 2}


@pytest.mark.parametrize("case", CASES, ids=IDS)
async def test_a_missing_template_sends_nothing(
    case: Case, approvers: InMemoryDirectories, delivery_log: InMemoryDeliveryLog
) -> None:
    email = InMemoryEmailSender(templates={case.approved_template: "id"})
    delivery = EmailDelivery(email=email, delivery_log=delivery_log)

    with pytest.raises(TemplateNotConfigured, match=case.rejected_template):
        await build(case, delivery, approvers)(
            parse(case.command, {**DECISION, "approved": False}), job(case.queue)
        )
    assert email.sent == []


@pytest.mark.parametrize("case", CASES, ids=IDS)
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"approverUserId": None}, "approverUserId: Input should be a valid string"),
        ({"approverUserId": ""}, "approverUserId: String should have at least 1 character"),
        ({"orgId": None}, "orgId: Input should be a valid string"),
        ({"reason": 12}, "reason: Input should be a valid string"),
    ],
)
def test_unusable_payloads_are_refused_by_name(
    case: Case, change: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidPayload, match=message):
        parse(case.command, {**DECISION, **change})


@pytest.mark.parametrize("case", CASES, ids=IDS)
@pytest.mark.parametrize("missing", ["approverUserId", "orgId"])
def test_missing_ids_are_refused_by_name(case: Case, missing: str) -> None:
    payload = {k: v for k, v in DECISION.items() if k != missing}

    with pytest.raises(InvalidPayload, match=f"{missing}: Field required"):
        parse(case.command, payload)
