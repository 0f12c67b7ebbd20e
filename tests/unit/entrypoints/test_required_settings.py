"""Outside dev a half-configured deployment is refused, naming each variable, never a value."""

import json

import pytest

from entrypoints.container import build_container, resolve, stop_resources
from entrypoints.required_settings import (
    CONFIG_VARIABLES,
    configuration_problems,
    redis_problems,
    template_keys,
)
from tests.e2e.email_cases import CASES, UNUSED_TEMPLATE_KEYS
from tests.support.settings import (
    SECRET_VALUES,
    TEMPLATE_KEYS,
    production_env,
    settings_from,
    template_ids,
)

SQL_SERVER = (
    "PLATFORM_GLOBAL_SERVER_NAME",
    "SVC_SIGNIN_JOBS",
    "SVC_SIGNIN_JOBS_PASSWORD",
    "PLATFORM_GLOBAL_JOBS_DATABASE_NAME",
)


def without(env: dict[str, str], *names: str) -> dict[str, str]:
    return {name: value for name, value in env.items() if name not in names}


async def problems(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> list[str]:
    found = await configuration_problems(settings_from(monkeypatch, env))
    for line in found:
        for secret in SECRET_VALUES.values():
            assert secret not in line
    return found


async def test_a_complete_production_configuration_has_no_problem(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert await problems(monkeypatch, production_env()) == []


async def test_nothing_configured_outside_dev_names_every_missing_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    found = await problems(monkeypatch, {})
    variables = [line.partition(":")[0] for line in found]
    assert variables[:4] == [
        "LOCAL_REDIS_CONN or REDIS_CONN",
        "GOVNOTIFY_API_KEY",
        f"{', '.join(SQL_SERVER)} or JOBS_STATE_DATABASE_URL",
        "JOBS_MONITOR_ALLOWED_ROLES or JOBS_MONITOR_ALLOWED_CLIENT_IDS",
    ]
    assert set(variables[4:-1]) == set(CONFIG_VARIABLES.values())
    assert variables[-1] == "GOVNOTIFY_TEMP_MAP"


async def test_the_embedded_defaults_need_dev_or_the_opt_in(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bare = without(production_env(), "REDIS_CONN", "GOVNOTIFY_API_KEY", *SQL_SERVER)
    assert len(await problems(monkeypatch, bare)) == 3
    assert await problems(monkeypatch, {**bare, "JOBS_ALLOW_EMBEDDED_DEFAULTS": "true"}) == []
    assert await problems(monkeypatch, {**bare, "LOCAL_ENV": "dev"}) == []


async def test_a_state_database_url_replaces_the_sql_server_variables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    env = {**without(production_env(), *SQL_SERVER), "JOBS_STATE_DATABASE_URL": "postgresql://x"}
    assert await problems(monkeypatch, env) == []


async def test_the_shared_server_name_alone_is_no_partial_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bare = without(production_env(), *SQL_SERVER[1:])
    assert (await problems(monkeypatch, bare))[0].startswith(f"{', '.join(SQL_SERVER)} or ")
    elsewhere = {**bare, "JOBS_STATE_DATABASE_URL": "postgresql://x"}
    assert await problems(monkeypatch, elsewhere) == []


@pytest.mark.parametrize("missing", SQL_SERVER)
async def test_a_partial_sql_server_set_is_refused_even_with_the_opt_in(
    monkeypatch: pytest.MonkeyPatch, missing: str
) -> None:
    env = {**without(production_env(), missing), "JOBS_ALLOW_EMBEDDED_DEFAULTS": "true"}
    found = await problems(monkeypatch, env)
    assert len(found) == 1
    assert found[0].startswith(f"{missing}: not set while ")


@pytest.mark.parametrize("variable", sorted(CONFIG_VARIABLES.values()))
async def test_each_setting_a_job_family_reads_is_required(
    monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    found = await problems(monkeypatch, without(production_env(), variable))
    assert len(found) == 1
    assert found[0].startswith(f"{variable}: not set (needed by the ")


async def test_a_missing_template_key_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    templates = {k: v for k, v in template_ids().items() if k != "supportRequestOverdue"}
    env = production_env(GOVNOTIFY_TEMP_MAP=json.dumps({"email": templates}))
    assert await problems(monkeypatch, env) == [
        "GOVNOTIFY_TEMP_MAP: no template id for supportRequestOverdue"
    ]


async def test_unused_template_keys_are_not_required(monkeypatch: pytest.MonkeyPatch) -> None:
    unused = {"entraOtpEmail", "inviteNewUserEntra"}  # Entra registration is off
    templates = {k: v for k, v in template_ids().items() if k not in unused}
    env = production_env(GOVNOTIFY_TEMP_MAP=json.dumps({"email": templates}))
    assert await problems(monkeypatch, env) == []
    entra = {**env, "ENTRA_USE_FOR_ACCOUNT_REGISTRATION": "true"}
    assert await problems(monkeypatch, entra) == [
        "GOVNOTIFY_TEMP_MAP: no template id for inviteNewUserEntra"
    ]


def test_the_cli_needs_a_redis_url_outside_dev(monkeypatch: pytest.MonkeyPatch) -> None:
    assert redis_problems(settings_from(monkeypatch, {})) != []
    assert redis_problems(settings_from(monkeypatch, {"LOCAL_ENV": "dev"})) == []
    assert redis_problems(settings_from(monkeypatch, {"LOCAL_REDIS_CONN": "redis://h"})) == []


@pytest.mark.parametrize("entra", [False, True])
async def test_declared_template_keys_cover_what_every_job_sends(
    monkeypatch: pytest.MonkeyPatch, entra: bool
) -> None:
    """Each job's declaration against the e-mails the end-to-end cases (``tests/e2e/email_cases``)
    expect it to send."""
    env = production_env(ENTRA_USE_FOR_ACCOUNT_REGISTRATION=str(entra).lower())
    container = build_container(settings_from(monkeypatch, env))
    registry = await resolve(container.registry)
    try:
        for case in (case for case in CASES if case.entra == entra):
            sends = [(case.queue, case.emails)]
            if case.follow_up is not None:
                sends.append((case.follow_up.queue, case.follow_up.emails))
            for queue, emails in sends:
                declared = template_keys({queue: registry[queue]})
                assert {email.template for email in emails} <= declared, case.id
        unused = UNUSED_TEMPLATE_KEYS | (
            {"inviteNewUser", "selfRegisterNewAccount"} if entra else {"inviteNewUserEntra"}
        )
        assert template_keys(registry) == set(TEMPLATE_KEYS) - unused
    finally:
        await stop_resources(container)


@pytest.mark.parametrize(
    "env",
    [
        {"JOBS_MONITOR_ALLOWED_CLIENT_IDS": "operator-client"},
        {"JOBS_MONITOR_ALLOWED_ROLES": "Jobs.Operator, Jobs.Reader"},
        {"LOCAL_ENV": "dev"},
    ],
)
async def test_who_may_use_the_monitor_must_be_said_outside_dev(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str]
) -> None:
    base = without(production_env(), "JOBS_MONITOR_ALLOWED_ROLES")
    assert await problems(monkeypatch, base) == [
        "JOBS_MONITOR_ALLOWED_ROLES or JOBS_MONITOR_ALLOWED_CLIENT_IDS: not set (who may use "
        "/monitor, /metrics and /dashboard)"
    ]
    assert await problems(monkeypatch, {**base, **env}) == []
