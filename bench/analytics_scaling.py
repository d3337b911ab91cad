"""Benchmark: how the Analytics models' build time grows with the institution (issue 13, item 5).

Usage::

    .venv/bin/python bench/analytics_scaling.py [--scales medium large] [--repeat 2] [--workdir DIR]

For each scale, on this machine: the DAP emulator at that scale (seed 1), a fresh database in one
embedded PostgreSQL, a snapshot ``cd2 load`` of the CD2 tables the Analytics marts read
(:data:`TABLES`), the seeds and one ``dbt run`` of the marts with everything above them (base and
staging included). Then ``--repeat`` timed runs of the Analytics models alone
(``models/intermediate/analytics`` and ``models/marts/analytics``) with one dbt thread, so the
nodes do not compete with each other, and ``--full-refresh``, so the incremental ones are built
whole rather than finding nothing new; a node's time is its fastest run (dbt's execution time from
``run_results.json``), which keeps out most of the noise of a shared machine.

It prints, per node, the time at each scale, the ratio of the last scale's time to the first's,
and the growth exponent log(time ratio) / log(input ratio), where the input ratio is the ratio of
the raw rows loaded. An exponent near 1 is linear; the issue asks for at most about n log n. Nodes
that take under 0.2 s at the first scale are mostly dbt's fixed cost and are listed without an
exponent. The last line is machine-readable::

    scales=medium,large raw_rows=…,… input_ratio=… analytics_s=…,… time_ratio=… exponent=…
    worst_node=… worst_exponent=…

(one line; wrapped here).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.cycle import raw_rows  # noqa: E402
from bench.load_vs_dap import Emulator, bench_workdir, free_port, fresh_database  # noqa: E402
from loader.warehouse import EmbeddedWarehouse  # noqa: E402

# The CD2 tables upstream of models/marts/analytics
# (dbt ls --select +path:models/marts/analytics --resource-type source).
TABLES = (
    "canvas.accounts",
    "canvas.assignments",
    "canvas.attachments",
    "canvas.content_tags",
    "canvas.conversation_message_participants",
    "canvas.conversation_messages",
    "canvas.conversations",
    "canvas.courses",
    "canvas.discussion_topics",
    "canvas.enrollment_terms",
    "canvas.enrollments",
    "canvas.post_policies",
    "canvas.scores",
    "canvas.submission_comments",
    "canvas.submissions",
    "canvas.users",
    "canvas_logs.Controller",
    "canvas_logs.web_logs",
)
ANALYTICS = ("path:models/intermediate/analytics", "path:models/marts/analytics")
MIN_SECONDS = 0.2  # below this at the first scale a node's time is mostly dbt's fixed cost


def node_times(target: Path) -> dict[str, float]:
    """Execution time of every model of the last dbt command (``run_results.json``)."""
    results = json.loads((target / "run_results.json").read_text())["results"]
    return {
        r["unique_id"].split(".")[-1]: float(r["execution_time"])
        for r in results
        if r["unique_id"].startswith("model.")
    }


def measure(
    scale: str,
    args: argparse.Namespace,
    workdir: Path,
    warehouse: EmbeddedWarehouse,
    admin_dsn: str,
) -> tuple[int, dict[str, float]]:
    """Load one scale into its own database and time the Analytics models there.

    Args:
        scale: the emulator's scale.
        args: the command line (``repeat``).
        workdir: the benchmark's folder; this scale's files go to ``workdir/scale``.
        warehouse: the running embedded warehouse.
        admin_dsn: its administrator DSN (to create the scale's database).

    Returns:
        (raw rows loaded, {node: fastest seconds}).
    """
    folder = workdir / scale
    folder.mkdir(parents=True, exist_ok=True)
    database = f"bench_analytics_{scale}".replace(".", "_")
    dsn = fresh_database(admin_dsn, database)
    emulator = Emulator(folder, None, scale=scale)
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SOURCES__", "DESTINATION__", "DAP_", "PG"))
    }
    env.update({k: v for k, v in emulator.env.items() if k.startswith("DAP_")})
    env.update(
        {
            "SOURCES__DAP__RATE_LIMIT_SCALE": "0",
            "RUNTIME__DLTHUB_TELEMETRY": "false",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "DO_NOT_TRACK": "1",
            "DAP_TRACKING": "false",
            "CD2_SHARD_ID": "1",
        }
    )
    (folder / "profiles.yml").write_text(
        "cd2:\n  target: bench\n  outputs:\n    bench:\n      type: postgres\n"
        f"      host: {warehouse.host}\n      port: {warehouse.port}\n"
        f"      user: {warehouse.user}\n"
        "      password: \"{{ env_var('DBT_ENV_SECRET_PGPASSWORD') }}\"\n"
        f"      dbname: {database}\n      schema: cd2\n      threads: 2\n",
        "utf-8",
    )
    env["DBT_ENV_SECRET_PGPASSWORD"] = warehouse.password
    target = folder / "target"

    def call(label: str, argv: list[str]) -> None:
        started = time.monotonic()
        with (folder / f"{label}.log").open("w") as log:
            code = subprocess.call(argv, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
        if code != 0:
            tail = (folder / f"{label}.log").read_text().splitlines()[-30:]
            raise SystemExit(f"{scale} {label} exited {code}:\n" + "\n".join(tail))
        print(f"  {scale} {label}: {time.monotonic() - started:.1f} s", flush=True)

    def dbt(label: str, *command: str) -> None:
        argv = [str(Path(sys.executable).parent / "dbt"), *command]
        argv += ["--project-dir", str(REPO), "--profiles-dir", str(folder)]
        argv += ["--target-path", str(target), "--log-path", str(folder / "logs")]
        call(label, argv)

    try:
        load = [sys.executable, "-m", "loader", "load", "--dsn", dsn, "--no-live"]
        load += ["--state-dir", str(folder / "state"), "--work-dir", str(folder / "dl")]
        for table in TABLES:
            load += ["--table", table]
        call("load", load)
    finally:
        emulator.stop()
    rows = raw_rows(dsn)
    dbt("seed", "seed", "--quiet")
    dbt("build_parents", "run", "--quiet", "--select", "+path:models/marts/analytics")
    fastest: dict[str, float] = {}
    for i in range(1, args.repeat + 1):
        dbt(
            f"analytics_{i}",
            "run",
            "--quiet",
            "--threads",
            "1",
            "--full-refresh",
            "--select",
            *ANALYTICS,
        )
        for node, seconds in node_times(target).items():
            fastest[node] = min(seconds, fastest.get(node, math.inf))
    return rows, fastest


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; returns the exit code."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--scales", nargs=2, default=["medium", "large"], metavar="SCALE")
    parser.add_argument("--repeat", type=int, default=2, help="timed runs per scale")
    parser.add_argument("--workdir", type=Path, default=None, help="keep files here")
    args = parser.parse_args(argv)

    workdir = bench_workdir(args.workdir, "cd2-bench-analytics-")
    print(f"workdir {workdir}; scales {' '.join(args.scales)}; repeat {args.repeat}", flush=True)
    warehouse = EmbeddedWarehouse(workdir / "warehouse", port=free_port())
    admin_dsn = warehouse.up()
    try:
        measured = [measure(scale, args, workdir, warehouse, admin_dsn) for scale in args.scales]
    finally:
        warehouse.down()

    (rows_a, times_a), (rows_b, times_b) = measured
    input_ratio = rows_b / rows_a
    a, b = args.scales
    print()
    print(f"raw rows loaded: {a} {rows_a:,}, {b} {rows_b:,}; input ratio {input_ratio:.2f}")
    print(f"{'node':<42}{a + ' s':>10}{b + ' s':>10}{'ratio':>8}{'exponent':>10}")
    worst = ("", 0.0)
    for node in sorted(times_b, key=lambda n: -times_b[n]):
        ta, tb = times_a.get(node, 0.0), times_b[node]
        ratio = tb / ta if ta else math.inf
        if ta >= MIN_SECONDS:
            exponent = math.log(ratio) / math.log(input_ratio)
            worst = max(worst, (node, exponent), key=lambda w: w[1])
            shown = f"{exponent:>10.2f}"
        else:
            shown = f"{'-':>10}"
        print(f"{node:<42}{ta:>10.2f}{tb:>10.2f}{ratio:>8.1f}{shown}")
    total_a, total_b = sum(times_a.values()), sum(times_b.values())
    time_ratio = total_b / total_a
    exponent = math.log(time_ratio) / math.log(input_ratio)
    print(f"{'all Analytics models':<42}{total_a:>10.2f}{total_b:>10.2f}{time_ratio:>8.1f}")
    print(
        f"scales={a},{b} raw_rows={rows_a},{rows_b} input_ratio={input_ratio:.2f} "
        f"analytics_s={total_a:.1f},{total_b:.1f} time_ratio={time_ratio:.2f} "
        f"exponent={exponent:.2f} worst_node={worst[0]} worst_exponent={worst[1]:.2f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
