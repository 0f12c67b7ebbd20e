"""The README's quick start: ``scripts/worker`` with nothing configured (``LOCAL_ENV`` unset, as
on a fresh machine) runs on embedded defaults and the sandbox; the README's own example jobs,
one of every family, complete and leave their e-mails, envelopes and callbacks under var/."""

import json
import re
import shlex
import subprocess
from pathlib import Path
from typing import Any

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


README = REPOSITORY / "README.md"
ALAN = "a1d0c6e8-0000-4000-8000-0000000a1a17"


def readme_enqueue_commands() -> list[list[str]]:
    """Every ``.venv/bin/dsi-jobs enqueue`` line of the README, as arguments."""
    lines = re.findall(r"^\.venv/bin/dsi-jobs (enqueue .*?)(?:\s+#.*)?$", README.read_text(), re.M)
    return [shlex.split(line) for line in lines]


def records(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_scripts_worker_runs_every_readme_example_on_the_sandbox(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"  # the README's ./var, kept out of the clone
    commands = readme_enqueue_commands()
    assert [command[1] for command in commands] == [
        "test", "passwordreset_v1", "organisationrequest_v1", "publicinvitationrequest_v1",
        "userupdated_v1",
    ]  # fmt: skip
    worker = [str(REPOSITORY / "scripts" / "worker")]
    with worker_process({"JOBS_DATA_DIR": str(data_dir)}, tmp_path, free_port(), worker):
        for command in commands:
            enqueued = cli(data_dir, *command)
            assert enqueued.returncode == 0, enqueued.stderr
            assert enqueued.stdout.strip() == "1"

        def everything_arrived() -> bool:
            emails = {
                (e["template_key"], e["email_address"]) for e in records(data_dir / "outbox.jsonl")
            }
            envelopes = records(data_dir / "legacy-outbox.jsonl")
            return (
                {
                    ("verifyPasswordResetRequest", "alan.turing@example.com"),
                    ("approverRequestAccess", "ada.lovelace@example.com"),
                    ("approverRequestAccess", "grace.hopper@example.com"),
                }
                <= emails
                and bool(envelopes)
                and bool(records(data_dir / "webhook-outbox.jsonl"))
            )

        assert wait_until(everything_arrived, timeout_s=40), (tmp_path / "worker.log").read_text()

        def statuses() -> dict[str, list[str]]:
            status = cli(data_dir, "status").stdout
            rows = [line.strip("│┃ ").split("│") for line in status.splitlines() if "│" in line]
            return {cells[0].strip(): [c.strip() for c in cells[1:]] for cells in rows}

        found = wait_until(lambda: (s := statuses()) and s["test"][3] == "1" and s, timeout_s=20)
        assert found, "the test job did not complete"
        assert all(cells[4] == "0" for cells in found.values()), f"a job failed: {found}"
    (envelope,) = records(data_dir / "legacy-outbox.jsonl")
    assert (envelope["operation"], envelope["action"]) == ("ProvisionUser", "CREATE")
    assert "<ws:emailAddress>alan.turing@example.com</ws:emailAddress>" in envelope["envelope"]
    (callback,) = records(data_dir / "webhook-outbox.jsonl")
    assert callback["url"] == "https://portal.sandbox.localhost/invited"
    assert callback["body"] == {"sub": ALAN, "sourceId": "sandbox-1", "state": "EXISTING_USER"}
    reset = next(
        e
        for e in records(data_dir / "outbox.jsonl")
        if e["template_key"] == "verifyPasswordResetRequest"
    )
    assert reset["personalisation"]["returnUrl"].startswith(
        "https://interactions.sandbox.localhost/"
    )
    log = (tmp_path / "worker.log").read_text()
    assert "embedded_redis_started" in log
    sandbox_line = next(line for line in log.splitlines() if "sandbox_active" in line)
    assert json.loads(sandbox_line)["outbox"] == str(data_dir / "outbox.jsonl"), "not redacted"
    assert "configuration_incomplete" in log, "dev names what production would refuse"


def test_the_sandbox_never_runs_outside_dev(tmp_path: Path) -> None:
    refused = cli(tmp_path, "worker", env={"JOBS_SANDBOX": "true", "JOBS_DATA_DIR": str(tmp_path),
                                           "LOCAL_REDIS_CONN": "redis://127.0.0.1:1"})  # fmt: skip
    assert refused.returncode == 1
    assert "JOBS_SANDBOX: the sandbox runs only when LOCAL_ENV=dev" in refused.stderr
    assert not (tmp_path / "legacy-outbox.jsonl").exists()


def test_outside_dev_the_cli_refuses_the_embedded_redis(tmp_path: Path) -> None:
    refused = cli(tmp_path, "status", env={"JOBS_DATA_DIR": str(tmp_path)})
    assert refused.returncode == 1
    assert "LOCAL_REDIS_CONN or REDIS_CONN: not set" in refused.stderr


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert cli(tmp_path).returncode == 2
    assert cli(tmp_path, "enqueue", "no_such_job", "{}").returncode == 2
    assert cli(tmp_path, "enqueue", "test", "{not json").returncode == 2
