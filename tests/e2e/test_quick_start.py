"""The README's quick start: ``scripts/worker`` with nothing configured (``LOCAL_ENV`` unset, as
on a fresh machine) runs on embedded defaults; a job enqueued from the CLI completes."""

import subprocess
from pathlib import Path

from tests.support.processes import DSI_JOBS, REPOSITORY, clean_env, wait_until, worker_process
from tests.support.redis_server import free_port


def cli(
    data_dir: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The README's second terminal: ``export LOCAL_ENV=dev``, then ``dsi-jobs ...``."""
    settings = {"LOCAL_ENV": "dev", "JOBS_DATA_DIR": str(data_dir)} if env is None else env
    return subprocess.run(
        [*DSI_JOBS, *args], cwd=REPOSITORY, env=clean_env(settings), capture_output=True,
        text=True, timeout=60, check=False,
    )  # fmt: skip


def test_scripts_worker_runs_a_job_enqueued_from_the_cli(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"  # the README's ./var, kept out of the clone
    worker = [str(REPOSITORY / "scripts" / "worker")]
    with worker_process({"JOBS_DATA_DIR": str(data_dir)}, tmp_path, free_port(), worker):
        enqueued = cli(data_dir, "enqueue", "test", '{"hello": "world"}')
        assert enqueued.returncode == 0, enqueued.stderr
        assert enqueued.stdout.strip() == "1"

        def completed() -> str | None:
            status = cli(data_dir, "status")
            row = next(line for line in status.stdout.splitlines() if " test " in line)
            cells = [cell.strip() for cell in row.strip("│┃ ").split("│")]
            return status.stdout if cells[4] == "1" else None

        assert wait_until(completed, timeout_s=20), "the test job did not complete"
    log = (tmp_path / "worker.log").read_text()
    assert "embedded_redis_started" in log
    assert "configuration_incomplete" in log, "dev names what production would refuse"


def test_outside_dev_the_cli_refuses_the_embedded_redis(tmp_path: Path) -> None:
    refused = cli(tmp_path, "status", env={"JOBS_DATA_DIR": str(tmp_path)})
    assert refused.returncode == 1
    assert "LOCAL_REDIS_CONN or REDIS_CONN: not set" in refused.stderr


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert cli(tmp_path).returncode == 2
    assert cli(tmp_path, "enqueue", "no_such_job", "{}").returncode == 2
    assert cli(tmp_path, "enqueue", "test", "{not json").returncode == 2
