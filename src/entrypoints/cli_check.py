"""``dsi-jobs check [--json] [--timeout S]``: the preflight, as a table or as JSON.

Exit status 0 only when no row failed (skipped rows are dependencies that are not configured,
which the configuration row already judges, or that need a row that failed).
"""

import argparse
import json
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from entrypoints.preflight.rows import FAIL, PASS, CheckRow
from entrypoints.settings import Settings
from entrypoints.terminal import printable

DEFAULT_TIMEOUT_S = 5.0
STYLES = {PASS: "green", FAIL: "bold red"}


def add_check_command(commands: Any) -> None:
    check = commands.add_parser(
        "check", help="preflight: the configuration, then every dependency (exit 0: all pass)"
    )
    check.add_argument("--json", action="store_true", help="one JSON document, for pipelines")
    check.add_argument(
        "--timeout", type=float, default=DEFAULT_TIMEOUT_S, metavar="SECONDS",
        help=f"per check (default {DEFAULT_TIMEOUT_S:g})",
    )  # fmt: skip


async def run_check(args: argparse.Namespace, settings: Settings) -> int:
    from entrypoints.preflight.checks import preflight  # the whole stack: only for this command

    rows = await preflight(settings, args.timeout)
    failed = any(row.result == FAIL for row in rows)
    if args.json:
        print(json.dumps(_document(rows, ok=not failed), indent=2))  # noqa: T201
    else:
        Console(width=160, markup=False, highlight=False, emoji=False).print(_table(rows))
    return 1 if failed else 0


def _document(rows: list[CheckRow], *, ok: bool) -> dict[str, Any]:
    checks = [{"check": r.check, "result": r.result, "detail": r.detail} for r in rows]
    return {"ok": ok, "checks": checks}


def _table(rows: list[CheckRow]) -> Table:
    table = Table("check", "result", "detail")
    for row in rows:
        table.add_row(
            Text(printable(row.check)),
            Text(row.result, style=STYLES.get(row.result, "")),
            Text(printable(row.detail)),
        )
    return table
