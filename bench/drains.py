"""Part 1: drain N pre-loaded jobs with the Node worker and with this service's worker.

Runs are interleaved (every configuration and both workers in each repetition) so that noise from
other work on the machine spreads over all of them; each figure is the median of the repetitions.
"""

from dataclasses import dataclass
from typing import Any

import redis

from bench.procs import median, node, percentile, python_child

CONFIGS = (("noop", 1), ("noop", 50), ("sleep10", 50))
"""(handler, concurrency): a no-op at c=1 and c=50, a handler awaiting 10 ms at c=50."""


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
    url: str, jobs: int, repetitions: int, workers: tuple[str, ...], log: Any, otlp: str = ""
) -> list[DrainRun]:
    """``python+otlp`` is this worker with tracing exported to the OTLP receiver at ``otlp``."""
    runs = []
    for rep in range(repetitions):
        for handler, concurrency in CONFIGS:
            for worker in workers:
                run = drain_once(url, worker, handler, concurrency, jobs, f"r{rep}", otlp)
                log(
                    f"  rep {rep + 1} {worker:<14} {handler:<7} c={concurrency:<3}"
                    f" {run.jobs_per_s:>8,.0f} jobs/s  cpu {run.cpu_s:5.1f} s"
                )
                runs.append(run)
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
