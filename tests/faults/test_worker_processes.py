"""``dsi-jobs worker --processes 2``: both worker processes take jobs, ``/metrics`` adds them up,
SIGTERM drains every process, and the probes fail while a process is dead or stuck (a dead one
is restarted and counted)."""

import os
import signal
import time
from pathlib import Path

import httpx

from tests.faults.rig import Rig, WorkerProcess, eventually
from tests.support.notify_stand_in import Reply

TOKEN = "monitor-token-for-the-processes-drill"
PROCESSES = ("--processes", "2")


def children(worker: WorkerProcess) -> list[int]:
    found = Path(f"/proc/{worker.pid}/task/{worker.pid}/children").read_text().split()
    return [int(pid) for pid in found]


def metric(text: str, name: str, **labels: str) -> float:
    """The sum of the samples of ``name`` whose labels include ``labels``."""
    total = 0.0
    for line in text.splitlines():
        if not line.startswith(name + "{") and line.split(" ")[0] != name:
            continue
        if all(f'{key}="{value}"' in line for key, value in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


async def get(worker: WorkerProcess, path: str) -> httpx.Response:
    async with httpx.AsyncClient(timeout=5) as client:
        headers = {"authorization": f"Bearer {TOKEN}"}
        return await client.get(f"http://127.0.0.1:{worker.port}{path}", headers=headers)


async def test_both_processes_work_metrics_add_up_and_sigterm_drains_them_all(rig: Rig) -> None:
    worker = await rig.worker("two", PROCESSES, JOBS_MONITOR_TOKEN=TOKEN,
                              JOBS_CONCURRENCY="20", JOBS_SHUTDOWN_GRACE_SECONDS="15",
                              JOBS_HTTP_TIMEOUT_SECONDS="10")  # fmt: skip
    await eventually(lambda: _status(worker, "/readyz", 200), 30, "every process ready")
    assert len(children(worker)) == 2

    quick = await rig.produce(rig.payloads(60))
    await rig.settled(quick, timeout_s=30)
    scraped = (await get(worker, "/metrics")).text
    completed = {"queue": "passwordreset_v1", "outcome": "completed"}
    assert metric(scraped, "dsi_jobs_jobs_total", **completed) == len(quick)
    assert metric(scraped, "dsi_jobs_job_duration_seconds_count", queue="passwordreset_v1") == 60
    by_process = {line["worker_process"] for line in worker.events("job_finished")}
    assert by_process == {0, 1}, "both worker processes took jobs"

    rig.notify.reply_share(Reply.hang(1.0), 1.0)
    busy = await rig.produce(rig.payloads(40, start=60))

    async def all_in_flight() -> bool:
        return await rig.client.llen("bull:passwordreset_v1:active") == len(busy)

    await eventually(all_in_flight, 20, "40 jobs active across both processes")
    waiting = await rig.produce(rig.payloads(10, start=100))
    worker.terminate()
    assert await worker.exit_code(30) == 0
    finished = await rig.outcome()
    assert set(busy) <= finished.completed, "every in-flight job of every process finished"
    assert await rig.client.llen("bull:passwordreset_v1:wait") == len(waiting)
    assert sorted(str(line.get("worker_process")) for line in worker.events("stopped")) == [
        "0",
        "1",
        "None",
    ]
    assert rig.duplicates() == 0


async def test_monitor_reaches_every_process_and_livez_fails_while_one_is_dead_or_stuck(
    rig: Rig,
) -> None:
    worker = await rig.worker("probed", PROCESSES, JOBS_MONITOR_TOKEN=TOKEN)
    await eventually(lambda: _status(worker, "/readyz", 200), 30, "every process ready")
    first, second = children(worker)

    assert (await patch_monitor(worker, "stopped")).status_code == 200
    assert (await get(worker, "/monitor")).json() == {"status": "stopped"}
    assert (await get(worker, "/readyz")).json()["failing"] == {
        "workers_started": "stopped or draining"
    }
    assert (await patch_monitor(worker, "started")).status_code == 200
    await eventually(lambda: _status(worker, "/readyz", 200), 10, "every process started")

    os.kill(first, signal.SIGKILL)
    await eventually(lambda: _status(worker, "/livez", 503), 5, "/livez fails: a process died")
    await eventually(lambda: _status(worker, "/livez", 200), 30, "the process restarted")
    assert first not in children(worker)
    restarts = metric(
        (await get(worker, "/metrics")).text, "dsi_jobs_worker_process_restarts_total"
    )
    assert restarts == 1

    os.kill(second, signal.SIGSTOP)
    try:
        stopped = time.monotonic()
        await eventually(lambda: _status(worker, "/livez", 503), 20, "/livez fails: stuck")
        assert time.monotonic() - stopped >= 5
        assert "worker_loops" in (await get(worker, "/livez")).json()["failing"]
    finally:
        os.kill(second, signal.SIGCONT)
    await eventually(lambda: _status(worker, "/livez", 200), 10, "the process reports again")


async def patch_monitor(worker: WorkerProcess, state: str) -> httpx.Response:
    async with httpx.AsyncClient(timeout=30) as client:
        headers = {"authorization": f"Bearer {TOKEN}"}
        url = f"http://127.0.0.1:{worker.port}/monitor"
        return await client.patch(url, headers=headers, json={"state": state})


async def _status(worker: WorkerProcess, path: str, expected: int) -> bool:
    try:
        return (await get(worker, path)).status_code == expected
    except httpx.HTTPError:
        return False
