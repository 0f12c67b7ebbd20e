"""``Retry-After`` read once for every adapter that honours it (platform APIs, webhooks, SOAP)."""

import email.utils
import math
from datetime import UTC, datetime


def retry_after_seconds(value: str | None) -> float | None:
    """``Retry-After`` as seconds from now: a number of seconds, or an HTTP date (a date already
    past is 0). ``None`` when absent or unreadable, so the caller's own back-off applies."""
    text = (value or "").strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        return _until(text)
    return max(0.0, seconds) if math.isfinite(seconds) else None


def _until(http_date: str) -> float | None:
    try:
        when = email.utils.parsedate_to_datetime(http_date)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # "-0000": the sender's zone is unknown, the time is UTC
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
