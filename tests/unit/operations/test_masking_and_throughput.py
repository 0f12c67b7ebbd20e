"""Masking of job data for operators, and per-minute counts rebuilt from BullMQ's metrics keys."""

from adapters.bullmq.throughput import MINUTE_MS, per_minute
from entrypoints.masking import MASK, mask_personal_data


def test_sensitive_keys_and_email_values_are_masked_recursively() -> None:
    data = {
        "email": "a@b.example", "firstName": "Zoë", "lastName": None, "code": "ABC123",
        "password": "pw", "jwtToken": "t", "userId": "u-1", "count": 3,
        "recipients": [{"emailAddress": "c@d.example"}, "e@f.example"],
        "note": "ask g@h.example about it", "nested": {"clientSecret": {"x": 1}},
    }  # fmt: skip
    assert mask_personal_data(data) == {
        "email": MASK, "firstName": MASK, "lastName": None, "code": MASK, "password": MASK,
        "jwtToken": MASK, "userId": "u-1", "count": 3,
        "recipients": [{"emailAddress": MASK}, MASK],
        "note": "ask [email] about it", "nested": {"clientSecret": MASK},
    }  # fmt: skip


def test_non_objects_pass_through_masked() -> None:
    assert mask_personal_data(["x@y.example", 1, None]) == [MASK, 1, None]
    assert mask_personal_data("<job data is not valid JSON>") == "<job data is not valid JSON>"


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
