"""The public-API job family wired with in-memory adapters, and its settings."""

import pytest
from dependency_injector import containers, providers
from pydantic import SecretStr

from adapters.memory.directories import InMemoryDirectories
from adapters.memory.job_publisher import InMemoryJobPublisher
from adapters.memory.state_store import InMemoryDeliveryLog
from adapters.memory.webhook import InMemoryWebhookSender, PostedWebhook
from domain.model import JobContext
from domain.use_cases.public_api.complete_public_invitation import CompletePublicInvitation
from domain.use_cases.public_api.notify_relying_party import NotifyRelyingParty
from domain.use_cases.public_api.request_public_invitation import RequestPublicInvitation
from entrypoints.container import container_config
from entrypoints.jobs.public_api import PublicApiJobs
from entrypoints.settings import Settings
from entrypoints.worker.retry import EMAIL_RETRY, WEBHOOK_RETRY

SECRET = "platform-secret-of-at-least-32-bytes"


class FakeAdapters(containers.DeclarativeContainer):
    directories = providers.Singleton(InMemoryDirectories)
    job_publisher = providers.Singleton(InMemoryJobPublisher)
    delivery_log = providers.Singleton(InMemoryDeliveryLog)
    webhook = providers.Singleton(InMemoryWebhookSender)


def build() -> tuple[PublicApiJobs, FakeAdapters]:
    adapters = FakeAdapters()
    jobs = PublicApiJobs(adapters=adapters)
    jobs.config.from_dict({"public_api": {"jwt_secret": SecretStr(SECRET)}})
    return jobs, adapters


def test_specs_cover_the_three_queues() -> None:
    jobs, _ = build()

    specs = {spec.queue: spec for spec in jobs.specs()}

    assert set(specs) == {
        "publicinvitationrequest_v1",
        "publicinvitationcomplete_v1",
        "publicinvitationnotifyrelyingparty_v1",
    }
    assert specs["publicinvitationrequest_v1"].command is RequestPublicInvitation
    assert specs["publicinvitationcomplete_v1"].command is CompletePublicInvitation
    assert specs["publicinvitationnotifyrelyingparty_v1"].command is NotifyRelyingParty
    assert specs["publicinvitationrequest_v1"].retry == EMAIL_RETRY
    assert specs["publicinvitationnotifyrelyingparty_v1"].retry == WEBHOOK_RETRY
    assert specs["publicinvitationrequest_v1"].concurrency == 1


async def test_wired_webhook_job_signs_with_the_configured_secret() -> None:
    jobs, adapters = build()
    spec = next(s for s in jobs.specs() if s.queue == "publicinvitationnotifyrelyingparty_v1")

    await spec.handler(
        NotifyRelyingParty.model_validate({"userId": "u", "callback": "https://rp.example/cb"}),
        JobContext(queue=spec.queue, job_id="1"),
    )

    assert adapters.webhook().posted == [
        PostedWebhook("https://rp.example/cb", {"sub": "u"}, SECRET)
    ]


def test_settings_reach_the_public_api_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOB_JWT_SECRET", SECRET)
    monkeypatch.setenv("JOBS_WEBHOOK_ALLOW_HTTP", "true")
    monkeypatch.setenv("JOBS_WEBHOOK_ALLOWED_HOSTS", " rp.internal, 10.0.0.0/8 ,,")

    public_api = container_config(Settings(_env_file=None))["public_api"]  # type: ignore[call-arg]

    assert public_api["jwt_secret"].get_secret_value() == SECRET
    assert public_api["allow_http"] is True
    assert public_api["allowed_hosts"] == ("rp.internal", "10.0.0.0/8")


def test_webhook_settings_default_to_https_only_and_no_exemptions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("JOB_JWT_SECRET", "JOBS_WEBHOOK_ALLOW_HTTP", "JOBS_WEBHOOK_ALLOWED_HOSTS"):
        monkeypatch.delenv(name, raising=False)

    public_api = container_config(Settings(_env_file=None))["public_api"]  # type: ignore[call-arg]

    assert public_api == {"jwt_secret": None, "allow_http": False, "allowed_hosts": ()}
