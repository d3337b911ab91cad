"""The same dbt project on Apache Spark, with raw data in a lake (issue 14).

The emulator (tiny scale) is loaded by ``cd2 load --destination filesystem`` into a lake folder;
dbt builds the current state of a few tables on local Spark (the ``spark`` target of
profiles.example.yml: method session, the lake's folders registered as raw tables at
on-run-start), after a snapshot and again after an increment; each time the current state equals
the emulator's ground truth, row for row (canonical row hashes). Spark's tables are read from
their Parquet files (the warehouse folder), so no second JVM is needed.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import json
import os
import shutil
from collections import Counter
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pyarrow.parquet as pq
import pytest

from emulator.server import Emulator, Settings
from tests.e2e.conftest import BIN, REPO, _run

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        importlib.util.find_spec("pyspark") is None or shutil.which("java") is None,
        reason="Spark needs the [spark] extra and Java (make spark)",
    ),
]

INTERNAL = {
    "meta_action",
    "meta_ts",
    "_dap_job_id",
    "_dap_job_seq",
    "_dap_change_order",
    "_dap_load_kind",
    "_dap_loaded_at",
    "_dap_version_rank",
}


def spark_table_rows(spark_dir: Path, schema: str, table: str) -> list[dict[str, Any]] | None:
    """The rows of a table of the local Spark warehouse, from its Parquet files (None: no
    such table)."""
    folder = spark_dir / "warehouse" / f"{schema}.db" / table
    if not folder.is_dir():
        return None
    rows: list[dict[str, Any]] = []
    for path in sorted(folder.glob("*.parquet")):
        rows.extend(pq.read_table(path).to_pylist())
    return rows


def _canonical(value: Any) -> Any:
    """One spelling per value across engines: instants and naive UTC times as naive UTC text,
    numbers by value (floats to 10 significant digits: the engines round differently)."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:  # JSON text: by value (the engines may space it differently)
            return json.dumps(json.loads(value), sort_keys=True, ensure_ascii=False)
        except ValueError:
            return value
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    if isinstance(value, Decimal | float):
        number = float(value)
        if number == int(number) and abs(number) < 1e15:
            return str(int(number))
        return format(number, ".10g")
    return value


def row_hash(row: dict[str, Any]) -> str:
    parts = [f"{name}={_canonical(row[name])!r}" for name in sorted(row)]
    return hashlib.sha1("|".join(parts).encode()).hexdigest()


SMALL_TABLES = ("users", "courses", "enrollments", "submissions")


def test_current_state_on_spark_equals_the_ground_truth(tmp_path: Path) -> None:
    """A few tables, snapshot then increment: the lake registered as raw tables, the current
    state built on local Spark, equal to the emulator's ground truth after each load."""
    emulator = Emulator(Settings(port=0, seed=3, scale="tiny"))
    emulator.start()
    try:
        root, spark_dir = tmp_path / "lake", tmp_path / "spark"
        spark_dir.mkdir()
        shutil.copy(REPO / "profiles.example.yml", tmp_path / "profiles.yml")
        settings = emulator.settings
        env = {
            **{
                k: v
                for k, v in os.environ.items()
                if not k.startswith(("DAP_", "SOURCES__", "DESTINATION__", "CD2_"))
            },
            "DAP_API_URL": emulator.url,
            "DAP_CLIENT_ID": settings.client_id,
            "DAP_CLIENT_SECRET": settings.client_secret,
            "SOURCES__DAP__RATE_LIMIT_SCALE": "0",
            "DESTINATION__FILESYSTEM__BUCKET_URL": str(root),
            "CD2_LAKE_URL": str(root),
            "CD2_SPARK_DIR": str(spark_dir),
            "CD2_SPARK_CORES": "2",
            "CD2_SPARK_PARTITIONS": "1",
            "CD2_DBT_THREADS": "4",
            "CD2_SHARD_ID": "1",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "DO_NOT_TRACK": "1",
            "RUNTIME__DLTHUB_TELEMETRY": "false",
        }
        models = [f"base_canvas__{t}" for t in SMALL_TABLES]
        for step in ("snapshot", "increment"):
            if step == "increment":
                httpx.post(f"{emulator.url}/_emulator/advance", json={"hours": 24}, timeout=60)
            _run(
                [str(BIN / "cd2"), "load", "--destination", "filesystem", "--no-live"]
                + ["--state-dir", str(tmp_path / "state"), "--namespace", "canvas"]
                + ["--table", ",".join(SMALL_TABLES)],
                env,
                tmp_path / f"load-{step}.log",
            )
            _run(
                [str(BIN / "dbt"), "run", "--target", "spark", "--project-dir", str(REPO)]
                + ["--profiles-dir", str(tmp_path), "--target-path", str(tmp_path / "target")]
                + ["--log-path", str(tmp_path / "logs"), "--select", *models],
                env,
                tmp_path / f"dbt-{step}.log",
            )
            for table in SMALL_TABLES:
                rows = spark_table_rows(spark_dir, "canvas_base", f"base_canvas__{table}")
                assert rows is not None, f"{table}: no base table on Spark"
                truth = pq.read_table(
                    io.BytesIO(
                        httpx.get(
                            f"{emulator.url}/_emulator/truth/canvas/{table}", timeout=60
                        ).content
                    )
                ).to_pylist()
                columns = [c for c in truth[0] if c not in INTERNAL]
                state = Counter(
                    row_hash({c: r.get(c) for c in columns})
                    for r in rows
                    if r.get("meta_action") != "D"
                )
                want = Counter(row_hash({c: r.get(c) for c in columns}) for r in truth)
                assert state == want, (
                    f"{step}: canvas.{table}: {sum((want - state).values())} rows missing, "
                    f"{sum((state - want).values())} extra on Spark"
                )
    finally:
        emulator.shutdown()
