"""Notify answering 500, 429 and hanging for a share of calls: every job completes, nobody is
e-mailed twice, and only the 500s and hangs cost attempts (429s wait in place)."""

from collections import Counter
from collections.abc import Callable

from tests.faults.rig import DrillResult, Rig, reference
from tests.support.notify_stand_in import Reply

JOBS = 100
HTTP_TIMEOUT_S = 1.0
HANG = Reply.hang(1.1)  # Notify accepts just after the client gave up
# Retries wait ≥ 0.375 s (EMAIL_RETRY 7.5 s x 0.05), so a retry's look-up by reference comes
# after the hung request was accepted, as it does in production (7.5 s ≫ any hang).
SCALE = "0.05"


async def test_flaky_notify_costs_attempts_only_for_errors_and_never_duplicates(
    rig: Rig, report: Callable[[DrillResult], None]
) -> None:
    rig.notify.reply_shares(
        (Reply.server_error(), 0.10), (Reply.rate_limited(), 0.04), (HANG, 0.08)
    )
    await rig.worker("flaky", JOBS_RETRY_DELAY_SCALE=SCALE,
                     JOBS_HTTP_TIMEOUT_SECONDS=str(HTTP_TIMEOUT_S))  # fmt: skip
    ids = await rig.produce(rig.payloads(JOBS))
    outcome = await rig.settled(ids, timeout_s=100)

    costly = Counter(ref for ref, reply in rig.notify.scripted_log if reply.status != 429)
    limited = Counter(ref for ref, reply in rig.notify.scripted_log if reply.status == 429)
    report(DrillResult(f"Notify faults: {costly.total()} 500/hang, {limited.total()} 429"
                       f" in {rig.notify.received} sends", JOBS, len(outcome.completed),
                       len(outcome.failed), len(outcome.lost(ids)), rig.duplicates()))  # fmt: skip
    assert outcome.completed == set(ids), outcome.failed
    assert rig.duplicates() == 0
    assert sorted(rig.sends_per_reference()) == sorted(reference(job_id) for job_id in ids)
    assert limited, "the drill must have produced 429s"
    assert costly, "the drill must have produced 500s and hangs"
    for job_id in ids:
        done = await rig.job_hash(job_id)
        if done:  # removeOnComplete keeps the last 50
            assert int(done["atm"]) == 1 + costly[reference(job_id)], (job_id, done)
