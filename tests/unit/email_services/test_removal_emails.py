"""``userserviceremoved_v1`` and ``userremovedfromorganisationrequest_v1``: the removal e-mail,
then the best-effort ``userupdated_v1`` follow-up (docs/email-jobs.md#userserviceremoved_v1,
#userremovedfromorganisationrequest_v1)."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from pydantic import BaseModel

from adapters.memory.directories import InMemoryDirectories
from adapters.memory.email import InMemoryEmailSender
from adapters.memory.job_publisher import InMemoryJobPublisher, PublishedJob
from adapters.memory.state_store import InMemoryDeliveryLog
from domain.errors import InvalidPayload, TemplateNotConfigured, UpstreamUnavailable
from domain.model import EmailMessage, JobContext
from domain.use_cases.email.delivery import EmailDelivery
from domain.use_cases.email.notify_removed_from_organisation import (
    NotifyRemovedFromOrganisation,
    NotifyRemovedFromOrganisationUseCase,
)
from domain.use_cases.email.notify_service_removed import (
    NotifyServiceRemoved,
    NotifyServiceRemovedUseCase,
)
from domain.use_cases.email.removal_notice import RemovalNoticeSender
from tests.unit.support import LINKS, job, parse

Handler = Callable[[Any, JobContext], Awaitable[dict[str, int]]]
Builder = Callable[[EmailDelivery, InMemoryDirectories, InMemoryJobPublisher], Handler]


def removal_sender(
    delivery: EmailDelivery, directories: InMemoryDirectories, publisher: InMemoryJobPublisher
) -> RemovalNoticeSender:
    return RemovalNoticeSender(
        delivery=delivery, links=LINKS, users=directories, publisher=publisher
    )


USER = {"email": "Jo@Example.com", "firstName": "Jo", "lastName": "Bloggs", "orgName": "Acme"}


@dataclass(frozen=True)
class Case:
    queue: str
    command: type[BaseModel]
    build: Builder
    payload: dict[str, Any]
    expected: EmailMessage


CASES = [
    Case(
        "userserviceremoved_v1",
        NotifyServiceRemoved,
        lambda d, dirs, pub: NotifyServiceRemovedUseCase(sender=removal_sender(d, dirs, pub)),
        {**USER, "serviceName": "Key to Success"},
        EmailMessage(
            template_key="userServiceRemoved",
            recipient="Jo@Example.com",
            personalisation={
                "firstName": "Jo",
                "lastName": "Bloggs",
                "serviceName": "Key to Success",
                "orgName": "Acme",
                "signInUrl": "https://services.test",
                "helpUrl": "https://help.test/contact-us",
            },
            reference="userserviceremoved_v1:42:0",
            plain_text_fields=("firstName", "lastName", "orgName", "serviceName"),
        ),
    ),
    Case(
        "userremovedfromorganisationrequest_v1",
        NotifyRemovedFromOrganisation,
        lambda d, dirs, pub: NotifyRemovedFromOrganisationUseCase(
            sender=removal_sender(d, dirs, pub)
        ),
        USER,
        EmailMessage(
            template_key="userRemovedFromOrganisation",
            recipient="Jo@Example.com",
            personalisation={
                "firstName": "Jo",
                "lastName": "Bloggs",
                "orgName": "Acme",
                "signInUrl": "https://services.test",
                "helpUrl": "https://help.test/contact-us",
            },
            reference="userremovedfromorganisationrequest_v1:42:0",
            plain_text_fields=("firstName", "lastName", "orgName"),
        ),
    ),
]
IDS = [case.queue for case in CASES]


@pytest.fixture
def known_user(directories: InMemoryDirectories) -> InMemoryDirectories:
    directories.users["u-1"] = {"sub": "u-1", "email": "jo@example.com", "status": 1}
    return directories


@pytest.mark.parametrize("case", CASES, ids=IDS)
async def test_emails_then_asks_for_a_user_update(
    case: Case,
    delivery: EmailDelivery,
    email: InMemoryEmailSender,
    known_user: InMemoryDirectories,
    publisher: InMemoryJobPublisher,
) -> None:
    handler = case.build(delivery, known_user, publisher)

    result = await handler(parse(case.command, case.payload), job(case.queue))

    assert email.sent == [case.expected]
    assert publisher.published == [PublishedJob("userupdated_v1", {"sub": "u-1"}, "1")]
    assert result == {"sent": 1, "skipped": 0, "user_updates_requested": 1}


@pytest.mark.parametrize("case", CASES, ids=IDS)
async def test_an_unknown_user_still_succeeds(
    case: Case,
    delivery: EmailDelivery,
    email: InMemoryEmailSender,
    directories: InMemoryDirectories,
    publisher: InMemoryJobPublisher,
) -> None:
    handler = case.build(delivery, directories, publisher)

    result = await handler(parse(case.command, case.payload), job(case.queue))

    assert email.sent == [case.expected]
    assert publisher.published == []
    assert result == {"sent": 1, "skipped": 0, "user_updates_requested": 0}


@pytest.mark.parametrize("case", CASES, ids=IDS)
@pytest.mark.parametrize("failing", ["directories", "publisher"])
async def test_a_failing_follow_up_is_swallowed(
    case: Case,
    delivery: EmailDelivery,
    email: InMemoryEmailSender,
    known_user: InMemoryDirectories,
    publisher: InMemoryJobPublisher,
    failing: str,
) -> None:
    outage = UpstreamUnavailable("directories API 503")
    if failing == "directories":
        known_user.fail_with = outage
    else:
        publisher.fail_with = outage
    handler = case.build(delivery, known_user, publisher)

    result = await handler(parse(case.command, case.payload), job(case.queue))

    assert email.sent == [case.expected]
    assert publisher.published == []
    assert result == {"sent": 1, "skipped": 0, "user_updates_requested": 0}


@pytest.mark.parametrize("case", CASES, ids=IDS)
async def test_a_missing_template_fails_before_anything_happens(
    case: Case,
    delivery_log: InMemoryDeliveryLog,
    known_user: InMemoryDirectories,
    publisher: InMemoryJobPublisher,
) -> None:
    email = InMemoryEmailSender(templates={})
    delivery = EmailDelivery(email=email, delivery_log=delivery_log)

    with pytest.raises(TemplateNotConfigured):
        await case.build(delivery, known_user, publisher)(
            parse(case.command, case.payload), job(case.queue)
        )
    assert (email.sent, publisher.published) == ([], [])


@pytest.mark.parametrize("case", CASES, ids=IDS)
async def test_a_retry_after_the_email_only_repeats_the_follow_up(
    case: Case,
    delivery: EmailDelivery,
    email: InMemoryEmailSender,
    known_user: InMemoryDirectories,
    publisher: InMemoryJobPublisher,
) -> None:
    handler = case.build(delivery, known_user, publisher)
    command = parse(case.command, case.payload)
    await handler(command, job(case.queue))

    result = await handler(command, job(case.queue))

    assert len(email.sent) == 1
    assert result == {"sent": 0, "skipped": 1, "user_updates_requested": 1}


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_a_payload_without_a_recipient_is_refused(case: Case) -> None:
    payload = {key: value for key, value in case.payload.items() if key != "email"}

    with pytest.raises(InvalidPayload, match="invalid payload: email: Field required"):
        parse(case.command, payload)
