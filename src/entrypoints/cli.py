"""``dsi-jobs``: run the worker (on every queue, or those ``--queues``/``JOBS_QUEUES`` select),
enqueue a job, list job types, show each queue's counts and consumers, look after failed jobs
(list, show, retry, clean) and the legacy-sync state per entity (``sync-state``) as
docs/operations.md describes.

Exit status: 0 success, 1 invalid configuration or runtime failure, 2 usage error.
"""

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from typing import Any

import structlog
from pydantic import ValidationError

from adapters.redis_queue.inspector import PENDING_KEYS
from domain.errors import InvalidPayload, UpstreamMisconfigured, UpstreamUnavailable
from entrypoints.cli_check import add_check_command
from entrypoints.cli_operations import (
    OPERATIONS,
    add_jobs_arguments,
    add_operations_commands,
    run_operation,
)
from entrypoints.cli_status import show_status
from entrypoints.cli_sync_state import (
    SyncStateUsageError,
    add_sync_state_commands,
    run_sync_state,
)
from entrypoints.container import (
    Application,
    build_container,
    registry_only,
    resolve,
    stop_resources,
)
from entrypoints.logging import configure_logging
from entrypoints.queue_selection import QueueSelection, QueueSelectionError
from entrypoints.registry import DYNAMIC_FAMILIES, attempts_allowed, is_push_queue
from entrypoints.required_settings import ConfigurationRefused, redis_problems
from entrypoints.sandbox import SandboxRefused
from entrypoints.settings import Settings, describe_errors, worker_processes
from entrypoints.tracing import NO_TRACING, Tracing, start_tracing, traced

log = structlog.get_logger(__name__)

USAGE_ERROR = 2
CONFIG_ERROR = 1


class UsageError(Exception):
    """The command line is wrong; exit status 2."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dsi-jobs", description="DfE Sign-in job worker (BullMQ queues in Redis)."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    worker = commands.add_parser("worker", help="run the workers and the HTTP app on PORT")
    _add_queue_selection(worker)
    worker.add_argument(
        "--processes",
        metavar="N",
        help="worker processes under one supervisor: a number or auto (CPUs); JOBS_PROCESSES",
    )
    worker.add_argument("--supervised", help=argparse.SUPPRESS)  # INDEX:FD, set by the supervisor
    enqueue = commands.add_parser("enqueue", help="enqueue a job as the Node producers do")
    enqueue.add_argument("type", help="job type (= queue name)")
    enqueue.add_argument("data", nargs="?", default="{}", help="JSON object, or - for stdin")
    add_jobs_arguments(
        commands.add_parser("jobs", help="the job types this worker consumes, or one type's jobs")
    )
    status = commands.add_parser(
        "status", help="every queue's jobs by state, its consumers, and whether it is selected"
    )
    _add_queue_selection(status)
    add_operations_commands(commands)
    add_check_command(commands)
    add_sync_state_commands(commands)
    return parser


def _add_queue_selection(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--queues", metavar="PATTERNS", help="comma-separated queue names or globs to consume "
        "(overrides JOBS_QUEUES; default: every queue)",
    )  # fmt: skip
    command.add_argument(
        "--exclude-queues", metavar="PATTERNS",
        help="queue names or globs not to consume (overrides JOBS_EXCLUDE_QUEUES)",
    )  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = _parser().parse_args(argv)
    args.argv = argv
    try:
        settings = Settings()
    except ValidationError as error:
        print("dsi-jobs: invalid configuration:", file=sys.stderr)  # noqa: T201
        for line in describe_errors(error):
            print(f"  {line}", file=sys.stderr)  # noqa: T201
        return CONFIG_ERROR
    secrets = settings.secret_values()
    tracing = start_tracing(settings) if args.command == "worker" else NO_TRACING
    if args.command == "worker":
        configure_logging(
            settings.jobs_log_level,
            cache=True,
            secrets=secrets,
            log_format=settings.jobs_log_format,
            context=tracing.log_processors(),
        )
    else:
        configure_logging("warning", secrets=secrets, log_format=settings.jobs_log_format)
    try:
        with traced(tracing):
            return asyncio.run(_dispatch(args, settings, tracing))
    except UsageError as error:
        print(f"dsi-jobs {args.command}: {error}", file=sys.stderr)  # noqa: T201
        return USAGE_ERROR
    except (ConfigurationRefused, QueueSelectionError) as refused:
        print(f"dsi-jobs {args.command}: {_refusal(refused)}:", file=sys.stderr)  # noqa: T201
        for line in refused.problems:
            print(f"  {line}", file=sys.stderr)  # noqa: T201
        return CONFIG_ERROR
    except (UpstreamUnavailable, UpstreamMisconfigured, SandboxRefused) as error:
        print(f"dsi-jobs {args.command}: {error}", file=sys.stderr)  # noqa: T201
        return CONFIG_ERROR
    except KeyboardInterrupt:
        return 130
    except Exception:  # logged redacted, instead of printed raw by the interpreter
        log.exception("command_failed", command=args.command)
        return CONFIG_ERROR


def _refusal(refused: ConfigurationRefused | QueueSelectionError) -> str:
    if isinstance(refused, QueueSelectionError):
        return "invalid configuration"
    return "incomplete configuration (LOCAL_ENV is not dev)"


async def _dispatch(args: argparse.Namespace, settings: Settings, tracing: Tracing) -> int:
    settings = _with_queue_options(args, settings)
    if args.command == "worker":
        return await _worker(args, settings, tracing)
    if args.command == "check":
        from entrypoints.cli_check import run_check

        return await run_check(args, settings)
    if args.command == "sync-state":  # the state database only
        return await _sync_state(build_container(settings), args)
    container = registry_only(build_container(settings))
    if args.command == "jobs" and args.type is None:
        return await _jobs(container)
    if redis_problems(settings):
        raise ConfigurationRefused(redis_problems(settings))
    if args.command == "enqueue":
        data = _parse_data(args.data)
        await _require_known_type(container, args.type)
        return await _with_resources(container, _enqueue(container, args.type, data))
    if args.command in OPERATIONS:
        if args.type is not None:
            await _require_known_type(container, args.type)
        queues = [args.type] if args.type else await _known_types(container)
        return await _with_resources(container, _operation(container, args, queues))
    return await _with_resources(container, _status(container, settings.queue_selection))


def _with_queue_options(args: argparse.Namespace, settings: Settings) -> Settings:
    """``--queues``/``--exclude-queues`` replace ``JOBS_QUEUES``/``JOBS_EXCLUDE_QUEUES``."""
    update = {
        field: value
        for field, value in (
            ("jobs_queues", getattr(args, "queues", None)),
            ("jobs_exclude_queues", getattr(args, "exclude_queues", None)),
        )
        if value is not None
    }
    return settings.model_copy(update=update) if update else settings


async def _worker(args: argparse.Namespace, settings: Settings, tracing: Tracing) -> int:
    from entrypoints.worker.main import run_supervisor, run_worker
    from entrypoints.worker.supervised import Supervision

    if args.supervised is not None:
        return await run_worker(settings, tracing, Supervision.parse(args.supervised))
    try:
        count = worker_processes(args.processes or settings.jobs_processes)
    except ValueError as error:
        raise UsageError(f"--processes {error}") from None
    if count == 1:
        return await run_worker(settings, tracing)
    if settings.redis_url() is None:
        raise UsageError("--processes needs a Redis URL (LOCAL_REDIS_CONN or REDIS_CONN)")
    return await run_supervisor(settings, tracing, count, _worker_args(args.argv))


def _worker_args(argv: Sequence[str]) -> list[str]:
    """The ``worker`` command's own arguments, less ``--processes``, for the worker processes."""
    tokens = list(argv[list(argv).index("worker") + 1 :])
    kept: list[str] = []
    skip = False
    for word in tokens:
        if skip:
            skip = False
        elif word == "--processes":
            skip = True
        elif not word.startswith("--processes="):
            kept.append(word)
    return kept


