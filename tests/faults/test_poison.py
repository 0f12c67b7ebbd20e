"""Poison data written straight into a queue: each job fails once with a clear reason, is never
redelivered in a loop, and the worker keeps processing the other jobs."""

import asyncio
from collections.abc import Callable

from tests.faults.rig import STALLED_INTERVAL_S, DrillResult, Rig

POISON = {
    "not JSON": ("{not json", "job data is not valid JSON; the job cannot be processed"),
    "JSON array": ('["not", "an", "object"]', "job data must be a JSON object, got list"),
    "nested 1,000 deep": (
        '{"a":' * 1000 + "1" + "}" * 1000,
        "job data is nested too deeply to decode; the job cannot be processed",
    ),
    "fails its model": (
        '{"email": "someone@example.com", "clientId": "services"}',
        "invalid payload: code: Field required; uid: Field required",
    ),
}


async def test_poison_jobs_fail_once_and_good_jobs_still_flow(
    rig: Rig, report: Callable[[DrillResult], None]
) -> None:
    await rig.worker("poisoned")
    # Delayed, so the data can be corrupted in Redis before the worker ever sees the job.
    poison_ids = await rig.produce(rig.payloads(len(POISON)), delay=1500)
    for job_id, (data, _) in zip(poison_ids, POISON.values(), strict=True):
        await rig.client.hset(f"bull:passwordreset_v1:{job_id}", "data", data)
    good_ids = await rig.produce(rig.payloads(5, start=10), delay=1500)

    outcome = await rig.settled(poison_ids + good_ids, timeout_s=20)
    await asyncio.sleep(3 * STALLED_INTERVAL_S)  # three stalled checks: nothing comes back
    again = await rig.outcome()
    ids = poison_ids + good_ids

    scenario = f"poison data ({len(POISON)}) + good jobs (5)"
    report(DrillResult(scenario, len(ids), len(again.completed),
                       len(again.failed), len(again.lost(ids)), rig.duplicates()))  # fmt: skip
    assert outcome.completed == set(good_ids)
    assert again.completed == set(good_ids)
    assert len(rig.notify.accepted) == len(good_ids)
    for job_id, (_, reason) in zip(poison_ids, POISON.values(), strict=True):
        assert again.failed[job_id] == reason
        done = await rig.job_hash(job_id)
        assert done["failedReason"] == reason
        assert done["atm"] == "1"
        assert await rig.client.zscore("bull:passwordreset_v1:failed", job_id) is not None
    for queue_list in ("wait", "active"):
        assert await rig.client.llen(f"bull:passwordreset_v1:{queue_list}") == 0
    events = await rig.client.xrange("bull:passwordreset_v1:events")
    failures = [fields["jobId"] for _, fields in events if fields.get("event") == "failed"]
    assert sorted(failures) == sorted(poison_ids), "each poison job failed exactly once"
