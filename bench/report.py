"""bench/results/latest.json (everything measured) and latest.md (the table people read)."""

import json
from pathlib import Path

# Issue #18's targets: (what, the test a figure must pass).
PAGE_TARGET = 0.8
SUBMIT_TARGET = 0.35
SUBMIT_P99_MS = 150
RECOMPUTE_TARGET = 3.0
MEMORY_TARGET_MB = 250
ROUTING_TARGET = 200


def _verdict(met: bool, by: str) -> str:
    return f"met ({by})" if met else f"**missed** ({by})"


def targets(results: dict, cached_pages: tuple[str, ...]) -> list[dict]:
    """Each target of the issue with the figure it is judged on, met or missed, by how much."""
    rows = []
    http = results.get("http", {})
    for key in cached_pages:
        figure = http.get(key)
        if not figure:
            continue
        ratio = figure["ratio"]
        rows.append(
            {
                "target": f"{figure['label']} ≥ {PAGE_TARGET} × bare",
                "figure": f"{ratio:.2f} ×",
                "met": ratio >= PAGE_TARGET,
                "by": f"{ratio / PAGE_TARGET:.2f} of the target",
            }
        )
    submit = http.get("submit")
    if submit:
        rows.append(
            {
                "target": f"submission ≥ {SUBMIT_TARGET} × bare",
                "figure": f"{submit['ratio']:.2f} ×",
                "met": submit["ratio"] >= SUBMIT_TARGET,
                "by": f"{submit['ratio'] / SUBMIT_TARGET:.2f} of the target",
            }
        )
        rows.append(
            {
                "target": f"submission p99 ≤ {SUBMIT_P99_MS} ms",
                "figure": f"{submit['p99_ms']:.0f} ms",
                "met": submit["p99_ms"] <= SUBMIT_P99_MS,
                "by": f"{submit['p99_ms'] / SUBMIT_P99_MS:.2f} of the bound",
            }
        )
        if submit["non_2xx"]:
            rows.append(
                {
                    "target": "every submission answered 201",
                    "figure": f"{submit['non_2xx']} not 2xx: {submit['statuses']}",
                    "met": False,
                    "by": "see statuses",
                }
            )
    for months, figure in results.get("recompute", {}).items():
        ratio = figure.get("ratio_to_floor")
        if ratio is None:
            continue
        rows.append(
            {
                "target": f"recomputation of {months} month(s) ≤ {RECOMPUTE_TARGET:g} × bare SQL",
                "figure": f"{ratio:.2f} ×",
                "met": ratio <= RECOMPUTE_TARGET,
                "by": f"{ratio / RECOMPUTE_TARGET:.2f} of the bound",
            }
        )
        rows.append(
            {
                "target": f"peak memory recomputing {months} month(s) < {MEMORY_TARGET_MB} MB",
                "figure": f"{figure['peak_rss_mb']:.0f} MB",
                "met": figure["peak_rss_mb"] < MEMORY_TARGET_MB,
                "by": f"{figure['peak_rss_mb'] / MEMORY_TARGET_MB:.2f} of the bound",
            }
        )
    worker = results.get("worker_recompute")
    if worker and worker.get("worker_peak_rss_mb") is not None:
        rows.append(
            {
                "target": f"Celery worker peak memory recomputing {worker['months']} months "
                f"< {MEMORY_TARGET_MB} MB",
                "figure": f"{worker['worker_peak_rss_mb']:.0f} MB",
                "met": worker["worker_peak_rss_mb"] < MEMORY_TARGET_MB,
                "by": f"{worker['worker_peak_rss_mb'] / MEMORY_TARGET_MB:.2f} of the bound",
            }
        )
    routing = results.get("routing")
    if routing and routing.get("reports_per_second") is not None:
        rate = routing["reports_per_second"]
        rows.append(
            {
                "target": f"routing ≥ {ROUTING_TARGET} reports/s per worker",
                "figure": f"{rate:.0f} reports/s",
                "met": rate >= ROUTING_TARGET,
                "by": f"{rate / ROUTING_TARGET:.2f} of the target",
            }
        )
        rows.append(
            {
                "target": f"routing worker peak memory < {MEMORY_TARGET_MB} MB",
                "figure": f"{routing['peak_rss_mb']:.0f} MB",
                "met": routing["peak_rss_mb"] < MEMORY_TARGET_MB,
                "by": f"{routing['peak_rss_mb'] / MEMORY_TARGET_MB:.2f} of the bound",
            }
        )
    return rows


