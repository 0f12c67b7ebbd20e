"""Logs carry no personal data or secrets, whoever logs them and whatever an exception holds."""

import json
import logging
import sys
from collections.abc import Callable, Iterator
from urllib.parse import quote

import httpx
import pytest
import structlog
from pydantic import SecretStr

from adapters.memory.directories import InMemoryDirectories
from adapters.memory.job_publisher import InMemoryJobPublisher
from adapters.redis_queue.inspector import JobPage
from domain.errors import UpstreamUnavailable
from domain.use_cases.email.user_update_follow_up import request_user_update
from entrypoints.http.app import create_app
from entrypoints.http.auth import StaticTokenVerifier
from entrypoints.logging import Redactor, configure_logging, job_fields
from tests.support.asgi_server import serve
from tests.unit.entrypoints.test_http_app import FakeMonitor, redis_up
from tests.unit.operations.test_dashboard import FakeQueues

SECRET = "client-secret-0123456789abcdef"
ADDRESS = "person.name@example.com"
DB_PASSWORD = "Sql-Pa55word!"
MONITOR_TOKEN = "static-monitor-token-0123456789"

Lines = Callable[[], list[dict[str, object]]]


class CurrentStdout:
    """Writes to whatever ``sys.stdout`` is now (pytest swaps it between setup and the test)."""

    def write(self, text: str) -> None:
        sys.stdout.write(text)

    def flush(self) -> None:
        sys.stdout.flush()


@pytest.fixture
def lines(capsys: pytest.CaptureFixture[str]) -> Iterator[Lines]:
    """Logging configured with the secrets above; call the fixture for the lines so far."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    configure_logging("info", secrets=[SECRET, DB_PASSWORD, MONITOR_TOKEN])
    [handler] = root.handlers
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(CurrentStdout())  # type: ignore[arg-type]

    def read() -> list[dict[str, object]]:
        return [json.loads(line) for line in capsys.readouterr().out.strip().splitlines()]

    yield read
    root.handlers[:], level = saved
    root.setLevel(level)
    structlog.reset_defaults()


def _fetch_token(email: str) -> None:
    form = {"client_id": "c1", "client_secret": SECRET, "scope": "app/.default"}
    path = f"/users/{email}"
    raise ValueError(f"token endpoint answered a body that is not JSON ({len(form)}, {path})")


def test_sensitive_keys_and_addresses_are_redacted(lines: Lines) -> None:
    structlog.get_logger("test").info(
        "email_sent", email="someone@example.com", note="to other@example.org", job_id="7"
    )
    logging.getLogger("notifications_python_client").warning(
        "API POST request failed with 400 'bad address someone@example.com'"
    )
    ours, library = lines()
    assert ours["email"] == "[redacted]"
    assert ours["note"] == "to [email]"
    assert ours["job_id"] == "7"
    assert "someone@example.com" not in json.dumps(library)
    assert library["level"] == "warning"


def test_exception_locals_and_messages_never_reach_the_log(lines: Lines) -> None:
    log = structlog.get_logger("test")
    try:
        _fetch_token(ADDRESS)
    except ValueError:
        log.exception("token_failed")
    [line] = lines()
    text = json.dumps(line)
    assert line["exception"], "the traceback itself is kept"
    assert "_fetch_token" in text
    assert SECRET not in text
    assert ADDRESS not in text
    assert "person.name" not in text


def test_configured_secrets_are_removed_wherever_they_appear(lines: Lines) -> None:
    structlog.get_logger("test").info("odd", detail=f"the secret is {SECRET} here")
    logging.getLogger("somelibrary").error("connecting with %s", f"pwd {DB_PASSWORD}")
    text = json.dumps(lines())
    assert SECRET not in text
    assert DB_PASSWORD not in text
    assert "[redacted]" in text


def test_asyncio_exception_in_callback_hides_the_database_password(lines: Lines) -> None:
    url = f"mssql+aioodbc://sqluser:{DB_PASSWORD.replace('!', '%21')}@db.example/jobs"

    def connect(connection_url: str) -> None:
        raise OSError(f"cannot connect to {connection_url}")

    try:
        connect(url)
    except OSError as error:
        logging.getLogger("asyncio").error(  # noqa: TRY400 - as asyncio itself logs it
            "Exception in callback open_state_engine(%s)", url, exc_info=error
        )
    [line] = lines()
    text = json.dumps(line)
    assert line["logger"] == "asyncio"
    assert "OSError" in text
    assert "Sql-Pa55word" not in text
    assert "sqluser:" not in text


async def test_a_failed_follow_up_lookup_logs_no_address_or_traceback(lines: Lines) -> None:
    users = InMemoryDirectories(fail_with=UpstreamUnavailable("directories API answered 500"))
    assert not await request_user_update(
        ADDRESS, users=users, publisher=InMemoryJobPublisher(), after="service_removal"
    )
    [line] = lines()
    assert line["event"] == "user_update_not_requested"
    assert line["cause"] == "UpstreamUnavailable"
    assert "exception" not in line
    assert ADDRESS not in json.dumps(line)


async def test_an_unhandled_route_error_logs_no_token_and_no_job_data(lines: Lines) -> None:
    """uvicorn's "Exception in ASGI application" line, from a real server."""

    class BrokenQueues(FakeQueues):
        async def jobs(self, queue: str, state: str, start: int = 0, count: int = 50) -> JobPage:
            jobs = self.failed_jobs[queue]
            raise RuntimeError(f"cannot render {len(jobs)} job(s)")

    app = create_app(
        monitor=FakeMonitor(queues=["test"]), ping_redis=redis_up,
        verifier=StaticTokenVerifier(SecretStr(MONITOR_TOKEN)), grace_s=1,
        queue_operations=BrokenQueues(),
    )  # fmt: skip
    async with serve(app) as base, httpx.AsyncClient(base_url=base) as http:
        answer = await http.get(
            "/dashboard/queues/test", headers={"authorization": f"Bearer {MONITOR_TOKEN}"}
        )
    assert answer.status_code == 500
    text = json.dumps(lines())
    assert "Exception in ASGI application" in text
    assert "cannot render 1 job(s)" in text
    assert MONITOR_TOKEN not in text
    assert "someone@example.com" not in text, "the failed job's data"