async def _with_resources(container: Application, work: Any) -> int:
    """Resources open when first used (Redis, embedded in ``dev`` when none is configured)."""
    try:
        result: int = await work
        return result
    finally:
        await stop_resources(container)


def _parse_data(raw: str) -> dict[str, Any]:
    text = sys.stdin.read() if raw == "-" else raw
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise UsageError(
            f"job data is not valid JSON ({error.msg} at position {error.pos})"
        ) from None
    if not isinstance(data, dict):
        raise UsageError("job data must be a JSON object")
    return data


async def _known_types(container: Application) -> list[str]:
    registry = await resolve(container.registry)
    return list(registry)


async def _require_known_type(container: Application, job_type: str) -> None:
    if job_type in await _known_types(container):
        return
    if is_push_queue(job_type):
        return
    raise UsageError(f"unknown job type '{job_type}' (see 'dsi-jobs jobs')")


async def _jobs(container: Application) -> int:
    for job_type in await _known_types(container):
        print(job_type)  # noqa: T201
    for family in DYNAMIC_FAMILIES:
        print(f"{family}_<applicationId>")  # noqa: T201
    return 0


async def _enqueue(container: Application, job_type: str, data: dict[str, Any]) -> int:
    publisher = await resolve(container.adapters.job_publisher)
    print(await publisher.publish(job_type, data))  # noqa: T201
    return 0


async def _sync_state(container: Application, args: argparse.Namespace) -> int:
    """Only the state database is opened (no Redis, no platform APIs)."""
    try:
        store = await resolve(container.adapters.sync_state)
        return await run_sync_state(args, store)
    except (SyncStateUsageError, InvalidPayload) as error:
        raise UsageError(str(error)) from None
    finally:
        await stop_resources(container)


async def _operation(container: Application, args: argparse.Namespace, queues: list[str]) -> int:
    inspector = await resolve(container.adapters.queue_inspector)
    registry = await resolve(container.registry)
    return await run_operation(
        args, inspector, queues, lambda queue: attempts_allowed(registry, queue)
    )


async def _status(container: Application, selection: QueueSelection) -> int:
    """Every fixed queue, then every per-application push queue holding jobs, with the
    workers attached, whether this configuration selects it, and the worker's note on queues
    whose application no longer subscribes."""
    from rich.console import Console

    from entrypoints.worker.subscriptions import PUSH_QUEUE_PATTERN

    fixed = await _known_types(container)
    selection.check(fixed, DYNAMIC_FAMILIES)
    inspector = await resolve(container.adapters.queue_inspector)
    pushes = await inspector.queues_holding(PUSH_QUEUE_PATTERN, PENDING_KEYS | {"failed"})
    notes = {
        queue: f"unsubscribed: {how}" for queue, how in (await inspector.unsubscribed()).items()
    }
    return await show_status(
        Console(width=180, markup=False, highlight=False, emoji=False),
        queues=[*fixed, *sorted(pushes | set(notes))],
        notes=notes,
        inspector=inspector,
        consumers=await resolve(container.adapters.queue_consumers),
        selection=selection,
    )


if __name__ == "__main__":
    sys.exit(main())
