"""Benchmark: the same data built on Spark (raw in a lake) and on PostgreSQL, marts compared.

Usage::

    .venv/bin/python bench/engines.py --scale small [--workdir DIR] [--cores 2]

What it does, all on this machine, against the DAP emulator (``--scale``, seed 1):

1. ``cd2 load --destination filesystem`` of every table of ``canvas``, ``canvas_logs`` and
   ``catalog`` into a lake folder (Parquet), and ``cd2 load`` of the same tables, at the same
   emulator clock, into an embedded PostgreSQL on a free port;
2. ``dbt build`` of seeds and models (no data tests) on local Spark (the ``spark`` target of
   profiles.example.yml, method session, ``--cores`` cores, one shuffle partition) and on
   PostgreSQL;
3. compares every mart (the models dbt puts in the ``cd1`` and ``analytics`` schemas, read from
   the manifest) by the multiset of canonical row hashes (:func:`row_hash`): Spark's from its
   tables' Parquet files, PostgreSQL's by query.

Per step it reports the wall time, the raw rows loaded (lake: the Parquet files' row counts;
PostgreSQL: exact counts), peak memory (PostgreSQL: the server's processes' summed proportional
set sizes; Spark: the largest process of the dbt run, the JVM, by ``wait4``) and the ten slowest
nodes. The last line is machine-readable::

    engine=spark marts=N equal=true|false spark_build_s=… postgres_build_s=…

tests/e2e/test_spark.py uses the comparison (:func:`compare_marts`) after a snapshot and after an
increment, at tiny scale.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg2
import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

MART_SCHEMAS = ("cd1", "analytics")
NAMESPACES = "canvas,canvas_logs,catalog"
# Columns whose values are not the data's: the loader's stamp of when it wrote a record (each
# engine's data was loaded by a load of its own, seconds apart), carried by incremental marts
# as their change marker.
IGNORED_COLUMNS = frozenset({"_dap_loaded_at"})
BATCH = 10_000


def canonical(value: Any) -> Any:
    """One spelling per value across the engines (what they may legitimately spell apart):

    - instants and naive UTC times as naive UTC ISO text (PostgreSQL's ``timestamptz`` comes back
      aware, Spark's ``timestamp`` from Parquet naive UTC);
    - numbers by value: integral values exactly, whatever the type (``numeric``, ``bigint``,
      ``double``); other numbers to 10 significant digits (the engines sum and divide floats in
      different orders, and round ``decimal`` results to different scales);
    - JSON by value (PostgreSQL's ``jsonb`` spaces and orders keys its own way; Spark keeps JSON
      as text);
    - nothing else: text, booleans and dates must be equal as they are.
    """
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        if value.is_finite() and value == value.to_integral_value():
            return str(int(value))
        return format(float(value), ".10g")
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return format(value, ".10g")
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:  # JSON text: by value
            return json.dumps(json.loads(value), sort_keys=True, ensure_ascii=False)
        except ValueError:
            return value
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return value


def row_hash(row: dict[str, Any]) -> str:
    """The hash of a row's canonical values, by column name (order-independent)."""
    parts = [f"{name}={canonical(row[name])!r}" for name in sorted(row)]
    return hashlib.sha1("|".join(parts).encode()).hexdigest()


@dataclass(frozen=True)
class Mart:
    """A mart of a dbt build: its dbt name and where each engine put it."""

    name: str
    schema: str
    identifier: str


def marts(manifest: Path) -> dict[str, Mart]:
    """Every model a build put in a mart schema (``cd1``, ``analytics``), from dbt's manifest,
    by unique id."""
    nodes = json.loads(manifest.read_text())["nodes"]
    found: dict[str, Mart] = {}
    for unique_id, node in nodes.items():
        if node["resource_type"] == "model" and node["schema"].lower() in MART_SCHEMAS:
            if node["config"].get("materialized") == "ephemeral":
                continue
            found[unique_id] = Mart(node["name"], node["schema"], node.get("alias") or node["name"])
    return found


def spark_rows(spark_dir: Path, schema: str, table: str) -> Iterator[dict[str, Any]] | None:
    """The rows of a managed table of the local Spark warehouse, read from its Parquet files
    (no second JVM: the Derby metastore admits one Spark process); None when there is none."""
    folder = spark_dir / "warehouse" / f"{schema.lower()}.db" / table.lower()
    if not folder.is_dir():
        return None

    def rows() -> Iterator[dict[str, Any]]:
        for path in sorted(folder.glob("*.parquet")):
            # Spark writes instants as INT96 (nanoseconds, UTC) unless told otherwise
            data = pq.ParquetFile(path, coerce_int96_timestamp_unit="us")
            for batch in data.iter_batches(BATCH):
                yield from batch.to_pylist()

    return rows()


def postgres_rows(dsn: str, schema: str, table: str) -> Iterator[dict[str, Any]] | None:
    """The rows of a PostgreSQL relation (None when there is none)."""
    conn = psycopg2.connect(dsn)
    with conn.cursor() as cur:
        cur.execute(
            "select 1 from information_schema.tables where table_schema = %s and table_name = %s",
            (schema, table),
        )
        if cur.fetchone() is None:
            conn.close()
            return None

    def rows() -> Iterator[dict[str, Any]]:
        try:
            with conn.cursor(name="cd2_engines") as cur:
                cur.itersize = BATCH
                cur.execute(f'select * from "{schema}"."{table}"')
                names: list[str] | None = None
                for record in cur:
                    if names is None:
                        names = [d[0] for d in cur.description or ()]
                    yield dict(zip(names, record, strict=True))
        finally:
            conn.close()

    return rows()


def _kept(row: dict[str, Any]) -> dict[str, Any]:
    return {k.lower(): v for k, v in row.items() if k.lower() not in IGNORED_COLUMNS}


@dataclass
class MartDifference:
    """How one mart differs between the engines.

    Attributes:
        mart: ``schema.table``.
        postgres_rows: rows on PostgreSQL (-1: no such relation).
        spark_rows: rows on Spark (-1: no such table).
        columns: columns on one engine only.
        missing: example rows on PostgreSQL and not on Spark (canonical values).
        extra: example rows on Spark and not on PostgreSQL.
        missing_count: how many rows are missing on Spark.
        extra_count: how many extra rows Spark has.
    """

    mart: str
    postgres_rows: int
    spark_rows: int
    columns: list[str] = field(default_factory=list)
    missing: list[dict[str, Any]] = field(default_factory=list)
    extra: list[dict[str, Any]] = field(default_factory=list)
    missing_count: int = 0
    extra_count: int = 0

    def describe(self, examples: int = 3) -> str:
        """A few lines for a failure message: counts, and per example row missing on Spark the
        columns whose values differ from the closest extra row of Spark (fewest columns apart)."""
        lines = [
            f"{self.mart}: PostgreSQL {self.postgres_rows} rows, Spark {self.spark_rows}; "
            f"{self.missing_count} missing on Spark, {self.extra_count} extra on Spark"
        ]
        if self.columns:
            lines.append(f"    columns on one engine only: {', '.join(self.columns)}")

        def apart(a: dict[str, Any], b: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
            return {
                c: (a.get(c), b.get(c)) for c in sorted(set(a) | set(b)) if a.get(c) != b.get(c)
            }

        paired: list[int] = []
        for row in self.missing[:examples]:
            candidates = [(len(apart(row, other)), i) for i, other in enumerate(self.extra)]
            if not candidates:
                lines.append(f"    only on PostgreSQL: {row}")
                continue
            _, best = min(candidates)
            paired.append(best)
            first = next(iter(row), "")
            changed = apart(row, self.extra[best])
            lines.append(f"    {first}={row.get(first)!r}: (PostgreSQL, Spark) {changed}")
        unpaired = [r for i, r in enumerate(self.extra) if i not in paired]
        if not self.missing:
            for row in unpaired[:examples]:
                lines.append(f"    only on Spark: {row}")
        return "\n".join(lines)


def _digests(rows: Iterable[dict[str, Any]]) -> tuple[Counter[str], list[str]]:
    counts: Counter[str] = Counter()
    columns: list[str] = []
    for row in rows:
        kept = _kept(row)
        if not columns:
            columns = list(kept)
        counts[row_hash(kept)] += 1
    return counts, columns


def _examples(
    rows: Iterable[dict[str, Any]], wanted: Counter[str], limit: int = 20
) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for row in rows:
        kept = _kept(row)
        if row_hash(kept) in wanted:
            found.append({k: canonical(v) for k, v in kept.items()})
            if len(found) >= limit:
                break
    return found


def compare_marts(
    dsn: str, postgres_manifest: Path, spark_dir: Path, spark_manifest: Path
) -> tuple[list[str], list[MartDifference]]:
    """Every mart of the PostgreSQL build against the Spark build of the same data.

    Returns:
        The marts compared (``schema.table``, PostgreSQL's names), and the ones that differ.
    """
    on_postgres = marts(postgres_manifest)
    on_spark = marts(spark_manifest)
    compared: list[str] = []
    differences: list[MartDifference] = []
    for unique_id in sorted(set(on_postgres) | set(on_spark)):
        pg_mart, spark_mart = on_postgres.get(unique_id), on_spark.get(unique_id)
        either = pg_mart or spark_mart
        assert either is not None
        label = f"{either.schema}.{either.identifier}"
        compared.append(label)
        pg_rows = postgres_rows(dsn, pg_mart.schema, pg_mart.identifier) if pg_mart else None
        sp_rows = (
            spark_rows(spark_dir, spark_mart.schema, spark_mart.identifier) if spark_mart else None
        )
        if pg_rows is None or sp_rows is None:
            pg_count = sum(1 for _ in pg_rows) if pg_rows is not None else -1
            sp_count = sum(1 for _ in sp_rows) if sp_rows is not None else -1
            differences.append(MartDifference(label, pg_count, sp_count))
            continue
        want, pg_columns = _digests(pg_rows)
        got, sp_columns = _digests(sp_rows)
        if want == got:
            continue
        assert pg_mart is not None and spark_mart is not None
        missing, extra = want - got, got - want
        differences.append(
            MartDifference(
                label,
                sum(want.values()),
                sum(got.values()),
                columns=sorted(set(pg_columns) ^ set(sp_columns))
                if pg_columns and sp_columns
                else [],
                missing=_examples(
                    postgres_rows(dsn, pg_mart.schema, pg_mart.identifier) or [], missing
                ),
                extra=_examples(
                    spark_rows(spark_dir, spark_mart.schema, spark_mart.identifier) or [], extra
                ),
                missing_count=sum(missing.values()),
                extra_count=sum(extra.values()),
            )
        )
    return compared, differences


def lake_rows(lake: Path) -> int:
    """Raw rows in the lake: the row counts of the Parquet footers of every raw table (the
    loader's bookkeeping folders excluded)."""
    total = 0
    for path in lake.glob("raw_*/*/*.parquet"):
        if not path.parent.name.startswith(("_dlt", "_dap")):
            total += pq.ParquetFile(path).metadata.num_rows
    return total


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; returns the exit code (1 when a mart differs)."""
    import time as clock

    from bench.cycle import bench_env, node_costs, raw_rows, slowest_nodes
    from bench.dbt_incremental import ServerMemory
    from bench.load_vs_dap import Emulator, bench_workdir, free_port, fresh_database, timed
    from loader.warehouse import EmbeddedWarehouse

    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--scale", default="small", help="tiny, small, medium, large, xlarge")
    parser.add_argument("--threads", type=int, default=4, help="dbt threads")
    parser.add_argument("--cores", default="2", help="Spark's local cores (local[N])")
    parser.add_argument("--spark-memory", default="4g", help="Spark driver memory")
    parser.add_argument("--workdir", type=Path, default=None, help="keep files here")
    args = parser.parse_args(argv)
    if shutil.which("java") is None:
        raise SystemExit("Spark needs Java (make java)")

    workdir = bench_workdir(args.workdir, "cd2-bench-engines-")
    print(f"workdir {workdir}; scale {args.scale}", flush=True)
    lake, spark_dir = workdir / "lake", workdir / "spark"
    spark_dir.mkdir(exist_ok=True)
    warehouse = EmbeddedWarehouse(workdir / "warehouse", port=free_port())
    admin_dsn = warehouse.up()
    emulator = Emulator(workdir, None, scale=args.scale)
    database = "bench_engines"
    figures: dict[str, float] = {}
    try:
        dsn = fresh_database(admin_dsn, database)
        postmaster = warehouse.status().pid or 0
        (workdir / "profiles.yml").write_text(
            (REPO / "profiles.example.yml")
            .read_text("utf-8")
            .replace(
                "  outputs:\n",
                "  outputs:\n    bench:\n      type: postgres\n"
                f"      host: {warehouse.host}\n      port: {warehouse.port}\n"
                f"      user: {warehouse.user}\n"
                "      password: \"{{ env_var('DBT_ENV_SECRET_PGPASSWORD') }}\"\n"
                f"      dbname: {database}\n      schema: cd2\n      threads: {args.threads}\n",
                1,
            ),
            "utf-8",
        )
        env = bench_env(emulator.env, warehouse.password, drop=("CD2_",))
        env.update(
            {
                "DESTINATION__FILESYSTEM__BUCKET_URL": str(lake),
                "CD2_LAKE_URL": str(lake),
                "CD2_SPARK_DIR": str(spark_dir),
                "CD2_SPARK_CORES": str(args.cores),
                "CD2_SPARK_MEMORY": args.spark_memory,
                "CD2_SPARK_PARTITIONS": "1",
                "CD2_DBT_THREADS": str(args.threads),
            }
        )
        cd2 = [sys.executable, "-m", "loader", "load", "--no-live", "--namespace", NAMESPACES]
        dbt_bin = str(Path(sys.executable).parent / "dbt")

        def dbt(target: str) -> list[str]:
            return (
                [dbt_bin, "build", "--target", target, "--exclude-resource-type", "test"]
                + ["unit_test", "--project-dir", str(REPO), "--profiles-dir", str(workdir)]
                + ["--target-path", str(workdir / f"target-{target}")]
                + ["--log-path", str(workdir / f"logs-{target}")]
            )

        def step(label: str, argv: list[str], memory: bool = False) -> float:
            with ServerMemory(postmaster) as server:
                measured = timed(label, argv, env, workdir / f"{label}.log")
            if measured.exit_code != 0:
                tail = (workdir / f"{label}.log").read_text().splitlines()[-30:]
                raise SystemExit(f"{label} exited {measured.exit_code}:\n" + "\n".join(tail))
            peak = server.peak_total_kb / 1024 if memory else measured.peak_rss_mb
            figures[f"{label}_s"] = measured.seconds
            figures[f"{label}_peak_mb"] = round(peak, 1)
            print(
                f"{label}: {measured.seconds:.1f} s, cpu {measured.cpu_seconds:.1f} s, "
                f"peak {'server' if memory else 'process'} memory {peak:.0f} MB",
                flush=True,
            )
            return measured.seconds

        step(
            "lake_load",
            cd2 + ["--destination", "filesystem", "--state-dir", str(workdir / "lake-state")],
        )
        print(f"    lake raw rows {lake_rows(lake):,}", flush=True)
        step(
            "postgres_load",
            cd2
            + [
                "--dsn",
                dsn,
                "--state-dir",
                str(workdir / "pg-state"),
                "--work-dir",
                str(workdir / "dl"),
            ],
            memory=True,
        )
        print(f"    postgres raw rows {raw_rows(dsn):,}", flush=True)
        spark_build = step("spark_build", dbt("spark"))
        postgres_build = step("postgres_build", dbt("bench"), memory=True)
        for target in ("spark", "bench"):
            nodes, median, compile_s = node_costs(workdir / f"target-{target}")
            print(f"{target}: {nodes} nodes, median node {median:.2f} s, compile {compile_s:.2f} s")
            for node, secs in slowest_nodes(workdir / f"target-{target}"):
                print(f"    {secs:8.2f} s  {node}")
        started = clock.monotonic()
        compared, differences = compare_marts(
            dsn,
            workdir / "target-bench" / "manifest.json",
            spark_dir,
            workdir / "target-spark" / "manifest.json",
        )
        print(f"compared {len(compared)} marts in {clock.monotonic() - started:.1f} s")
    finally:
        emulator.stop()
        warehouse.down()
    for difference in differences:
        print("DIFFERS: " + difference.describe())
    print(
        f"engine=spark marts={len(compared)} equal={'true' if not differences else 'false'} "
        f"spark_build_s={spark_build:.1f} postgres_build_s={postgres_build:.1f}"
    )
    return 0 if not differences else 1


if __name__ == "__main__":
    raise SystemExit(main())
