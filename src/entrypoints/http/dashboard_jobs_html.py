"""Server-rendered HTML of a queue's page (a tab per state, a page of jobs at a time) and of
one job's page, plus the job finder. The columns and wording are ``entrypoints.job_listing``'s,
the same as ``dsi-jobs jobs``. Jobs arrive masked; every value is escaped here.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from html import escape
from typing import Any
from urllib.parse import quote, urlencode

from adapters.redis_queue.inspector import LISTED_STATES, JobPage
from adapters.redis_queue.job_records import JobRecord
from adapters.redis_queue.throughput import MinuteCount
from entrypoints import job_listing
from entrypoints.http.dashboard_html import chart, counts_cards, legend, page, queue_url
from entrypoints.registry import queue_family


@dataclass(frozen=True)
class QueueView:
    queue: str
    counts: Mapping[str, int]
    minutes: list[MinuteCount]
    paused: bool
    page: JobPage
    attempts: int | None
    page_size: int
    now_ms: int
    """What the page's relative times count from."""

    def with_jobs(self, jobs: list[JobRecord]) -> "QueueView":
        return replace(self, page=replace(self.page, jobs=jobs))


def job_url(queue: str, job_id: str) -> str:
    return f"{queue_url(queue)}/jobs/{quote(job_id, safe='')}"


def queue_page(view: QueueView, flash: str | None) -> str:
    queue, state = view.queue, view.page.state
    body = (
        _controls(view)
        + f'<div class="cards">{counts_cards(queue, view.counts, state)}</div>'
        + f"<h2>Jobs finished per minute, last {len(view.minutes)} minutes</h2>"
        + f'{chart(view.minutes, 720, 100)}<p class="legend muted">{legend()}</p>'
        + _tabs(view)
        + _bulk_action(view)
        + _jobs_table(view)
        + _pager(view)
    )
    return page(queue, body, flash=flash)


def _controls(view: QueueView) -> str:
    action, label = ("resume", "Resume queue") if view.paused else ("pause", "Pause queue")
    status = (
        '<span class="badge" data-paused>paused</span> no worker (Node or Python) takes new jobs'
        if view.paused
        else '<span class="muted">not paused</span>'
    )
    return (
        f'<div data-queue-status="{"paused" if view.paused else "running"}">'
        f"{escape(queue_family(view.queue))} queue · {status} "
        f'<form class="inline" method="post" action="{queue_url(view.queue)}/{action}">'
        f'<button type="submit">{label}</button></form></div>'
    )


def _tabs(view: QueueView) -> str:
    links = "".join(
        f'<a data-tab="{state}" href="{queue_url(view.queue)}?state={state}"'
        f"{' aria-current=page' if state == view.page.state else ''}>"
        f"{state} ({view.counts.get(state, 0)})</a>"
        for state in LISTED_STATES
    )
    return f'<nav class="tabs" aria-label="job states">{links}</nav>'


def _bulk_action(view: QueueView) -> str:
    failed = view.counts.get("failed", 0)
    if view.page.state != "failed" or not failed:
        return ""
    return (
        f'<form class="inline" method="post" action="{queue_url(view.queue)}/retry">'
        f'<button class="danger" type="submit">Retry all {failed} failed</button></form>'
    )


def _jobs_table(view: QueueView) -> str:
    state = view.page.state
    if not view.page.jobs:
        return f'<p class="muted" data-empty>No {state} jobs.</p>'
    columns = job_listing.COLUMNS[state]
    header = "".join(f"<th>{escape(column)}</th>" for column in columns)
    rows = []
    for job in view.page.jobs:
        cells = job_listing.row(job, state, view.attempts, view.now_ms)
        tds = "".join(
            _cell(view.queue, job, column, cell)
            for column, cell in zip(columns, cells, strict=True)
        )
        action = _job_action(view.queue, job, state)
        rows.append(f'<tr data-job-id="{escape(job.id)}">{tds}<td>{action}</td></tr>')
    return (
        f'<table class="jobs {state}" data-state="{state}"><thead><tr>{header}<th></th></tr>'
        f"</thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _cell(queue: str, job: JobRecord, column: str, text: str) -> str:
    if column == "id":
        return f'<td><a href="{job_url(queue, job.id)}">{escape(text)}</a></td>'
    css = ' class="reason"' if column in job_listing.REASON_COLUMNS else ""
    return f"<td{css}>{escape(text)}</td>"


def _job_action(queue: str, job: JobRecord, state: str | None) -> str:
    verb = {"failed": ("retry", "Retry"), "delayed": ("promote", "Run now")}.get(state or "")
    if verb is None:
        return ""
    return (
        f'<form class="inline" method="post" action="{job_url(queue, job.id)}/{verb[0]}">'
        f'<button type="submit">{verb[1]}</button></form>'
    )


def _pager(view: QueueView) -> str:
    jobs, total, start = view.page.jobs, view.page.total, view.page.start
    if total <= view.page_size and start == 0:
        return ""
    base = f"{queue_url(view.queue)}?"
    links = []
    if start > 0:
        previous = max(0, start - view.page_size)
        links.append(f'<a rel="prev" href="{base}{_query(view, previous)}">previous</a>')
    if start + len(jobs) < total:
        links.append(f'<a rel="next" href="{base}{_query(view, start + view.page_size)}">next</a>')
    shown = f"{start + 1}-{start + len(jobs)} of {total}" if jobs else f"none of {total}"
    return f'<div class="pager"><span data-shown>{shown}</span>{"".join(links)}</div>'


def _query(view: QueueView, start: int) -> str:
    return escape(urlencode({"state": view.page.state, "start": start}))


def job_page(
    queue: str, job: JobRecord, attempts: int | None, now_ms: int, flash: str | None
) -> str:
    facts = "".join(
        f'<dt>{escape(label)}</dt><dd data-fact="{escape(label)}">{escape(value)}</dd>'
        for label, value in job_listing.details(queue, job, attempts, now_ms)
    )
    sections = [("data (masked)", job.data), ("options", job.options)]
    if job.return_value is not None:
        sections.append(("return value (masked)", job.return_value))
    blocks = "".join(
        f'<h2>{escape(title)}</h2><pre data-section="{escape(title)}">{escape(_json(value))}</pre>'
        for title, value in sections
    )
    traces = "".join(
        f"<details open><summary>attempt stack trace {n}</summary><pre>{escape(trace)}</pre>"
        "</details>"
        for n, trace in enumerate(job.stacktrace, start=1)
    )
    if traces:
        blocks += (
            f'<h2>Stack traces (masked, oldest first)</h2><div data-section="stack">{traces}</div>'
        )
    action = _job_action(queue, job, job.state)
    back = (
        f'<p><a href="{queue_url(queue)}?state={escape(job.state or "")}">← {escape(queue)}</a></p>'
    )
    body = f'{back}<dl class="facts">{facts}</dl><p>{action}</p>{blocks}'
    return page(f"{queue} job {job.id}", body, flash=flash)


def find_page(job_id: str, queues: list[str]) -> str:
    if not job_id:
        body = "<p>Enter a job id in the box above.</p>"
    elif not queues:
        body = f"<p>No job {escape(job_id)} in any queue this worker consumes.</p>"
    else:
        items = "".join(
            f'<li><a href="{job_url(queue, job_id)}">{escape(queue)}</a></li>' for queue in queues
        )
        body = (
            f"<p>Job ids count per queue: {len(queues)} queues hold a job "
            f'{escape(job_id)}.</p><ul class="found">{items}</ul>'
        )
    return page("find a job", body)


def _json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)
