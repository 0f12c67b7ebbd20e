"""Part 3b: enqueue → handler start after the workers sat idle, and their peak RSS.

Two processes with every job type registered: the real ``dsi-jobs worker`` (DB 4) and a Node
process with one BullMQ worker per queue (DB 5), as the original registers them. After
``idle_s`` of silence, probe jobs go to the ``test`` queue of each, one at a time, with gaps that
land anywhere in the workers' 5 s blocking-read cycle. Latencies come from the job hash
(``processedOn - timestamp``: enqueue → moved to active, just before the handler starts; and
``finishedOn - timestamp``), so both workers are measured the same way, in whole milliseconds.
"""

import asyncio
import json
import random
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis.asyncio as redis
from bullmq import Queue
from tests.support.processes import clean_env
from tests.support.redis_server import free_port

from adapters.redis_queue.publisher import PRODUCER_JOB_OPTIONS
from bench.procs import NODE_DIR, median, peak_rss_mb, rss_mb
from bench.real_drain import DSI_JOBS, real_worker_env, wait_ready

CLI_RUNS = 5
CLI_COMMANDS = (("status",), ("failed",), ("jobs",), ("show", "test", "{job_id}"))


@dataclass
class Probes:
    started_ms: list[int] = field(default_factory=list)
    finished_ms: list[int] = field(default_factory=list)
    last_id: str = ""


def fixed_queue_names(redis_url: str) -> list[str]:
    listed = subprocess.run(
        [".venv/bin/dsi-jobs", "jobs"],
        capture_output=True,
        text=True,
        check=True,
        env={"LOCAL_REDIS_CONN": redis_url, "PATH": "/usr/bin:/bin", "LOCAL_ENV": "dev"},
    ).stdout.split()
    return [name for name in listed if "<" not in name]


async def _probe(client: redis.Redis, queue: Queue, probes: Probes, n: int) -> None:
    job = await queue.add("test", {"probe": n}, dict(PRODUCER_JOB_OPTIONS))
    key = f"bull:test:{job.id}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = await client.hmget(key, ["timestamp", "processedOn", "finishedOn"])
        if found[2]:
            enqueued, started, finished = (int(value) for value in found)
            probes.started_ms.append(started - enqueued)
            probes.finished_ms.append(finished - enqueued)
            probes.last_id = str(job.id)
            return
        await asyncio.sleep(0.002)
    raise RuntimeError("probe job not finished within 30 s")


async def _run_probes(redis_base: str, count: int, seed: int) -> dict[str, Probes]:
    clients = {
        "python": redis.Redis.from_url(f"{redis_base}/4", decode_responses=True),
        "node": redis.Redis.from_url(f"{redis_base}/5", decode_responses=True),
    }
    queues = {name: Queue("test", {"connection": client}) for name, client in clients.items()}
    results = {name: Probes() for name in clients}
    draw = random.Random(seed)
    for n in range(count):
        for name in clients:
            await _probe(clients[name], queues[name], results[name], n)
        # mostly short gaps, every 10th long enough to span a 5 s blocking read
        await asyncio.sleep(draw.uniform(5.0, 6.0) if n % 10 == 9 else draw.uniform(0.05, 0.6))
    for queue in queues.values():
        await queue.close()
    for client in clients.values():
        await client.aclose()
    return results


def time_cli(env: dict[str, str], workdir: Path, job_id: str) -> dict[str, dict[str, float]]:
    """Wall time of each operator command, spawn to exit, ``CLI_RUNS`` times (median, max)."""
    found = {}
    for command in CLI_COMMANDS:
        argv = [str(DSI_JOBS), *(word.format(job_id=job_id) for word in command)]
        times = []
        for _ in range(CLI_RUNS):
            began = time.perf_counter()
            subprocess.run(argv, cwd=workdir, env=env, capture_output=True, check=True)
            times.append(time.perf_counter() - began)
        found[" ".join(command[:2]) if command[0] == "show" else command[0]] = {
            "median_s": median(times),
            "max_s": max(times),
        }
    return found


def run_idle(
    redis_base: str, workdir: Path, idle_s: float, probes: int, log: Any
) -> dict[str, Any]:
    queues = fixed_queue_names(redis_base)
    port = free_port()
    env = clean_env(real_worker_env(redis_base, workdir, PORT=str(port)))
    node_worker = subprocess.Popen(
        ["node", "idle.mjs", f"{redis_base}/5", json.dumps(queues)],
        cwd=NODE_DIR,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        if node_worker.stdout is None or node_worker.stdout.readline().strip() != "ready":
            raise RuntimeError("the Node idle worker did not start")
        log_path = workdir / "idle-worker.log"
        with log_path.open("w") as output:
            spawned = time.perf_counter()
            python_worker = subprocess.Popen(
                [str(DSI_JOBS), "worker"], cwd=workdir, env=env, stdout=output,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
            try:
                ready_s = wait_ready(port, python_worker, spawned, log_path)
                log(f"  {len(queues)} queues per worker; ready after {ready_s:.2f} s; idle for"
                    f" {idle_s:.0f} s, then probes")  # fmt: skip
                time.sleep(idle_s)
                idle_rss = {"python": rss_mb(python_worker.pid), "node": rss_mb(node_worker.pid)}
                results = asyncio.run(_run_probes(redis_base, probes, seed=7))
                rss = {
                    "python": peak_rss_mb(python_worker.pid),
                    "node": peak_rss_mb(node_worker.pid),
                }
                cli = time_cli(env, workdir, results["python"].last_id)
            finally:
                python_worker.send_signal(signal.SIGTERM)
                python_worker.wait(timeout=60)
    finally:
        node_worker.terminate()
        node_worker.wait(timeout=20)
    return {
        "queues": len(queues),
        "idle_s": idle_s,
        "ready_s": ready_s,
        "probes": {name: vars(found) for name, found in results.items()},
        "peak_rss_mb": rss,
        "idle_rss_mb": idle_rss,
        "cli": cli,
    }
