"""Benchmark: an incremental dbt run of the current-state models against a full refresh.

Usage::

    .venv/bin/python bench/dbt_incremental.py [--rows 1000000] [--hours 8] [--workdir DIR]

What it does, all on this machine:

1. starts the DAP emulator with a ``submissions`` table of ``--rows`` rows (as
   ``bench/load_vs_dap.py`` does) and an embedded PostgreSQL on a free port (the embedded
   warehouse's settings: shared buffers an eighth of memory, 128 MB to 1 GB; 4 MB work_mem);
2. ``cd2 load`` of ``canvas.submissions`` (snapshot), then ``dbt parse`` (untimed, so that the
   timed commands below pay only dbt's start-up, as on any later run);
3. times ``dbt build --select base_canvas__submissions stg_canvas__submissions --full-refresh``
   (data tests of those two models included; tests that need other models are left out);
4. advances the emulator clock by ``--hours`` (per hour about 0.1 % of submissions are updated and
   0.02 % soft-deleted, plus ~1 % duplicate records in the increment: 8 hours change ~1 %) and
   loads the increment with ``cd2 load``;
5. times ``dbt run`` of the same selection, incremental with the project's vars (submissions is in
   ``incremental_tables``; the compiled SQL is checked to be the incremental form): the
   first increment after a snapshot, whose boundary job (re-read for convergence) is the snapshot;
6. advances and loads once more and times a second incremental ``dbt run`` (the steady state);
7. hashes the base table and the staging view (md5 over every row's text, in key order), rebuilds
   both with ``dbt run --full-refresh`` (also timed: the like-for-like reference for step 5) and
   checks the hashes are equal.

For every timed dbt command it reports the wall time of the process, the execution time dbt
records for the two models (``run_results.json``; dbt's own start-up, several seconds for this
project, is in every wall time and dominates an incremental run at this size, so the base model's
execution time is the figure that tracks the SQL), the peak memory of the PostgreSQL server
(postmaster and every backend: the sum of their proportional set sizes, sampled every 100 ms, and
the largest single process's RSS) and the bytes PostgreSQL spilled to temporary files. The last
line is machine-readable::

    rows=N changed=… full_refresh_build_s=… incremental_run_s=… ratio=… … equal=true
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg2

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.load_vs_dap import (  # noqa: E402
    Emulator,
    bench_workdir,
    free_port,
    fresh_database,
    timed,
)
from loader.warehouse import EmbeddedWarehouse  # noqa: E402

DATABASE = "bench_dbt"
MODELS = ["base_canvas__submissions", "stg_canvas__submissions"]
BASE = "canvas_base.base_canvas__submissions"
STAGING = "canvas.submissions"  # stg_canvas__submissions under dap's name
RAW = "raw_canvas.submissions"


def _children(pid: int) -> list[int]:
    """The process and its direct children (PostgreSQL backends are the postmaster's)."""
    found = [pid]
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[1]) == pid:  # fields: state, ppid, ...
            found.append(int(entry.name))
    return found


def _memory_kb(pid: int) -> tuple[int, int]:
    """(PSS, RSS) of a process in kB (0, 0 once it is gone)."""
    pss = rss = 0
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                pss = int(line.split()[1])
            elif line.startswith("Rss:"):
                rss = int(line.split()[1])
    except (OSError, ValueError):
        pass
    return pss, rss


class ServerMemory:
    """Samples the memory of a PostgreSQL server's processes in a background thread.

    Args:
        postmaster: the postmaster's pid.
        interval: seconds between samples.
    """

    def __init__(self, postmaster: int, interval: float = 0.1) -> None:
        self.postmaster = postmaster
        self.interval = interval
        self.peak_total_kb = 0
        self.peak_process_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            sizes = [_memory_kb(pid) for pid in _children(self.postmaster)]
            self.peak_total_kb = max(self.peak_total_kb, sum(pss for pss, _ in sizes))
            self.peak_process_kb = max(self.peak_process_kb, max(rss for _, rss in sizes))
            self._stop.wait(self.interval)

    def __enter__(self) -> ServerMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


@dataclass
class DbtTiming:
    """One timed dbt command.

    Attributes:
        label: what ran.
        seconds: wall time of the dbt process.
        model_seconds: execution time dbt recorded per model.
        peak_server_mb: peak sum of PSS over the server's processes.
        peak_backend_mb: peak RSS of its largest process.
        temp_mb: bytes written to temporary files by the database during the command.
    """

    label: str
    seconds: float
    model_seconds: dict[str, float]
    peak_server_mb: float
    peak_backend_mb: float
    temp_mb: float


