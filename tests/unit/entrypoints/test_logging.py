"""Logs carry no personal data or secrets, whoever logs them."""

import json
import logging
from collections.abc import Iterator

import pytest
import structlog

from entrypoints.logging import configure_logging


@pytest.fixture
def logged(capsys: pytest.CaptureFixture[str]) -> Iterator[list[dict[str, object]]]:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    configure_logging("info")
    structlog.get_logger("test").info(
        "email_sent", email="someone@example.com", note="to other@example.org", job_id="7"
    )
    logging.getLogger("notifications_python_client").warning(
        "API POST request failed with 400 'bad address someone@example.com'"
    )
    lines = capsys.readouterr().out.strip().splitlines()
    yield [json.loads(line) for line in lines]
    root.handlers[:], level = saved
    root.setLevel(level)
    structlog.reset_defaults()


def test_sensitive_keys_and_addresses_are_redacted(logged: list[dict[str, object]]) -> None:
    ours, library = logged
    assert ours["email"] == "[redacted]"
    assert ours["note"] == "to [email]"
    assert ours["job_id"] == "7"
    assert "someone@example.com" not in json.dumps(library)
    assert library["level"] == "warning"
