"""``dsi-jobs check`` against the stand-ins: every row passes for a sound deployment, and with
each dependency made to fail in turn (down, 401, unknown template, missing WSDL operation...)
exactly that row fails, with a reason, and no secret is ever printed."""

import asyncio
import json
import subprocess
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import pytest_asyncio
from pydantic import SecretStr

from adapters.sql_state.engine import create_state_engine, create_state_tables
from entrypoints.preflight.checks import preflight
from entrypoints.preflight.rows import FAIL, PASS, SKIP, CheckRow
from tests.support.asgi_server import serve
from tests.support.notify_stand_in import NotifyApiKey, NotifyStandIn, running_notify_stand_in
from tests.support.platform_stand_in import (
    CLIENT_ID,
    CLIENT_SECRET,
    RESOURCE,
    TENANT,
    PlatformStandIn,
    sample_platform_data,
)
from tests.support.processes import DSI_JOBS, clean_env
from tests.support.redis_server import free_port, running_redis
from tests.support.settings import production_env, settings_from, template_ids
from tests.support.soap_stand_in import SoapStandIn, running_soap_stand_in

REDIS_PASSWORD = "Az/urE+key=="
LEGACY_APP = "5c0e1a2b-0000-4000-8000-0000000c0ffe"
TIMEOUT_S = 3.0
UNUSED_VARIABLES = (
    "REDIS_CONN", "PLATFORM_GLOBAL_SERVER_NAME", "SVC_SIGNIN_JOBS", "SVC_SIGNIN_JOBS_PASSWORD",
    "PLATFORM_GLOBAL_JOBS_DATABASE_NAME",
)  # fmt: skip
""" Replaced by ``LOCAL_REDIS_CONN`` and ``JOBS_STATE_DATABASE_URL`` pointing at stand-ins."""


@dataclass
class Deployment:
    """Sound stand-ins for every dependency and the worker's environment pointing at them."""

    env: dict[str, str]
    notify: NotifyStandIn
    platform: PlatformStandIn
    soap: SoapStandIn
    workdir: Path

    def secrets(self) -> list[str]:
        return [REDIS_PASSWORD, quote(REDIS_PASSWORD, safe=""), self.notify.api_key.secret,
                self.env["AAD_SHD_CLIENT_SECRET"], self.env["JOB_JWT_SECRET"]]  # fmt: skip


def legacy_application(soap: SoapStandIn) -> dict[str, Any]:
    params = {
        "receiveUserUpdates": "true", "receiveRoleUpdates": "true", "wsWsdlUrl": soap.wsdl_url,
        "wsProvisionUserFormatterType": "collect",
    }  # fmt: skip
    return {"id": LEGACY_APP, "name": "Legacy", "parentId": None,
            "relyingParty": {"client_id": "legacy", "params": params}}  # fmt: skip


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def deployment(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Deployment]:
    workdir = tmp_path_factory.mktemp("check")
    state_url = f"sqlite+aiosqlite:///{workdir / 'state.sqlite3'}"
    engine = create_state_engine(SecretStr(state_url))
    await create_state_tables(engine)
    await engine.dispose()
    with running_redis(workdir, ["--requirepass", REDIS_PASSWORD]) as redis_server:
        async with (
            running_notify_stand_in() as (notify, notify_url),
            running_soap_stand_in() as soap,
        ):
            notify.templates = {template_id: "email" for template_id in template_ids().values()}
            data = sample_platform_data()
            data["services"] = [*data["services"][:3], legacy_application(soap)]
            platform = PlatformStandIn(data=data)
            async with serve(platform.app()) as platform_url:
                env = production_env(
                    LOCAL_REDIS_CONN=(
                        f"redis://:{quote(REDIS_PASSWORD, safe='')}@127.0.0.1:{redis_server.port}"
                    ),
                    GOVNOTIFY_API_KEY=notify.api_key.value,
                    GOVNOTIFY_BASE_URL=notify_url,
                    TENANT_URL=f"{platform_url}/aad",
                    PLATFORM_GLOBAL_TENANT_DOMAIN=TENANT,
                    AAD_SHD_CLIENT_ID=CLIENT_ID,
                    AAD_SHD_CLIENT_SECRET=CLIENT_SECRET,
                    AAD_SHD_APP_ID=RESOURCE,
                    JOBS_STATE_DATABASE_URL=state_url,
                    JOBS_DATA_DIR=str(workdir / "var"),
                    **{f"STANDALONE_{api.upper()}_HOST_NAME": f"{platform_url}/{api}"
                       for api in ("directories", "organisations", "applications", "access")},
                )  # fmt: skip
                for name in UNUSED_VARIABLES:
                    env.pop(name)
                yield Deployment(env, notify, platform, soap, workdir)


async def check(
    deployment: Deployment, monkeypatch: pytest.MonkeyPatch, **overrides: str
) -> list[CheckRow]:
    rows = await preflight(settings_from(monkeypatch, {**deployment.env, **overrides}), TIMEOUT_S)
    printed = json.dumps([row.__dict__ for row in rows])
    for secret in deployment.secrets():
        assert secret not in printed
    return rows


def failing(rows: list[CheckRow]) -> dict[str, str]:
    return {row.check: row.detail for row in rows if row.result == FAIL}


pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_a_sound_deployment_passes_every_row(
    deployment: Deployment, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = await check(deployment, monkeypatch)
    assert [(row.check, row.result) for row in rows] == [
        ("configuration", PASS), ("redis", PASS), ("notify key", PASS),
        ("notify templates", PASS), ("azure ad token", PASS), ("directories API", PASS),
        ("organisations API", PASS), ("applications API", PASS), ("access API", PASS),
        ("state database", PASS), (f"legacy service {LEGACY_APP}", PASS),
    ]  # fmt: skip
    details = {row.check: row.detail for row in rows}
    assert details["redis"].endswith("db 4, maxmemory-policy noeviction")
    assert (
        details[f"legacy service {LEGACY_APP}"] == "the WSDL offers ProvisionGroup, ProvisionUser"
    )


Undo = Callable[[], None]


@dataclass(frozen=True)
class Fault:
    """How to break one dependency, and the one row that must then fail, saying ``reason``."""

    row: str
    reason: str
    env: Callable[[Deployment], dict[str, str]] = lambda _: {}
    apply: Callable[[Deployment], Undo] | None = None


def _notify_templates(kind: Callable[[str], str | None]) -> Callable[[Deployment], Undo]:
    """The ``supportRequest`` template made ``kind(id)`` (``None``: unknown to Notify)."""

    def apply(deployment: Deployment) -> Undo:
        before = dict(deployment.notify.templates or {})
        support = template_ids()["supportRequest"]
        changed = {**before, support: kind(support)}
        deployment.notify.templates = {tid: k for tid, k in changed.items() if k is not None}
        return lambda: setattr(deployment.notify, "templates", before)

    return apply


def _set(target: str, name: str, value: Any) -> Callable[[Deployment], Undo]:
    """``deployment.<target>.<name>`` set to ``value`` until undone."""

    def apply(deployment: Deployment) -> Undo:
        owner = getattr(deployment, target)
        before = getattr(owner, name)
        setattr(owner, name, value)
        return lambda: setattr(owner, name, before)

    return apply


WSDL_ROW = f"legacy service {LEGACY_APP}"
FAULTS = {
    "redis-down": Fault(
        "redis", "redis unavailable",
        lambda _: {"LOCAL_REDIS_CONN": f"redis://127.0.0.1:{free_port()}"},
    ),
    "redis-password": Fault(
        "redis", "refused the user name or password",
        lambda d: {"LOCAL_REDIS_CONN": d.env["LOCAL_REDIS_CONN"].replace(":Az", ":Wrong", 1)},
    ),
    "notify-403": Fault(
        "notify key", "403", lambda _: {"GOVNOTIFY_API_KEY": NotifyApiKey.generate().value}
    ),
    "unknown-template": Fault(
        "notify templates", "supportRequest: not a template of this Notify service",
        apply=_notify_templates(lambda _: None),
    ),
    "sms-template": Fault(
        "notify templates", "supportRequest: a sms template, not an e-mail template",
        apply=_notify_templates(lambda _: "sms"),
    ),
    "queue-pattern-typo": Fault(
        "configuration", "JOBS_QUEUES: 'pasword*' matches no queue",
        lambda _: {"JOBS_QUEUES": "test,pasword*"},
    ),
    "aad-401": Fault(
        "azure ad token", "answered 401", lambda _: {"AAD_SHD_CLIENT_SECRET": "not-the-secret"}
    ),
    "directories-down": Fault(
        "directories API", "failed (ConnectError)",
        lambda _: {"STANDALONE_DIRECTORIES_HOST_NAME": f"http://127.0.0.1:{free_port()}"},
    ),
    "applications-404": Fault(
        "applications API", "answered 404 (check STANDALONE_APPLICATIONS_HOST_NAME)",
        apply=_set("platform", "services_status", 404),
    ),
    "state-tables-missing": Fault(
        "state database", "lacks organisation_state, role_state, sync_progress, user_state",
        lambda d: {"JOBS_STATE_DATABASE_URL": f"sqlite+aiosqlite:///{d.workdir / 'new.sqlite3'}"},
    ),
    "wsdl-operation-missing": Fault(
        WSDL_ROW, "the WSDL has no ProvisionUser operation",
        apply=_set("soap", "operations", ("ProvisionGroup",)),
    ),
    "wsdl-404": Fault(
        WSDL_ROW, "WSDL download (wsWsdlUrl)", apply=_set("soap", "wsdl_status", 404)
    ),
}  # fmt: skip


@pytest.mark.parametrize("fault", FAULTS.values(), ids=FAULTS.keys())
async def test_each_failing_dependency_fails_exactly_its_row(
    deployment: Deployment, monkeypatch: pytest.MonkeyPatch, fault: Fault
) -> None:
    env = fault.env(deployment)
    undo = fault.apply(deployment) if fault.apply else None
    try:
        rows = await check(deployment, monkeypatch, **env)
    finally:
        if undo is not None:
            undo()
    failed = failing(rows)
    assert list(failed) == [fault.row], rows
    assert fault.reason in failed[fault.row]
    assert all(row.result in (PASS, SKIP) for row in rows if row.check != fault.row)


async def test_the_command_prints_json_and_exits_0_only_when_all_pass(
    deployment: Deployment, tmp_path: Path
) -> None:
    async def run(*extra: str, **env: str) -> subprocess.CompletedProcess[str]:
        """The real command, off the loop that serves the stand-ins."""
        return await asyncio.to_thread(
            subprocess.run,
            [*DSI_JOBS, "check", *extra], cwd=tmp_path, env=clean_env({**deployment.env, **env}),
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip

    sound = await run("--json")
    assert sound.returncode == 0, sound.stdout + sound.stderr
    document = json.loads(sound.stdout)
    assert document["ok"] is True
    assert {check["result"] for check in document["checks"]} == {PASS}

    broken = await run(AAD_SHD_CLIENT_SECRET="not-the-secret")
    assert broken.returncode == 1
    assert "azure ad token" in broken.stdout
    for secret in [*deployment.secrets(), "not-the-secret"]:
        assert secret not in broken.stdout + broken.stderr