def scalar(dsn: str, sql: str) -> Any:
    """The single value of a query."""
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(sql)
        row = cur.fetchone()
    conn.close()
    return row[0] if row else None


def table_hash(dsn: str, relation: str) -> tuple[int, str]:
    """(rows, md5 over every row's text in key order) of a relation."""
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(
            f"select count(*), md5(string_agg(md5(t::text), '' order by t.id)) from {relation} t"
        )
        row = cur.fetchone()
    conn.close()
    assert row is not None
    return int(row[0]), str(row[1])


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; returns the exit code."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="submissions rows")
    parser.add_argument("--hours", type=float, default=8.0, help="clock advance (8 h: ~1 %%)")
    parser.add_argument("--threads", type=int, default=4, help="dbt threads")
    parser.add_argument("--workdir", type=Path, default=None, help="keep files here")
    args = parser.parse_args(argv)

    workdir = bench_workdir(args.workdir, "cd2-bench-dbt-")
    print(f"workdir {workdir}; rows {args.rows:,}; hours {args.hours}", flush=True)
    warehouse = EmbeddedWarehouse(workdir / "warehouse", port=free_port())
    admin_dsn = warehouse.up()
    emulator = Emulator(workdir, args.rows)
    timings: dict[str, DbtTiming] = {}
    ok = True
    try:
        dsn = fresh_database(admin_dsn, DATABASE)
        status = warehouse.status()
        assert status.pid is not None
        (workdir / "profiles.yml").write_text(
            "cd2:\n  target: bench\n  outputs:\n    bench:\n      type: postgres\n"
            f"      host: {warehouse.host}\n      port: {warehouse.port}\n"
            f"      user: {warehouse.user}\n      password: '{warehouse.password}'\n"
            f"      dbname: {DATABASE}\n      schema: cd2\n      threads: {args.threads}\n",
            "utf-8",
        )
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("SOURCES__", "DESTINATION__", "DAP_"))
        }
        env.update({k: v for k, v in emulator.env.items() if k.startswith("DAP_")})
        env.update(
            {
                "SOURCES__DAP__RATE_LIMIT_SCALE": "0",
                "RUNTIME__DLTHUB_TELEMETRY": "false",
                "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
                "DO_NOT_TRACK": "1",
                "CD2_SHARD_ID": "1",  # the emulator's shard; dbt refuses to run without one
            }
        )
        bin_dir = Path(sys.executable).parent
        target = workdir / "target"

        def load(label: str) -> None:
            argv = [sys.executable, "-m", "loader", "load", "--namespace", "canvas"]
            argv += ["--table", "canvas.submissions", "--dsn", dsn]
            argv += ["--state-dir", str(workdir / "state"), "--work-dir", str(workdir / "dl")]
            m = timed(label, argv, env, workdir / f"{label}.log")
            print(f"{label}: {m.seconds:.1f} s (exit {m.exit_code})", flush=True)
            if m.exit_code != 0:
                raise SystemExit(f"{label} failed; see {workdir / (label + '.log')}")

        def dbt(label: str, *command: str) -> DbtTiming:
            argv = [str(bin_dir / "dbt"), *command, "--project-dir", str(REPO)]
            argv += ["--profiles-dir", str(workdir), "--target-path", str(target)]
            argv += ["--log-path", str(workdir / "logs"), "--threads", str(args.threads)]
            temp_before = scalar(
                dsn, f"select temp_bytes from pg_stat_database where datname = '{DATABASE}'"
            )
            with ServerMemory(status.pid or 0) as memory:
                started = time.monotonic()
                result = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True)
                seconds = time.monotonic() - started
            (workdir / f"{label}.log").write_text(result.stdout + result.stderr, "utf-8")
            if result.returncode != 0:
                tail = "\n".join((result.stdout + result.stderr).splitlines()[-30:])
                raise SystemExit(f"{label} failed:\n{tail}")
            temp_after = scalar(
                dsn, f"select temp_bytes from pg_stat_database where datname = '{DATABASE}'"
            )
            model_seconds: dict[str, float] = {}
            if command[0] != "parse":
                results = json.loads((target / "run_results.json").read_text())["results"]
                model_seconds = {
                    r["unique_id"].rsplit(".", 1)[-1]: round(r["execution_time"], 2)
                    for r in results
                    if r["unique_id"].startswith("model.")
                }
            timing = DbtTiming(
                label,
                round(seconds, 2),
                model_seconds,
                round(memory.peak_total_kb / 1024, 1),
                round(memory.peak_process_kb / 1024, 1),
                round((int(temp_after or 0) - int(temp_before or 0)) / 2**20, 1),
            )
            print(timing, flush=True)
            return timing

        select = ["--select", *MODELS, "--indirect-selection", "cautious"]

        # ---------------------------------------------------------------- snapshot
        load("load_snapshot")
        dbt("dbt_parse", "parse")
        timings["full_refresh_build"] = dbt(
            "full_refresh_build", "build", *select, "--full-refresh"
        )
        rows = scalar(dsn, f"select count(*) from {BASE}")

        # ---------------------------------------------------------------- increment
        changes = emulator.admin("POST", "advance", {"hours": args.hours})["changes"]
        print(f"emulator changes to submissions: {changes.get('canvas.submissions')}", flush=True)
        load("load_incremental")
        changed = scalar(dsn, f"select count(*) from {RAW} where _dap_load_kind = 'incremental'")
        distinct_changed = scalar(
            dsn, f"select count(distinct id) from {RAW} where _dap_load_kind = 'incremental'"
        )
        incremental = True

        def incremental_run(label: str) -> None:
            nonlocal incremental
            shutil.rmtree(target / "compiled", ignore_errors=True)
            timings[label] = dbt(label, "run", *select)
            compiled = next((target / "compiled").rglob("base_canvas__submissions.sql"))
            if "/* incremental run: the records of jobs after" not in compiled.read_text():
                print(f"ERROR: {label} compiled the full-rebuild form", flush=True)
                incremental = False

        incremental_run("incremental_run")

        # ---------------------------------------------------------------- steady state
        changes = emulator.admin("POST", "advance", {"hours": args.hours})["changes"]
        print(f"emulator changes to submissions: {changes.get('canvas.submissions')}", flush=True)
        load("load_incremental_2")
        incremental_run("incremental_run_2")
        ok = ok and incremental
        after_incremental = {r: table_hash(dsn, r) for r in (BASE, STAGING)}

        # ---------------------------------------------------------------- reference rebuild
        timings["full_refresh_run"] = dbt("full_refresh_run", "run", *select, "--full-refresh")
        after_rebuild = {r: table_hash(dsn, r) for r in (BASE, STAGING)}
        equal = after_incremental == after_rebuild
        if not equal:
            ok = False
            print(f"ERROR: incremental {after_incremental} != rebuild {after_rebuild}")
    finally:
        emulator.stop()
        warehouse.down()

    full, inc, steady, ref = (
        timings["full_refresh_build"],
        timings["incremental_run"],
        timings["incremental_run_2"],
        timings["full_refresh_run"],
    )
    base_model = MODELS[0]
    print()
    print(
        f"{'command':<22}{'wall s':>9}{'base s':>9}{'server MB':>11}{'backend MB':>12}"
        f"{'temp MB':>9}"
    )
    for t in timings.values():
        print(
            f"{t.label:<22}{t.seconds:>9.1f}{t.model_seconds.get(base_model, 0):>9.1f}"
            f"{t.peak_server_mb:>11.0f}{t.peak_backend_mb:>12.0f}{t.temp_mb:>9.0f}"
        )
    ratio = inc.seconds / full.seconds
    ratio_run = inc.seconds / ref.seconds
    ratio_model = inc.model_seconds[base_model] / ref.model_seconds[base_model]
    ratio_steady = steady.seconds / full.seconds
    ratio_steady_model = steady.model_seconds[base_model] / ref.model_seconds[base_model]
    print(
        f"\nfirst incremental run after the snapshot / full-refresh build: {ratio:.1%} "
        f"(target <= 10%); / full-refresh run: {ratio_run:.1%}; base model alone: "
        f"{ratio_model:.1%}\nsecond incremental run / full-refresh build: {ratio_steady:.1%}; "
        f"base model alone: {ratio_steady_model:.1%}"
    )
    fields = [
        f"rows={rows}",
        f"changed={changed}",
        f"changed_keys={distinct_changed}",
        f"full_refresh_build_s={full.seconds:.1f}",
        f"incremental_run_s={inc.seconds:.1f}",
        f"full_refresh_run_s={ref.seconds:.1f}",
        f"incremental_run_2_s={steady.seconds:.1f}",
        f"ratio={ratio:.3f}",
        f"ratio_vs_run={ratio_run:.3f}",
        f"ratio_base_model={ratio_model:.3f}",
        f"ratio_2={ratio_steady:.3f}",
        f"ratio_2_base_model={ratio_steady_model:.3f}",
        f"peak_server_mb={max(t.peak_server_mb for t in timings.values()):.0f}",
        f"peak_backend_mb={max(t.peak_backend_mb for t in timings.values()):.0f}",
        f"incremental={str(incremental).lower()}",
        f"equal={str(equal).lower()}",
    ]
    print(" ".join(fields))
    if not args.workdir and ok:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
