"""The ``EmailSender`` contract, run against the fake, Notify (via the stand-in) and the outbox."""

import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from adapters.memory.email import InMemoryEmailSender
from adapters.notify.email_sender import NotifyEmailSender
from adapters.outbox.email_sender import OutboxEmailSender
from domain.errors import TemplateNotConfigured
from domain.model import EmailMessage
from ports.email import EmailSender
from tests.support.notify_stand_in import running_notify_stand_in

pytestmark = pytest.mark.real

TEMPLATES = {
    "inviteNewUser": "9d751e0e-f929-4891-82a1-a3e1c3c18ee3",
    "verifyPasswordResetRequest": "2c6a2d4b-3b0e-4a8e-9d6f-1f0f3c2b7a11",
    "supportRequestOverdue": "",
}
"""``supportRequestOverdue`` is present but empty: as good as missing (the original tests truth)."""

AWKWARD_PERSONALISATION: dict[str, Any] = {
    "firstName": "Zoë",
    "lastName": "O\u2019Brien-Ñúñez 👩‍👩‍👧",
    "services": ["Key stage 2 — tests", "中文服务", "خدمة"],
    "approvers": [{"name": "Ada", "active": True}, None, {"tags": []}],
    "isApprover": True,
    "hasOrganisation": False,
    "orgName": None,
    "code": "ABC123",
    "separators": "line\u2028paragraph\u2029end",
    "count": 3,
}


@dataclass(frozen=True)
class Delivered:
    """What reached the recipient, in the backend's own record, in terms every backend shares."""

    template_id: str
    email_address: str
    personalisation: dict[str, Any]
    reference: str | None
    plain_text_fields: tuple[str, ...]


@dataclass(frozen=True)
class Backend:
    sender: EmailSender
    delivered: Callable[[], list[Delivered]]
    attempts: Callable[[], int]
    """Sends that left the sender, accepted or not (for Notify: requests the stand-in received)."""


def _memory() -> Backend:
    fake = InMemoryEmailSender(templates=TEMPLATES)

    def delivered() -> list[Delivered]:
        return [
            Delivered(
                TEMPLATES[message.template_key],
                message.recipient,
                dict(message.personalisation),
                message.reference,
                message.plain_text_fields,
            )
            for message in fake.sent
        ]

    return Backend(fake, delivered, lambda: len(fake.sent))


def _outbox(path: Path) -> Backend:
    def delivered() -> list[Delivered]:
        if not path.exists():
            return []
        lines = [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line]
        return [
            Delivered(
                line["template_id"],
                line["email_address"],
                line["personalisation"],
                line["reference"],
                tuple(line["sanitise_content_for"]),
            )
            for line in lines
        ]

    sender = OutboxEmailSender(path=path, templates=TEMPLATES)
    return Backend(sender, delivered, lambda: len(delivered()))


@pytest.fixture(params=["memory", "notify", "outbox"])
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Backend]:
    if request.param == "memory":
        yield _memory()
    elif request.param == "outbox":
        yield _outbox(tmp_path / "outbox.jsonl")
    else:
        async with running_notify_stand_in() as (stand_in, base_url):
            sender = NotifyEmailSender(
                api_key=SecretStr(stand_in.api_key.value),
                base_url=base_url,
                templates=TEMPLATES,
                timeout_s=5.0,
            )

            def delivered() -> list[Delivered]:
                return [
                    Delivered(
                        email.body["template_id"],
                        email.body["email_address"],
                        email.body.get("personalisation", {}),
                        email.body.get("reference"),
                        tuple(email.body.get("sanitise_content_for", [])),
                    )
                    for email in stand_in.accepted
                ]

            try:
                yield Backend(sender, delivered, lambda: stand_in.received)
            finally:
                sender.close()


def invitation(**changes: Any) -> EmailMessage:
    fields: dict[str, Any] = {
        "template_key": "inviteNewUser",
        "recipient": "zoe.obrien@example.com",
        "personalisation": AWKWARD_PERSONALISATION,
        "reference": "invitation_v2:1234:0",
        "plain_text_fields": ("firstName", "lastName"),
    }
    return EmailMessage(**(fields | changes))


