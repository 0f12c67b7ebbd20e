"""``EmailAccountJobs`` builds one spec per job type from the shared adapters."""

from domain.model import JobContext
from domain.use_cases.email.send_invitation import SendInvitation
from entrypoints.jobs.email_account import EmailAccountJobs
from entrypoints.worker.retry import EMAIL_RETRY
from tests.unit.support import MemoryAdapters

QUEUES = [
    "accessrequest_v1",
    "approveraccessrequest_v1",
    "organisationrequest_v1",
    "organisation_request_outcome_to_approvers",
    "verifychangeemail_v1",
    "notifychangeemail_v1",
    "changeuserpermissionlevelrequest_v1",
    "invitation_v2",
    "passwordreset_v1",
    "registerexistinguser_v1",
]


CONFIG = {
    "links": {
        "interactions_url": "https://interactions.test",
        "profile_url": None,
        "services_url": None,
        "help_url": "https://help.test",
    },
    "email": {"support_email_address": None, "use_entra_for_account_registration": True},
}


def build() -> tuple[EmailAccountJobs, MemoryAdapters]:
    adapters = MemoryAdapters()
    jobs = EmailAccountJobs(adapters=adapters)
    jobs.config.from_dict(CONFIG)
    return jobs, adapters


def test_one_spec_per_job_type_with_the_email_retry_policy() -> None:
    jobs, _ = build()

    specs = jobs.specs()

    assert [spec.queue for spec in specs] == QUEUES
    assert all(spec.retry == EMAIL_RETRY for spec in specs)


async def test_specs_are_wired_to_the_shared_adapters_and_settings() -> None:
    jobs, adapters = build()
    spec = {spec.queue: spec for spec in jobs.specs()}["invitation_v2"]
    data = {"email": "jo@example.com", "invitationId": "inv-1"}

    await spec.handler(
        SendInvitation.model_validate(data), JobContext(queue="invitation_v2", job_id="1")
    )

    [message] = adapters.email().sent
    assert message.template_key == "inviteNewUserEntra"
    assert message.personalisation["returnUrl"] == (
        "https://interactions.test/register/inv-1?id=email"
    )
    assert adapters.delivery_log().delivered == {"invitation_v2:1:0"}
