"""publicinvitationcomplete_v1 (docs/public-api-jobs.md#publicinvitationcomplete_v1): one
relying-party job per callback."""

import pytest

from adapters.memory.job_publisher import InMemoryJobPublisher
from adapters.memory.state_store import InMemoryDeliveryLog
from domain.errors import UpstreamUnavailable
from domain.model import JobContext
from domain.use_cases.public_api.complete_public_invitation import (
    CompletePublicInvitation,
    CompletePublicInvitationUseCase,
)

CONTEXT = JobContext(queue="publicinvitationcomplete_v1", job_id="8")
NOTIFY = "publicinvitationnotifyrelyingparty_v1"


@pytest.fixture
def use_case(
    publisher: InMemoryJobPublisher, delivery_log: InMemoryDeliveryLog
) -> CompletePublicInvitationUseCase:
    return CompletePublicInvitationUseCase(jobs=publisher, delivery_log=delivery_log)


async def test_each_callback_becomes_a_job_in_order(
    use_case: CompletePublicInvitationUseCase, publisher: InMemoryJobPublisher
) -> None:
    command = CompletePublicInvitation.model_validate(
        {
            "userId": "user-1",
            "callbacks": [
                {"sourceId": "a", "callback": "https://one.example.org/cb", "clientId": "c1"},
                {"sourceId": 2, "callback": "https://two.example.org/cb", "state": "NEW_INVITATION",
                 "id": "db-row-id"},
            ],
        }
    )  # fmt: skip

    result = await use_case(command, CONTEXT)

    assert result == {"published": 2, "skipped": 0}
    assert publisher.data_for(NOTIFY) == [
        {"userId": "user-1", "sourceId": "a", "callback": "https://one.example.org/cb",
         "clientId": "c1"},
        {"userId": "user-1", "sourceId": 2, "callback": "https://two.example.org/cb",
         "state": "NEW_INVITATION"},
    ]  # fmt: skip


@pytest.mark.parametrize("callbacks", [None, []])
async def test_no_callbacks_means_no_jobs(
    use_case: CompletePublicInvitationUseCase,
    publisher: InMemoryJobPublisher,
    callbacks: list[object] | None,
) -> None:
    command = CompletePublicInvitation.model_validate({"userId": "u", "callbacks": callbacks})

    assert await use_case(command, CONTEXT) == {"published": 0, "skipped": 0}
    assert publisher.published == []


async def test_entries_without_a_url_are_not_enqueued(
    use_case: CompletePublicInvitationUseCase, publisher: InMemoryJobPublisher
) -> None:
    command = CompletePublicInvitation.model_validate(
        {
            "userId": "u",
            "callbacks": [{"sourceId": "a"}, {"sourceId": "b", "callback": "https://x.example/cb"}],
        }
    )

    await use_case(command, CONTEXT)

    assert publisher.data_for(NOTIFY) == [
        {"userId": "u", "sourceId": "b", "callback": "https://x.example/cb"}
    ]


async def test_retry_after_a_partial_failure_does_not_repeat_published_jobs(
    use_case: CompletePublicInvitationUseCase, publisher: InMemoryJobPublisher
) -> None:
    one = {"sourceId": "a", "callback": "https://one.example.org/cb"}
    two = {"sourceId": "b", "callback": "https://two.example.org/cb"}
    await use_case(
        CompletePublicInvitation.model_validate({"userId": "u", "callbacks": [one]}), CONTEXT
    )

    command = CompletePublicInvitation.model_validate({"userId": "u", "callbacks": [one, two]})
    assert await use_case(command, CONTEXT) == {"published": 1, "skipped": 1}

    assert [data["sourceId"] for data in publisher.data_for(NOTIFY)] == ["a", "b"]


async def test_queue_outage_is_retryable(
    use_case: CompletePublicInvitationUseCase, publisher: InMemoryJobPublisher
) -> None:
    publisher.fail_with = UpstreamUnavailable("Redis is unreachable")
    command = CompletePublicInvitation.model_validate(
        {"userId": "u", "callbacks": [{"callback": "https://x.example/cb"}]}
    )

    with pytest.raises(UpstreamUnavailable):
        await use_case(command, CONTEXT)


def test_user_id_is_required() -> None:
    with pytest.raises(ValueError, match="userId"):
        CompletePublicInvitation.model_validate({"callbacks": []})
