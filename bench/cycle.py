"""Benchmark: the production cycle (a snapshot and a first build, then refreshes), at a scale.

Usage::

    .venv/bin/python bench/cycle.py --scale large [--refreshes 3] [--hours 4] [--workdir DIR]

What it does, all on this machine, against the DAP emulator (``--scale``, seed 1) and an
embedded PostgreSQL on a free port (the embedded warehouse's settings):

1. ``cd2 load`` of every table of ``canvas`` and ``canvas_logs`` (snapshots), then the first
   ``dbt build`` (everything, every test; its parse included, as on a new install);
2. ``--refreshes`` times: advance the emulator's clock by ``--hours``, ``cd2 load`` (the
   increments), and the README's production refresh, ``dbt build --selector refresh``
   (:data:`BUILD`). The dbt target directory is kept between runs, so dbt parses partially, as
   the production command does;
3. a no-op dbt command (nothing selected) to measure dbt's fixed start-up (with partial
   parsing, as every refresh after the first build); per refresh build it also reports dbt's
   cost per node: the nodes run, the median node's execution time and the mean compile phase
   (``run_results.json``);
4. hashes every relation of the ``cd1`` and ``analytics`` schemas (row count and an
   order-independent md5 of the rows' text), rebuilds them with ``dbt run --full-refresh`` from
   the same raw data and hashes again: ``equal`` says whether the refreshed marts are the ones a
   full rebuild gives.

Per step it reports the wall time, raw rows added (changed) and held, the warehouse's peak
memory while the step ran (the sum of the PostgreSQL processes' proportional set sizes, sampled
every 100 ms) and the database's size on disk after it, and for each build the ten slowest
nodes with dbt's execution time. The last line is machine-readable::

    scale=S raw_rows=… first_build_s=… refresh_load_s=… refresh_build_s=… refresh_ratio=… equal=true

``refresh_load_s`` and ``refresh_build_s`` are means over the refreshes; ``refresh_ratio`` is the
mean refresh (load + build) divided by the first build, both from this run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import psycopg2

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.dbt_incremental import ServerMemory, scalar  # noqa: E402
from bench.load_vs_dap import Emulator, bench_workdir, free_port, fresh_database  # noqa: E402
from loader.warehouse import EmbeddedWarehouse  # noqa: E402

DATABASE = "bench_cycle"
MART_SCHEMAS = ("cd1", "analytics")
FIRST_BUILD: tuple[str, ...] = ("build",)  # the README's first build (after `dbt`)
BUILD: tuple[str, ...] = ("build", "--selector", "refresh")  # the README's production refresh


@dataclass
class Step:
    """One timed step.

    Attributes:
        label: what ran.
        seconds: wall time of the command.
        raw_rows: rows in raw after the step.
        raw_added: raw rows the step added.
        peak_server_mb: peak memory of the PostgreSQL server during the step.
        disk_mb: the database's size after the step.
        slowest: the ten slowest dbt nodes, ``(node, seconds)``.
        nodes: dbt nodes the step ran (0 for loads).
        node_median_s: the median node's execution time.
        node_compile_s: the mean time of a node's compile phase.
    """

    label: str
    seconds: float
    raw_rows: int = 0
    raw_added: int = 0
    peak_server_mb: float = 0.0
    disk_mb: float = 0.0
    slowest: list[tuple[str, float]] = field(default_factory=list)
    nodes: int = 0
    node_median_s: float = 0.0
    node_compile_s: float = 0.0


def raw_rows(dsn: str) -> int:
    """Rows in every raw table (exact counts; the loader's bookkeeping tables excluded)."""
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema like 'raw\\_%' and table_type = 'BASE TABLE' "
            "and table_name not like '\\_dlt%' and table_name not like '\\_dap%'"
        )
        relations = cur.fetchall()
        total = 0
        for schema, table in relations:
            cur.execute(f'select count(*) from "{schema}"."{table}"')
            row = cur.fetchone()
            total += int(row[0]) if row else 0
    conn.close()
    return total


def mart_hashes(dsn: str) -> dict[str, tuple[int, str]]:
    """Row count and an order-independent hash of the rows of every mart relation."""
    hashes: dict[str, tuple[int, str]] = {}
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema = any(%s) order by 1, 2",
            (list(MART_SCHEMAS),),
        )
        for schema, table in cur.fetchall():
            cur.execute(
                "select count(*), coalesce(md5(string_agg(h, '' order by h)), '') "
                f'from (select md5(t::text) as h from "{schema}"."{table}" as t) as rows'
            )
            row = cur.fetchone()
            assert row is not None
            hashes[f"{schema}.{table}"] = (int(row[0]), str(row[1]))
    conn.close()
    return hashes


