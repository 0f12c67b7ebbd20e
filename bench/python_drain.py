"""This service's worker draining a pre-loaded queue: DsiWorker + make_processor + a bench JobSpec.

Run as a child process so its CPU and peak RSS are its own. Clock: worker construction → the last
``completed`` event (as in ``drain.mjs``). Latency: handler start → ``completed``.
Usage: python -m bench.python_drain <redis_url> <queue> <jobs> <concurrency> <noop|sleep10>
       [uvloop] [otlp=<receiver url>]
With ``otlp=``, tracing is on as in the service: a span and log lines per job, exported in batches
over OTLP/HTTP.
"""

import asyncio
import json
import resource
import sys
import time
from typing import Any

from pydantic import BaseModel, ConfigDict

from domain.model import JobContext
from entrypoints.logging import configure_logging
from entrypoints.registry import JobSpec
from entrypoints.settings import redis_connection_options
from entrypoints.tracing import NO_TRACING, Tracing
from entrypoints.worker.bullmq_patches import install_bullmq_patches
from entrypoints.worker.service import WorkerTuning, build_worker


class BenchJob(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    n: int


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def drain(
    url: str, queue: str, jobs: int, concurrency: int, sleep_s: float, tracing: Tracing
) -> dict[str, Any]:
    starts: dict[str, float] = {}
    latencies: list[float] = []
    finished = asyncio.Event()

    async def handler(command: BenchJob, context: JobContext) -> None:
        starts[context.job_id] = time.perf_counter()
        if sleep_s:
            await asyncio.sleep(sleep_s)

    def on_completed(job: Any, _result: Any) -> None:
        latencies.append((time.perf_counter() - starts.pop(str(job.id))) * 1000)
        if len(latencies) == jobs:
            finished.set()

    spec = JobSpec(queue, BenchJob, handler, concurrency=concurrency)
    install_bullmq_patches()  # as ``dsi-jobs worker`` does
    cpu_before = _cpu_s()
    clock_start = time.perf_counter()
    worker = build_worker(
        spec, redis_connection_options(url), WorkerTuning(), "bench", tracing=tracing
    )
    worker.on("completed", on_completed)
    running = asyncio.create_task(worker.run())
    await finished.wait()
    seconds = time.perf_counter() - clock_start
    cpu_s = _cpu_s() - cpu_before
    await worker.close()
    await running
    return {
        "jobs": jobs,
        "seconds": seconds,
        "cpu_s": cpu_s,
        "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "latencies_ms": latencies,
    }


def main() -> None:
    url, queue, jobs, concurrency, handler_kind, *flags = sys.argv[1:]
    tracing = _tracing(flags)
    # As the service runs: one JSON line per job (stdout → /dev/null), trace ids when tracing.
    configure_logging("info", context=tracing.log_processors())
    sleep_s = 0.01 if handler_kind == "sleep10" else 0.0
    work = drain(url, queue, int(jobs), int(concurrency), sleep_s, tracing)
    if "uvloop" in flags:
        import uvloop

        result = uvloop.run(work)
    else:
        result = asyncio.run(work)
    tracing.shutdown()  # the last batch, after the clock stopped
    sys.stderr.write(json.dumps(result) + "\n")


def _tracing(flags: list[str]) -> Tracing:
    receiver = next((flag[5:] for flag in flags if flag.startswith("otlp=")), None)
    if receiver is None:
        return NO_TRACING
    from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    from entrypoints.otel import Exporters, OtelTracing

    return OtelTracing.start(
        Exporters(
            spans=[OTLPSpanExporter(endpoint=f"{receiver}/v1/traces")],
            logs=[OTLPLogExporter(endpoint=f"{receiver}/v1/logs")],
        )
    )


if __name__ == "__main__":
    main()
