"""Listing columns and wording shared by the dashboard and the CLI; queue families."""

from dependency_injector import providers

from adapters.memory.webhook import InMemoryWebhookSender
from adapters.redis_queue.inspector import LISTED_STATES
from adapters.redis_queue.job_records import JobRecord
from entrypoints import job_listing
from entrypoints.registry import attempts_allowed, build_registry, queue_family
from entrypoints.worker.retry import SYNC_RETRY
from tests.unit.support import MemoryAdapters

NOW = 1_700_000_600_000
RETRYING = JobRecord(
    id="41", name="passwordreset_v1", data={}, failed_reason="notify answered 503",
    attempts_made=2, timestamp=NOW - 600_000, processed_on=NOW - 30_000,
    next_run_ms=NOW + 95_000, state="delayed",
)  # fmt: skip


class AllAdapters(MemoryAdapters):
    """What every job family's jobs are built over (the push queues' adapters are not needed)."""

    webhook = providers.Singleton(InMemoryWebhookSender)


def test_every_listed_state_has_its_columns() -> None:
    assert set(job_listing.COLUMNS) == set(LISTED_STATES)
    for state in LISTED_STATES:
        assert len(job_listing.row(RETRYING, state, 8, NOW)) == len(job_listing.COLUMNS[state])


def test_a_retrying_job_says_which_attempt_runs_when_and_why() -> None:
    assert job_listing.row(RETRYING, "delayed", 8, NOW) == [
        "41", "passwordreset_v1", "attempt 3 of 8",
        "2023-11-14 22:24:55 UTC (in 1m)", "notify answered 503",
    ]  # fmt: skip
    assert job_listing.row(RETRYING, "delayed", None, NOW)[2] == "attempt 3"


def test_times_durations_and_details() -> None:
    assert job_listing.moment(None, NOW) == "-"
    assert job_listing.moment(NOW - 7_200_000, NOW).endswith("(2h ago)")
    assert job_listing.duration(1000, 1250) == "250 ms"
    assert job_listing.duration(1000, 3_601_000) == "1h"
    assert job_listing.duration(5, None) == "-"
    facts = dict(job_listing.details("passwordreset_v1", RETRYING, 8, NOW))
    assert facts["attempts made"] == "2 of 8"
    assert facts["next run"] == "attempt 3 of 8, 2023-11-14 22:24:55 UTC (in 1m)"
    assert facts["last error"] == "notify answered 503"


def test_attempts_come_from_this_workers_policy() -> None:
    registry = build_registry()
    assert attempts_allowed(registry, "test") is None
    assert attempts_allowed(registry, "sendwsuserupdated_v1_app-1") == SYNC_RETRY.max_attempts


def test_every_queue_is_in_the_family_of_the_module_that_registers_it() -> None:
    from entrypoints.jobs.core import CoreJobs
    from entrypoints.jobs.email_account import EmailAccountJobs
    from entrypoints.jobs.email_services import EmailServiceJobs
    from entrypoints.jobs.family import JobFamily
    from entrypoints.jobs.public_api import PublicApiJobs
    from entrypoints.jobs.sync import SyncJobs

    def queues(family: type[JobFamily]) -> list[str]:
        return [spec.queue for spec in family(adapters=AllAdapters()).specs()]

    expected = {
        "test": queues(CoreJobs),
        "public API": queues(PublicApiJobs),
        "legacy sync": queues(SyncJobs),
    }
    for family, names in expected.items():
        assert {queue_family(name) for name in names} == {family}
    email = queues(EmailAccountJobs) + queues(EmailServiceJobs)
    assert len(email) == 24
    assert {queue_family(name) for name in email} == {"e-mail"}
    assert queue_family("sendwsroleupdated_v1_app-1") == "legacy sync"
