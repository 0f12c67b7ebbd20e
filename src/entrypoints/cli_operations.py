"""The operator commands of ``dsi-jobs``: ``jobs TYPE --state``, ``failed``, ``show``,
``retry``, ``promote``, ``pause``, ``resume`` and ``clean``: what the dashboard shows and does,
with the same columns (``entrypoints.job_listing``) and the same BullMQ scripts.

Job data, reasons and stack traces are shown masked (``entrypoints.masking``); results go to
stdout, progress bars and problems to stderr. Everything read from Redis is printed literally:
no Rich markup is interpreted and control characters are dropped, so a stored value cannot
style, hyperlink or retitle an operator's terminal.
"""

import argparse
import json
import re
import sys
from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table
from rich.text import Text

from adapters.redis_queue.inspector import CLEANABLE_STATES, LISTED_STATES, BullmqQueueInspector
from adapters.redis_queue.job_records import JobRecord
from entrypoints import job_listing
from entrypoints.masking import mask_job
from entrypoints.terminal import printable

OPERATIONS = frozenset({"jobs", "failed", "show", "retry", "promote", "pause", "resume", "clean"})
Attempts = Callable[[str], int | None]
"""How many attempts this worker gives a queue's jobs (``entrypoints.registry``)."""
NOT_DONE = 1
DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*([smhd])")
SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def literal(value: str) -> Text:
    """``value`` as plain text: no markup, no control characters."""
    return Text(printable(value))


def duration_s(text: str) -> float:
    """``30m``, ``1h``, ``2d``, ``45s`` → seconds (an argparse ``type``)."""
    match = DURATION.fullmatch(text.strip().lower())
    if match is None:
        raise argparse.ArgumentTypeError(f"'{text}' is not a duration like 30m, 1h or 2d")
    return float(match[1]) * SECONDS[match[2]]


def add_jobs_arguments(jobs: argparse.ArgumentParser) -> None:
    """``dsi-jobs jobs`` lists job types; with a type, that queue's jobs in one state."""
    jobs.add_argument("type", nargs="?", help="job type: list its jobs instead of the types")
    jobs.add_argument("--state", choices=LISTED_STATES, default="waiting", help="(default waiting)")
    jobs.add_argument("--limit", type=int, default=20, help="jobs shown (default 20, at most 200)")
    jobs.add_argument("--start", type=int, default=0, help="skip this many jobs first")


def add_operations_commands(commands: Any) -> None:
    failed = commands.add_parser("failed", help="list failed jobs with their reason")
    failed.add_argument("type", nargs="?", help="job type (default: every job type)")
    failed.add_argument("--limit", type=int, default=20, help="jobs per type (default 20)")
    show = commands.add_parser("show", help="one job: state, reason, masked data, stack trace")
    show.add_argument("type", help="job type (= queue name)")
    show.add_argument("job_id", help="job id")
    retry = commands.add_parser("retry", help="move failed jobs back to waiting")
    retry.add_argument("type", help="job type (= queue name)")
    which = retry.add_mutually_exclusive_group(required=True)
    which.add_argument("job_id", nargs="?", help="the failed job to retry")
    which.add_argument("--all", action="store_true", help="every failed job of the type")
    promote = commands.add_parser("promote", help="run delayed jobs (retries) now")
    promote.add_argument("type", help="job type (= queue name)")
    which = promote.add_mutually_exclusive_group(required=True)
    which.add_argument("job_id", nargs="?", help="the delayed job to run now")
    which.add_argument("--all", action="store_true", help="every delayed job of the type")
    for command, action in (("pause", "stop every worker (Node or this one) taking"),
                            ("resume", "let workers take")):  # fmt: skip
        paused = commands.add_parser(command, help=f"{action} new jobs of a type")
        paused.add_argument("type", help="job type (= queue name)")
    clean = commands.add_parser("clean", help="delete finished jobs older than a duration")
    clean.add_argument("type", help="job type (= queue name)")
    clean.add_argument("--state", choices=CLEANABLE_STATES, default="failed")
    clean.add_argument(
        "--older-than", type=duration_s, required=True, metavar="DURATION",
        help="finished longer ago than this: 30m, 1h, 2d",
    )  # fmt: skip
    clean.add_argument("--dry-run", action="store_true", help="only count what would go")


async def run_operation(
    args: argparse.Namespace,
    inspector: BullmqQueueInspector,
    queues: list[str],
    attempts: Attempts = lambda _: None,
) -> int:
    out = Console(width=160, markup=False, highlight=False, emoji=False)
    if args.command == "jobs":
        return await _jobs(out, inspector, args, attempts(args.type))
    if args.command == "failed":
        return await _failed(out, inspector, queues, args.limit)
    if args.command == "show":
        return await _show(out, inspector, args.type, args.job_id, attempts(args.type))
    if args.command == "retry":
        if args.all:
            return await _retry_all(out, inspector, args.type)
        return await _retry_one(out, inspector, args.type, args.job_id)
    if args.command == "promote":
        return await _promote(out, inspector, args.type, None if args.all else args.job_id)
    if args.command in ("pause", "resume"):
        return await _pause(out, inspector, args.type, pause=args.command == "pause")
    return await _clean(out, inspector, args.type, args.state, args.older_than, args.dry_run)


