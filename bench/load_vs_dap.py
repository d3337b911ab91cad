"""Benchmark: ``cd2 load`` against Instructure's ``dap initdb`` / ``dap syncdb``.

Usage::

    .venv/bin/python bench/load_vs_dap.py --rows 1000000 [--formats tsv,csv,jsonl,parquet]

What it does, all on this machine:

1. starts the DAP emulator with a ``submissions`` table of ``--rows`` rows (``--job-polls 0``,
   so neither client waits on polling) and an embedded PostgreSQL on a free port;
2. warms the emulator's object cache for the exact query each client sends (``format=tsv``,
   ``mode=condensed``), so neither pays for data generation;
3. snapshot: ``cd2 load`` into one fresh database, ``dap initdb`` into another, each as a
   subprocess; wall time (process start to exit), CPU time and peak RSS (``wait4`` rusage of
   that process) are recorded, and the loaded row counts checked;
4. advances the emulator clock by ``--hours`` and times one incremental: ``cd2 load`` against
   ``dap syncdb`` (same ``since``, cache warmed the same way);
5. with ``--formats``, loads a snapshot (at the advanced clock) with our loader in each object
   format, each into its own database (the measurement behind the default format; include
   ``tsv`` to compare at the same clock).

The last line is machine-readable::

    rows=N ours_rows_per_s=… dap_rows_per_s=… speedup=… ours_peak_rss_mb=… …

The official client is looked up in ``--dap``, ``$DAP_CLI``, ``.venv-dap/bin/dap`` (``make``)
and ``/tmp/dapvenv/bin/dap``; ``--skip-dap`` measures ours only. ``DAP_TRACKING=false`` is set
for it (no analytics calls).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg2

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from loader.warehouse import EmbeddedWarehouse  # noqa: E402

TABLE = "submissions"


@dataclass
class Measurement:
    """One timed subprocess.

    Attributes:
        label: what ran.
        rows: rows loaded (checked in the database).
        seconds: wall time, process start to exit.
        cpu_seconds: user + system CPU of the process (not PostgreSQL's).
        peak_rss_mb: peak resident set size of the process (and its waited-for children).
        exit_code: the process's exit code.
    """

    label: str
    rows: int
    seconds: float
    cpu_seconds: float
    peak_rss_mb: float
    exit_code: int

    @property
    def rows_per_s(self) -> float:
        """Rows per wall-clock second."""
        return self.rows / self.seconds if self.seconds else 0.0


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bench_workdir(explicit: Path | None, prefix: str) -> Path:
    """The benchmark's working folder: ``explicit``, or a new temp folder that the warehouse's
    server account may pass through (as root it is not us)."""
    workdir = explicit or Path(tempfile.mkdtemp(prefix=prefix))
    if explicit is None:
        workdir.chmod(0o711)
    workdir.mkdir(parents=True, exist_ok=True)
    return workdir


def fresh_database(admin_dsn: str, name: str) -> str:
    """Drop and create database ``name`` on the server of ``admin_dsn``; returns its DSN."""
    conn = psycopg2.connect(admin_dsn)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'drop database if exists "{name}"')
        cur.execute(f'create database "{name}"')
    conn.close()
    return admin_dsn.rsplit("/", 1)[0] + f"/{name}"


def find_dap(explicit: str | None) -> str | None:
    """The official ``dap`` CLI, if installed."""
    for candidate in (
        explicit,
        os.environ.get("DAP_CLI"),
        str(REPO / ".venv-dap" / "bin" / "dap"),
        "/tmp/dapvenv/bin/dap",
    ):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def timed(label: str, argv: list[str], env: dict[str, str], log: Path) -> Measurement:
    """Run a command, measuring wall time, CPU time and peak RSS of that process."""
    with log.open("w") as out:
        started = time.monotonic()
        process = subprocess.Popen(argv, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.monotonic() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    return Measurement(
        label=label,
        rows=0,
        seconds=round(seconds, 2),
        cpu_seconds=round(usage.ru_utime + usage.ru_stime, 2),
        peak_rss_mb=round(usage.ru_maxrss / 1024, 1),  # Linux: kilobytes
        exit_code=process.returncode,
    )


def count(dsn: str, sql: str) -> int:
    """A single integer from a query."""
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(sql)
        row = cur.fetchone()
    conn.close()
    return int(row[0]) if row and row[0] is not None else 0


class Emulator:
    """``cd2-emulator serve`` as a subprocess."""

    def __init__(self, workdir: Path, rows: int | None, scale: str = "tiny") -> None:
        self.log = (workdir / "emulator.log").open("w")
        argv = [sys.executable, "-m", "emulator", "serve", "--port", "0", "--seed", "1"]
        argv += ["--scale", scale, "--job-polls", "0", "--state-dir", str(workdir / "emulator")]
        if rows is not None:
            argv += ["--rows", f"{TABLE}={rows}"]
        self.process = subprocess.Popen(
            argv,
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
        )
        self.env: dict[str, str] = {}
        assert self.process.stdout is not None
        deadline = time.monotonic() + 120
        while "CD2_EMULATOR_URL" not in self.env and time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            if line.startswith("export "):
                name, _, value = line[7:].strip().partition("=")
                self.env[name] = value.strip("'\"")
        if "DAP_API_URL" not in self.env:
            self.stop()
            raise SystemExit("the emulator did not start; see emulator.log")
        self.http = httpx.Client(base_url=self.env["DAP_API_URL"], timeout=3600)

    def admin(self, method: str, path: str, body: Any = None) -> Any:
        """Call an admin route."""
        r = self.http.request(method, f"/_emulator/{path}", json=body)
        r.raise_for_status()
        return r.json()

    def prepare(self, fmt: str, since: str | None = None) -> dict[str, Any]:
        """Generate (and cache) the job a client will ask for."""
        body: dict[str, Any] = {"table": TABLE, "format": fmt, "mode": "condensed"}
        if since:
            body["since"] = since
        result: dict[str, Any] = self.admin("POST", "prepare", body)
        return result

    def stop(self) -> None:
        """Stop the subprocess (ours, by pid)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--hours", type=float, default=24.0, help="clock advance before syncs")
    parser.add_argument("--dap", default=None, help="path of the official dap CLI")
    parser.add_argument("--skip-dap", action="store_true")
    parser.add_argument("--skip-incremental", action="store_true")
    parser.add_argument("--formats", default="", help="also time ours in these formats")
    parser.add_argument("--workdir", type=Path, default=None, help="keep files here")
    args = parser.parse_args(argv)

    workdir = bench_workdir(args.workdir, "cd2-bench-")
    dap = None if args.skip_dap else find_dap(args.dap)
    if not args.skip_dap and dap is None:
        raise SystemExit("official dap CLI not found: pass --dap, set DAP_CLI, or --skip-dap")
    print(f"workdir {workdir}; rows {args.rows:,}; dap {dap or '-'}", flush=True)

    warehouse = EmbeddedWarehouse(workdir / "warehouse", port=free_port())
    admin_dsn = warehouse.up()
    emulator = Emulator(workdir, args.rows)
    results: dict[str, Measurement] = {}
    try:

        def database(name: str) -> str:
            return fresh_database(admin_dsn, name)

        base_env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("SOURCES__", "DESTINATION__", "DAP_"))
        }
        base_env.update({k: v for k, v in emulator.env.items() if k.startswith("DAP_")})
        base_env.update({"DAP_TRACKING": "false", "RUNTIME__DLTHUB_TELEMETRY": "false"})

        def ours(label: str, dsn: str, state: Path, fmt: str = "tsv") -> Measurement:
            argv = [
                sys.executable,
                "-m",
                "loader",
                "load",
                "--namespace",
                "canvas",
                "--table",
                f"canvas.{TABLE}",
                "--format",
                fmt,
                "--dsn",
                dsn,
                "--state-dir",
                str(state),
                "--work-dir",
                str(workdir / "downloads"),
            ]
            return timed(label, argv, base_env, workdir / f"{label}.log")

        def official(label: str, command: str, dsn: str) -> Measurement:
            assert dap is not None
            env = {**base_env, "DAP_CONNECTION_STRING": dsn}
            argv = [dap, "--non-interactive", "--loglevel", "info", command]
            argv += ["--namespace", "canvas", "--table", TABLE]
            return timed(label, argv, env, workdir / f"{label}.log")

        # ---------------------------------------------------------------- snapshot
        t0 = time.monotonic()
        snapshot_job = emulator.prepare("tsv")
        print(f"emulator generated the snapshot in {time.monotonic() - t0:.1f} s", flush=True)
        at = snapshot_job["at"]
        ours_dsn = database("bench_ours")
        m = ours("ours_snapshot", ours_dsn, workdir / "state-ours")
        m.rows = count(ours_dsn, f"select count(*) from raw_canvas.{TABLE}")
        results[m.label] = m
        print(asdict(m), flush=True)
        if dap:
            dap_dsn = database("bench_dap")
            m = official("dap_initdb", "initdb", dap_dsn)
            m.rows = count(dap_dsn, f"select count(*) from canvas.{TABLE}")
            results[m.label] = m
            print(asdict(m), flush=True)

        # ---------------------------------------------------------------- incremental
        if not args.skip_incremental:
            emulator.admin("POST", "advance", {"hours": args.hours})
            inc_job = emulator.prepare("tsv", since=at)
            changed = int(inc_job["rows"])
            print(f"incremental since {at}: {changed:,} changed rows", flush=True)
            m = ours("ours_incremental", ours_dsn, workdir / "state-ours")
            m.rows = count(
                ours_dsn,
                f"select count(*) from raw_canvas.{TABLE} where _dap_load_kind = 'incremental'",
            )
            results[m.label] = m
            print(asdict(m), flush=True)
            if dap:
                m = official("dap_syncdb", "syncdb", dap_dsn)
                m.rows = changed if m.exit_code == 0 else 0
                results[m.label] = m
                print(asdict(m), flush=True)

        # ---------------------------------------------------------------- formats
        for fmt in [f for f in args.formats.split(",") if f.strip()]:
            fmt = fmt.strip()
            emulator.prepare(fmt)
            dsn = database(f"bench_{fmt}")
            m = ours(f"ours_snapshot_{fmt}", dsn, workdir / f"state-{fmt}", fmt)
            m.rows = count(dsn, f"select count(*) from raw_canvas.{TABLE}")
            results[m.label] = m
            print(asdict(m), flush=True)
    finally:
        emulator.stop()
        warehouse.down()

    out_dir = REPO / "bench" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    record = {
        "rows": args.rows,
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
        "results": {
            k: {**asdict(v), "rows_per_s": round(v.rows_per_s)} for k, v in results.items()
        },
    }
    (out_dir / f"load_vs_dap_{args.rows}_{stamp}.json").write_text(json.dumps(record, indent=1))

    print()
    header = ("run", "rows", "seconds", "rows/s", "cpu s", "peak MB", "exit")
    widths = (24, 12, 10, 12, 9, 10, 6)
    print(
        "".join(
            h.ljust(w) if i == 0 else h.rjust(w)
            for i, (h, w) in enumerate(zip(header, widths, strict=True))
        )
    )
    for m in results.values():
        print(
            f"{m.label:<24}{m.rows:>12,}{m.seconds:>10.1f}{m.rows_per_s:>12,.0f}"
            f"{m.cpu_seconds:>9.1f}{m.peak_rss_mb:>10.0f}{m.exit_code:>6}"
        )
    ok = all(m.exit_code == 0 for m in results.values())
    snap_ours = results["ours_snapshot"]
    snap_dap = results.get("dap_initdb")
    fields = [
        f"rows={args.rows}",
        f"ours_rows_per_s={snap_ours.rows_per_s:.0f}",
        f"dap_rows_per_s={snap_dap.rows_per_s:.0f}" if snap_dap else "dap_rows_per_s=na",
        f"speedup={snap_ours.rows_per_s / snap_dap.rows_per_s:.1f}"
        if snap_dap and snap_dap.rows_per_s
        else "speedup=na",
        f"ours_peak_rss_mb={snap_ours.peak_rss_mb:.0f}",
    ]
    if snap_dap:
        fields.append(f"dap_peak_rss_mb={snap_dap.peak_rss_mb:.0f}")
    inc_ours, inc_dap = results.get("ours_incremental"), results.get("dap_syncdb")
    if inc_ours:
        fields.append(f"ours_incr_s={inc_ours.seconds:.1f}")
        fields.append(f"ours_incr_rows={inc_ours.rows}")
    if inc_dap:
        fields.append(f"dap_incr_s={inc_dap.seconds:.1f}")
        if inc_ours and inc_ours.seconds:
            fields.append(f"incr_speedup={inc_dap.seconds / inc_ours.seconds:.1f}")
    if not args.workdir:
        shutil.rmtree(workdir, ignore_errors=True)
    print(" ".join(fields))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
