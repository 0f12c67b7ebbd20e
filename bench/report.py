"""The bench's table, in Markdown so it pastes into bench/README.md unchanged."""

from typing import Any

from bench.procs import percentile

TARGETS = {
    ("sleep10", 50): 1.0,
    ("noop", 50): 0.5,
    ("noop", 1): 0.8,
}


def _ratio(row: dict[str, Any]) -> str:
    if row["ratio_to_node"] is None or row["worker"] == "node":
        return "1.00x" if row["worker"] == "node" else "-"
    target = TARGETS.get((row["handler"], row["concurrency"]))
    met = "" if target is None else (" ✓" if row["ratio_to_node"] >= target else f" ✗ (≥{target})")
    return f"{row['ratio_to_node']:.2f}x{met}"


def drain_table(rows: list[dict[str, Any]], jobs: int) -> list[str]:
    lines = [
        f"Drain of {jobs:,} pre-loaded jobs (median of {rows[0]['runs']} interleaved runs; "
        "latency = handler start → completed recorded)",
        "",
        "| worker | handler | conc. | jobs/s (median) | min-max | p50 ms | p99 ms | peak RSS MB "
        "| CPU s / 1k jobs | Redis CPU s / 1k | vs Node |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]

    def order(row: dict[str, Any]) -> tuple[str, int, bool, str]:
        return (row["handler"], row["concurrency"], row["worker"] != "node", row["worker"])

    for row in sorted(rows, key=order):
        lines.append(
            f"| {row['worker']} | {row['handler']} | {row['concurrency']} "
            f"| **{row['jobs_per_s']:,.0f}** "
            f"| {row['jobs_per_s_min']:,.0f}-{row['jobs_per_s_max']:,.0f} "
            f"| {row['p50_ms']:.2f} | {row['p99_ms']:.2f} | {row['peak_rss_mb']:.0f} "
            f"| {row['cpu_s_per_1k']:.3f} | {row['redis_cpu_s_per_1k']:.3f} | {_ratio(row)} |"
        )
    return lines


def real_table(rows: list[dict[str, Any]], jobs: int) -> list[str]:
    """The real ``dsi-jobs worker`` process beside the Node rows of the same drains."""
    lines = [
        "",
        f"The real process: `dsi-jobs worker` (production configuration, every queue registered, "
        f"JSON log lines to a file) draining {jobs:,} pre-loaded `test` jobs; the clock starts at "
        "the spawn, so start-up is included (median of "
        f"{rows[0]['runs'] if rows else 0} interleaved runs)",
        "",
        "| worker | OS processes | jobs/s (median) | min-max | spawn → ready s | CPU ms / job "
        "| peak RSS MB (one process / all) | log lines / job | exit | vs Node c=1 | vs Node c=50 |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        flag = "" if row["processes"] == "1" else f" --processes {row['processes']}"
        c1, c50 = row["vs_node_c1"], row["vs_node_c50"]
        target_c1 = (" ✓" if c1 >= 1.0 else " ✗ (≥1.0)") if row["processes"] == "1" else ""
        target_c50 = (" ✓" if c50 >= 0.5 else " ✗ (≥0.5)") if row["processes"] == "auto" else ""
        lines.append(
            f"| `dsi-jobs worker{flag}` | {row['os_processes']} | **{row['jobs_per_s']:,.0f}** "
            f"| {row['jobs_per_s_min']:,.0f}-{row['jobs_per_s_max']:,.0f} "
            f"| {row['ready_s']:.2f}{' ✓' if row['ready_s'] < 1 else ' ✗ (<1)'} "
            f"| {row['cpu_ms_per_job']:.3f} "
            f"| {row['peak_rss_mb']:.0f} / {row['peak_rss_total_mb']:.0f} "
            f"| {row['log_lines_per_job']:.1f} | {','.join(map(str, row['exit_codes']))} "
            f"| {c1:.2f}x{target_c1} | {c50:.2f}x{target_c50} |"
        )
    lines += [
        "",
        "CPU ms / job: the worker processes' CPU from ready to the last completion, per job "
        "(start-up CPU excluded; the harness rows above count the drain alone too).",
    ]
    return lines


def tracing_table(rows: list[dict[str, Any]], tracing: dict[str, Any]) -> list[str]:
    """This worker with tracing off against tracing on (a span per job, exported over OTLP)."""
    by_key = {(r["worker"], r["handler"], r["concurrency"]): r for r in rows}
    lines = [
        "",
        "Tracing cost: the same drains (first repetition only) with a span and a log line per job "
        "exported over OTLP/HTTP to a local receiver in its own process "
        f"({tracing['spans_received']:,} of "
        f"{tracing['spans_expected']:,} spans received)",
        "",
        "| handler | conc. | jobs/s off | jobs/s on | on / off | CPU s / 1k off | CPU s / 1k on "
        "| peak RSS MB off / on |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for (worker, handler, concurrency), on in sorted(by_key.items()):
        if worker != "python+otlp":
            continue
        off = by_key[("python", handler, concurrency)]
        lines.append(
            f"| {handler} | {concurrency} | {off['jobs_per_s']:,.0f} | **{on['jobs_per_s']:,.0f}** "
            f"| {on['jobs_per_s'] / off['jobs_per_s']:.2f}x | {off['cpu_s_per_1k']:.3f} "
            f"| {on['cpu_s_per_1k']:.3f} | {off['peak_rss_mb']:.0f} / {on['peak_rss_mb']:.0f} |"
        )
    return lines


def idle_table(idle: dict[str, Any]) -> list[str]:
    lines = [
        "",
        f"Idle latency: {idle['queues']} queues per worker process, {idle['idle_s']:.0f} s idle, "
        "then probes one at a time (ms, from the job hash; enqueue → active is just before the "
        "handler starts)",
        "",
        "| worker | probes | first after idle: →active / →completed | p50 →active | p99 →active "
        "| max →active | p99 →completed | peak RSS MB (all job types) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name in ("node", "python"):
        probes = idle["probes"][name]
        started, finished = probes["started_ms"], probes["finished_ms"]
        verdict = "" if name == "node" else (" ✓" if percentile(started, 0.99) < 50 else " ✗")
        lines.append(
            f"| {name} | {len(started)} | {started[0]} / {finished[0]} "
            f"| {percentile(started, 0.5):.0f} | **{percentile(started, 0.99):.0f}**{verdict} "
            f"| {max(started)} | {percentile(finished, 0.99):.0f} "
            f"| {idle['peak_rss_mb'][name]:.0f} |"
        )
    python_rss, node_rss = idle["peak_rss_mb"]["python"], idle["peak_rss_mb"]["node"]
    idle_rss = idle.get("idle_rss_mb", {})
    ready = idle.get("ready_s")
    lines += [
        "",
        f"Peak RSS Python / Node: {python_rss:.0f} / {node_rss:.0f} MB = "
        f"{python_rss / node_rss:.2f} (target ≤ 1.00: {'✓' if python_rss <= node_rss else '✗'}); "
        f"idle RSS after {idle['idle_s']:.0f} s: {idle_rss.get('python', 0):.0f} / "
        f"{idle_rss.get('node', 0):.0f} MB",
    ]
    if ready is not None:
        lines.append(
            f"Start-up of the idle worker, spawn → `/readyz` 200: {ready:.2f} s "
            f"(target < 1 s: {'✓' if ready < 1 else '✗'})"
        )
    if idle.get("cli"):
        lines += [
            "",
            "Operator commands against the same Redis, spawn → exit (median and max of 5)",
            "",
            "| command | median s | max s | target < 0.5 s |",
            "|---|---|---|---|",
        ]
        for command, took in idle["cli"].items():
            met = "✓" if took["median_s"] < 0.5 else "✗"
            median_s, max_s = took["median_s"], took["max_s"]
            lines.append(f"| `dsi-jobs {command}` | **{median_s:.2f}** | {max_s:.2f} | {met} |")
    return lines


def email_table(runs: list[dict[str, Any]]) -> list[str]:
    lines = [
        "",
        "E-mail mix through `dsi-jobs worker` (servicerequest_to_approvers_v2 x 5 approvers + "
        "passwordreset_v1); Notify stand-in limit: requests per rolling 60 s",
        "",
        "| GOVNOTIFY_RATE_LIMIT_PER_MINUTE | worker processes | stand-in limit | sampled s "
        "| e-mails/s "
        "| Notify requests/s | sends/min | max requests in any 60 s | 429s "
        "| worker CPU s / 1k e-mails "
        "| worker peak RSS MB (largest process) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        lines.append(
            f"| {run['per_minute_setting']} | {run.get('processes', '1')} "
            f"| {run['notify_limit'] or 'none'} "
            f"| {run['sampled_s']:.0f} "
            f"| **{run['emails_per_s']:,.1f}** | {run['notify_requests_per_s']:,.1f} "
            f"| {run['sends_per_min']:,.0f} | {run['max_requests_any_60s']:,} "
            f"| {run['rejected_429']} | {run['worker_cpu_s_per_1k_emails']:.2f} "
            f"| {run['worker_peak_rss_mb']:.0f} |"
        )
    return lines