async def _jobs(
    out: Console, inspector: BullmqQueueInspector, args: argparse.Namespace, attempts: int | None
) -> int:
    page = await inspector.jobs(args.type, args.state, args.start, args.limit)
    paused = " (queue paused)" if await inspector.is_paused(args.type) else ""
    table = Table(*job_listing.COLUMNS[page.state], title=f"{page.state} {args.type} jobs{paused}")
    for job in page.jobs:
        table.add_row(
            *(literal(cell) for cell in job_listing.row(mask_job(job), page.state, attempts))
        )
    out.print(table)
    shown = f"{page.start + 1}-{page.start + len(page.jobs)}" if page.jobs else "none"
    out.print(f"{shown} shown of {page.total} {page.state}")
    return 0


async def _failed(
    out: Console, inspector: BullmqQueueInspector, queues: list[str], limit: int
) -> int:
    table = Table("type", "id", "attempts", "failed at (UTC)", "reason", title="failed jobs")
    shown = total = 0
    for queue in queues:
        total += (await inspector.counts(queue))["failed"]
        for job in await inspector.failed(queue, limit):
            shown += 1
            masked = mask_job(job)
            table.add_row(
                literal(queue), literal(job.id), str(job.attempts_made), _time(job.finished_on),
                literal(masked.failed_reason or ""),
            )  # fmt: skip
    out.print(table)
    out.print(f"{shown} shown of {total} failed")
    return 0


async def _show(
    out: Console, inspector: BullmqQueueInspector, queue: str, job_id: str, attempts: int | None
) -> int:
    job = await inspector.job(queue, job_id)
    if job is None:
        _problem(f"no job {job_id} in {queue}")
        return NOT_DONE
    masked = mask_job(job)
    out.print(_summary(queue, masked, attempts))
    for title, value in (("data (masked)", masked.data), ("options", masked.options)):
        out.print(f"{title}:")
        out.print(literal(json.dumps(value, indent=2, ensure_ascii=False)))
    if masked.return_value is not None:
        out.print("return value (masked):")
        out.print(literal(json.dumps(masked.return_value, indent=2, ensure_ascii=False)))
    if masked.stacktrace:
        out.print("stack trace (masked):")
        for trace in masked.stacktrace:
            out.print(literal(trace))
    return 0


def _summary(queue: str, job: JobRecord, attempts: int | None) -> Table:
    table = Table.grid(padding=(0, 2))
    for label, value in job_listing.details(queue, job, attempts):
        table.add_row(label, literal(value))
    return table


async def _retry_one(out: Console, inspector: BullmqQueueInspector, queue: str, job_id: str) -> int:
    if not await inspector.retry(queue, job_id):
        _problem(f"job {job_id} of {queue} is not failed: nothing retried")
        return NOT_DONE
    out.print(f"job {job_id} of {queue} moved back to waiting")
    return 0


async def _retry_all(out: Console, inspector: BullmqQueueInspector, queue: str) -> int:
    total = (await inspector.counts(queue))["failed"]
    with _progress() as progress:
        task = progress.add_task(f"retrying {queue}", total=total)
        moved = await inspector.retry_all_failed(
            queue, lambda n: progress.advance(task, n)
        )  # fmt: skip
    out.print(f"{moved} failed {queue} job(s) moved back to waiting")
    return 0


async def _promote(
    out: Console, inspector: BullmqQueueInspector, queue: str, job_id: str | None
) -> int:
    if job_id is None:
        moved = await inspector.promote_all(queue)
        out.print(f"{moved} delayed {queue} job(s) moved to waiting")
        return 0
    if not await inspector.promote(queue, job_id):
        _problem(f"job {job_id} of {queue} is not delayed: nothing promoted")
        return NOT_DONE
    out.print(f"job {job_id} of {queue} moved to waiting: it runs next")
    return 0


async def _pause(out: Console, inspector: BullmqQueueInspector, queue: str, *, pause: bool) -> int:
    if pause:
        await inspector.pause(queue)
        out.print(f"{queue} paused: no worker takes new jobs until 'dsi-jobs resume {queue}'")
    else:
        await inspector.resume(queue)
        out.print(f"{queue} resumed")
    return 0


async def _clean(
    out: Console,
    inspector: BullmqQueueInspector,
    queue: str,
    state: str,
    older_than_s: float,
    dry_run: bool,
) -> int:
    count = await inspector.count_older_than(queue, state, older_than_s)
    if dry_run:
        out.print(f"{count} {state} {queue} job(s) would be deleted (dry run)")
        return 0
    with _progress() as progress:
        task = progress.add_task(f"cleaning {queue}", total=count)
        removed = await inspector.clean(
            queue, state, older_than_s, lambda n: progress.advance(task, n)
        )  # fmt: skip
    out.print(f"{removed} {state} {queue} job(s) deleted")
    return 0


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
        console=Console(stderr=True), transient=True,
    )  # fmt: skip


def _time(epoch_ms: int | None) -> str:
    return job_listing.moment(epoch_ms, job_listing.now_ms())


def _problem(message: str) -> None:
    print(f"dsi-jobs: {message}", file=sys.stderr)  # noqa: T201
