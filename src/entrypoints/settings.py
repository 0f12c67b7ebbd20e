"""Configuration from the original deployment's environment variables (docs/settings.md).

A running deployment switches to this service without touching its settings: every variable
keeps its name and meaning. Settings the original lacked have names in the same style and are
listed in the README. Read once, in ``main``; nothing else reads the environment.
"""

import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit, urlunsplit

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from entrypoints.queue_selection import QueueSelection

NOTIFY_DEFAULT_BASE_URL = "https://api.notifications.service.gov.uk"
REDIS_QUEUE_DB = 4
_BAD_PERCENT_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


CONFIG_VARIABLES: Mapping[str, str] = {
    "links.interactions_url": "STANDALONE_INTERACTIONS_HOST_NAME",
    "links.profile_url": "STANDALONE_PROFILE_HOST_NAME",
    "links.services_url": "STANDALONE_SERVICES_HOST_NAME",
    "links.help_url": "STANDALONE_HELP_HOST_NAME",
    "platform_api.directories_url": "STANDALONE_DIRECTORIES_HOST_NAME",
    "platform_api.organisations_url": "STANDALONE_ORGANISATIONS_HOST_NAME",
    "platform_api.applications_url": "STANDALONE_APPLICATIONS_HOST_NAME",
    "platform_api.access_url": "STANDALONE_ACCESS_HOST_NAME",
    "platform_api.tenant_url": "TENANT_URL",
    "platform_api.tenant_domain": "PLATFORM_GLOBAL_TENANT_DOMAIN",
    "platform_api.client_id": "AAD_SHD_CLIENT_ID",
    "platform_api.client_secret": "AAD_SHD_CLIENT_SECRET",
    "platform_api.resource": "AAD_SHD_APP_ID",
    "email.support_email_address": "NOTIF_SUPPORT_EMAIL_ADDRESS",
    "public_api.jwt_secret": "JOB_JWT_SECRET",
}
"""The variable behind each optional container setting (``container_config``'s paths)."""


def setting_names(section: str) -> dict[str, str]:
    """``{field: variable}`` for one section of ``container_config`` (``links``, ``email``): what
    the domain's failure messages call a missing value, so they name what an operator sets."""
    prefix = f"{section}."
    return {
        path.removeprefix(prefix): variable
        for path, variable in CONFIG_VARIABLES.items()
        if path.startswith(prefix)
    }


def _env(name: str) -> Any:
    return Field(default=None, validation_alias=AliasChoices(name))


def host_url(value: str | None) -> str | None:
    """The original's ``"https://" + host``, unless the value has a scheme (docs/settings.md)."""
    if not value:
        return None
    return value if "://" in value else f"https://{value}"


