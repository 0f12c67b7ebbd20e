"""Part 1: drain N pre-loaded jobs with the Node worker and with this service's worker.

Runs are interleaved (every configuration and both workers in each repetition) so that noise from
other work on the machine spreads over all of them; each figure is the median of the repetitions.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import redis

from bench.procs import median, node, percentile, python_child
from bench.real_drain import real_drain

CONFIGS = (("noop", 1), ("noop", 50), ("sleep10", 50))
"""(handler, concurrency): a no-op at c=1 and c=50, a handler awaiting 10 ms at c=50."""
REAL_CONFIGS = ("1", "auto")
"""``dsi-jobs worker --processes N`` with default settings otherwise (``JOBS_CONCURRENCY`` 10)."""
REAL_DB = 8


@dataclass
class DrainRun:
    worker: str
    handler: str
    concurrency: int
    jobs: int
    seconds: float
    cpu_s: float
    peak_rss_mb: float
    p50_ms: float
    p99_ms: float
    redis_cpu_s: float

    @property
    def jobs_per_s(self) -> float:
        return self.jobs / self.seconds


def _redis_cpu(client: redis.Redis) -> float:
    info: dict[str, Any] = client.info("cpu")
    return float(info["used_cpu_sys"]) + float(info["used_cpu_user"])


def drain_once(
    url: str, worker: str, handler: str, concurrency: int, jobs: int, tag: str, otlp: str = ""
) -> DrainRun:
    queue = f"bench-{worker}-{handler}-c{concurrency}-{tag}"
    node("preload.mjs", url, queue, str(jobs), "{}")
    client = redis.Redis.from_url(url)
    redis_before = _redis_cpu(client)
    args = (url, queue, str(jobs), str(concurrency), handler)
    if worker == "node":
        result = node("drain.mjs", *args)
    else:
        flags = ["uvloop"] if worker.endswith("uvloop") else []
        if worker.endswith("+otlp"):
            flags.append(f"otlp={otlp}")
        result = python_child("bench.python_drain", *args, *flags)
    redis_cpu = _redis_cpu(client) - redis_before
    client.close()
    latencies = result["latencies_ms"]
    return DrainRun(
        worker=worker,
        handler=handler,
        concurrency=concurrency,
        jobs=jobs,
        seconds=result["seconds"],
        cpu_s=result["cpu_s"],
        peak_rss_mb=result["peak_rss_kb"] / 1024,
        p50_ms=percentile(latencies, 0.50),
        p99_ms=percentile(latencies, 0.99),
        redis_cpu_s=redis_cpu,
    )


def run_drains(
    url: str,
    jobs: int,
    repetitions: int,
    workers: tuple[str, ...],
    log: Any,
    otlp: str = "",
    real: tuple[Path, Any] | None = None,
) -> list[DrainRun]:
    """``python+otlp`` is this worker with tracing exported to the OTLP receiver at ``otlp``;
    it runs in the first repetition only (its cost is large and steady; the bench must finish
    from a fresh clone within 10 minutes).

    With ``real`` (a work directory and a list), each repetition also drains the same number of
    ``test`` jobs with the real ``dsi-jobs worker`` for every ``REAL_CONFIGS``; their results
    are appended to that list.
    """
    runs = []
    for rep in range(repetitions):
        for handler, concurrency in CONFIGS:
            for worker in workers:
                if worker.endswith("+otlp") and rep > 0:
                    continue
                run = drain_once(url, worker, handler, concurrency, jobs, f"r{rep}", otlp)
                log(
                    f"  rep {rep + 1} {worker:<14} {handler:<7} c={concurrency:<3}"
                    f" {run.jobs_per_s:>8,.0f} jobs/s  cpu {run.cpu_s:5.1f} s"
                )
                runs.append(run)
        if real is not None:
            workdir, results = real
            for processes in REAL_CONFIGS:
                found = real_drain(url.rsplit("/", 1)[0], REAL_DB, workdir, jobs, processes)
                log(
                    f"  rep {rep + 1} dsi-jobs worker --processes {processes}"
                    f" {found['jobs'] / found['seconds']:>8,.0f} jobs/s (start-up included,"
                    f" ready after {found['ready_s']:.2f} s)  cpu {found['cpu_s']:5.1f} s"
                )
                results.append(found)
    return runs


def summarise(runs: list[DrainRun]) -> list[dict[str, Any]]:
    """One row per (worker, handler, concurrency): medians, and the ratio to the Node worker."""
    groups: dict[tuple[str, str, int], list[DrainRun]] = {}
    for run in runs:
        groups.setdefault((run.worker, run.handler, run.concurrency), []).append(run)
    node_rate = {
        (handler, conc): median([r.jobs_per_s for r in group])
        for (worker, handler, conc), group in groups.items()
        if worker == "node"
    }
    rows = []
    for (worker, handler, conc), group in groups.items():
        rate = median([r.jobs_per_s for r in group])
        rows.append(
            {
                "worker": worker,
                "handler": handler,
                "concurrency": conc,
                "runs": len(group),
                "jobs_per_s": rate,
                "jobs_per_s_min": min(r.jobs_per_s for r in group),
                "jobs_per_s_max": max(r.jobs_per_s for r in group),
                "p50_ms": median([r.p50_ms for r in group]),
                "p99_ms": median([r.p99_ms for r in group]),
                "peak_rss_mb": max(r.peak_rss_mb for r in group),
                "cpu_s_per_1k": median([r.cpu_s / r.jobs * 1000 for r in group]),
                "redis_cpu_s_per_1k": median([r.redis_cpu_s / r.jobs * 1000 for r in group]),
                "ratio_to_node": rate / node_rate[(handler, conc)]
                if (handler, conc) in node_rate
                else None,
            }
        )
    return rows


def summarise_real(found: list[dict[str, Any]], rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per ``--processes`` setting: medians, and the ratio to Node at c=1 and c=50."""
    node_rate = {
        row["concurrency"]: row["jobs_per_s"]
        for row in rows
        if row["worker"] == "node" and row["handler"] == "noop"
    }
    groups: dict[str, list[dict[str, Any]]] = {}
    for run in found:
        groups.setdefault(run["processes"], []).append(run)
    summary = []
    for processes, group in groups.items():
        rates = [run["jobs"] / run["seconds"] for run in group]
        rate = median(rates)
        summary.append(
            {
                "processes": processes,
                "os_processes": max(run["os_processes"] for run in group),
                "runs": len(group),
                "jobs_per_s": rate,
                "jobs_per_s_min": min(rates),
                "jobs_per_s_max": max(rates),
                "ready_s": median([run["ready_s"] for run in group]),
                "cpu_ms_per_job": median(
                    [(run["cpu_s"] - run["ready_cpu_s"]) / run["jobs"] * 1000 for run in group]
                ),
                "cpu_s": median([run["cpu_s"] for run in group]),
                "peak_rss_mb": max(run["peak_rss_mb"] for run in group),
                "peak_rss_total_mb": max(run["peak_rss_total_mb"] for run in group),
                "log_lines_per_job": median([run["log_lines"] / run["jobs"] for run in group]),
                "exit_codes": sorted({run["exit_code"] for run in group}),
                "vs_node_c1": rate / node_rate[1] if 1 in node_rate else None,
                "vs_node_c50": rate / node_rate[50] if 50 in node_rate else None,
            }
        )
    return summary
