"""One job as a row of a listing, and its attempts and times in words: the same columns and
wording in the dashboard and the CLI (``dsi-jobs jobs TYPE --state …``), so an operator reads
the same thing in both. Jobs come here already masked (``entrypoints.masking``); the callers
escape each cell for their medium (HTML, terminal).
"""

import time
from datetime import UTC, datetime

from adapters.redis_queue.job_records import JobRecord

COLUMNS = {  # one entry per ``adapters.redis_queue.inspector.LISTED_STATES``
    "waiting": ("id", "name", "created", "attempts made"),
    "active": ("id", "name", "started", "attempt"),
    "delayed": ("id", "name", "attempt", "next run", "last error"),
    "failed": ("id", "name", "attempts made", "failed", "reason"),
    "completed": ("id", "name", "attempts made", "finished", "took"),
}
REASON_COLUMNS = frozenset({"last error", "reason"})
"""Columns holding free text (failure reasons): shown in full, wrapped."""


def now_ms() -> int:
    return int(time.time() * 1000)


def row(job: JobRecord, state: str, max_attempts: int | None, now: int | None = None) -> list[str]:
    """The cells of ``COLUMNS[state]`` for ``job``."""
    now = now if now is not None else now_ms()
    made = attempts_made(job, max_attempts)
    cells = {
        "id": job.id,
        "name": job.name,
        "created": moment(job.timestamp, now),
        "started": moment(job.processed_on, now),
        "attempts made": made,
        "attempt": next_attempt(job, max_attempts),
        "next run": moment(job.next_run_ms, now),
        "last error": job.failed_reason or "",
        "failed": moment(job.finished_on, now),
        "reason": job.failed_reason or "",
        "finished": moment(job.finished_on, now),
        "took": duration(job.processed_on, job.finished_on),
    }
    return [cells[column] for column in COLUMNS[state]]


def details(
    queue: str, job: JobRecord, max_attempts: int | None, now: int | None = None
) -> list[tuple[str, str]]:
    """One job's facts, label and value, as the job page and ``dsi-jobs show`` list them."""
    now = now if now is not None else now_ms()
    facts = [
        ("type", queue), ("id", job.id), ("name", job.name), ("state", job.state or "unknown"),
        ("attempts made", attempts_made(job, max_attempts)),
    ]  # fmt: skip
    if job.state == "delayed":
        facts += [
            ("next run", f"{next_attempt(job, max_attempts)}, {moment(job.next_run_ms, now)}")
        ]
    if job.state in ("waiting", "active"):
        label = "running" if job.state == "active" else "next"
        facts += [(label, next_attempt(job, max_attempts))]
    facts += [
        ("created", moment(job.timestamp, now)),
        ("last started", moment(job.processed_on, now)),
        ("finished", moment(job.finished_on, now)),
        ("last error" if job.state != "failed" else "reason", job.failed_reason or "-"),
    ]
    return facts


def attempts_made(job: JobRecord, max_attempts: int | None) -> str:
    """``2 of 8``: attempts finished out of those this worker allows the job type."""
    return f"{job.attempts_made} of {max_attempts}" if max_attempts else str(job.attempts_made)


def next_attempt(job: JobRecord, max_attempts: int | None) -> str:
    """``attempt 3 of 8``: the attempt running now (active) or next (waiting, delayed)."""
    number = job.attempts_made + 1
    return f"attempt {number} of {max_attempts}" if max_attempts else f"attempt {number}"


def moment(epoch_ms: int | None, now_ms: int) -> str:
    """``2026-01-02 03:04:05 UTC (3m ago)`` or ``(in 25s)``; ``-`` when unknown."""
    if not epoch_ms:
        return "-"
    at = datetime.fromtimestamp(epoch_ms / 1000, tz=UTC)
    seconds = (now_ms - epoch_ms) / 1000
    relative = f"{_span(seconds)} ago" if seconds >= 0 else f"in {_span(-seconds)}"
    return f"{at:%Y-%m-%d %H:%M:%S} UTC ({relative})"


def duration(start_ms: int | None, end_ms: int | None) -> str:
    if not start_ms or not end_ms or end_ms < start_ms:
        return "-"
    milliseconds = end_ms - start_ms
    return f"{milliseconds} ms" if milliseconds < 10_000 else _span(milliseconds / 1000)


def _span(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{int(seconds // size)}{unit}"
    return f"{int(seconds)}s"