class Settings(BaseSettings):
    """Every setting, by its environment variable name. Secrets are ``SecretStr``."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    # Queues (Redis). LOCAL_REDIS_CONN wins; both get DB 4; REDIS_CONN gets TLS.
    local_redis_conn: str | None = _env("LOCAL_REDIS_CONN")
    redis_conn: SecretStr | None = _env("REDIS_CONN")

    # GOV.UK Notify
    govnotify_api_key: SecretStr | None = _env("GOVNOTIFY_API_KEY")
    govnotify_temp_map: str | None = _env("GOVNOTIFY_TEMP_MAP")
    govnotify_rate_limit_per_minute: int = Field(
        default=2970, gt=0, validation_alias=AliasChoices("GOVNOTIFY_RATE_LIMIT_PER_MINUTE")
    )
    govnotify_base_url: str = Field(
        default=NOTIFY_DEFAULT_BASE_URL, validation_alias=AliasChoices("GOVNOTIFY_BASE_URL")
    )

    # Platform host names, turned into URLs by ``host_url``
    standalone_interactions_host_name: str | None = _env("STANDALONE_INTERACTIONS_HOST_NAME")
    standalone_profile_host_name: str | None = _env("STANDALONE_PROFILE_HOST_NAME")
    standalone_services_host_name: str | None = _env("STANDALONE_SERVICES_HOST_NAME")
    standalone_help_host_name: str | None = _env("STANDALONE_HELP_HOST_NAME")
    standalone_organisations_host_name: str | None = _env("STANDALONE_ORGANISATIONS_HOST_NAME")
    standalone_directories_host_name: str | None = _env("STANDALONE_DIRECTORIES_HOST_NAME")
    standalone_applications_host_name: str | None = _env("STANDALONE_APPLICATIONS_HOST_NAME")
    standalone_access_host_name: str | None = _env("STANDALONE_ACCESS_HOST_NAME")
    standalone_jobs_host_name: str | None = _env("STANDALONE_JOBS_HOST_NAME")

    # Azure AD client credentials for platform APIs, and the token audience for /monitor
    tenant_url: str | None = _env("TENANT_URL")
    platform_global_tenant_domain: str | None = _env("PLATFORM_GLOBAL_TENANT_DOMAIN")
    aad_shd_client_id: str | None = _env("AAD_SHD_CLIENT_ID")
    aad_shd_client_secret: SecretStr | None = _env("AAD_SHD_CLIENT_SECRET")
    aad_shd_app_id: str | None = _env("AAD_SHD_APP_ID")

    # Notifications
    notif_support_email_address: str | None = _env("NOTIF_SUPPORT_EMAIL_ADDRESS")
    platform_global_slack_feed: SecretStr | None = _env("PLATFORM_GLOBAL_SLACK_FEED")
    environment_name: str | None = _env("ENVIRONMENT_NAME")
    job_jwt_secret: SecretStr | None = _env("JOB_JWT_SECRET")
    entra_use_for_account_registration: str | None = _env("ENTRA_USE_FOR_ACCOUNT_REGISTRATION")

    # Legacy-sync state database (SQL Server in production)
    platform_global_server_name: str | None = _env("PLATFORM_GLOBAL_SERVER_NAME")
    svc_signin_jobs: str | None = _env("SVC_SIGNIN_JOBS")
    svc_signin_jobs_password: SecretStr | None = _env("SVC_SIGNIN_JOBS_PASSWORD")
    platform_global_jobs_database_name: str | None = _env("PLATFORM_GLOBAL_JOBS_DATABASE_NAME")

    # Telemetry (docs/operations.md "Telemetry"); the SDK also reads the other OTEL_* variables
    applicationinsights_connection_string: SecretStr | None = _env(
        "APPLICATIONINSIGHTS_CONNECTION_STRING"
    )
    otel_exporter_otlp_endpoint: str | None = _env("OTEL_EXPORTER_OTLP_ENDPOINT")

    # Hosting
    local_env: str = Field(default="azure", validation_alias=AliasChoices("LOCAL_ENV"))
    port: int = Field(default=3000, ge=1, le=65535, validation_alias=AliasChoices("PORT"))

    # New in dsi-jobs
    jobs_data_dir: Path = Field(default=Path("var"), validation_alias=AliasChoices("JOBS_DATA_DIR"))
    jobs_shutdown_grace_seconds: float = Field(
        default=30.0, gt=0, validation_alias=AliasChoices("JOBS_SHUTDOWN_GRACE_SECONDS")
    )
    jobs_monitor_token: SecretStr | None = _env("JOBS_MONITOR_TOKEN")
    jobs_state_database_url: SecretStr | None = _env("JOBS_STATE_DATABASE_URL")
    jobs_log_level: str = Field(default="info", validation_alias=AliasChoices("JOBS_LOG_LEVEL"))
    jobs_log_format: str = Field(default="auto", validation_alias=AliasChoices("JOBS_LOG_FORMAT"))
    jobs_concurrency: int = Field(
        default=10, gt=0, validation_alias=AliasChoices("JOBS_CONCURRENCY")
    )
    jobs_processes: str = Field(default="1", validation_alias=AliasChoices("JOBS_PROCESSES"))
    jobs_retry_delay_scale: float = Field(
        default=1.0, gt=0, validation_alias=AliasChoices("JOBS_RETRY_DELAY_SCALE")
    )
    jobs_subscription_refresh_seconds: float = Field(
        default=300.0, gt=0, validation_alias=AliasChoices("JOBS_SUBSCRIPTION_REFRESH_SECONDS")
    )
    jobs_http_timeout_seconds: float = Field(
        default=10.0, gt=0, validation_alias=AliasChoices("JOBS_HTTP_TIMEOUT_SECONDS")
    )
    jobs_webhook_allow_http: bool = Field(
        default=False, validation_alias=AliasChoices("JOBS_WEBHOOK_ALLOW_HTTP")
    )
    jobs_webhook_allowed_hosts: str | None = _env("JOBS_WEBHOOK_ALLOWED_HOSTS")
    jobs_monitor_allowed_roles: str | None = _env("JOBS_MONITOR_ALLOWED_ROLES")
    jobs_monitor_allowed_client_ids: str | None = _env("JOBS_MONITOR_ALLOWED_CLIENT_IDS")
    jobs_sandbox: str = Field(default="auto", validation_alias=AliasChoices("JOBS_SANDBOX"))
    jobs_allow_embedded_defaults: bool = Field(
        default=False, validation_alias=AliasChoices("JOBS_ALLOW_EMBEDDED_DEFAULTS")
    )
    jobs_sanitise_invitation_overrides: bool = Field(
        default=False, validation_alias=AliasChoices("JOBS_SANITISE_INVITATION_OVERRIDES")
    )
    jobs_queues: str | None = _env("JOBS_QUEUES")
    jobs_exclude_queues: str | None = _env("JOBS_EXCLUDE_QUEUES")

    @field_validator("local_redis_conn")
    @classmethod
    def _redis_url_shape(cls, value: str | None) -> str | None:
        if value:
            _check_redis_url(value)
        return value

    @field_validator("redis_conn")
    @classmethod
    def _secret_redis_url_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value:
            _check_redis_url(value.get_secret_value())
        return value

    @field_validator("govnotify_temp_map")
    @classmethod
    def _template_map_shape(cls, value: str | None) -> str | None:
        if not value:
            return None
        try:
            parsed = json.loads(value)
        except ValueError:
            raise ValueError('must be JSON shaped {"email": {"<templateKey>": "<id>"}}') from None
        email = parsed.get("email") if isinstance(parsed, dict) else None
        if not isinstance(email, dict) or not all(isinstance(v, str) for v in email.values()):
            raise ValueError('must be JSON shaped {"email": {"<templateKey>": "<id>"}}')
        return value

    @field_validator("govnotify_base_url", "tenant_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value and urlsplit(value).scheme not in ("http", "https"):
            raise ValueError("must be an http:// or https:// URL")
        return value

    @field_validator("jobs_log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        if value.lower() not in ("debug", "info", "warning", "error"):
            raise ValueError("must be one of debug, info, warning, error")
        return value.lower()

    @field_validator("jobs_sandbox")
    @classmethod
    def _sandbox_mode(cls, value: str) -> str:
        if value.lower() not in ("auto", "true", "false"):
            raise ValueError("must be one of auto, true, false")
        return value.lower()

    @field_validator("jobs_log_format")
    @classmethod
    def _log_format(cls, value: str) -> str:
        if value.lower() not in ("auto", "json", "console"):
            raise ValueError("must be one of auto, json, console")
        return value.lower()

    @field_validator("jobs_processes")
    @classmethod
    def _processes(cls, value: str) -> str:
        return str(worker_processes(value))  # "auto" kept as the machine's count

    # Derived values -------------------------------------------------------------------------

    @property
    def is_dev(self) -> bool:
        return self.local_env == "dev"

    @property
    def use_entra_for_account_registration(self) -> bool:
        return (self.entra_use_for_account_registration or "").lower() == "true"

    @property
    def queue_selection(self) -> QueueSelection:
        """The queues this process consumes (``JOBS_QUEUES`` minus ``JOBS_EXCLUDE_QUEUES``)."""
        return QueueSelection.parse(self.jobs_queues, self.jobs_exclude_queues)

    @property
    def webhook_allowed_hosts(self) -> tuple[str, ...]:
        """Host names, IPs or CIDRs a relying-party webhook may reach despite being internal."""
        return _entries(self.jobs_webhook_allowed_hosts)

    @property
    def monitor_allowed_roles(self) -> tuple[str, ...]:
        """App roles (``roles`` claim) that may use ``/monitor``, ``/metrics``, ``/dashboard``."""
        return _entries(self.jobs_monitor_allowed_roles)

    @property
    def monitor_allowed_client_ids(self) -> tuple[str, ...]:
        """Client ids (``azp``/``appid`` claim) that may use them, whatever their roles."""
        return _entries(self.jobs_monitor_allowed_client_ids)

    def secret_values(self) -> list[str]:
        """Every configured secret, so that logging can remove it wherever it appears."""
        values = [getattr(self, name) for name in type(self).model_fields]
        return [value.get_secret_value() for value in values if isinstance(value, SecretStr)]

    @property
    def email_templates(self) -> dict[str, str]:
        if not self.govnotify_temp_map:
            return {}
        email: dict[str, str] = json.loads(self.govnotify_temp_map)["email"]
        return email

    def redis_url(self) -> SecretStr | None:
        """The queue store URL as the original builds it, or ``None`` for embedded Redis."""
        if self.local_redis_conn:
            return SecretStr(_with_db(self.local_redis_conn, tls=False))
        if self.redis_conn:
            return SecretStr(_with_db(self.redis_conn.get_secret_value(), tls=True))
        return None


def _entries(value: str | None) -> tuple[str, ...]:
    """A comma-separated setting's entries, trimmed, empty ones dropped."""
    return tuple(entry.strip() for entry in (value or "").split(",") if entry.strip())


