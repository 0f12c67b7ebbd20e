"""Child processes of the bench (Node scripts, Python workers) and the numbers read from them."""

import json
import os
import statistics
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
NODE_DIR = ROOT / "bench" / "node"


def install_node() -> None:
    """``npm ci`` the pinned npm bullmq (the producers' version) unless already installed."""
    if not (NODE_DIR / "node_modules" / "bullmq").is_dir():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=NODE_DIR, check=True
        )


def node(script: str, *args: str, timeout_s: float = 300) -> Any:
    """Run a script of bench/node and parse the JSON it prints."""
    done = subprocess.run(
        ["node", script, *args],
        cwd=NODE_DIR,
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"node {script} failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def python_child(module: str, *args: str, env: dict[str, str] | None = None) -> Any:
    """Run ``python -m module``; its logs go to /dev/null, its result is the last stderr line."""
    done = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, **(env or {})},
    )
    if done.returncode != 0:
        raise RuntimeError(f"{module} failed: {done.stderr[-2000:]}")
    return json.loads(done.stderr.strip().splitlines()[-1])


@contextmanager
def otlp_receiver() -> Iterator[tuple[str, Callable[[], int]]]:
    """``bench.otlp_receiver`` in its own process: its URL, and how many spans it has received."""
    receiver = subprocess.Popen(
        [sys.executable, "-m", "bench.otlp_receiver"], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        if receiver.stdout is None:
            raise RuntimeError("no receiver output")
        url = json.loads(receiver.stdout.readline())["url"]

        def spans_received() -> int:
            return int(httpx.get(f"{url}/_bench/count", timeout=30).json()["spans"])

        yield url, spans_received
    finally:
        receiver.terminate()
        receiver.wait(timeout=20)


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (``share`` in 0..1)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def median(values: list[float]) -> float:
    return statistics.median(values)


def peak_rss_mb(pid: int) -> float:
    """``VmHWM`` (peak resident set) of a running process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for pid {pid}")


def rss_mb(pid: int) -> float:
    """``VmRSS`` (resident set now) of a running process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds used so far by a running process."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks
