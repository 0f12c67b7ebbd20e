"""``supportrequest_v1`` (docs/email-jobs.md#supportrequest_v1): one e-mail to the support mailbox,
never to the requester."""

from typing import Any

import pytest

from adapters.memory.email import InMemoryEmailSender
from adapters.memory.state_store import InMemoryDeliveryLog
from domain.errors import InvalidPayload, TemplateNotConfigured, UpstreamMisconfigured
from domain.model import EmailMessage, EmailSettings
from domain.use_cases.email.delivery import EmailDelivery
from domain.use_cases.email.send_support_request import (
    SendSupportRequest,
    SendSupportRequestUseCase,
)
from entrypoints.settings import setting_names
from tests.unit.support import LINKS, job, parse

SETTINGS = EmailSettings(support_email_address="support@servicenow.test")
QUEUE = "supportrequest_v1"
FULL = {
    "name": "Jo Bloggs",
    "email": "jo@example.com",
    "service": "Key to Success",
    "type": "Access to a service",
    "typeAdditionalInfo": "  cannot sign in \n",
    "orgName": "Acme School",
    "urn": "100001",
    "message": "Please help",
}


def use_case(delivery: EmailDelivery, settings: EmailSettings = SETTINGS) -> Any:
    return SendSupportRequestUseCase(delivery=delivery, links=LINKS, settings=settings)


async def test_sends_the_request_to_the_support_mailbox(
    delivery: EmailDelivery, email: InMemoryEmailSender
) -> None:
    result = await use_case(delivery)(parse(SendSupportRequest, FULL), job(QUEUE))

    assert email.sent == [
        EmailMessage(
            template_key="supportRequest",
            recipient="support@servicenow.test",
            personalisation={
                "name": "Jo Bloggs",
                "email": "jo@example.com",
                "orgName": "Acme School",
                "urn": "100001",
                "service": "Key to Success",
                "type": "Access to a service",
                "message": "Please help",
                "showAdditionalInfoHeader": True,
                "typeAdditionalInfo": "cannot sign in",
                "helpUrl": "https://help.test/contact-us",
            },
            reference="supportrequest_v1:42:0",
            plain_text_fields=("name", "orgName", "message", "typeAdditionalInfo", "service"),
        )
    ]
    assert result == {"sent": 1, "skipped": 0}


@pytest.mark.parametrize("blank", [None, "absent"])
async def test_optional_fields_default_to_empty_text(
    delivery: EmailDelivery, email: InMemoryEmailSender, blank: str | None
) -> None:
    optional = ("orgName", "urn", "service", "typeAdditionalInfo")
    payload = {k: v for k, v in FULL.items() if k not in optional}
    if blank is None:
        payload |= dict.fromkeys(optional)

    await use_case(delivery)(parse(SendSupportRequest, payload), job(QUEUE))

    assert email.sent[0].personalisation == {
        "name": "Jo Bloggs",
        "email": "jo@example.com",
        "orgName": "",
        "urn": "",
        "service": "",
        "type": "Access to a service",
        "message": "Please help",
        "showAdditionalInfoHeader": False,
        "typeAdditionalInfo": "",
        "helpUrl": "https://help.test/contact-us",
    }


async def test_the_escalation_from_organisationrequest_v1_is_accepted(
    delivery: EmailDelivery, email: InMemoryEmailSender
) -> None:
    payload = {
        "name": "Jo Bloggs",
        "email": "jo@example.com",
        "orgName": "Acme School",
        "urn": "",
        "message": "Organisation request for Acme School, no approvers exist. Request reason: x",
        "type": "Access to an organisation",
    }

    await use_case(delivery)(parse(SendSupportRequest, payload), job(QUEUE))

    assert email.sent[0].recipient == "support@servicenow.test"
    assert email.sent[0].personalisation["service"] == ""


async def test_without_a_support_address_the_job_fails_naming_the_variable(
    delivery: EmailDelivery, email: InMemoryEmailSender
) -> None:
    unset = EmailSettings(setting_names=setting_names("email"))
    with pytest.raises(UpstreamMisconfigured, match="NOTIF_SUPPORT_EMAIL_ADDRESS"):
        await use_case(delivery, unset)(parse(SendSupportRequest, FULL), job(QUEUE))
    assert email.sent == []


async def test_a_missing_template_sends_nothing(delivery_log: InMemoryDeliveryLog) -> None:
    email = InMemoryEmailSender(templates={"supportRequestOverdue": "id"})
    delivery = EmailDelivery(email=email, delivery_log=delivery_log)

    with pytest.raises(TemplateNotConfigured, match="supportRequest"):
        await use_case(delivery)(parse(SendSupportRequest, FULL), job(QUEUE))
    assert email.sent == []


async def test_a_retry_does_not_mail_the_desk_twice(
    delivery: EmailDelivery, email: InMemoryEmailSender
) -> None:
    command = parse(SendSupportRequest, FULL)
    await use_case(delivery)(command, job(QUEUE))

    assert await use_case(delivery)(command, job(QUEUE)) == {"sent": 0, "skipped": 1}
    assert len(email.sent) == 1


def test_non_text_additional_info_is_refused_by_name() -> None:
    with pytest.raises(InvalidPayload, match="invalid payload: typeAdditionalInfo"):
        parse(SendSupportRequest, {**FULL, "typeAdditionalInfo": ["a"]})
