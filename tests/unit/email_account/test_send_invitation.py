"""``invitation_v2`` (docs/email-jobs.md#invitation_v2)."""

from typing import Any

import pytest

from adapters.memory.email import InMemoryEmailSender
from domain.errors import InvalidPayload
from domain.model import EmailMessage, EmailSettings
from domain.use_cases.email.delivery import EmailDelivery
from domain.use_cases.email.send_invitation import SendInvitation, SendInvitationUseCase
from tests.unit.support import LINKS, job, parse

QUEUE = "invitation_v2"
ENTRA_ON = EmailSettings(use_entra_for_account_registration=True)
ENTRA_OFF = EmailSettings(use_entra_for_account_registration=False)
PAYLOAD: dict[str, Any] = {
    "email": "jo@example.com",
    "firstName": "Jo",
    "lastName": "Bloggs",
    "invitationId": "inv-1",
    "code": "ABC123",
}
COMMON = {
    "firstName": "Jo",
    "lastName": "Bloggs",
    "email": "jo@example.com",
    "customMessage": "",
    "isApprover": False,
    "returnUrl": "https://interactions.test/register/inv-1?id=email",
    "helpUrl": "https://help.test",
}


async def run(
    delivery: EmailDelivery, settings: EmailSettings, data: dict[str, Any]
) -> dict[str, int]:
    use_case = SendInvitationUseCase(delivery=delivery, links=LINKS, settings=settings)
    return await use_case(parse(SendInvitation, data), job(QUEUE))


def expected(template: str, plain_text: tuple[str, ...], **extra: Any) -> EmailMessage:
    return EmailMessage(
        template_key=template,
        recipient="jo@example.com",
        personalisation={**COMMON, **extra},
        reference=f"{QUEUE}:42:0",
        plain_text_fields=plain_text,
    )


async def test_entra_self_registration_sends_nothing(
    delivery: EmailDelivery, email: InMemoryEmailSender
) -> None:
    assert await run(delivery, ENTRA_ON, {**PAYLOAD, "selfInvoked": True}) == {
        "sent": 0,
        "skipped": 0,
    }
    assert email.sent == []


async def test_entra_invitation_has_the_default_subject_and_no_code(
    delivery: EmailDelivery, email: InMemoryEmailSender
) -> None:
    await run(delivery, ENTRA_ON, {**PAYLOAD, "code": None, "orgName": "Acme Academy"})

    assert email.sent == [
        expected(
            "inviteNewUserEntra",
            ("firstName", "lastName", "reason"),
            reason=" for Acme Academy",
            subject="You\u2019ve been invited to join DfE Sign-in",
        )
    ]


async def test_entra_invitation_with_custom_subject_and_body(
    delivery: EmailDelivery, email: InMemoryEmailSender
) -> None:
    data = {
        **PAYLOAD,
        "overrides": {"subject": "Join us", "body": "Welcome aboard"},
        "approverEmail": "ann@example.com",
        "orgName": "Acme Academy",
        "isApprover": True,
    }

    await run(delivery, ENTRA_ON, data)

    assert email.sent == [
        expected(
            "inviteNewUserEntra",
            ("firstName", "lastName", "reason"),
            customMessage="Welcome aboard",
            isApprover=True,
            reason=" by ann@example.com at Acme Academy",
            subject="Join us",
        )
    ]


LINKED_BODY = "Read [our guide](https://rp.example.org/guide) first."


@pytest.mark.parametrize("entra", [ENTRA_ON, ENTRA_OFF])
async def test_relying_party_wording_reaches_notify_unsanitised_by_default(
    delivery: EmailDelivery, email: InMemoryEmailSender, entra: EmailSettings
) -> None:
    data = {**PAYLOAD, "overrides": {"subject": "Join https://rp.example.org", "body": LINKED_BODY}}

    await run(delivery, entra, data)

    (sent,) = email.sent
    assert sent.personalisation["customMessage"] == LINKED_BODY
    assert sent.personalisation["subject"] == "Join https://rp.example.org"
    assert sent.plain_text_fields == ("firstName", "lastName", "reason")


