"""The real process, change by change: ``python -m bench.steps REV [REV ...]``.

Each revision is checked out (``git worktree add --detach``) into a temporary directory and its
``src`` run as ``dsi-jobs worker`` with this checkout's installed packages, on a private
redis-server; every repetition drains ``--jobs`` pre-loaded ``test`` jobs with every revision in
turn (interleaved), and the table gives medians. Used for bench/README.md "The real process".
"""

import argparse
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from tests.support.redis_server import running_redis

from bench.procs import ROOT, install_node, median
from bench.real_drain import real_drain


def _checkout(rev: str, into: Path) -> Path:
    subprocess.run(["git", "worktree", "add", "--detach", str(into), rev], cwd=ROOT, check=True,
                   capture_output=True)  # fmt: skip
    return into / "src"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.steps", description=__doc__)
    parser.add_argument("revs", nargs="+", help="git revisions, oldest first")
    parser.add_argument("--jobs", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--processes", default="1")
    args = parser.parse_args()
    install_node()
    found: dict[str, list[dict[str, Any]]] = {rev: [] for rev in args.revs}
    with tempfile.TemporaryDirectory() as tmp, running_redis(Path(tmp)) as server:
        sources = {rev: _checkout(rev, Path(tmp) / f"rev-{i}") for i, rev in enumerate(args.revs)}
        try:
            for rep in range(args.runs):
                for rev, source in sources.items():
                    run = real_drain(server.url, 8, Path(tmp), args.jobs, args.processes,
                                     source=source)  # fmt: skip
                    found[rev].append(run)
                    print(f"  rep {rep + 1} {rev:<12} {run['jobs'] / run['seconds']:>7,.0f} jobs/s",
                          flush=True)  # fmt: skip
        finally:
            for source in sources.values():
                subprocess.run(["git", "worktree", "remove", "--force", str(source.parent)],
                               cwd=ROOT, check=False, capture_output=True)  # fmt: skip
    print("\n| revision | jobs/s (median) | min-max | spawn → ready s | CPU ms / job "
          "| peak RSS MB |\n|---|---|---|---|---|---|")  # fmt: skip
    for rev, runs in found.items():
        rates = [run["jobs"] / run["seconds"] for run in runs]
        cpu = [(run["cpu_s"] - run["ready_cpu_s"]) / run["jobs"] * 1000 for run in runs]
        print(f"| {rev} | **{median(rates):,.0f}** | {min(rates):,.0f}-{max(rates):,.0f} "
              f"| {median([run['ready_s'] for run in runs]):.2f} | {median(cpu):.3f} "
              f"| {max(run['peak_rss_mb'] for run in runs):.0f} |")  # fmt: skip


if __name__ == "__main__":
    main()
