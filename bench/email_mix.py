"""Part 2: an e-mail job mix through a real ``dsi-jobs worker`` against the local stand-ins.

``servicerequest_to_approvers_v2`` (5 active approvers: 5 e-mails) and ``passwordreset_v1``
(1 e-mail) are pre-loaded as the Node producers enqueue them; the worker (every job type
registered) drains them while the Notify stand-in enforces 3,000 requests per rolling 60 s.
Rates are counted by the stand-in after a warm-up; the 60 s maximum covers the whole run. The
high-limit run lifts the stand-in's limit too, to find the worker's own ceiling.
"""

import json
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import redis
from tests.support.platform_stand_in import CLIENT_ID, CLIENT_SECRET, RESOURCE, TENANT
from tests.support.processes import WORKER, worker_process
from tests.support.redis_server import free_port

from bench.procs import ROOT, node
from bench.real_drain import tree_cpu, tree_peak_rss
from bench.stand_ins import BENCH_ORG

SERVICE_REQUEST = {
    "senderName": "Sam Sender",
    "senderEmail": "sam.sender@example.org",
    "orgId": BENCH_ORG,
    "orgName": "Bench Academy",
    "requestedServiceName": "Bench Service",
    "requestedSubServices": ["Bench role"],
    "rejectServiceUrl": "https://services.example/reject",
    "approveServiceUrl": "https://services.example/approve",
    "helpUrl": "https://help.example",
}
PASSWORD_RESET = {
    "email": "pat.reset@example.org",
    "firstName": "Pat",
    "lastName": "Reset",
    "code": "ABC123",
    "clientId": "bench-client",
    "uid": "bench-uid",
}
TEMPLATES = {"userRequestToApproverForServiceAccess", "verifyPasswordResetRequest"}


def _worker_env(redis_url: str, ready: dict[str, str], per_minute: int, workdir: Path) -> dict:
    platform = ready["platform"]
    return {
        "LOCAL_ENV": "dev",  # only the settings of the two benchmarked e-mail jobs are given
        "LOCAL_REDIS_CONN": redis_url,
        "JOBS_DATA_DIR": str(workdir / "data"),
        "JOBS_SHUTDOWN_GRACE_SECONDS": "10",
        "GOVNOTIFY_API_KEY": ready["api_key"],
        "GOVNOTIFY_BASE_URL": ready["notify"],
        "GOVNOTIFY_TEMP_MAP": json.dumps({"email": {key: str(uuid.uuid4()) for key in TEMPLATES}}),
        "GOVNOTIFY_RATE_LIMIT_PER_MINUTE": str(per_minute),
        "STANDALONE_DIRECTORIES_HOST_NAME": f"{platform}/directories",
        "STANDALONE_ORGANISATIONS_HOST_NAME": f"{platform}/organisations",
        "STANDALONE_APPLICATIONS_HOST_NAME": f"{platform}/applications",
        "STANDALONE_ACCESS_HOST_NAME": f"{platform}/access",
        "TENANT_URL": f"{platform}/aad",
        "PLATFORM_GLOBAL_TENANT_DOMAIN": TENANT,
        "AAD_SHD_CLIENT_ID": CLIENT_ID,
        "AAD_SHD_CLIENT_SECRET": CLIENT_SECRET,
        "AAD_SHD_APP_ID": RESOURCE,
        **{
            f"STANDALONE_{site}_HOST_NAME": f"https://{site.lower()}.example"
            for site in ("INTERACTIONS", "PROFILE", "SERVICES", "HELP")
        },
    }


def _max_in_window(times: list[float], window_s: float) -> int:
    """The most timestamps in any ``window_s`` span (two pointers over the sorted list)."""
    ordered, first, best = sorted(times), 0, 0
    for last, at in enumerate(ordered):
        while at - ordered[first] >= window_s:
            first += 1
        best = max(best, last - first + 1)
    return best


def run_email_mix(
    redis_base: str,
    db: int,
    workdir: Path,
    *,
    per_minute: int,
    notify_limit: int,
    duration_s: float,
    warmup_s: float,
    service_requests: int,
    password_resets: int,
    log: Any,
    processes: str = "1",
) -> dict[str, Any]:
    """``processes``: ``dsi-jobs worker --processes`` (the Notify budget is shared in Redis)."""
    redis_url = f"{redis_base}/{db}"
    node("preload.mjs", redis_url, "servicerequest_to_approvers_v2", str(service_requests),
         json.dumps(SERVICE_REQUEST))  # fmt: skip
    node("preload.mjs", redis_url, "passwordreset_v1", str(password_resets),
         json.dumps(PASSWORD_RESET))  # fmt: skip
    stand_ins = subprocess.Popen(
        [sys.executable, "-m", "bench.stand_ins", str(notify_limit)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        if stand_ins.stdout is None:
            raise RuntimeError("no stand-in output")
        ready = json.loads(stand_ins.stdout.readline())
        env = _worker_env(redis_url, ready, per_minute, workdir)
        command = [*WORKER, "--processes", processes]
        with worker_process(env, workdir, free_port(), command) as worker:
            started, cpu_before = time.time(), tree_cpu(worker.pid)
            time.sleep(duration_s)
            ended, cpu_s = time.time(), tree_cpu(worker.pid) - cpu_before
            stats = httpx.get(f"{ready['notify']}/_bench/stats", timeout=30).json()
            rss_mb = tree_peak_rss(worker.pid)[0]
    finally:
        stand_ins.terminate()
        stand_ins.wait(timeout=20)
    left = redis.Redis.from_url(redis_url)
    waiting = sum(int(left.llen(f"bull:{q}:wait")) for q in
                  ("servicerequest_to_approvers_v2", "passwordreset_v1"))  # fmt: skip
    left.close()
    window = (started + warmup_s, ended)
    sends = [t for t in stats["sends"] if window[0] <= t <= window[1]]
    requests = [t for t in stats["requests"] if window[0] <= t <= window[1]]
    seconds = window[1] - window[0]
    log(
        f"  limit {per_minute}/min, --processes {processes}: {len(sends) / seconds:,.1f} e-mails/s"
        f" over {seconds:.0f} s"
    )
    return {
        "per_minute_setting": per_minute,
        "processes": processes,
        "notify_limit": notify_limit or None,
        "sampled_s": seconds,
        "emails_per_s": len(sends) / seconds,
        "notify_requests_per_s": len(requests) / seconds,
        "sends_per_min": len(sends) / seconds * 60,
        "max_requests_any_60s": _max_in_window(stats["requests"], 60.0),
        "rejected_429": stats["rejected_429"],
        "emails_total": len(stats["sends"]),
        "worker_cpu_s_per_1k_emails": cpu_s / max(1, len(stats["sends"])) * 1000,
        "worker_peak_rss_mb": rss_mb,
        "jobs_left_waiting": waiting,
        "backlog_never_ran_out": waiting > 0,
    }