def _check_redis_url(url: str) -> None:
    """What ioredis would reject: another scheme, or a user name or password it cannot decode."""
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss"):
        raise ValueError("must be a redis:// or rediss:// URL")
    try:
        _userinfo(parts.username)
        _userinfo(parts.password)
    except ValueError:
        raise ValueError(
            "the user name or password has a malformed percent-escape (encode '%' as %25)"
        ) from None


def _userinfo(value: str | None) -> str | None:
    """A URL's user name or password decoded as ioredis decodes it (``decodeURIComponent``):
    ``%2F`` is ``/``, ``+`` stays ``+``; a malformed escape is an error, as in JavaScript."""
    if not value:
        return None
    if _BAD_PERCENT_ESCAPE.search(value):
        raise ValueError("malformed percent-escape")
    return unquote(value, errors="strict")


def _with_db(url: str, *, tls: bool) -> str:
    """Append ``/4`` (and ``?tls=true`` for REDIS_CONN) unless the URL already names them."""
    parts = urlsplit(url)
    path = parts.path if parts.path.strip("/") else f"/{REDIS_QUEUE_DB}"
    query = parse_qs(parts.query)
    if tls:
        query.setdefault("tls", ["true"])
    return urlunsplit((parts.scheme, parts.netloc, path, urlencode(query, doseq=True), ""))


