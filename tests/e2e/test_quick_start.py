"""The README's quick start: the worker on embedded defaults, a job enqueued from the CLI."""

import subprocess
from pathlib import Path

from tests.support.processes import DSI_JOBS, clean_env, wait_until, worker_process
from tests.support.redis_server import free_port


def cli(workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*DSI_JOBS, *args], cwd=workdir, env=clean_env({}), capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip


def test_embedded_defaults_run_a_job_enqueued_from_the_cli(tmp_path: Path) -> None:
    with worker_process({}, tmp_path, free_port()):  # no Redis, no Notify key, no platform APIs
        enqueued = cli(tmp_path, "enqueue", "test", '{"hello": "world"}')
        assert enqueued.returncode == 0, enqueued.stderr
        assert enqueued.stdout.strip() == "1"

        def completed() -> str | None:
            status = cli(tmp_path, "status")
            row = next(line for line in status.stdout.splitlines() if " test " in line)
            cells = [cell.strip() for cell in row.strip("│┃ ").split("│")]
            return status.stdout if cells[4] == "1" else None

        assert wait_until(completed, timeout_s=20), "the test job did not complete"
    assert "embedded_redis_started" in (tmp_path / "worker.log").read_text()


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert cli(tmp_path).returncode == 2
    assert cli(tmp_path, "enqueue", "no_such_job", "{}").returncode == 2
    assert cli(tmp_path, "enqueue", "test", "{not json").returncode == 2
