"""``kill -9`` of a worker mid-job: another process re-runs the job within the documented bound,
and the e-mail Notify accepted from the dead worker is not sent again."""

import time
from collections.abc import Callable

from tests.faults.rig import RECOVERY_BOUND_S, DrillResult, Rig, eventually, reference
from tests.support.notify_stand_in import Reply

HANG_S = 4.0  # Notify holds the dead worker's request, then accepts it


async def test_job_of_a_killed_worker_is_completed_by_the_other_once(
    rig: Rig, report: Callable[[DrillResult], None]
) -> None:
    doomed = await rig.worker("doomed", JOBS_HTTP_TIMEOUT_SECONDS="10")
    rig.notify.reply_next(Reply.hang(HANG_S))
    (job_id,) = await rig.produce_node(rig.payloads(1))

    async def in_flight() -> bool:
        return rig.notify.received == 1

    await eventually(in_flight, 15, "the doomed worker calls Notify")
    survivor = await rig.worker("survivor", JOBS_HTTP_TIMEOUT_SECONDS="10")
    assert rig.notify.received == 1, "the job must still be in flight on the doomed worker"
    doomed.kill()
    killed_at = time.monotonic()
    assert await doomed.exit_code(5) == -9

    outcome = await rig.settled([job_id], timeout_s=RECOVERY_BOUND_S + 10)
    recovery_s = time.monotonic() - killed_at

    report(DrillResult("kill -9 mid-job", 1, len(outcome.completed), len(outcome.failed),
                       len(outcome.lost([job_id])), rig.duplicates(),
                       f"{recovery_s:.1f} s after kill"))  # fmt: skip
    assert outcome.completed == {job_id}
    assert recovery_s <= RECOVERY_BOUND_S + 1  # + polling and process scheduling
    assert [email.body["reference"] for email in rig.notify.accepted] == [reference(job_id)]
    done = await rig.job_hash(job_id)
    assert done["returnvalue"] == '{"sent":0,"skipped":1}'  # asked Notify, did not resend
    assert done["atm"] == "1"  # a stall is not a failed attempt
    assert any(entry["job_id"] == job_id for entry in survivor.events("job_finished"))
