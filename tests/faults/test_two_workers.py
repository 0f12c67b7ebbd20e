"""Two worker processes on the same queues: every job done exactly once, both take a share,
and the shared Notify budget holds across both processes."""

from collections import Counter
from collections.abc import Callable
from datetime import datetime

from tests.faults.rig import DrillResult, Rig

JOBS = 200
PER_MINUTE = 1200  # 20 per second, with a burst of 20 (adapters.notify.budget)
BURST = 20


async def test_two_processes_complete_each_job_exactly_once(
    rig: Rig, report: Callable[[DrillResult], None]
) -> None:
    settings = {"GOVNOTIFY_RATE_LIMIT_PER_MINUTE": str(PER_MINUTE), "JOBS_CONCURRENCY": "20"}
    first, second = await rig.worker("first", **settings), await rig.worker("second", **settings)

    ids = await rig.produce_node(rig.payloads(JOBS))
    outcome = await rig.settled(ids, timeout_s=60)

    report(DrillResult("two workers, 200 jobs", JOBS, len(outcome.completed),
                       len(outcome.failed), len(outcome.lost(ids)), rig.duplicates()))  # fmt: skip
    assert outcome.completed == set(ids)
    assert rig.duplicates() == 0
    assert len(rig.notify.accepted) == JOBS
    shares = Counter(
        worker.name
        for worker in (first, second)
        for entry in worker.events("job_finished")
        if entry.get("queue") == "passwordreset_v1" and entry.get("outcome") == "completed"
    )
    assert shares["first"] > 0, shares
    assert shares["second"] > 0, shares
    assert shares.total() == JOBS
    times = sorted(datetime.fromisoformat(e.created_at) for e in rig.notify.accepted)
    per_second = PER_MINUTE / 60
    for index, start in enumerate(times):  # any window of w seconds: at most rate·w + burst
        for end_index in range(index + 1, len(times)):
            window = (times[end_index] - start).total_seconds()
            assert end_index - index + 1 <= per_second * window + BURST + 1
