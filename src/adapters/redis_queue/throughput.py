"""Jobs finished per minute, from what BullMQ itself keeps in Redis (so every process agrees).

Two sources, per state (``completed``, ``failed``):

* BullMQ's metrics keys ``bull:<q>:metrics:<state>`` (hash ``count``/``prevTS``/``prevCount``)
  and ``…:data`` (per-minute counts, newest first), written by ``moveToFinished`` when a worker
  runs with ``metrics.maxDataPoints`` (ours do; so do Node workers configured for bull-board);
* otherwise the finished set ``bull:<q>:<state>`` scored by ``finishedOn``, which only holds
  what retention left (the producers keep 50 completed jobs for an hour), so it undercounts.
"""

from dataclasses import dataclass
from typing import Any

MINUTE_MS = 60_000
FINISHED_STATES = ("completed", "failed")


@dataclass(frozen=True)
class MinuteCount:
    """Jobs finished in the minute starting at ``minute_ms`` (epoch ms, UTC)."""

    minute_ms: int
    completed: int
    failed: int


def queue_pipeline_commands(pipe: Any, key: str, now_ms: int, minutes: int) -> None:
    """Queue the reads ``per_minute`` needs (both sources, both states) on ``pipe``."""
    current = now_ms // MINUTE_MS
    for state in FINISHED_STATES:
        meta = f"{key}:metrics:{state}"
        pipe.hmget(meta, "count", "prevTS", "prevCount")
        pipe.lrange(f"{meta}:data", 0, minutes)
        for minute in range(current - minutes + 1, current + 1):
            pipe.zcount(f"{key}:{state}", minute * MINUTE_MS, f"({(minute + 1) * MINUTE_MS}")


def per_minute(results: list[Any], now_ms: int, minutes: int) -> list[MinuteCount]:
    """The last ``minutes`` minutes, oldest first, from the replies of the queued commands."""
    current = now_ms // MINUTE_MS
    first = current - minutes + 1
    by_state: dict[str, list[int]] = {}
    step = 2 + minutes
    for index, state in enumerate(FINISHED_STATES):
        meta, data, *zcounts = results[index * step : (index + 1) * step]
        from_metrics = _from_metrics(meta, data, first, current)
        by_state[state] = from_metrics if from_metrics is not None else [int(n) for n in zcounts]
    return [
        MinuteCount((first + offset) * MINUTE_MS, completed, failed)
        for offset, (completed, failed) in enumerate(
            zip(by_state["completed"], by_state["failed"], strict=True)
        )
    ]


def _from_metrics(meta: list[Any], data: list[Any], first: int, current: int) -> list[int] | None:
    """Rebuild per-minute counts as ``collectMetrics`` (moveToFinished Lua) records them.

    Jobs since the last flush (``count - prevCount``) belong to the minute of ``prevTS``;
    ``data[i]`` is the count of minute ``minute(prevTS) - 1 - i``; later minutes had none.
    """
    count, prev_ts, prev_count = meta
    if count is None or prev_ts is None:
        return None
    last = int(prev_ts) // MINUTE_MS
    counts = {last: int(count) - int(prev_count or 0)}
    for index, value in enumerate(data):
        counts[last - 1 - index] = int(value)
    return [counts.get(minute, 0) for minute in range(first, current + 1)]
