"""At most one e-mail per recipient per job, across retries and redeliveries."""

import pytest

from adapters.memory.email import InMemoryEmailSender
from adapters.memory.state_store import InMemoryDeliveryLog
from domain.errors import TemplateNotConfigured, UpstreamUnavailable
from domain.model import EmailMessage, JobContext
from domain.use_cases.email.delivery import EmailDelivery


def messages(count: int, template: str = "approverRequestAccess") -> list[tuple[str, EmailMessage]]:
    return [
        (f"approver-{n}", EmailMessage(template, f"approver{n}@example.com", {"n": n}))
        for n in range(count)
    ]


async def test_each_message_gets_a_deterministic_reference() -> None:
    email = InMemoryEmailSender()
    delivery = EmailDelivery(email=email, delivery_log=InMemoryDeliveryLog())
    report = await delivery.send_all(JobContext("q", "9"), messages(2))
    assert report.as_result() == {"sent": 2, "skipped": 0}
    assert [m.reference for m in email.sent] == ["q:9:approver-0", "q:9:approver-1"]


async def test_a_retry_after_two_of_five_e_mails_only_the_other_three() -> None:
    email = InMemoryEmailSender(fail_with=UpstreamUnavailable("notify 500"), fail_after=2)
    log = InMemoryDeliveryLog()
    delivery = EmailDelivery(email=email, delivery_log=log)
    with pytest.raises(UpstreamUnavailable):
        await delivery.send_all(JobContext("q", "1"), messages(5))
    assert len(email.sent) == 2

    email.fail_with = None
    retry = JobContext("q", "1", attempt=2, redelivered=True)
    report = await delivery.send_all(retry, messages(5))
    assert report.as_result() == {"sent": 3, "skipped": 2}
    assert [m.recipient for m in email.sent] == [f"approver{n}@example.com" for n in range(5)]


async def test_a_redelivered_job_asks_the_provider_when_no_record_was_written() -> None:
    email = InMemoryEmailSender()
    first = EmailDelivery(email=email, delivery_log=InMemoryDeliveryLog())
    await first.send_all(JobContext("q", "3"), messages(1))  # worker died before recording
    again = EmailDelivery(email=email, delivery_log=InMemoryDeliveryLog())
    report = await again.send_all(JobContext("q", "3", redelivered=True), messages(2))
    assert report.as_result() == {"sent": 1, "skipped": 1}
    assert len(email.sent) == 2


async def test_a_missing_template_sends_nothing() -> None:
    email = InMemoryEmailSender(templates={"approverRequestAccess": "id-1"})
    delivery = EmailDelivery(email=email, delivery_log=InMemoryDeliveryLog())
    batch = [*messages(1), *messages(1, template="supportRequest")]
    with pytest.raises(TemplateNotConfigured, match="Invalid notify email template name"):
        await delivery.send_all(JobContext("q", "4"), batch)
    assert email.sent == []
