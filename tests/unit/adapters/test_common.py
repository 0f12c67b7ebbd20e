"""The helpers every adapter shares (``adapters.common``): one rule each, read once."""

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from adapters.common.retry_after import retry_after_seconds
from adapters.common.templates import TemplateMap
from domain.errors import TemplateNotConfigured


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("7", 7.0), (" 120 ", 120.0), ("1.5", 1.5), ("-3", 0.0), ("0", 0.0)],
)
def test_retry_after_in_seconds(value: str, seconds: float) -> None:
    assert retry_after_seconds(value) == seconds


@pytest.mark.parametrize("value", [None, "", "  ", "soon", "inf", "nan", "Mon, 99 Foo 2026"])
def test_retry_after_absent_or_unreadable_is_none(value: str | None) -> None:
    assert retry_after_seconds(value) is None


def test_retry_after_as_an_http_date() -> None:
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=60), usegmt=True)
    naive_utc = later.replace("GMT", "-0000")

    for value in (later, naive_utc):
        seconds = retry_after_seconds(value)
        assert seconds is not None
        assert 55 <= seconds <= 61


def test_retry_after_a_date_already_past_is_now() -> None:
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0


def test_template_map_names_the_first_key_without_an_id() -> None:
    templates = TemplateMap({"a": "id-a", "b": ""})

    assert templates.id_for("a") == "id-a"
    templates.require(["a"])
    with pytest.raises(TemplateNotConfigured) as caught:
        templates.require(["a", "b", "c"])
    assert caught.value.template_key == "b"
