"""The operator commands of ``dsi-jobs``: ``failed``, ``show``, ``retry`` and ``clean``.

Job data, reasons and stack traces are shown masked (``entrypoints.masking``); results go to
stdout, progress bars and problems to stderr. Everything read from Redis is printed literally:
no Rich markup is interpreted and control characters are dropped, so a stored value cannot
style, hyperlink or retitle an operator's terminal.
"""

import argparse
import json
import re
import sys
from datetime import UTC, datetime
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table
from rich.text import Text

from adapters.bullmq.inspector import CLEANABLE_STATES, BullmqQueueInspector
from adapters.bullmq.job_records import JobRecord
from entrypoints.masking import mask_job
from entrypoints.terminal import printable

OPERATIONS = frozenset({"failed", "show", "retry", "clean"})
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
    clean = commands.add_parser("clean", help="delete finished jobs older than a duration")
    clean.add_argument("type", help="job type (= queue name)")
    clean.add_argument("--state", choices=CLEANABLE_STATES, default="failed")
    clean.add_argument(
        "--older-than", type=duration_s, required=True, metavar="DURATION",
        help="finished longer ago than this: 30m, 1h, 2d",
    )  # fmt: skip
    clean.add_argument("--dry-run", action="store_true", help="only count what would go")


async def run_operation(
    args: argparse.Namespace, inspector: BullmqQueueInspector, queues: list[str]
) -> int:
    out = Console(width=160, markup=False, highlight=False, emoji=False)
    if args.command == "failed":
        return await _failed(out, inspector, queues, args.limit)
    if args.command == "show":
        return await _show(out, inspector, args.type, args.job_id)
    if args.command == "retry":
        if args.all:
            return await _retry_all(out, inspector, args.type)
        return await _retry_one(out, inspector, args.type, args.job_id)
    return await _clean(out, inspector, args.type, args.state, args.older_than, args.dry_run)


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


async def _show(out: Console, inspector: BullmqQueueInspector, queue: str, job_id: str) -> int:
    job = await inspector.job(queue, job_id)
    if job is None:
        _problem(f"no job {job_id} in {queue}")
        return NOT_DONE
    masked = mask_job(job)
    out.print(_summary(queue, masked))
    out.print("data (masked):")
    out.print(literal(json.dumps(masked.data, indent=2, ensure_ascii=False)))
    if masked.stacktrace:
        out.print("stack trace (masked):")
        for trace in masked.stacktrace:
            out.print(literal(trace))
    return 0


def _summary(queue: str, job: JobRecord) -> Table:
    table = Table.grid(padding=(0, 2))
    for label, value in (
        ("type", queue), ("id", job.id), ("name", job.name), ("state", job.state or "unknown"),
        ("attempts", str(job.attempts_made)), ("created", _time(job.timestamp)),
        ("processed", _time(job.processed_on)), ("finished", _time(job.finished_on)),
        ("reason", job.failed_reason or ""),
    ):  # fmt: skip
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
    if not epoch_ms:
        return "-"
    return f"{datetime.fromtimestamp(epoch_ms / 1000, tz=UTC):%Y-%m-%d %H:%M:%S}"


def _problem(message: str) -> None:
    print(f"dsi-jobs: {message}", file=sys.stderr)  # noqa: T201