def redis_connection_options(url: str) -> dict[str, Any]:
    """redis-py keyword options for a queue URL, read as ioredis 5 reads it (``parseURL``).

    User name and password are percent-decoded (an Azure access key holds ``/``, ``+`` and
    ``=``, which operators encode). TLS for ``rediss://`` or any non-empty ``tls`` query value
    (ioredis passes the string on as its ``tls`` option, so even ``tls=false`` means TLS).
    ``socket_timeout`` must exceed BullMQ's longest blocking read (10 s) or idle workers fall
    into redis-py's back-off loop (README "Architecture").
    """
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    tls = parts.scheme == "rediss" or bool(query.get("tls", [""])[0])
    db = parts.path.strip("/")
    options: dict[str, Any] = {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 6379,
        "db": int(db) if db.isdigit() else REDIS_QUEUE_DB,
        "username": _userinfo(parts.username),
        "password": _userinfo(parts.password),
        "socket_timeout": 30,
        "socket_connect_timeout": 5,
        "socket_keepalive": True,
        "health_check_interval": 15,
    }
    if tls:
        options["ssl"] = True
    return options


MAX_PROCESSES = 64


def worker_processes(value: str) -> int:
    """``JOBS_PROCESSES`` / ``--processes``: a count from 1 to 64, or ``auto`` (the CPUs this
    process may run on, as the scheduler's affinity mask says: a container's limit counts)."""
    text = value.strip().lower()
    if text == "auto":
        return max(1, len(os.sched_getaffinity(0)))
    if not text.isdigit() or not 1 <= int(text) <= MAX_PROCESSES:
        raise ValueError(f"must be auto or a whole number from 1 to {MAX_PROCESSES}")
    return int(text)


def describe_errors(error: ValidationError) -> list[str]:
    """One line per problem, naming the environment variable, never echoing its value."""
    lines = []
    for problem in error.errors(include_input=False, include_url=False):
        name = ".".join(str(part) for part in problem["loc"]) or "configuration"
        lines.append(f"{name}: {problem['msg']}")
    return lines
