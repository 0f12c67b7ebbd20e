"""Server-rendered HTML of the dashboard: plain HTML, inline CSS and SVG, no scripts.

Every value from Redis is escaped; job data is masked before it gets here.
"""

import json
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from html import escape
from urllib.parse import quote

from adapters.bullmq.job_records import JobRecord
from adapters.bullmq.throughput import MinuteCount

STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d1d1f;background:#f6f7f9}
header{background:#0b0c0c;color:#fff;padding:10px 24px}header a{color:#fff}
main{padding:16px 24px}h1{font-size:20px;margin:0}h2{font-size:17px;margin:20px 0 8px}
table{border-collapse:collapse;background:#fff;width:100%;box-shadow:0 1px 2px #0002}
th,td{padding:6px 10px;border-bottom:1px solid #e3e5e8;text-align:left;vertical-align:top}
th{background:#eef0f3;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}
.failed-n{color:#b3261e;font-weight:600}.muted{color:#6b6f76}.flash{background:#e7f3ea;
border:1px solid #9cc9a7;padding:8px 12px;margin:8px 0}pre{white-space:pre-wrap;margin:4px 0;
max-width:520px;font-size:12px}button{cursor:pointer;padding:4px 10px;border:1px solid #888;
background:#fff;border-radius:3px}button.danger{border-color:#b3261e;color:#b3261e}
.cards{display:flex;gap:12px;flex-wrap:wrap}.card{background:#fff;padding:10px 16px;
box-shadow:0 1px 2px #0002;min-width:90px}.card b{display:block;font-size:22px}
.legend span{display:inline-block;width:10px;height:10px;margin:0 4px 0 12px}
"""
COMPLETED_COLOUR = "#2e7d32"
FAILED_COLOUR = "#c62828"
COUNT_COLUMNS = ("waiting", "active", "delayed", "failed", "completed")


def page(title: str, body: str, *, refresh_s: int | None = None) -> str:
    refresh = f'<meta http-equiv="refresh" content="{refresh_s}">' if refresh_s else ""
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">{refresh}'
        f"<title>{escape(title)} · dsi-jobs</title><style>{STYLE}</style></head><body>"
        f'<header><h1><a href="/dashboard">dsi-jobs</a> · {escape(title)}</h1></header>'
        f"<main>{body}</main></body></html>"
    )


def overview(rows: list[tuple[str, Mapping[str, int], list[MinuteCount]]]) -> str:
    lines = []
    for queue, counts, minutes in rows:
        cells = "".join(
            f'<td class="n{_alarm(state, counts[state])}" data-state="{state}">{counts[state]}</td>'
            for state in COUNT_COLUMNS
        )
        done = sum(m.completed for m in minutes)
        lines.append(
            f'<tr data-queue="{escape(queue)}"><td><a href="{queue_url(queue)}">'
            f"{escape(queue)}</a></td>{cells}<td>{chart(minutes, 180, 28)}</td>"
            f'<td class="n">{done}</td></tr>'
        )
    header = "".join(f'<th class="n">{state}</th>' for state in COUNT_COLUMNS)
    body = (
        f'<p class="muted legend">Jobs in Redis by state; jobs finished per minute over the '
        f"last {_span(rows)} minutes: {_legend()}. Refreshes every 15 s.</p>"
        f"<table><thead><tr><th>queue</th>{header}<th>per minute</th>"
        f'<th class="n">completed ({_span(rows)} min)</th></tr></thead>'
        f"<tbody>{''.join(lines)}</tbody></table>"
    )
    return page("queues", body, refresh_s=15)


def queue_page(
    queue: str,
    counts: Mapping[str, int],
    minutes: list[MinuteCount],
    failed: list[JobRecord],
    flash: str | None,
) -> str:
    cards = "".join(
        f'<div class="card" data-state="{state}"><b>{counts[state]}</b>{state}</div>'
        for state in COUNT_COLUMNS
    )
    retry_all = (
        f'<form method="post" action="{queue_url(queue)}/retry">'
        f'<button class="danger" type="submit">Retry all {counts["failed"]} failed</button></form>'
        if counts["failed"]
        else ""
    )
    body = (
        (f'<p class="flash" role="status">{escape(flash)}</p>' if flash else "")
        + f'<div class="cards">{cards}</div>'
        + f"<h2>Jobs finished per minute, last {len(minutes)} minutes</h2>"
        + f'{chart(minutes, 720, 120)}<p class="legend muted">{_legend()}</p>'
        + f"<h2>Failed jobs (newest first, {len(failed)} shown)</h2>{retry_all}"
        + (_failed_table(queue, failed) if failed else '<p class="muted">No failed jobs.</p>')
    )
    return page(queue, body)


def error_page(message: str) -> str:
    return page("unavailable", f"<p>{escape(message)}</p>")


def _failed_table(queue: str, jobs: list[JobRecord]) -> str:
    rows = "".join(
        f'<tr data-job-id="{escape(job.id)}"><td>{escape(job.id)}</td><td>{escape(job.name)}</td>'
        f'<td class="reason">{escape(job.failed_reason or "")}</td>'
        f'<td class="n">{job.attempts_made}</td><td>{_time(job.timestamp)}</td>'
        f"<td>{_time(job.processed_on)}</td><td>{_time(job.finished_on)}</td>"
        f"<td>{_details('data', json.dumps(job.data, indent=2, ensure_ascii=False))}"
        f"{_details('stack trace', chr(10).join(job.stacktrace)) if job.stacktrace else ''}</td>"
        f'<td><form method="post" action="{queue_url(queue)}/jobs/{quote(job.id, safe="")}/retry">'
        f'<button type="submit">Retry</button></form></td></tr>'
        for job in jobs
    )
    return (
        '<table class="failed"><thead><tr><th>id</th><th>name</th><th>reason</th>'
        '<th class="n">attempts</th><th>created</th><th>processed</th><th>failed</th>'
        f"<th>details</th><th></th></tr></thead><tbody>{rows}</tbody></table>"
    )


def chart(minutes: list[MinuteCount], width: int, height: int) -> str:
    """Stacked bars per minute: completed (green) under failed (red)."""
    if not minutes:
        return ""
    peak = max(1, *(m.completed + m.failed for m in minutes))
    bar = width / len(minutes)
    bars = []
    for index, minute in enumerate(minutes):
        x = index * bar
        done_h = height * minute.completed / peak
        failed_h = height * minute.failed / peak
        label = (
            f"{_clock(minute.minute_ms)} UTC: {minute.completed} completed, {minute.failed} failed"
        )
        bars.append(
            f"<g><title>{label}</title>"
            f'<rect x="{x:.1f}" y="{height - done_h:.1f}" width="{bar * 0.85:.1f}" '
            f'height="{done_h:.1f}" fill="{COMPLETED_COLOUR}"/>'
            f'<rect x="{x:.1f}" y="{height - done_h - failed_h:.1f}" width="{bar * 0.85:.1f}" '
            f'height="{failed_h:.1f}" fill="{FAILED_COLOUR}"/></g>'
        )
    return (
        f'<svg class="chart" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-label="jobs per minute, peak {peak}" '
        f'style="background:#fff;border-bottom:1px solid #999">{"".join(bars)}</svg>'
    )


def queue_url(queue: str) -> str:
    return f"/dashboard/queues/{quote(queue, safe='')}"


def _alarm(state: str, count: int) -> str:
    return " failed-n" if state == "failed" and count else ""


def _details(summary: str, text: str) -> str:
    return f"<details><summary>{summary}</summary><pre>{escape(text)}</pre></details>"


def _legend() -> str:
    return (
        f'<span style="background:{COMPLETED_COLOUR}"></span>completed'
        f'<span style="background:{FAILED_COLOUR}"></span>failed'
    )


def _span(rows: list[tuple[str, Mapping[str, int], list[MinuteCount]]]) -> int:
    return next((len(minutes) for _, _, minutes in rows), 0)


def _time(epoch_ms: int | None) -> str:
    if not epoch_ms:
        return '<span class="muted">-</span>'
    moment = datetime.fromtimestamp(epoch_ms / 1000, tz=UTC)
    ago = _ago(time.time() - epoch_ms / 1000)
    return f'<time datetime="{moment.isoformat()}">{moment:%Y-%m-%d %H:%M:%S}</time> ({ago})'


def _clock(epoch_ms: int) -> str:
    return f"{datetime.fromtimestamp(epoch_ms / 1000, tz=UTC):%H:%M}"


def _ago(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{int(seconds // size)}{unit} ago"
    return f"{max(0, int(seconds))}s ago"
