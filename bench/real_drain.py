"""Part 1b: the real ``dsi-jobs worker`` process draining pre-loaded ``test`` jobs.

Spawned as operators run it: ``dsi-jobs worker [--processes N]``, a complete production
configuration (``LOCAL_ENV`` unset, every job family's settings, no embedded defaults), every
queue registered, JSON log lines to a file. The jobs are pre-loaded before the spawn, so the
clock (spawn → the N-th completion, read from BullMQ's own completed counter) includes
start-up: imports, configuration checks, connections. Start-up = spawn → ``/readyz`` answers
200. CPU and peak RSS cover the supervisor and every worker process (``/proc``).
"""

import contextlib
import json
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import redis
from tests.support.processes import clean_env
from tests.support.redis_server import free_port
from tests.support.settings import production_env

from bench.procs import ROOT, cpu_seconds, node, peak_rss_mb

DSI_JOBS = ROOT / ".venv" / "bin" / "dsi-jobs"
POLL_S = 0.005


def real_worker_env(redis_url: str, workdir: Path, **extra: str) -> dict[str, str]:
    """A complete production configuration (as ``tests.support.settings``) on the bench's Redis;
    the upstreams point at a closed local port (the ``test`` job calls none of them)."""
    env = production_env(
        LOCAL_REDIS_CONN=redis_url,
        GOVNOTIFY_BASE_URL="http://127.0.0.1:9",
        JOBS_STATE_DATABASE_URL=f"sqlite:///{workdir / 'state.db'}",
        JOBS_DATA_DIR=str(workdir / "data"),
        JOBS_SHUTDOWN_GRACE_SECONDS="10",
        **extra,
    )
    for name in ("REDIS_CONN", "PLATFORM_GLOBAL_SERVER_NAME", "SVC_SIGNIN_JOBS",
                 "SVC_SIGNIN_JOBS_PASSWORD", "PLATFORM_GLOBAL_JOBS_DATABASE_NAME"):  # fmt: skip
        env.pop(name)
    return env


def process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants (worker processes of a supervisor), read from ``/proc``."""
    tree, pending = [], [pid]
    while pending:
        current = pending.pop()
        tree.append(current)
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        pending.extend(int(child) for child in children)
    return tree


def tree_cpu(pid: int) -> float:
    total = 0.0
    for member in process_tree(pid):
        with contextlib.suppress(OSError, RuntimeError):
            total += cpu_seconds(member)
    return total


def tree_peak_rss(pid: int) -> tuple[float, float]:
    """The largest peak RSS of one process of the tree, and the sum of their peaks (MB)."""
    peaks = []
    for member in process_tree(pid):
        with contextlib.suppress(OSError, RuntimeError):
            peaks.append(peak_rss_mb(member))
    return max(peaks), sum(peaks)


def _completed(client: redis.Redis) -> int:
    return int(client.hget("bull:test:metrics:completed", "count") or 0)


def real_drain(
    redis_base: str,
    db: int,
    workdir: Path,
    jobs: int,
    processes: str = "1",
    extra_env: dict[str, str] | None = None,
    source: Path | None = None,
) -> dict[str, Any]:
    """Drain ``jobs`` pre-loaded ``test`` jobs with ``dsi-jobs worker --processes processes``
    (the code of ``source``, another checkout's ``src``, instead of this one's when given)."""
    redis_url = f"{redis_base}/{db}"
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    node("preload.mjs", redis_url, "test", str(jobs), "{}")
    port = free_port()
    env = clean_env(real_worker_env(redis_url, workdir, PORT=str(port), **(extra_env or {})))
    command = [str(DSI_JOBS), "worker", *(["--processes", processes] if processes != "1" else [])]
    if source is not None:
        env["PYTHONPATH"] = str(source)
        command[0:1] = [str(DSI_JOBS.parent / "python"), "-m", "entrypoints.cli"]
    log_path = workdir / "real-worker.log"
    with log_path.open("w") as log:
        spawned = time.perf_counter()
        worker = subprocess.Popen(
            command, cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            ready_s = wait_ready(port, worker, spawned, log_path)
            ready_cpu_s = tree_cpu(worker.pid)
            deadline = time.monotonic() + 600
            while _completed(client) < jobs:
                if worker.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"worker stopped draining:\n{_tail(log_path)}")
                time.sleep(POLL_S)
            seconds = time.perf_counter() - spawned
            cpu_s = tree_cpu(worker.pid)
            peak_mb, peak_total_mb = tree_peak_rss(worker.pid)
            members = len(process_tree(worker.pid))
        finally:
            worker.send_signal(signal.SIGTERM)
            exit_code = worker.wait(timeout=60)
    client.close()
    lines = sum(1 for _ in log_path.open())
    return {
        "jobs": jobs,
        "processes": processes,
        "seconds": seconds,
        "ready_s": ready_s,
        "cpu_s": cpu_s,
        "ready_cpu_s": ready_cpu_s,
        "peak_rss_mb": peak_mb,
        "peak_rss_total_mb": peak_total_mb,
        "os_processes": members,
        "log_lines": lines,
        "exit_code": exit_code,
    }


def wait_ready(port: int, worker: subprocess.Popen[bytes], spawned: float, log: Path) -> float:
    """Seconds from ``spawned`` to the first 200 from ``/readyz`` (polled every 5 ms)."""
    url = f"http://127.0.0.1:{port}/readyz"
    with httpx.Client(timeout=1) as http:
        while time.perf_counter() - spawned < 60:
            if worker.poll() is not None:
                raise RuntimeError(f"worker exited at start-up:\n{_tail(log)}")
            with contextlib.suppress(httpx.HTTPError):
                if http.get(url).status_code == 200:
                    return time.perf_counter() - spawned
            time.sleep(POLL_S)
    raise RuntimeError(f"worker not ready within 60 s:\n{_tail(log)}")


def _tail(path: Path) -> str:
    return "".join(path.read_text().splitlines(keepends=True)[-30:])


if __name__ == "__main__":
    # One drain, for profiling a change: python -m bench.real_drain REDIS_BASE_URL JOBS
    # [PROCESSES [NAME=VALUE ...]] (a redis-server of your own: DB 8 is flushed).
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        base, count, *rest = sys.argv[1:]
        settings = dict(kv.split("=", 1) for kv in rest[1:])
        result = real_drain(base, 8, Path(tmp), int(count), rest[0] if rest else "1", settings)
    print(json.dumps(result | {"jobs_per_s": result["jobs"] / result["seconds"]}))
    os._exit(0)
