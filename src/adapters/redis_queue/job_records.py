"""Jobs as Node bullmq 5 stores them (``bull:<queue>:<id>`` hashes), read tolerantly.

``bullmq.Job.fromJSON`` raises on a hash whose ``data`` is not JSON; an operator looking at a
queue needs to see exactly those jobs, so the hash is parsed here field by field instead.
Data too large or too deeply nested to show is replaced by a note saying so, and ``read_jobs``
does not even fetch a field larger than ``MAX_DATA_CHARS`` from Redis.
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import redis.asyncio as redis


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
    options: dict[str, Any] = field(default_factory=dict)
    return_value: Any = None
    delay_ms: int | None = None
    next_run_ms: int | None = None
    """When a delayed job runs next (its score in the delayed set), epoch ms."""


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


def job_record(
    job_id: str, raw: dict[str, str], state: str | None = None, next_run_ms: int | None = None
) -> JobRecord:
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
        options=job_options(raw),
        return_value=_json(raw["returnvalue"], raw["returnvalue"])
        if "returnvalue" in raw
        else None,
        delay_ms=_int(raw.get("delay")),
        next_run_ms=next_run_ms,
    )


SMALL_FIELDS = ("name", "timestamp", "processedOn", "finishedOn", "atm", "attemptsMade", "delay")
LARGE_FIELDS = ("data", "opts", "failedReason", "stacktrace", "returnvalue")
"""Fields any producer or worker may fill with anything: their size is checked before reading."""


async def read_jobs(
    client: redis.Redis, key_prefix: str, job_ids: Sequence[str], state: str | None = None
) -> list[JobRecord]:
    """The jobs that still exist among ``job_ids``, in order, in two round trips.

    A field larger than ``MAX_DATA_CHARS`` is never fetched: sizes are read first (``HSTRLEN``)
    and a note stands in for it, so a page of jobs costs bounded memory and time however big
    one job is.
    """
    step = 1 + len(LARGE_FIELDS)
    async with client.pipeline(transaction=False) as pipe:
        for job_id in job_ids:
            pipe.hmget(f"{key_prefix}{job_id}", list(SMALL_FIELDS))
            for name in LARGE_FIELDS:
                pipe.hstrlen(f"{key_prefix}{job_id}", name)
        first = await pipe.execute()
    found: list[tuple[str, dict[str, str], list[str]]] = []
    for index, job_id in enumerate(job_ids):
        small, *sizes = first[index * step : (index + 1) * step]
        if all(value is None for value in small) and not any(sizes):
            continue  # gone (removed or cleaned since its id was read)
        raw = {k: v for k, v in zip(SMALL_FIELDS, small, strict=True) if v is not None}
        wanted = []
        for name, size in zip(LARGE_FIELDS, sizes, strict=True):
            if int(size) > MAX_DATA_CHARS:
                raw[name] = _too_large(name, int(size))
            elif int(size):
                wanted.append(name)
        found.append((job_id, raw, wanted))
    async with client.pipeline(transaction=False) as pipe:
        for job_id, _, wanted in found:
            pipe.hmget(f"{key_prefix}{job_id}", wanted or ["name"])
        second = await pipe.execute()
    jobs = []
    for (job_id, raw, wanted), values in zip(found, second, strict=True):
        raw.update({k: v for k, v in zip(wanted, values, strict=False) if v is not None})
        jobs.append(job_record(job_id, raw, state))
    return jobs


def _too_large(field_name: str, size: int) -> str:
    """What stands in for a field too large to fetch, in the form that field is read in."""
    note = f"<{FIELD_LABELS[field_name]} is too large to show here: {size} bytes>"
    if field_name in ("data", "returnvalue"):
        return json.dumps(note)
    if field_name == "stacktrace":
        return json.dumps([note])
    if field_name == "opts":
        return "{}"
    return note


FIELD_LABELS = {
    "data": "job data",
    "opts": "job options",
    "failedReason": "the failure reason",
    "stacktrace": "the stack trace",
    "returnvalue": "the return value",
}


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
