"""A half-configured production start is refused: the real ``dsi-jobs worker`` started with the
original's variable names and ``LOCAL_ENV`` unset exits 1 within seconds, one line per problem,
having started nothing and printed no value."""

import json
import subprocess
import time
from pathlib import Path

from tests.support.processes import WORKER, clean_env
from tests.support.redis_server import free_port
from tests.support.settings import SECRET_VALUES, production_env, template_ids

REFUSAL_DEADLINE_S = 10.0


def start(env: dict[str, str], workdir: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.monotonic()
    done = subprocess.run(
        WORKER, cwd=workdir, env=clean_env({**env, "PORT": str(free_port())}),
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    return done, time.monotonic() - started


def test_every_missing_setting_is_named_and_nothing_starts(tmp_path: Path) -> None:
    templates = {k: v for k, v in template_ids().items() if k != "verifyPasswordResetRequest"}
    env = {
        name: value
        for name, value in production_env(
            GOVNOTIFY_TEMP_MAP=json.dumps({"email": templates}),
            JOBS_DATA_DIR=str(tmp_path / "var"),
        ).items()
        if name
        not in {
            "REDIS_CONN", "GOVNOTIFY_API_KEY", "SVC_SIGNIN_JOBS_PASSWORD",
            "NOTIF_SUPPORT_EMAIL_ADDRESS", "JOB_JWT_SECRET", "STANDALONE_APPLICATIONS_HOST_NAME",
        }
    }  # fmt: skip
    done, seconds = start(env, tmp_path)

    assert done.returncode == 1, done.stderr
    assert seconds < REFUSAL_DEADLINE_S
    lines = done.stderr.splitlines()
    assert lines[0] == "dsi-jobs worker: incomplete configuration (LOCAL_ENV is not dev):"
    variables = [line.strip().partition(":")[0] for line in lines[1:]]
    assert variables == [
        "LOCAL_REDIS_CONN or REDIS_CONN",
        "GOVNOTIFY_API_KEY",
        "SVC_SIGNIN_JOBS_PASSWORD",
        "JOB_JWT_SECRET",
        "NOTIF_SUPPORT_EMAIL_ADDRESS",
        "STANDALONE_APPLICATIONS_HOST_NAME",
        "GOVNOTIFY_TEMP_MAP",
    ]
    assert lines[-1].endswith("no template id for verifyPasswordResetRequest")
    output = done.stdout + done.stderr
    for secret in SECRET_VALUES.values():
        assert secret not in output
    assert not (tmp_path / "var").exists(), "no embedded Redis, outbox or state file"


def test_no_state_database_at_all_is_refused(tmp_path: Path) -> None:
    sql_server = ("PLATFORM_GLOBAL_SERVER_NAME", "SVC_SIGNIN_JOBS", "SVC_SIGNIN_JOBS_PASSWORD",
                  "PLATFORM_GLOBAL_JOBS_DATABASE_NAME")  # fmt: skip
    env = {k: v for k, v in production_env().items() if k not in sql_server}
    done, _ = start(env, tmp_path)
    assert done.returncode == 1
    assert done.stderr.splitlines()[1:] == [
        f"  {', '.join(sql_server)} or JOBS_STATE_DATABASE_URL: not set (the embedded state "
        "database needs LOCAL_ENV=dev or JOBS_ALLOW_EMBEDDED_DEFAULTS=true)"
    ]
