"""Run the real ``dsi-jobs`` worker and the Node producer scripts as separate processes."""

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

REPOSITORY = Path(__file__).resolve().parents[2]
NODE_DIR = REPOSITORY / "tests" / "e2e" / "node"
DSI_JOBS = [sys.executable, "-m", "entrypoints.cli"]
WORKER = [*DSI_JOBS, "worker"]


def require_node_modules() -> None:
    if (NODE_DIR / "node_modules" / "bullmq").is_dir():
        return
    message = f"npm bullmq is not installed: run 'npm ci' in {NODE_DIR}"
    if os.environ.get("CI"):  # noqa: TID251 - the CI runner, not a service setting
        pytest.fail(message)
    pytest.skip(message)


def node(script: str, *args: str) -> Any:
    """Run a Node script from tests/e2e/node and parse the JSON it prints."""
    done = subprocess.run(
        ["node", script, *args], cwd=NODE_DIR, capture_output=True, text=True, timeout=60,
        check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise AssertionError(f"node {script} failed: {done.stderr}")
    return json.loads(done.stdout)


def clean_env(extra: Mapping[str, str]) -> dict[str, str]:
    """The test's environment without any settings of the machine's own, plus ``extra``."""
    keep = {"PATH", "HOME", "LANG", "LC_ALL", "SYSTEMROOT", "TMPDIR", "VIRTUAL_ENV", "PYTHONPATH"}
    machine = os.environ  # noqa: TID251 - only PATH and friends, passed to child processes
    env = {key: value for key, value in machine.items() if key in keep}
    env.update(extra)
    return env


@contextmanager
def worker_process(
    env: Mapping[str, str], workdir: Path, port: int, command: Sequence[str] = WORKER
) -> Iterator[subprocess.Popen[str]]:
    """``dsi-jobs worker`` (or ``command``) with only ``env``; waits for its HTTP app;
    SIGTERMs it at the end."""
    log_path = workdir / "worker.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            list(command), cwd=workdir, env=clean_env({**env, "PORT": str(port)}),
            stdout=log, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        try:
            wait_for_http(f"http://127.0.0.1:{port}/healthcheck/ping", process, log_path)
            yield process
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=40)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def wait_for_http(url: str, process: subprocess.Popen[str], log_path: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"worker exited early:\n{log_path.read_text()}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"worker did not answer on {url}:\n{log_path.read_text()}")


def wait_until(predicate: Any, timeout_s: float = 20.0, interval_s: float = 0.2) -> Any:
    """Poll ``predicate`` until it returns something truthy; fail with the last value."""
    deadline = time.monotonic() + timeout_s
    value = predicate()
    while not value and time.monotonic() < deadline:
        time.sleep(interval_s)
        value = predicate()
    return value


@asynccontextmanager
async def running_worker(
    env: Mapping[str, str], workdir: Path, port: int
) -> AsyncIterator[subprocess.Popen[str]]:
    """``worker_process`` for async tests: waits without blocking the loop that serves stand-ins."""
    manager = worker_process(env, workdir, port)
    process = await asyncio.to_thread(manager.__enter__)
    try:
        yield process
    finally:
        await asyncio.to_thread(manager.__exit__, None, None, None)


async def node_async(script: str, *args: str) -> Any:
    """``node`` without blocking the event loop."""
    return await asyncio.to_thread(node, script, *args)
