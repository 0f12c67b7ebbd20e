"""``python -m bench``: this service's worker against the Node BullMQ worker, side by side.

One run, one private redis-server: (1) drains of pre-loaded jobs by both workers (and by this one
with tracing exported to a local OTLP receiver), (2) the e-mail
mix through a real ``dsi-jobs worker``, high limit then the real one, (3) idle latency and peak
RSS of both with every job type registered. Prints a Markdown table; raw numbers go to
bench/results/latest.json. See bench/README.md.
"""

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.support.redis_server import running_redis

from bench.drains import CONFIGS, run_drains, summarise, summarise_real
from bench.email_mix import run_email_mix
from bench.idle import run_idle
from bench.procs import ROOT, install_node, otlp_receiver
from bench.report import drain_table, email_table, idle_table, real_table, tracing_table

RESULTS = ROOT / "bench" / "results"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--jobs", type=int, default=20_000, help="jobs per drain (20000)")
    parser.add_argument("--runs", type=int, default=3, help="repetitions of each drain (3)")
    parser.add_argument("--idle", type=float, default=60.0, help="idle seconds before probes (60)")
    parser.add_argument("--probes", type=int, default=50, help="idle-latency probes (50)")
    parser.add_argument("--email-seconds", type=float, default=75.0,
                        help="length of the real-limit e-mail run (75)")  # fmt: skip
    parser.add_argument("--notify-setting", type=int, default=2970,
                        help="GOVNOTIFY_RATE_LIMIT_PER_MINUTE, real-limit run")  # fmt: skip
    parser.add_argument("--uvloop", action="store_true", help="also drain with Python + uvloop")
    parser.add_argument(
        "--skip", nargs="*", default=[], choices=["drain", "tracing", "email", "idle"]
    )
    return parser


def log(line: str) -> None:
    print(line, flush=True)


def main() -> None:
    args = _parser().parse_args()
    install_node()
    began = time.monotonic()
    results: dict[str, Any] = {"jobs": args.jobs, "runs": args.runs}
    with tempfile.TemporaryDirectory() as tmp, running_redis(Path(tmp)) as server:
        workdir = Path(tmp)
        if "drain" not in args.skip:
            log(f"== drains: {args.jobs:,} jobs x {args.runs} runs, interleaved")
            workers = ("node", "python", *(("python+uvloop",) if args.uvloop else ()))
            real: list[dict[str, Any]] = []
            if "tracing" in args.skip:
                runs = run_drains(f"{server.url}/3", args.jobs, args.runs, workers, log,
                                  real=(workdir, real))  # fmt: skip
            else:
                with otlp_receiver() as (receiver_url, spans_received):
                    runs = run_drains(f"{server.url}/3", args.jobs, args.runs,
                                      (*workers, "python+otlp"), log, receiver_url,
                                      real=(workdir, real))  # fmt: skip
                    results["tracing"] = {
                        "spans_expected": args.jobs * len(CONFIGS),
                        "spans_received": spans_received(),
                    }
            results["drains"] = summarise(runs)
            results["real"] = summarise_real(real, results["drains"])
            results["real_runs"] = real
        if "email" not in args.skip:
            log("== e-mail mix: high limit, then the real one")
            high = run_email_mix(server.url, 6, workdir, per_minute=1_000_000, notify_limit=0,
                                 duration_s=25, warmup_s=5, service_requests=4000,
                                 password_resets=10000, log=log)  # fmt: skip
            real = run_email_mix(server.url, 7, workdir, per_minute=args.notify_setting,
                                 notify_limit=3000, duration_s=args.email_seconds, warmup_s=10,
                                 service_requests=1000, password_resets=5000, log=log,
                                 processes="auto")  # fmt: skip
            results["email"] = [high, real]
        if "idle" not in args.skip:
            log("== idle latency and peak RSS")
            results["idle"] = run_idle(server.url, workdir, args.idle, args.probes, log)
    results["total_s"] = time.monotonic() - began
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=1) + "\n")
    lines: list[str] = []
    if "drains" in results:
        lines += drain_table(results["drains"], args.jobs)
        lines += real_table(results["real"], args.jobs)
    if "tracing" in results:
        lines += tracing_table(results["drains"], results["tracing"])
    if "email" in results:
        lines += email_table(results["email"])
    if "idle" in results:
        lines += idle_table(results["idle"])
    lines += ["", f"Total bench time: {results['total_s']:.0f} s"]
    log("\n" + "\n".join(lines))
    (RESULTS / "latest.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
