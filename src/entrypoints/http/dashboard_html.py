"""Server-rendered HTML of the dashboard's front page and the parts every page shares: plain
HTML, inline CSS and SVG, no scripts (the CSP allows none).

Every value from Redis is escaped; job data is masked before it gets here.
"""

from collections.abc import Mapping
from datetime import UTC, datetime
from html import escape
from urllib.parse import quote

from adapters.redis_queue.throughput import MinuteCount
from entrypoints.http.dashboard_summary import Overview, QueueRow, Subscription
from entrypoints.job_listing import moment

STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d1d1f;background:#f6f7f9}
header{background:#0b0c0c;color:#fff;padding:10px 24px;display:flex;gap:24px;align-items:center}
header a{color:#fff}header form{margin-left:auto}main{padding:16px 24px}
h1{font-size:20px;margin:0}h2{font-size:17px;margin:22px 0 8px}
table{border-collapse:collapse;background:#fff;width:100%;box-shadow:0 1px 2px #0002}
th,td{padding:6px 10px;border-bottom:1px solid #e3e5e8;text-align:left;vertical-align:top}
th{background:#eef0f3;font-weight:600}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.failed-n,.bad{color:#b3261e;font-weight:600}.warn{color:#8a5300;font-weight:600}
.muted{color:#6b6f76}.flash{background:#e7f3ea;border:1px solid #9cc9a7;padding:8px 12px;
margin:8px 0}pre{white-space:pre-wrap;word-break:break-all;margin:4px 0;font-size:12px}
button{cursor:pointer;padding:4px 10px;border:1px solid #888;background:#fff;border-radius:3px}
button.danger{border-color:#b3261e;color:#b3261e}form.inline{display:inline}
.cards{display:flex;gap:12px;flex-wrap:wrap}.card{background:#fff;padding:10px 16px;
box-shadow:0 1px 2px #0002;min-width:110px;border-top:4px solid #2e7d32;color:inherit;
text-decoration:none}.card b{display:block;font-size:22px}.card.alert{border-top-color:#b3261e}
.card.notice{border-top-color:#c77700}.attention{margin-bottom:8px}
.legend span{display:inline-block;width:10px;height:10px;margin:0 4px 0 12px}
.badge{display:inline-block;padding:0 6px;border-radius:3px;background:#c77700;color:#fff;
font-size:12px;margin-left:6px}nav.tabs{display:flex;gap:4px;margin:16px 0 0}
nav.tabs a{padding:6px 14px;background:#e3e5e8;color:#1d1d1f;text-decoration:none;
border-radius:4px 4px 0 0}nav.tabs a[aria-current]{background:#fff;font-weight:600}
table.queues{table-layout:fixed}table.queues td{overflow-wrap:anywhere}
.pager{margin:8px 0;display:flex;gap:16px;align-items:center}td.reason{max-width:520px}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;background:#fff;
padding:12px 16px;box-shadow:0 1px 2px #0002}dl.facts dt{font-weight:600}dl.facts dd{margin:0}
"""
COMPLETED_COLOUR = "#2e7d32"
FAILED_COLOUR = "#c62828"
COUNT_COLUMNS = ("waiting", "active", "delayed", "failed", "completed")
FAMILY_TITLES = {"e-mail": "E-mail", "public API": "Public API", "legacy sync": "Legacy sync",
                 "test": "Test"}  # fmt: skip


def page(title: str, body: str, *, refresh_s: int | None = None, flash: str | None = None) -> str:
    refresh = f'<meta http-equiv="refresh" content="{refresh_s}">' if refresh_s else ""
    notice = f'<p class="flash" role="status">{escape(flash)}</p>' if flash else ""
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">{refresh}'
        f"<title>{escape(title)} · dsi-jobs</title><style>{STYLE}</style></head><body>"
        f'<header><h1><a href="/dashboard">dsi-jobs</a> · {escape(title)}</h1>'
        '<form method="get" action="/dashboard/find" role="search">'
        '<input name="id" aria-label="job id" placeholder="job id" size="12" maxlength="200"> '
        '<button type="submit">Find job</button></form></header>'
        f"<main>{notice}{body}</main></body></html>"
    )


def overview_page(found: Overview, now_ms: int, flash: str | None = None) -> str:
    families = "".join(
        f'<h2 data-family="{escape(family)}">{escape(FAMILY_TITLES.get(family, family))} '
        f'<span class="muted">({len(rows)} {"queue" if len(rows) == 1 else "queues"})</span>'
        f"</h2>{_queue_table(rows)}"
        for family, rows in found.by_family()
    )
    body = (
        _attention(found)
        + _selection(found)
        + _subscriptions(found.subscriptions, now_ms)
        + families
        + f'<p class="muted legend">Jobs in Redis by state; jobs finished per minute over the '
        f"last {_span(found.rows)} minutes: {_legend()}. Refreshes every 15 s.</p>"
    )
    return page("queues", body, refresh_s=15, flash=flash)


def _attention(found: Overview) -> str:
    failed, retrying = found.total("failed"), found.total("delayed")
    unconsumed = found.unconsumed
    cards = [
        _card("health", found.health, "workers", alert=found.health != "healthy"),
        _card("failed", str(failed), "failed jobs", alert=failed > 0),
        _card("retrying", str(retrying), "retrying (delayed)", notice=retrying > 0),
        _card("unconsumed", str(len(unconsumed)), "queues waiting with no consumer",
              alert=bool(unconsumed)),
        _budget_card(found),
    ]  # fmt: skip
    listed = (
        '<p class="bad" data-unconsumed>Waiting with no consumer: '
        + ", ".join(f'<a href="{queue_url(q)}">{escape(q)}</a>' for q in unconsumed)
        + "</p>"
        if unconsumed
        else ""
    )
    state = "attention" if found.needs_attention else "ok"
    section = f'<section class="attention cards" data-attention="{state}">{"".join(cards)}'
    return f"{section}</section>{listed}"


def _selection(found: Overview) -> str:
    """Which queues this process consumes (the others are marked ``not here``)."""
    if found.selection is None:
        return ""
    here = sum(row.here for row in found.rows)
    return (
        f'<p class="muted" data-selection>This process consumes {escape(found.selection)}: '
        f"{here} of the {len(found.rows)} queues below.</p>"
    )


def _budget_card(found: Overview) -> str:
    usage = found.budget
    if usage is None:
        return _card("notify", "outbox", "e-mails go to the local outbox, not Notify")
    waiting = f", sends wait {usage.waiting_s:.0f} s" if usage.waiting_s >= 1 else ""
    label = f"Notify budget in use ({usage.per_minute}/min{waiting})"
    return _card("notify", f"{usage.percent_in_use}%", label, notice=usage.waiting_s >= 1)


def _card(name: str, value: str, label: str, *, alert: bool = False, notice: bool = False) -> str:
    tone = " alert" if alert else " notice" if notice else ""
    return (
        f'<div class="card{tone}" data-summary="{name}"><b>{escape(value)}</b>{escape(label)}</div>'
    )


def _subscriptions(found: list[Subscription], now: int) -> str:
    if not found:
        return ""
    rows = "".join(
        f'<tr data-application="{escape(s.application)}"><td>{escape(s.application)}</td><td>'
        + "<br>".join(
            f'<a href="{queue_url(q)}">{escape(q)}</a> <span class="n" data-depth>{depth}</span>'
            for q, depth in s.queues
        )
        + f"</td><td>{escape(moment(s.last_success_ms, now))}</td></tr>"
        for s in found
    )
    return (
        "<h2>Legacy-sync subscriptions</h2>"
        '<table class="subscriptions"><thead><tr><th>application</th>'
        "<th>push queues and depth (waiting, delayed, active)</th><th>last success</th>"
        f"</tr></thead><tbody>{rows}</tbody></table>"
    )


def _queue_table(rows: list[QueueRow]) -> str:
    lines = []
    for row in rows:
        cells = "".join(
            f'<td class="n{_alarm(state, row.counts.get(state, 0))}" data-state="{state}">'
            f"{row.counts.get(state, 0)}</td>"
            for state in COUNT_COLUMNS
        )
        paused = '<span class="badge" data-paused>paused</span>' if row.paused else ""
        if not row.here:
            paused += '<span class="badge" data-not-here>not here</span>'

        flag = " bad" if row.unconsumed else ""
        lines.append(
            f'<tr data-queue="{escape(row.queue)}"><td><a href="{queue_url(row.queue)}">'
            f"{escape(row.queue)}</a>{paused}</td>"
            f'<td class="consumers{flag}" data-consumers>{escape(row.consumers)}</td>{cells}'
            f"<td>{chart(row.minutes, 180, 28)}</td>"
            f'<td class="n">{sum(m.completed for m in row.minutes)}</td></tr>'
        )
    header = "".join(f'<th class="n">{state}</th>' for state in COUNT_COLUMNS)
    widths = "".join(f'<col style="width:{w}%">' for w in (27, 11, 7, 7, 7, 7, 8, 16, 10))
    return (
        f'<table class="queues"><colgroup>{widths}</colgroup>'
        f"<thead><tr><th>queue</th><th>consumers</th>{header}<th>per minute</th>"
        f'<th class="n">completed ({_span(rows)} min)</th></tr></thead>'
        f"<tbody>{''.join(lines)}</tbody></table>"
    )


def error_page(message: str) -> str:
    return page("unavailable", f"<p>{escape(message)}</p>")


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


def legend() -> str:
    return _legend()


def _alarm(state: str, count: int) -> str:
    return " failed-n" if state == "failed" and count else ""


def _legend() -> str:
    return (
        f'<span style="background:{COMPLETED_COLOUR}"></span>completed'
        f'<span style="background:{FAILED_COLOUR}"></span>failed'
    )


def _span(rows: list[QueueRow]) -> int:
    return next((len(row.minutes) for row in rows), 0)


def _clock(epoch_ms: int) -> str:
    return f"{datetime.fromtimestamp(epoch_ms / 1000, tz=UTC):%H:%M}"


def counts_cards(queue: str, counts: Mapping[str, int], current: str | None = None) -> str:
    """One card per state, each a link to its tab."""
    return "".join(
        f'<a class="card{" alert" if state == "failed" and counts.get(state) else ""}" '
        f'data-state="{state}" href="{queue_url(queue)}?state={state}">'
        f"<b>{counts.get(state, 0)}</b>{state}</a>"
        for state in COUNT_COLUMNS
    )