@pytest.fixture
def console(capsys: pytest.CaptureFixture[str]) -> Iterator[Callable[[], str]]:
    """Logging with the console renderer (as in a terminal); call the fixture for the text."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    configure_logging("info", secrets=[SECRET, DB_PASSWORD], log_format="console")
    [handler] = root.handlers
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(CurrentStdout())  # type: ignore[arg-type]
    yield lambda: capsys.readouterr().out
    root.handlers[:], level = saved
    root.setLevel(level)
    structlog.reset_defaults()


def test_the_console_renderer_redacts_exactly_as_the_json_one(console: Callable[[], str]) -> None:
    log = structlog.get_logger("test")
    log.info("email_sent", email="someone@example.com", note="to other@example.org", job_id="7")
    logging.getLogger("somelibrary").error("connecting with %s", f"pwd {DB_PASSWORD}")
    try:
        _fetch_token(ADDRESS)
    except ValueError:
        log.exception("token_failed")
    text = console()
    assert "email_sent" in text
    assert "job_id=7" in text
    assert "note='to [email]'" in text
    assert "email=[redacted]" in text
    assert "Traceback (most recent call last)" in text, "a readable traceback"
    assert "_fetch_token" in text
    for secret in (SECRET, DB_PASSWORD, ADDRESS, "someone@example.com", "person.name"):
        assert secret not in text
    assert "{" not in text.splitlines()[0], "a human line, not JSON"


def test_the_console_renderer_prints_no_terminal_escapes(console: Callable[[], str]) -> None:
    structlog.get_logger("test").warning("\x1b]0;pwned\x07reason \x1b[31mred\x1b[0m")
    text = console()
    assert "\x1b]0;" not in text
    assert "\x1b[31mred" not in text
    assert "reason [31mred[0m" in text or "reason red" in text


def test_auto_format_is_json_when_stdout_is_not_a_terminal(lines: Lines) -> None:
    """The ``lines`` fixture leaves the format at ``auto``; pytest's stdout is no terminal."""
    assert not sys.stdout.isatty()
    structlog.get_logger("test").info("plain_event", job_id="1")
    [line] = lines()
    assert (line["event"], line["job_id"], line["level"]) == ("plain_event", "1", "info")


def test_an_unknown_log_format_is_refused() -> None:
    with pytest.raises(ValueError, match="auto, json, console"):
        configure_logging("info", log_format="xml")


def test_job_fields_reach_every_line_of_the_job_and_no_other(lines: Lines) -> None:
    log = structlog.get_logger("test")
    with job_fields(queue="test", job_id="41", attempt=2):
        log.info("inside", job_id="own value wins")
    log.info("outside")
    inside, outside = lines()
    assert (inside["queue"], inside["job_id"], inside["attempt"]) == ("test", "own value wins", 2)
    assert "queue" not in outside
    assert str(inside["timestamp"]).endswith("Z")
    assert len(str(inside["timestamp"])) == len("2026-01-31T08:00:00.123456Z")


def test_values_remembered_as_clean_never_let_a_later_secret_or_address_through() -> None:
    redactor = Redactor([SECRET])
    clean = {"event": "job_finished", "queue": "test", "note": "short"}
    assert redactor(None, "info", dict(clean)) == clean
    assert redactor(None, "info", dict(clean)) == clean  # remembered this time
    for value in (ADDRESS, f"key {SECRET}", SECRET):
        for _ in range(2):
            line = str(redactor(None, "info", {"event": "x", "note": value}))
            assert ADDRESS not in line
            assert SECRET not in line
    encoded = redactor(None, "info", {"event": "x", "note": f"url?k={quote(SECRET, safe='')}"})
    assert quote(SECRET, safe="") not in str(encoded)
