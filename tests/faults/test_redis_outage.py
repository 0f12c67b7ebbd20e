"""The Redis connection cut while jobs run and while idle: the worker reconnects by itself,
stays quiet on the CPU meanwhile, and every job completes once."""

import asyncio
import time
from collections.abc import Callable

import psutil

from tests.faults.rig import DrillResult, Rig, eventually
from tests.support.notify_stand_in import Reply
from tests.support.redis_server import RedisServer
from tests.support.tcp_proxy import running_proxy

BUSY_CUT_S = 3.0
IDLE_CUT_S = 10.0
MAX_CPU_SHARE = 0.10  # of one core, during the outage
RECOVERY_LIMIT_S = 30.0


def cpu_seconds(pid: int) -> float:
    times = psutil.Process(pid).cpu_times()
    return float(times.user + times.system)


async def test_worker_rides_out_redis_outages_busy_and_idle(
    rig: Rig, private_redis: RedisServer, report: Callable[[DrillResult], None]
) -> None:
    with running_proxy("127.0.0.1", private_redis.port) as proxy:
        worker = await rig.worker("behind-proxy", redis_url=proxy.url)

        # Busy: 20 jobs whose Notify calls take 1 s, the link cut for 3 s in the middle.
        rig.notify.reply_share(Reply.hang(1.0), 1.0)
        busy = await rig.produce(rig.payloads(20))
        await eventually(lambda: _received(rig, 1), 15, "first Notify call")
        proxy.cut()
        await asyncio.sleep(BUSY_CUT_S)
        proxy.restore()
        busy_restored_at = time.monotonic()
        busy_outcome = await rig.settled(busy, timeout_s=60)
        busy_recovery_s = time.monotonic() - busy_restored_at
        rig.notify.reply_shares()

        # Idle: cut for 10 s; a job enqueued meanwhile (straight into Redis) is the probe.
        before = rig.notify.received
        proxy.cut()
        cpu_before, cut_at = cpu_seconds(worker.pid), time.monotonic()
        await asyncio.sleep(IDLE_CUT_S / 2)
        probe = await rig.produce(rig.payloads(1, start=100))
        await asyncio.sleep(IDLE_CUT_S / 2)
        cpu_share = (cpu_seconds(worker.pid) - cpu_before) / (time.monotonic() - cut_at)
        assert rig.notify.received == before, "nothing can be fetched while Redis is cut off"
        proxy.restore()
        restored_at = time.monotonic()
        idle_outcome = await rig.settled(probe, timeout_s=RECOVERY_LIMIT_S + 5)
        recovery_s = time.monotonic() - restored_at

        ids = busy + probe
        outcome = await rig.outcome()
        report(DrillResult("Redis cut 3 s busy + 10 s idle", len(ids), len(outcome.completed),
                           len(outcome.failed), len(outcome.lost(ids)), rig.duplicates(),
                           f"busy: all done {busy_recovery_s:.1f} s after restore; "
                           f"idle: {recovery_s:.1f} s; CPU {cpu_share:.1%}"))  # fmt: skip
        assert worker.process.poll() is None, "the worker reconnected without a restart"
        assert busy_outcome.completed == set(busy)
        assert set(probe) <= idle_outcome.completed
        assert rig.duplicates() == 0
        assert len(rig.notify.accepted) == len(ids)
        assert cpu_share < MAX_CPU_SHARE
        assert recovery_s < RECOVERY_LIMIT_S


async def _received(rig: Rig, count: int) -> bool:
    return rig.notify.received >= count