async def test_a_setting_sanitises_the_relying_party_wording_too(
    delivery: EmailDelivery, email: InMemoryEmailSender
) -> None:
    settings = EmailSettings(sanitise_invitation_overrides=True)
    data = {**PAYLOAD, "overrides": {"subject": "Join us", "body": LINKED_BODY}}

    await run(delivery, settings, data)

    assert email.sent[0].plain_text_fields == (
        "firstName", "lastName", "reason", "customMessage", "subject",
    )  # fmt: skip


async def test_names_and_service_name_stay_sanitised(
    delivery: EmailDelivery, email: InMemoryEmailSender
) -> None:
    data = {**PAYLOAD, "firstName": "[Jo](https://evil.example)", "selfInvoked": True}

    await run(delivery, ENTRA_OFF, {**data, "serviceName": "Teacher services"})

    assert email.sent[0].plain_text_fields == ("firstName", "lastName", "serviceName")


async def test_self_registration_sends_the_code(
    delivery: EmailDelivery, email: InMemoryEmailSender
) -> None:
    data = {**PAYLOAD, "selfInvoked": True, "serviceName": "Teacher services"}

    await run(delivery, ENTRA_OFF, data)

    assert email.sent == [
        expected(
            "selfRegisterNewAccount",
            ("firstName", "lastName", "serviceName"),
            serviceName="Teacher services",
            code="ABC123",
        )
    ]


async def test_invitation_has_code_reason_and_default_subject(
    delivery: EmailDelivery, email: InMemoryEmailSender
) -> None:
    await run(delivery, ENTRA_OFF, {**PAYLOAD, "approverEmail": "ann@example.com"})

    assert email.sent == [
        expected(
            "inviteNewUser",
            ("firstName", "lastName", "reason"),
            code="ABC123",
            reason="",
            subject="ABC123 is your DfE Sign-in verification code",
        )
    ]


async def test_every_code_placeholder_in_a_custom_subject_is_replaced(
    delivery: EmailDelivery, email: InMemoryEmailSender
) -> None:
    subject = "((VERIFICATION CODE)) is your code - ((VERIFICATION CODE))"

    await run(delivery, ENTRA_OFF, {**PAYLOAD, "overrides": {"subject": subject, "body": None}})

    assert email.sent[0].personalisation["subject"] == "ABC123 is your code - ABC123"
    assert email.sent[0].personalisation["customMessage"] == ""


@pytest.mark.parametrize(
    ("flags", "self_invoked", "is_approver"),
    [
        ({"selfInvoked": "false", "isApprover": 1}, True, True),
        ({"selfInvoked": 0, "isApprover": ""}, False, False),
        ({"selfInvoked": None, "isApprover": []}, False, True),
    ],
)
async def test_flags_follow_javascript_truthiness(
    delivery: EmailDelivery,
    email: InMemoryEmailSender,
    flags: dict[str, Any],
    self_invoked: bool,
    is_approver: bool,
) -> None:
    await run(delivery, ENTRA_OFF, {**PAYLOAD, **flags})

    template = "selfRegisterNewAccount" if self_invoked else "inviteNewUser"
    assert email.sent[0].template_key == template
    assert email.sent[0].personalisation["isApprover"] is is_approver


async def test_invitation_id_is_encoded_as_a_path_segment(
    delivery: EmailDelivery, email: InMemoryEmailSender
) -> None:
    await run(delivery, ENTRA_OFF, {**PAYLOAD, "invitationId": "a/b?c"})

    assert email.sent[0].personalisation["returnUrl"] == (
        "https://interactions.test/register/a%2Fb%3Fc?id=email"
    )


@pytest.mark.parametrize("self_invoked", [True, False])
@pytest.mark.parametrize("code", [None, ""])
async def test_without_entra_a_missing_code_fails_naming_the_field(
    delivery: EmailDelivery, email: InMemoryEmailSender, self_invoked: bool, code: str | None
) -> None:
    with pytest.raises(InvalidPayload, match="invalid payload: code: "):
        await run(delivery, ENTRA_OFF, {**PAYLOAD, "code": code, "selfInvoked": self_invoked})
    assert email.sent == []


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({k: v for k, v in PAYLOAD.items() if k != "invitationId"}, "invitationId"),
        ({**PAYLOAD, "overrides": {"subject": 5}}, "overrides.subject"),
    ],
)
def test_unusable_payload_is_refused_naming_the_field(data: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidPayload, match=f"invalid payload: {field}: "):
        parse(SendInvitation, data)
