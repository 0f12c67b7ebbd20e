"""``dsi-jobs check``: a preflight with the worker's own settings, one row per dependency.

The configuration is judged as start-up judges it; then each configured dependency is reached
through its adapter's probe, within ``timeout_s``: Redis, GOV.UK Notify (the key, then every
template a registered job may send), the Azure AD token endpoint, each platform API, the state
database and each subscribed application's WSDL. A row passes, fails with a reason, or is
skipped (not configured, or it needs a row that failed). Details come from the adapters' error
messages, which name upstreams and variables, never values; configured secrets are blanked
again here as a backstop.
"""

import redis.asyncio as redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from adapters.notify.email_sender import NotifyEmailSender
from adapters.platform_api.directories import PROBE_ROUTES, HttpDirectories
from adapters.redis_queue.server_probe import redis_facts
from adapters.sql_state.engine import create_state_engine
from adapters.sql_state.probe import probe_state_database
from domain.errors import WorkerError
from domain.personal_data import redact_text
from entrypoints.container import build_container, resolve, stop_resources
from entrypoints.preflight.legacy import legacy_service_rows
from entrypoints.preflight.rows import FAIL, PASS, SKIP, CheckRow, probe_row
from entrypoints.required_settings import (
    configuration_problems,
    required_template_keys,
    state_database_configured,
)
from entrypoints.settings import Settings, redis_connection_options
from entrypoints.state_database import state_database_url

API_VARIABLES = {api: f"STANDALONE_{api.upper()}_HOST_NAME" for api in PROBE_ROUTES}


async def preflight(settings: Settings, timeout_s: float) -> list[CheckRow]:
    """Every row, in a fixed order; secrets blanked from every detail."""
    rows = [await _configuration(settings), await _redis(settings, timeout_s)]
    rows += await _notify(settings, timeout_s)
    # the real platform is checked, never the dev sandbox's stand-ins (entrypoints.sandbox)
    quick = settings.model_copy(
        update={"jobs_http_timeout_seconds": timeout_s, "jobs_sandbox": "false"}
    )
    container = build_container(quick)
    try:
        directories: HttpDirectories = await resolve(container.adapters.directories)
        token = await _token(directories, settings, timeout_s)
        apis = [await _api(directories, api, token, timeout_s) for api in PROBE_ROUTES]
        rows += [token, *apis, await _state_database(settings, timeout_s)]
        if apis[list(PROBE_ROUTES).index("applications")].result == PASS:
            rows += await legacy_service_rows(container, timeout_s)
        else:
            rows.append(CheckRow("legacy services", SKIP, "needs the applications API"))
    finally:
        await stop_resources(container)
    secrets = _secrets(settings)
    return [CheckRow(r.check, r.result, redact_text(r.detail, secrets)) for r in rows]


async def _configuration(settings: Settings) -> CheckRow:
    problems = await configuration_problems(settings)
    if not problems:
        return CheckRow("configuration", PASS, "every setting the registered jobs need is set")
    if settings.is_dev:
        return CheckRow("configuration", PASS, f"dev: {len(problems)} problem(s) tolerated")
    return CheckRow("configuration", FAIL, "\n".join(problems))


async def _redis(settings: Settings, timeout_s: float) -> CheckRow:
    url = settings.redis_url()
    if url is None:
        return CheckRow("redis", SKIP, "no LOCAL_REDIS_CONN or REDIS_CONN: embedded Redis")
    options = {
        **redis_connection_options(url.get_secret_value()),
        "socket_timeout": timeout_s,
        "socket_connect_timeout": timeout_s,
        "retry": Retry(NoBackoff(), 0),  # a check reports the first failure
    }

    async def probe() -> str:
        client = redis.Redis(**options)
        try:
            facts = await redis_facts(client)
        finally:
            await client.aclose()
        if facts.problems():
            raise WorkerError("; ".join(facts.problems()))
        return facts.summary()

    return await probe_row("redis", probe, timeout_s)


async def _notify(settings: Settings, timeout_s: float) -> list[CheckRow]:
    if settings.govnotify_api_key is None:
        skipped = "no GOVNOTIFY_API_KEY: e-mails go to the local outbox"
        return [CheckRow("notify key", SKIP, skipped), CheckRow("notify templates", SKIP, skipped)]
    keys = await required_template_keys(settings)
    if not any(settings.email_templates.get(key) for key in keys):
        skipped = "no template id in GOVNOTIFY_TEMP_MAP to ask Notify about"
        return [CheckRow("notify key", SKIP, skipped), CheckRow("notify templates", SKIP, skipped)]
    sender = NotifyEmailSender(
        api_key=settings.govnotify_api_key,
        base_url=settings.govnotify_base_url,
        templates=settings.email_templates,
        timeout_s=timeout_s,
    )
    problems: dict[str, str] = {}

    async def probe() -> str:
        problems.update(await sender.probe_templates(keys))
        return "Notify accepted the key"

    try:
        key = await probe_row("notify key", probe, timeout_s)
    finally:
        sender.close()
    if key.result != PASS:
        return [key, CheckRow("notify templates", SKIP, "needs the key to work")]
    if problems:
        listed = "; ".join(f"{name}: {why}" for name, why in sorted(problems.items()))
        return [key, CheckRow("notify templates", FAIL, listed)]
    return [key, CheckRow("notify templates", PASS, f"{len(keys)} e-mail templates found")]


async def _token(directories: HttpDirectories, settings: Settings, timeout_s: float) -> CheckRow:
    aad = (
        settings.tenant_url, settings.platform_global_tenant_domain, settings.aad_shd_client_id,
        settings.aad_shd_client_secret, settings.aad_shd_app_id,
    )  # fmt: skip
    if not any(aad):
        return CheckRow("azure ad token", SKIP, "Azure AD is not configured")

    async def probe() -> str:
        await directories.probe_token()
        return "a token for AAD_SHD_APP_ID was issued"

    return await probe_row("azure ad token", probe, timeout_s)


async def _api(
    directories: HttpDirectories, api: str, token: CheckRow, timeout_s: float
) -> CheckRow:
    check = f"{api} API"
    if not directories.configured(api):
        return CheckRow(check, SKIP, f"{API_VARIABLES[api]} is not set")
    if token.result == FAIL:
        return CheckRow(check, SKIP, "needs an Azure AD token")
    return await probe_row(check, lambda: directories.probe_api(api), timeout_s)


async def _state_database(settings: Settings, timeout_s: float) -> CheckRow:
    if not state_database_configured(settings):
        return CheckRow("state database", SKIP, "none configured: embedded SQLite")

    async def probe() -> str:
        engine = create_state_engine(state_database_url(settings), connect_timeout_s=timeout_s)
        try:
            return await probe_state_database(engine, timeout_s)
        finally:
            await engine.dispose()

    return await probe_row("state database", probe, timeout_s)


def _secrets(settings: Settings) -> list[str]:
    """Every configured secret value, for the last redaction of what is printed."""
    values = [
        settings.govnotify_api_key, settings.aad_shd_client_secret, settings.job_jwt_secret,
        settings.svc_signin_jobs_password, settings.redis_conn, settings.jobs_state_database_url,
        settings.platform_global_slack_feed,
    ]  # fmt: skip
    url = settings.redis_url()
    found = [value.get_secret_value() for value in values if value is not None]
    if url is not None:
        password = redis_connection_options(url.get_secret_value())["password"]
        found += [url.get_secret_value(), *([password] if password else [])]
    return [value for value in found if len(value) >= 4]
