"""Masking of job data for operators, and per-minute counts rebuilt from BullMQ's metrics keys."""

import time

import pytest

from adapters.redis_queue.throughput import MINUTE_MS, per_minute
from domain.personal_data import redact_text
from entrypoints.masking import (
    LEFT_OUT,
    MASK,
    MAX_VALUE_CHARS,
    MAX_VALUES,
    TOO_DEEP,
    mask_personal_data,
)

HOSTILE_5_MB = {
    "no separators": "x" * 5_000_000,
    "all at signs": "a@" * 2_500_000,
    "percent-encoded at signs": "a%40" * 1_250_000,
    "url prefixes": "://" * 1_700_000,
    "jwt prefixes": "eyJ" * 1_700_000,
}


def test_sensitive_keys_and_email_values_are_masked_recursively() -> None:
    data = {
        "email": "a@b.example", "firstName": "Zoë", "lastName": None, "code": "ABC123",
        "password": "pw", "jwtToken": "t", "userId": "u-1", "count": 3,
        "recipients": ["c@d.example"], "copies": [{"emailAddress": "c@d.example"}, "e@f.example"],
        "info": "ask g@h.example about it", "nested": {"clientSecret": {"x": 1}},
        "message": "free text", "phone": "01234 567890",
        "callback": "https://rp.example/cb?token=abc&user=u-1",
    }  # fmt: skip
    assert mask_personal_data(data) == {
        "email": MASK, "firstName": MASK, "lastName": None, "code": MASK, "password": MASK,
        "jwtToken": MASK, "userId": "u-1", "count": 3,
        "recipients": MASK, "copies": [{"emailAddress": MASK}, MASK],
        "info": "ask [email] about it", "nested": {"clientSecret": MASK},
        "message": MASK, "phone": MASK, "callback": "https://rp.example/cb?[redacted]",
    }  # fmt: skip


def test_non_objects_pass_through_masked() -> None:
    assert mask_personal_data(["x@y.example", 1, None]) == [MASK, 1, None]
    assert mask_personal_data("<job data is not valid JSON>") == "<job data is not valid JSON>"


@pytest.mark.parametrize("text", HOSTILE_5_MB.values(), ids=list(HOSTILE_5_MB))
def test_a_5_mb_field_is_masked_within_a_bound(text: str) -> None:
    """A safety bound, not a benchmark: the unbounded e-mail pattern took over 10 minutes."""
    started = time.perf_counter()
    masked = mask_personal_data({"field": text})["field"]
    elapsed = time.perf_counter() - started
    assert elapsed < 0.05
    assert len(masked) <= MAX_VALUE_CHARS + 20


@pytest.mark.parametrize("text", HOSTILE_5_MB.values(), ids=list(HOSTILE_5_MB))
def test_redaction_of_long_text_is_bounded(text: str) -> None:
    started = time.perf_counter()
    redact_text(text)
    assert time.perf_counter() - started < 0.25


def test_deep_nesting_and_huge_collections_are_cut_short() -> None:
    deep: dict[str, object] = {"email": "a@b.example"}
    for _ in range(5000):
        deep = {"a": deep}
    masked = mask_personal_data(deep)
    for _ in range(32):
        masked = masked["a"]
    assert masked == TOO_DEEP
    wide = mask_personal_data(list(range(MAX_VALUES + 10)))
    assert wide[-1] == LEFT_OUT


def test_addresses_are_found_however_they_are_written() -> None:
    assert redact_text("GET /users/invitee.person%40example.com failed") == (
        "GET /users/[email] failed"
    )
    assert redact_text("mssql://user:S3cret@db.example/x") == "mssql://[redacted]@db.example/x"
    assert redact_text("Authorization: Bearer abc.def-ghi") == "Authorization: Bearer [redacted]"
    assert redact_text("{'client_secret': 'xyz', 'scope': 'a'}") == (
        "{'client_secret': '[redacted]', 'scope': 'a'}"
    )
    assert redact_text("Invalid token: API key not found") == "Invalid token: API key not found"


def _replies(meta: list[object], data: list[str], zcounts: list[int], minutes: int) -> list[object]:
    """Pipeline replies for one state: HMGET, LRANGE, then one ZCOUNT per minute."""
    assert len(zcounts) == minutes
    return [meta, data, *zcounts]


def test_metrics_keys_rebuild_minutes_with_gaps_and_the_pending_minute() -> None:
    now = 100 * MINUTE_MS + 5_000
    minutes = 5  # minutes 96..100
    # completed: last flush in minute 98 (2 pending there); data: minute 97 -> 4, 96 -> 1
    completed = _replies(["9", str(98 * MINUTE_MS + 10), "7"], ["4", "1", "8"], [0] * 5, minutes)
    # failed: no metrics keys -> the finished set's counts are used
    failed = _replies([None, None, None], [], [0, 1, 0, 0, 2], minutes)

    counts = per_minute([*completed, *failed], now, minutes)

    assert [c.minute_ms // MINUTE_MS for c in counts] == [96, 97, 98, 99, 100]
    assert [(c.completed, c.failed) for c in counts] == [(1, 0), (4, 1), (2, 0), (0, 0), (0, 2)]