def markdown(results: dict, cached_pages: tuple[str, ...]) -> str:
    machine = results.get("machine", {})
    versions = machine.get("versions", {})
    load = results.get("load", {})
    lines = [
        "# `make bench`: latest results",
        "",
        "Written by `bench/run.py` (how to run it and what each figure means: "
        "[bench/README.md](../README.md)); the same figures in `latest.json`.",
        "",
    ]
    if results.get("failed"):
        lines += [f"**This run failed:** `{results['failed'][:500]}`", ""]
    lines += [
        f"- date: {results.get('date')} · total run {results.get('total_seconds', 0) / 60:.1f} min",
        f"- machine: {machine.get('cores')} cores ({machine.get('cpu', '?')}), "
        f"{machine.get('memory_gb')} GB memory, {machine.get('os', '')}",
        "- versions: "
        + ", ".join(f"{name} {version}" for name, version in versions.items())
        + f" · commit {machine.get('commit', '?')}",
        f"- scale {results.get('scale')} · seed {results.get('seed')} · "
        f"gunicorn {results.get('gunicorn_workers', '?')} sync workers, DJANGO_ENV=production, "
        f"one Celery worker (concurrency 1)",
    ]
    if results.get("load_average_before_requests"):
        lines.append(
            "- load average (1, 5, 15 min) just before the requests: "
            + ", ".join(str(x) for x in results["load_average_before_requests"])
            + ", just after: "
            + ", ".join(str(x) for x in results.get("load_average_after_requests", []))
            + f" (on {machine.get('cores')} cores; anything above the run's own load is other "
            "work on the machine)"
        )
    wrk = results.get("wrk")
    if wrk:
        lines.append(
            f"- load generator: wrk, {wrk['threads']} threads, {wrk['connections']} connections, "
            f"{wrk['seconds']:g} s per path after a 2 s warm-up, loopback"
        )
    if load:
        rows = load.get("rows", {})
        lines += [
            f"- data loaded in **{load.get('seconds', 0):.0f} s** "
            f"(migrations {results.get('migrate_seconds', '?')} s before it): "
            + ", ".join(f"{table} {count:,}" for table, count in rows.items()),
            "  - steps: "
            + ", ".join(
                f"{step} {seconds:.1f} s" for step, seconds in load.get("steps", {}).items()
            ),
            f"  - reports received from {load.get('period_start', '?')[:10]} to the run's date",
        ]
    http = results.get("http")
    if http:
        lines += [
            "",
            "## Requests (wrk)",
            "",
            "| path | req/s | ratio to bare | p50 ms | p99 ms | not 2xx | bytes | in Django p50 / p99 ms |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for key, figure in http.items():
            cached = " (cached page)" if key in cached_pages else ""
            inside = figure.get("in_process_ms")
            inside_text = f"{inside['p50']:.1f} / {inside['p99']:.1f}" if inside else "–"
            lines.append(
                f"| {figure['label']}{cached} | {figure['rps']:,.0f} | {figure['ratio']:.2f} | "
                f"{figure['p50_ms']:.1f} | {figure['p99_ms']:.1f} | {figure['non_2xx']} | "
                f"{figure['bytes_per_response']:,} | {inside_text} |"
            )
        lines += [
            "",
            "p50 and p99 are wrk's (the client's: waiting for a free worker included); "
            '"in Django" is the time the portal\'s request log recorded for the same requests '
            "(its middleware to its middleware).",
        ]
        submit = http.get("submit")
        if submit:
            lines += ["", f"Submission status codes: `{submit['statuses']}`."]
        if results.get("celery_worker_peak_rss_mb") is not None:
            lines.append(
                f"Celery worker peak resident memory after the HTTP run (routing the "
                f"submissions): {results['celery_worker_peak_rss_mb']:.0f} MB."
            )
    recompute = results.get("recompute")
    if recompute:
        lines += [
            "",
            "## Index recomputation",
            "",
            "Each in a fresh process running the worker's task "
            "`civility_index.tasks.recompute_period` (`services.snapshot_compute`) month by "
            "month, oldest first; peak memory is that process's `ru_maxrss` (it starts as a "
            "worker does: Django set up, every app imported). The floor is one bare SQL "
            "`GROUP BY` (month, district) computing the same report figures over the same rows, "
            "best of three after a warm-up.",
            "",
            "| months | reports | seconds | floor s | ratio to floor | queries (on reports) | peak MB |",
            "|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for months, figure in recompute.items():
            lines.append(
                f"| {months} | {figure['reports_in_period']:,} | {figure['seconds']:.3f} | "
                f"{figure['floor_seconds']:.3f} | {figure['ratio_to_floor']:.2f} | "
                f"{figure['queries']} ({figure['queries_on_reports']}) | {figure['peak_rss_mb']:.0f} |"
            )
    worker = results.get("worker_recompute")
    if worker:
        lines += [
            "",
            f"Through the running Celery worker (one process, `recompute_period` queued for the "
            f"24 months, whose inputs had not changed since, then the current month): "
            f"{worker['months']} tasks in {worker['seconds']:.1f} s; the worker's peak resident "
            f"memory (VmHWM of its pool process) {worker.get('worker_peak_rss_mb') or 0:.0f} MB.",
        ]
    routing = results.get("routing")
    if routing:
        stopped = (
            f" — stopped at the {routing['budget_seconds']:.0f} s budget"
            if routing["stopped_at_budget"]
            else ""
        )
        lines += [
            "",
            "## Routing",
            "",
            f"{routing['pending']:,} pending reports inserted beside "
            f"{routing['reports_in_table'] - routing['pending']:,}, routed by one process through "
            f"`rumors.services.{routing['router']}` (batch {routing['batch_size']}): "
            f"**{routing['routed']:,} routed in {routing['seconds']:.1f} s = "
            f"{routing['reports_per_second'] or 0:.0f} reports/s**, "
            f"{routing['queries_per_report'] or 0:.1f} queries per report, "
            f"{routing['linked_as_duplicates']:,} linked as duplicates, "
            f"peak {routing['peak_rss_mb']:.0f} MB{stopped}.",
        ]
        single = results.get("routing_single")
        if single:
            lines += [
                "",
                f"For comparison, another {single['pending']:,} routed report by report "
                f"(`rumors.services.report_route`, one transaction each, as before the batch "
                f"router): {single['routed']:,} in {single['seconds']:.1f} s = "
                f"{single['reports_per_second'] or 0:.0f} reports/s, "
                f"{single['queries_per_report'] or 0:.1f} queries per report"
                + (" (stopped at its 60 s budget)" if single["stopped_at_budget"] else "")
                + ".",
            ]
    rows = targets(results, cached_pages)
    if rows:
        lines += [
            "",
            "## Targets (issue #18)",
            "",
            "| target | figure | verdict |",
            "|---|---|---|",
        ]
        lines += [
            f"| {row['target']} | {row['figure']} | {_verdict(row['met'], row['by'])} |"
            for row in rows
        ]
    if load.get("filled_by_default"):
        lines += [
            "",
            "Columns the loader left to the model's default: "
            + "; ".join(
                f"{table}: {', '.join(columns)}"
                for table, columns in load["filled_by_default"].items()
            )
            + ".",
        ]
    for note in results.get("notes", []):
        lines.append(f"- {note}")
    return "\n".join(lines) + "\n"


def write_results(results: dict, folder: Path, *, cached_pages: tuple[str, ...]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    results = {**results, "targets": targets(results, cached_pages)}
    (folder / "latest.json").write_text(
        json.dumps(results, ensure_ascii=False, indent=2, sort_keys=False) + "\n"
    )
    (folder / "latest.md").write_text(markdown(results, cached_pages))
