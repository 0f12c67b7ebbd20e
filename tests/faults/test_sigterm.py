"""SIGTERM under load: in-flight jobs finish within the grace period (exit 0), or are left to
the stalled-job check and completed by another worker (exit 1); nothing is lost or sent twice."""

import time
from collections.abc import Callable

from tests.faults.rig import RECOVERY_BOUND_S, DrillResult, Rig, eventually
from tests.support.notify_stand_in import Reply

IN_FLIGHT = 50
QUEUED = 10  # beyond the concurrency: must not be fetched after the signal


async def _loaded(rig: Rig, hang_s: float, **settings: str) -> tuple[list[str], list[str]]:
    """50 jobs in flight (each Notify call held ``hang_s``) and 10 more waiting."""
    rig.notify.reply_share(Reply.hang(hang_s), 1.0)
    busy = await rig.produce(rig.payloads(IN_FLIGHT))

    async def all_in_flight() -> bool:
        active = await rig.client.llen("bull:passwordreset_v1:active")
        return active == IN_FLIGHT and rig.notify.received > 0

    await eventually(all_in_flight, 20, f"{IN_FLIGHT} jobs active")
    waiting = await rig.produce(rig.payloads(QUEUED, start=IN_FLIGHT))
    return busy, waiting


async def test_sigterm_lets_in_flight_jobs_finish_and_exits_0(
    rig: Rig, report: Callable[[DrillResult], None]
) -> None:
    worker = await rig.worker("loaded", JOBS_CONCURRENCY=str(IN_FLIGHT),
                              JOBS_SHUTDOWN_GRACE_SECONDS="15")  # fmt: skip
    busy, waiting = await _loaded(rig, hang_s=1.0)
    signalled = time.monotonic()
    worker.terminate()
    assert await worker.exit_code(20) == 0
    shutdown_s = time.monotonic() - signalled

    finished = await rig.outcome()
    assert finished.completed == set(busy), "every in-flight job finished before the exit"
    assert await rig.client.llen("bull:passwordreset_v1:wait") == QUEUED  # none fetched
    await rig.worker("next")
    outcome = await rig.settled(busy + waiting, timeout_s=30)

    report(DrillResult("SIGTERM, jobs < grace", IN_FLIGHT + QUEUED, len(outcome.completed),
                       len(outcome.failed), len(outcome.lost(busy + waiting)), rig.duplicates(),
                       f"exit 0 after {shutdown_s:.1f} s"))  # fmt: skip
    assert outcome.completed == set(busy + waiting)
    assert rig.duplicates() == 0
    assert len(rig.notify.accepted) == IN_FLIGHT + QUEUED


async def test_sigterm_past_the_grace_period_leaves_jobs_to_another_worker(
    rig: Rig, report: Callable[[DrillResult], None]
) -> None:
    worker = await rig.worker(
        "loaded",
        JOBS_CONCURRENCY=str(IN_FLIGHT),
        JOBS_SHUTDOWN_GRACE_SECONDS="1",
        JOBS_HTTP_TIMEOUT_SECONDS="10",
    )
    busy, waiting = await _loaded(rig, hang_s=3.0)
    worker.terminate()
    exited = time.monotonic()
    assert await worker.exit_code(10) == 1  # README: 1 when in-flight jobs were abandoned
    rig.notify.reply_shares()  # Notify answers at once again
    await rig.worker("next", JOBS_HTTP_TIMEOUT_SECONDS="10")
    outcome = await rig.settled(busy + waiting, timeout_s=RECOVERY_BOUND_S + 20)
    recovery_s = time.monotonic() - exited

    report(DrillResult("SIGTERM, jobs > grace", IN_FLIGHT + QUEUED, len(outcome.completed),
                       len(outcome.failed), len(outcome.lost(busy + waiting)), rig.duplicates(),
                       f"exit 1; all done {recovery_s:.1f} s later"))  # fmt: skip
    assert outcome.completed == set(busy + waiting)
    assert rig.duplicates() == 0
    assert len(rig.notify.accepted) == IN_FLIGHT + QUEUED