def slowest_nodes(target: Path, count: int = 10) -> list[tuple[str, float]]:
    """The slowest nodes of the last dbt command (``run_results.json``)."""
    results = json.loads((target / "run_results.json").read_text())["results"]
    timed = [(r["unique_id"].split(".", 2)[-1], float(r["execution_time"])) for r in results]
    return sorted(timed, key=lambda t: -t[1])[:count]


def node_costs(target: Path) -> tuple[int, float, float]:
    """dbt's cost per node in the last dbt command (``run_results.json``): the number of nodes,
    the median node's execution time (most nodes of a build touch few rows, so this is mostly
    dbt's own per-node work: rendering, metadata queries, statements and bookkeeping) and the
    mean time of the compile phase (Jinja rendering and the queries it runs, no model SQL)."""
    results = json.loads((target / "run_results.json").read_text())["results"]
    if not results:
        return 0, 0.0, 0.0
    compile_s = []
    for r in results:
        for phase in r.get("timing") or []:
            if phase.get("name") == "compile" and phase.get("started_at"):
                started = datetime.fromisoformat(phase["started_at"].replace("Z", "+00:00"))
                done = datetime.fromisoformat(phase["completed_at"].replace("Z", "+00:00"))
                compile_s.append((done - started).total_seconds())
    median = statistics.median(float(r["execution_time"]) for r in results)
    return len(results), median, statistics.mean(compile_s) if compile_s else 0.0


