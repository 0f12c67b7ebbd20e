"""A preflight row, and running one probe into one: pass, fail with a reason, or skip."""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from domain.errors import WorkerError

PASS, FAIL, SKIP = "pass", "fail", "skip"


@dataclass(frozen=True)
class CheckRow:
    check: str
    result: str
    """``PASS``, ``FAIL`` or ``SKIP`` (not configured, or it needs a row that failed)."""
    detail: str


async def probe_row(check: str, probe: Callable[[], Awaitable[str]], timeout_s: float) -> CheckRow:
    """``probe``'s answer as a passing row, or its failure (or silence) as a failing one."""
    try:
        async with asyncio.timeout(timeout_s):
            return CheckRow(check, PASS, await probe())
    except TimeoutError:
        return CheckRow(check, FAIL, f"no answer within {timeout_s:g} s")
    except WorkerError as error:
        return CheckRow(check, FAIL, str(error))
    except Exception as error:  # noqa: BLE001 - a check reports, it never crashes
        return CheckRow(check, FAIL, f"unexpected {type(error).__name__}")
