"""``EmailServiceJobs`` resolves over in-memory adapters into one spec per job type."""

from domain.model import JobContext
from entrypoints.jobs.email_services import EmailServiceJobs
from entrypoints.registry import RateLimit, build_registry
from entrypoints.worker.retry import EMAIL_RETRY
from entrypoints.worker.runner import run_job
from tests.unit.support import MemoryAdapters

QUEUES = [
    "userserviceadded_v1",
    "userserviceadded_v2",
    "userserviceremoved_v1",
    "servicerequest_to_approvers_v2",
    "service_request_outcome_to_approvers",
    "userservicerejected_v1",
    "sub_service_request_approved",
    "sub_service_request_rejected",
    "sub_service_request_outcome_to_approvers",
    "sub_service_request_to_approvers",
    "supportrequest_v1",
    "supportoverduerequest",
    "useraddedtoorganisationrequest_v1",
    "userremovedfromorganisationrequest_v1",
]


def jobs() -> tuple[EmailServiceJobs, MemoryAdapters]:
    adapters = MemoryAdapters()
    container = EmailServiceJobs(adapters=adapters)
    container.config.from_dict(
        {
            "links": {
                "interactions_url": None,
                "profile_url": None,
                "services_url": "https://services.test",
                "help_url": "https://help.test",
            },
            "email": {
                "support_email_address": "support@servicenow.test",
                "use_entra_for_account_registration": None,
            },
        }
    )
    return container, adapters


def test_one_spec_per_job_type_in_registration_order() -> None:
    specs = jobs()[0].specs()

    assert [spec.queue for spec in specs] == QUEUES
    assert all(spec.retry == EMAIL_RETRY for spec in specs)
    assert len(build_registry(specs)) == len(QUEUES)


def test_only_the_support_desk_queue_is_rate_limited() -> None:
    limiters = {spec.queue: spec.limiter for spec in jobs()[0].specs() if spec.limiter}

    assert limiters == {"supportrequest_v1": RateLimit(max_jobs=45, duration_ms=300_000)}


async def test_a_wired_job_runs_from_raw_job_data() -> None:
    container, adapters = jobs()
    registry = build_registry(container.specs())

    result = await run_job(
        registry["supportrequest_v1"],
        {"name": "Jo", "message": "Help"},
        JobContext(queue="supportrequest_v1", job_id="1"),
    )

    sent = adapters.email().sent
    assert [(m.template_key, m.recipient) for m in sent] == [
        ("supportRequest", "support@servicenow.test")
    ]
    assert result == {"sent": 1, "skipped": 0}