def bench_env(
    emulator_env: dict[str, str], password: str, drop: tuple[str, ...] = ()
) -> dict[str, str]:
    """The environment of a bench's ``cd2`` and ``dbt`` commands: this process's, without its
    DAP credentials and dlt source/destination settings (and the ``drop`` prefixes), with the
    emulator's credentials, the warehouse password for the profile, no rate limit and no
    telemetry."""
    strip = ("SOURCES__", "DESTINATION__", "DAP_", *drop)
    env = {k: v for k, v in os.environ.items() if not k.startswith(strip)}
    env.update({k: v for k, v in emulator_env.items() if k.startswith("DAP_")})
    env.update(
        {
            "DBT_ENV_SECRET_PGPASSWORD": password,
            "SOURCES__DAP__RATE_LIMIT_SCALE": "0",
            "RUNTIME__DLTHUB_TELEMETRY": "false",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "DO_NOT_TRACK": "1",
            "DAP_TRACKING": "false",
            "CD2_SHARD_ID": "1",  # the emulator's shard; dbt refuses to run without one
        }
    )
    return env


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; returns the exit code (1 when the marts are not equal)."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--scale", default="small", help="tiny, small, medium, large, xlarge")
    parser.add_argument("--refreshes", type=int, default=3)
    parser.add_argument("--hours", type=float, default=4.0, help="clock advance per refresh")
    parser.add_argument("--threads", type=int, default=4, help="dbt threads")
    parser.add_argument("--workdir", type=Path, default=None, help="keep files here")
    args = parser.parse_args(argv)

    workdir = bench_workdir(args.workdir, "cd2-bench-cycle-")
    print(f"workdir {workdir}; scale {args.scale}; refreshes {args.refreshes}", flush=True)
    warehouse = EmbeddedWarehouse(workdir / "warehouse", port=free_port())
    admin_dsn = warehouse.up()
    emulator = Emulator(workdir, None, scale=args.scale)
    steps: list[Step] = []
    try:
        dsn = fresh_database(admin_dsn, DATABASE)
        postmaster = warehouse.status().pid or 0
        (workdir / "profiles.yml").write_text(
            "cd2:\n  target: bench\n  outputs:\n    bench:\n      type: postgres\n"
            f"      host: {warehouse.host}\n      port: {warehouse.port}\n"
            f"      user: {warehouse.user}\n"
            "      password: \"{{ env_var('DBT_ENV_SECRET_PGPASSWORD') }}\"\n"
            f"      dbname: {DATABASE}\n      schema: cd2\n      threads: {args.threads}\n",
            "utf-8",
        )
        env = bench_env(emulator.env, warehouse.password)
        target = workdir / "target"
        held = 0

        def run(label: str, command: list[str], dbt: bool) -> Step:
            nonlocal held
            with ServerMemory(postmaster) as memory:
                started = time.monotonic()
                with (workdir / f"{label}.log").open("w") as log:
                    code = subprocess.call(
                        command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT
                    )
                seconds = time.monotonic() - started
            if code != 0:
                tail = (workdir / f"{label}.log").read_text().splitlines()[-30:]
                raise SystemExit(f"{label} exited {code}:\n" + "\n".join(tail))
            now = raw_rows(dsn)
            step = Step(
                label,
                round(seconds, 2),
                raw_rows=now,
                raw_added=now - held,
                peak_server_mb=round(memory.peak_total_kb / 1024, 1),
                disk_mb=round(
                    int(scalar(dsn, f"select pg_database_size('{DATABASE}')")) / 2**20, 1
                ),
                slowest=slowest_nodes(target) if dbt and "parse" not in command else [],
            )
            if dbt and "parse" not in command:
                step.nodes, step.node_median_s, step.node_compile_s = node_costs(target)
            held = now
            steps.append(step)
            print(
                f"{label}: {step.seconds:.1f} s, raw +{step.raw_added:,} = {step.raw_rows:,}, "
                f"server peak {step.peak_server_mb:.0f} MB, disk {step.disk_mb:.0f} MB",
                flush=True,
            )
            for node, secs in step.slowest:
                print(f"    {secs:8.2f} s  {node}", flush=True)
            return step

        def load(label: str) -> Step:
            command = [sys.executable, "-m", "loader", "load", "--dsn", dsn]
            command += ["--state-dir", str(workdir / "state"), "--work-dir", str(workdir / "dl")]
            return run(label, command, dbt=False)

        def dbt(label: str, *command: str) -> Step:
            argv = [str(Path(sys.executable).parent / "dbt"), *command]
            argv += ["--project-dir", str(REPO), "--profiles-dir", str(workdir)]
            argv += ["--target-path", str(target), "--log-path", str(workdir / "logs")]
            argv += ["--threads", str(args.threads)]
            return run(label, argv, dbt=True)

        load("snapshot_load")
        first = dbt("first_build", *FIRST_BUILD)
        refreshes: list[tuple[Step, Step]] = []
        for i in range(1, args.refreshes + 1):
            emulator.admin("POST", "advance", {"hours": args.hours})
            refreshes.append((load(f"refresh_{i}_load"), dbt(f"refresh_{i}_build", *BUILD)))
        startup = dbt("noop", "run", "--select", "tag:cd2_bench_selects_nothing")
        incremental = mart_hashes(dsn)
        dbt("full_refresh_run", "run", "--full-refresh")
        rebuilt = mart_hashes(dsn)
    finally:
        emulator.stop()
        warehouse.down()

    names = set(incremental) | set(rebuilt)
    differ = sorted(k for k in names if incremental.get(k) != rebuilt.get(k))
    for name in differ:
        print(f"DIFFERS: {name}: refreshed {incremental.get(name)} rebuilt {rebuilt.get(name)}")
    load_s = statistics.mean(load.seconds for load, _ in refreshes) if refreshes else 0.0
    build_s = statistics.mean(build.seconds for _, build in refreshes) if refreshes else 0.0
    ratio = (load_s + build_s) / first.seconds if first.seconds else 0.0
    peak = max(s.peak_server_mb for s in steps)
    disk = max(s.disk_mb for s in steps)
    nodes = len(json.loads((workdir / "target" / "manifest.json").read_text())["nodes"])
    print()
    print(f"{'step':<22}{'wall s':>9}{'raw added':>12}{'raw held':>12}{'peak MB':>9}{'disk MB':>9}")
    for s in steps:
        print(
            f"{s.label:<22}{s.seconds:>9.1f}{s.raw_added:>12,}{s.raw_rows:>12,}"
            f"{s.peak_server_mb:>9.0f}{s.disk_mb:>9.0f}"
        )
    print(f"marts compared: {len(rebuilt)}; differing: {len(differ)}")
    print(f"dbt start-up (no-op command, partial parse): {startup.seconds:.1f} s; nodes {nodes}")
    for _, build in refreshes:
        print(
            f"dbt per node in {build.label}: {build.nodes} nodes, median execution "
            f"{build.node_median_s:.3f} s, mean compile phase {build.node_compile_s:.3f} s; "
            f"start-up {startup.seconds:.1f} s of its {build.seconds:.1f} s"
        )
    print(f"warehouse peak memory {peak:.0f} MB, peak disk {disk:.0f} MB")
    print(
        f"scale={args.scale} raw_rows={steps[-1].raw_rows} first_build_s={first.seconds:.1f} "
        f"refresh_load_s={load_s:.1f} refresh_build_s={build_s:.1f} refresh_ratio={ratio:.3f} "
        f"equal={'true' if not differ else 'false'}"
    )
    return 0 if not differ else 1


if __name__ == "__main__":
    raise SystemExit(main())
