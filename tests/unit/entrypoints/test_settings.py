"""Settings come from the original deployment's variable names, unchanged."""

import os

import pytest
from pydantic import ValidationError

from entrypoints.cli import _worker_args
from entrypoints.settings import Settings, describe_errors, host_url, redis_connection_options
from tests.support.settings import settings_from


def settings(monkeypatch: pytest.MonkeyPatch, **env: str) -> Settings:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return Settings(_env_file=None)  # type: ignore[call-arg]


def test_local_redis_conn_gets_db_4(monkeypatch: pytest.MonkeyPatch) -> None:
    found = settings(monkeypatch, LOCAL_REDIS_CONN="redis://127.0.0.1:6379")
    url = found.redis_url()
    assert url is not None
    assert url.get_secret_value() == "redis://127.0.0.1:6379/4"
    options = redis_connection_options(url.get_secret_value())
    assert (options["host"], options["port"], options["db"]) == ("127.0.0.1", 6379, 4)
    assert "ssl" not in options
    assert options["socket_timeout"] > 10, "must exceed BullMQ's 10 s blocking reads"


def test_redis_conn_gets_db_4_and_tls(monkeypatch: pytest.MonkeyPatch) -> None:
    found = settings(monkeypatch, REDIS_CONN="redis://:s3cret@cache.example:6380")
    url = found.redis_url()
    assert url is not None
    assert url.get_secret_value() == "redis://:s3cret@cache.example:6380/4?tls=true"
    options = redis_connection_options(url.get_secret_value())
    assert options["ssl"] is True
    assert options["password"] == "s3cret"
    assert options["db"] == 4


def test_local_redis_conn_wins_over_redis_conn(monkeypatch: pytest.MonkeyPatch) -> None:
    found = settings(
        monkeypatch, LOCAL_REDIS_CONN="redis://localhost:6379", REDIS_CONN="redis://x:6380"
    )
    url = found.redis_url()
    assert url is not None
    assert url.get_secret_value() == "redis://localhost:6379/4"


def test_no_redis_means_embedded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LOCAL_REDIS_CONN", raising=False)
    monkeypatch.delenv("REDIS_CONN", raising=False)
    assert settings(monkeypatch).redis_url() is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("services.example.gov.uk", "https://services.example.gov.uk"),
        ("http://127.0.0.1:8080/x", "http://127.0.0.1:8080/x"),
        ("", None),
        (None, None),
    ],
)
def test_host_names_become_urls_unless_they_carry_a_scheme(
    value: str | None, expected: str | None
) -> None:
    assert host_url(value) == expected


def test_templates_and_switches(monkeypatch: pytest.MonkeyPatch) -> None:
    found = settings(
        monkeypatch,
        GOVNOTIFY_TEMP_MAP='{"email": {"supportRequest": "a-b-c"}}',
        ENTRA_USE_FOR_ACCOUNT_REGISTRATION="TRUE",
        LOCAL_ENV="dev",
        PORT="4100",
    )
    assert found.email_templates == {"supportRequest": "a-b-c"}
    assert found.use_entra_for_account_registration is True
    assert found.is_dev is True
    assert found.port == 4100


def test_invalid_configuration_names_each_problem_without_values(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(ValidationError) as raised:
        settings(
            monkeypatch,
            LOCAL_REDIS_CONN="http://not-redis",
            GOVNOTIFY_TEMP_MAP="{not json",
            PORT="eighty",
            GOVNOTIFY_API_KEY="key-00000000-0000-0000-0000-000000000000",
        )
    lines = describe_errors(raised.value)
    assert len(lines) == 3
    joined = "\n".join(lines)
    for name in ("LOCAL_REDIS_CONN", "GOVNOTIFY_TEMP_MAP", "PORT"):
        assert name in joined
    assert "not-redis" not in joined
    assert "eighty" not in joined


def test_secrets_are_not_printed(monkeypatch: pytest.MonkeyPatch) -> None:
    found = settings(monkeypatch, GOVNOTIFY_API_KEY="key-secret-value", JOB_JWT_SECRET="jwt-secret")
    assert "key-secret-value" not in repr(found)
    assert "jwt-secret" not in str(found)


@pytest.mark.parametrize(
    ("url", "username", "password"),
    [
        ("redis://:Az%2FurE%2Bkey%3D@cache.example:6380", None, "Az/urE+key="),
        ("redis://:a+b=c@cache.example:6380", None, "a+b=c"),  # '+' is not a space
        ("redis://jobs%40dsi:p%25w@cache.example:6380", "jobs@dsi", "p%w"),
        ("redis://cache.example:6380", None, None),
    ],
)
def test_user_and_password_are_percent_decoded_as_ioredis_does(
    url: str, username: str | None, password: str | None
) -> None:
    options = redis_connection_options(url)
    assert (options["username"], options["password"]) == (username, password)


@pytest.mark.parametrize(
    ("url", "tls"),
    [
        ("rediss://cache.example:6380/4", True),
        ("redis://cache.example:6380/4?tls=true", True),
        ("redis://cache.example:6380/4?tls=false", True),  # ioredis: any non-empty value
        ("redis://cache.example:6380/4?tls=", False),
        ("redis://cache.example:6380/4", False),
    ],
)
def test_tls_as_ioredis_reads_it(url: str, tls: bool) -> None:
    assert redis_connection_options(url).get("ssl", False) is tls


def test_a_named_db_is_kept_and_a_missing_one_is_4(monkeypatch: pytest.MonkeyPatch) -> None:
    found = settings(monkeypatch, LOCAL_REDIS_CONN="redis://:p%2F@h:1/2")
    url = found.redis_url()
    assert url is not None
    assert redis_connection_options(url.get_secret_value())["db"] == 2
    assert redis_connection_options("rediss://:p%2F@h:1?tls=true")["db"] == 4


def test_a_malformed_percent_escape_is_refused_without_the_value(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(ValidationError) as raised:
        settings(monkeypatch, REDIS_CONN="redis://:bad%zzsecret@cache.example:6380")
    (line,) = describe_errors(raised.value)
    assert line.startswith("REDIS_CONN: ")
    assert "percent-escape" in line
    assert "secret" not in line


def test_log_format_is_auto_json_or_console(monkeypatch: pytest.MonkeyPatch) -> None:
    assert settings(monkeypatch).jobs_log_format == "auto"
    assert settings(monkeypatch, JOBS_LOG_FORMAT="JSON").jobs_log_format == "json"
    with pytest.raises(ValidationError) as refused:
        settings(monkeypatch, JOBS_LOG_FORMAT="pretty")
    assert describe_errors(refused.value) == [
        "JOBS_LOG_FORMAT: Value error, must be one of auto, json, console"
    ]


def test_jobs_processes_takes_a_count_or_auto(monkeypatch: pytest.MonkeyPatch) -> None:
    assert settings_from(monkeypatch, {}).jobs_processes == "1"
    assert settings_from(monkeypatch, {"JOBS_PROCESSES": "3"}).jobs_processes == "3"
    cpus = len(os.sched_getaffinity(0))
    assert settings_from(monkeypatch, {"JOBS_PROCESSES": "Auto"}).jobs_processes == str(cpus)
    for wrong in ("0", "-1", "65", "two", ""):
        with pytest.raises(ValidationError, match="auto or a whole number"):
            settings_from(monkeypatch, {"JOBS_PROCESSES": wrong})


def test_worker_processes_get_the_worker_arguments_less_processes() -> None:
    assert _worker_args(["worker", "--processes", "2"]) == []
    assert _worker_args(["worker", "--processes=auto", "--queues", "test"]) == ["--queues", "test"]
