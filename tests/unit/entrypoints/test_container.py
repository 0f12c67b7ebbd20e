"""Wiring smoke test: the real container resolves every job type from test settings."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.memory.email import InMemoryEmailSender
from adapters.outbox.email_sender import OutboxEmailSender
from domain.errors import UpstreamMisconfigured
from domain.model import EmailMessage, JobContext
from entrypoints.container import (
    Application,
    build_container,
    resolve,
    start_resources,
    stop_resources,
)
from entrypoints.settings import Settings
from entrypoints.telemetry import ObservedCalls
from entrypoints.worker.runner import parse_payload
from tests.support.settings import production_env, settings_from


@pytest.fixture
async def container(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, redis_url: str, redis_client: object
) -> AsyncIterator[Application]:
    monkeypatch.setenv("LOCAL_REDIS_CONN", redis_url.rsplit("/", 1)[0])
    monkeypatch.setenv("JOBS_DATA_DIR", str(tmp_path))
    for unset in (
        "GOVNOTIFY_API_KEY",
        "STANDALONE_INTERACTIONS_HOST_NAME",
        "STANDALONE_HELP_HOST_NAME",
        "JOB_JWT_SECRET",
    ):
        monkeypatch.delenv(unset, raising=False)
    app = build_container(Settings(_env_file=None))  # type: ignore[call-arg]
    app.check_dependencies()
    await start_resources(app)
    yield app
    await stop_resources(app)


async def test_every_registered_job_resolves(container: Application) -> None:
    registry = await resolve(container.registry)
    assert "test" in registry
    for queue, spec in registry.items():
        assert spec.queue == queue
        assert callable(spec.handler)
        assert spec.timeout_s > 0


async def test_without_a_notify_key_e_mail_goes_to_the_outbox(container: Application) -> None:
    assert isinstance(await resolve(container.adapters.email), OutboxEmailSender)


async def test_adapters_can_be_overridden(container: Application) -> None:
    fake = InMemoryEmailSender()
    with container.adapters.email.override(fake):
        assert await resolve(container.adapters.email) is fake


@pytest.mark.parametrize(
    ("queue", "data", "variable"),
    [
        (
            "passwordreset_v1",
            {"email": "a@example.org", "code": "C", "clientId": "c", "uid": "u"},
            "STANDALONE_INTERACTIONS_HOST_NAME",
        ),
        ("supportrequest_v1", {"name": "A"}, "STANDALONE_HELP_HOST_NAME"),
        (
            "publicinvitationnotifyrelyingparty_v1",
            {"userId": "u", "callback": "https://rp.example.org/cb"},
            "JOB_JWT_SECRET",
        ),
    ],
)
async def test_a_missing_setting_fails_its_job_naming_the_variable(
    container: Application, queue: str, data: dict[str, str], variable: str
) -> None:
    """The domain names a missing value by its field; the container supplies the variable."""
    spec = (await resolve(container.registry))[queue]
    with pytest.raises(UpstreamMisconfigured, match=f"^{variable} is not configured$"):
        await spec.handler(parse_payload(spec.command, data), JobContext(queue, "1"))


async def test_use_cases_get_adapters_whose_calls_the_process_metrics_count(
    container: Application,
) -> None:
    email = await resolve(container.observed.email)
    assert isinstance(email, ObservedCalls)
    await email.send(EmailMessage("supportRequest", "desk@example.com", {}))

    exposition = (await resolve(container.metrics)).exposition()
    assert b'dsi_jobs_external_calls_total{outcome="ok",upstream="outbox"} 1.0' in exposition


async def test_stopping_the_container_shuts_the_notify_thread_pool_down(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    app = build_container(settings_from(monkeypatch, production_env(JOBS_DATA_DIR=str(tmp_path))))
    sender = await resolve(app.adapters.notify_sender)

    await stop_resources(app)

    with pytest.raises(RuntimeError, match="after shutdown"):
        await sender.was_sent("reference")
