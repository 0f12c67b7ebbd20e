"""The local sandbox: when it runs, what it swaps, and what its stand-ins write."""

import json
from pathlib import Path

import pytest

from adapters.memory.directories import InMemoryDirectories
from adapters.outbox.webhook_sender import OutboxWebhookSender
from adapters.soap.outbox import SANDBOX_NAMESPACE, SoapEnvelopeOutbox
from domain.directory import NewInvitation
from domain.model import Application, LegacyMessage
from entrypoints.container import build_container, resolve
from entrypoints.sandbox import (
    ACADEMY,
    ALAN,
    LEGACY_APP,
    SandboxRefused,
    sandbox_active,
)
from entrypoints.settings import Settings


def settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **env: str) -> Settings:
    monkeypatch.setenv("JOBS_DATA_DIR", str(tmp_path))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return Settings(_env_file=None)  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("env", "active"),
    [
        ({"LOCAL_ENV": "dev"}, True),
        ({"LOCAL_ENV": "dev", "STANDALONE_DIRECTORIES_HOST_NAME": "dir.example"}, False),
        ({"LOCAL_ENV": "dev", "TENANT_URL": "https://login.example/t"}, False),
        ({"LOCAL_ENV": "dev", "JOBS_SANDBOX": "false"}, False),
        ({"LOCAL_ENV": "dev", "JOBS_SANDBOX": "TRUE", "TENANT_URL": "https://l.example"}, True),
        ({}, False),
        ({"JOBS_ALLOW_EMBEDDED_DEFAULTS": "true"}, False),
    ],
)
def test_when_the_sandbox_runs(
    env: dict[str, str], active: bool, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert sandbox_active(settings(monkeypatch, tmp_path, **env)) is active


def test_asked_for_outside_dev_it_refuses_to_start(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    found = settings(monkeypatch, tmp_path, JOBS_SANDBOX="true", LOCAL_ENV="azure")
    with pytest.raises(SandboxRefused, match="only when LOCAL_ENV=dev"):
        build_container(found)


async def test_the_container_swaps_the_platform_for_local_stand_ins(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    container = build_container(settings(monkeypatch, tmp_path, LOCAL_ENV="dev"))
    directories = await resolve(container.adapters.directories)
    assert isinstance(directories, InMemoryDirectories)
    assert await directories.get_approver_ids(ACADEMY) == [
        "a1d0c6e8-0000-4000-8000-00000000ada1", "a1d0c6e8-0000-4000-8000-000000006ace",
    ]  # fmt: skip
    legacy = await resolve(container.adapters.legacy_service)
    assert isinstance(legacy, SoapEnvelopeOutbox)
    assert legacy.path == tmp_path / "legacy-outbox.jsonl"
    webhook = await resolve(container.adapters.webhook)
    assert isinstance(webhook, OutboxWebhookSender)
    assert container.config.links.interactions_url() == "https://interactions.sandbox.localhost"
    assert container.config.email.support_email_address() == "support@sandbox.localhost"
    other = build_container(settings(monkeypatch, tmp_path, LOCAL_ENV="dev"))
    fresh = await resolve(other.adapters.directories)
    await directories.create_invitation(NewInvitation(email="new@example.com"))
    assert fresh.invitations == {}, "each process gets its own copy of the data"


async def test_set_link_hosts_win_over_the_sandbox_defaults(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    found = settings(
        monkeypatch, tmp_path, LOCAL_ENV="dev", STANDALONE_INTERACTIONS_HOST_NAME="my.host:4430"
    )
    assert build_container(found).config.links.interactions_url() == "https://my.host:4430"


async def test_the_envelope_outbox_writes_the_real_envelope(tmp_path: Path) -> None:
    outbox = SoapEnvelopeOutbox(path=tmp_path / "legacy.jsonl")
    application = Application(
        id=LEGACY_APP, name="Legacy", params={"wsUsername": "svc", "wsPassword": "pw"}
    )
    message = LegacyMessage(
        "ProvisionGroup", "UPDATE", {"id": 5, "code": "FIN", "name": "Finance", "status": "Active"}
    )
    await outbox.provision(application, message)
    (line,) = (tmp_path / "legacy.jsonl").read_text().splitlines()
    written = json.loads(line)
    assert (written["application_id"], written["operation"], written["action"]) == (
        LEGACY_APP, "ProvisionGroup", "UPDATE",
    )  # fmt: skip
    assert f'xmlns:ws="{SANDBOX_NAMESPACE}"' in written["envelope"]
    assert "<wsse:Username>svc</wsse:Username>" in written["envelope"]


async def test_the_webhook_outbox_writes_url_and_body_never_the_secret(tmp_path: Path) -> None:
    outbox = OutboxWebhookSender(path=tmp_path / "hooks.jsonl")
    await outbox.post("https://rp.example/cb", {"sub": ALAN, "sourceId": 7}, "signing-secret-1")
    text = (tmp_path / "hooks.jsonl").read_text()
    assert json.loads(text)["body"] == {"sub": ALAN, "sourceId": 7}
    assert json.loads(text)["url"] == "https://rp.example/cb"
    assert "signing-secret-1" not in text
