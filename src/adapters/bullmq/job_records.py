"""Jobs as Node bullmq 5 stores them (``bull:<queue>:<id>`` hashes), read tolerantly.

``bullmq.Job.fromJSON`` raises on a hash whose ``data`` is not JSON; an operator looking at a
queue needs to see exactly those jobs, so the hash is parsed here field by field instead.
Data too large or too deeply nested to show is replaced by a note saying so.
"""

import json
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class JobRecord:
    """One job as dashboards show it; times are epoch milliseconds, as BullMQ stores them."""

    id: str
    name: str
    data: Any
    failed_reason: str | None = None
    attempts_made: int = 0
    timestamp: int | None = None
    processed_on: int | None = None
    finished_on: int | None = None
    stacktrace: list[str] = field(default_factory=list)
    state: str | None = None


UNDECODABLE = "<job data is not valid JSON>"
"""What ``data`` holds when the stored JSON cannot be parsed (the raw text may be personal)."""
TOO_DEEP = "<job data is nested too deeply to show>"
MAX_DATA_CHARS = 256 * 1024
"""Larger job data is not decoded for display (it is left in Redis untouched)."""


def _data(text: str) -> Any:
    if len(text) > MAX_DATA_CHARS:
        return f"<job data is too large to show here: {len(text)} characters>"
    try:
        return json.loads(text)
    except RecursionError:
        return TOO_DEEP
    except ValueError:
        return UNDECODABLE


def job_record(job_id: str, raw: dict[str, str], state: str | None = None) -> JobRecord:
    """A ``JobRecord`` from the hash fields (``decode_responses=True`` client)."""
    return JobRecord(
        id=job_id,
        name=raw.get("name", ""),
        data=_data(raw.get("data", "{}")),
        failed_reason=raw.get("failedReason") or None,
        attempts_made=_int(raw.get("atm") or raw.get("attemptsMade")) or 0,
        timestamp=_int(raw.get("timestamp")),
        processed_on=_int(raw.get("processedOn")),
        finished_on=_int(raw.get("finishedOn")),
        stacktrace=_stacktrace(raw.get("stacktrace")),
        state=state,
    )


def job_options(raw: dict[str, str]) -> dict[str, Any]:
    """The job's ``opts`` JSON, or no options when it is missing or undecodable."""
    opts = _json(raw.get("opts", "{}"), {})
    return opts if isinstance(opts, dict) else {}


def _json(text: str, fallback: Any) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return fallback


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text else None
    except ValueError:
        return None


def _stacktrace(text: str | None) -> list[str]:
    frames = _json(text or "[]", [])
    if not isinstance(frames, list):
        return [str(frames)]
    return [str(frame) for frame in frames if frame is not None]