async def test_send_returns_a_distinct_id_per_message(backend: Backend) -> None:
    first = await backend.sender.send(invitation())
    second = await backend.sender.send(invitation(reference="invitation_v2:1234:1"))

    assert isinstance(first, str)
    assert first
    assert second
    assert first != second


async def test_message_reaches_the_recipient_intact(backend: Backend) -> None:
    await backend.sender.send(invitation())

    assert backend.delivered() == [
        Delivered(
            template_id=TEMPLATES["inviteNewUser"],
            email_address="zoe.obrien@example.com",
            personalisation=AWKWARD_PERSONALISATION,
            reference="invitation_v2:1234:0",
            plain_text_fields=("firstName", "lastName"),
        )
    ]


async def test_messages_arrive_in_order_each_with_its_own_template(backend: Backend) -> None:
    await backend.sender.send(invitation())
    await backend.sender.send(
        EmailMessage(
            template_key="verifyPasswordResetRequest",
            recipient="ada@example.org",
            personalisation={"code": "XYZ789"},
        )
    )

    delivered = backend.delivered()
    assert [item.template_id for item in delivered] == [
        TEMPLATES["inviteNewUser"],
        TEMPLATES["verifyPasswordResetRequest"],
    ]
    assert delivered[1] == Delivered(
        TEMPLATES["verifyPasswordResetRequest"], "ada@example.org", {"code": "XYZ789"}, None, ()
    )


async def test_was_sent_knows_exactly_the_references_sent(backend: Backend) -> None:
    assert await backend.sender.was_sent("invitation_v2:1234:0") is False

    await backend.sender.send(invitation())
    await backend.sender.send(invitation(reference=None))

    assert await backend.sender.was_sent("invitation_v2:1234:0") is True
    assert await backend.sender.was_sent("invitation_v2:1234:1") is False
    assert await backend.sender.was_sent("invitation_v2:1234") is False
    assert await backend.sender.was_sent("invitation_v2:1234:0:0") is False


@pytest.mark.parametrize("unknown", ["noSuchTemplate", "supportRequestOverdue"])
async def test_require_templates_names_the_unknown_key(backend: Backend, unknown: str) -> None:
    backend.sender.require_templates(["inviteNewUser", "verifyPasswordResetRequest"])

    with pytest.raises(TemplateNotConfigured) as caught:
        backend.sender.require_templates(["inviteNewUser", unknown])

    assert caught.value.template_key == unknown
    assert str(caught.value) == f"Invalid notify email template name '{unknown}'."
    assert backend.attempts() == 0


@pytest.mark.parametrize("unknown", ["noSuchTemplate", "supportRequestOverdue"])
async def test_send_with_an_unknown_template_sends_nothing(backend: Backend, unknown: str) -> None:
    with pytest.raises(TemplateNotConfigured):
        await backend.sender.send(invitation(template_key=unknown))

    assert backend.attempts() == 0


async def test_notify_sender_returns_the_id_notify_gave_and_authenticates() -> None:
    async with running_notify_stand_in() as (stand_in, base_url):
        sender = NotifyEmailSender(
            api_key=SecretStr(stand_in.api_key.value), base_url=base_url, templates=TEMPLATES
        )
        try:
            notification_id = await sender.send(invitation(plain_text_fields=()))
        finally:
            sender.close()

    (accepted,) = stand_in.accepted
    assert notification_id == accepted.notification_id
    assert "sanitise_content_for" not in accepted.body
    assert accepted.user_agent.startswith("NOTIFY-API-PYTHON-CLIENT/")
    assert stand_in.received == 1


async def test_outbox_returns_the_id_it_wrote(tmp_path: Path) -> None:
    outbox = OutboxEmailSender(path=tmp_path / "outbox.jsonl", templates=TEMPLATES)

    notification_id = await outbox.send(invitation())

    (line,) = outbox.path.read_text(encoding="utf-8").rstrip("\n").split("\n")
    assert json.loads(line)["id"] == notification_id
    assert json.loads(line)["template_key"] == "inviteNewUser"
