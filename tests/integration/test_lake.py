"""Raw data in a lake: dlt's filesystem destination, against the emulator over real HTTP.

The same raw layout as PostgreSQL (columns, job sequence, change order, sync log, completed
loads), as Parquet files; snapshot, increments and the automatic re-snapshot converge on the
emulator's ground truth exactly as they do in a database.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from loader.config import LoadSettings
from loader.lake import LakeRunLock
from loader.pipeline import dataset_name
from loader.runlock import RunLocked
from tests.helpers import (
    REPO,
    EmulatorProcess,
    assert_current_state_matches_truth,
    assert_no_failed_tables,
    emulator_process,
    env_without_dap,
    lake_current_state,
    lake_rows,
    lake_sync_log,
)
from tests.integration.conftest import Loader

LAKE_TABLES: tuple[tuple[str, str], ...] = (
    ("canvas", "users"),
    ("canvas", "courses"),
    ("canvas", "submissions"),
    ("canvas_logs", "web_logs"),
)
LOADER_COLUMNS = [
    "meta_ts",
    "meta_action",
    "_dap_load_kind",
    "_dap_job_id",
    "_dap_job_seq",
    "_dap_change_order",
    "_dap_loaded_at",
]


@pytest.fixture
def lake_emulator(tmp_path: Path) -> Iterator[EmulatorProcess]:
    with emulator_process(tmp_path / "emu", "--seed", "1") as emu:
        yield emu


@pytest.fixture
def lake_loader(lake_emulator: EmulatorProcess, tmp_path: Path) -> Loader:
    settings = LoadSettings(
        namespaces=("canvas", "canvas_logs"),
        tables=tuple(f"{ns}.{t}" for ns, t in LAKE_TABLES),
        state_dir=tmp_path / "state",
        work_dir=tmp_path / "work",
        concurrency=4,
        rate_limit_scale=0,
        destination="filesystem",
    )
    return Loader(lake_emulator, "", tmp_path / "state", settings)


def lake_of(loader: Loader) -> Path:
    return loader.state_dir / "lake"


def assert_lake_converged(loader: Loader) -> None:
    lake = lake_of(loader)
    for ns, table in LAKE_TABLES:
        state = lake_current_state(lake, ns, table)
        assert_current_state_matches_truth("", loader.emulator, ns, table, state=state)
        orders = [r["_dap_change_order"] for r in lake_rows(lake, ns, table)]
        assert len(orders) == len(set(orders)), f"{ns}.{table}: change order repeats"


def completed_loads(lake: Path, namespace: str) -> set[str]:
    folder = lake / dataset_name(namespace) / "_dlt_loads"
    found = set()
    for path in folder.glob("*.jsonl"):
        for line in path.read_text().splitlines():
            row = json.loads(line)
            if row["status"] == 0:
                found.add(row["load_id"])
    return found


def test_snapshot_increment_and_resnapshot_in_a_lake(lake_loader: Loader) -> None:
    loader = lake_loader
    lake = lake_of(loader)
    report = loader.run()
    assert_no_failed_tables(report)
    assert {r.load_kind for r in report.results} == {"snapshot"}
    # Parquet files with the raw columns, timestamps typed in UTC
    files = sorted((lake / "raw_canvas" / "users").glob("*.parquet"))
    assert files, "no Parquet file for canvas.users"
    schema = pq.read_schema(files[0])
    assert schema.names[-len(LOADER_COLUMNS) :] == LOADER_COLUMNS
    assert str(schema.field("meta_ts").type) == "timestamp[us, tz=UTC]"
    assert str(schema.field("_dap_loaded_at").type) == "timestamp[us, tz=UTC]"
    assert_lake_converged(loader)

    changes = loader.emulator.advance(24)
    report = loader.run()
    assert_no_failed_tables(report)
    assert {r.load_kind for r in report.results} == {"incremental"}
    assert sum(r.rows for r in report.results) > 0, "the emulator changed nothing?"
    assert_lake_converged(loader)
    for ns in ("canvas", "canvas_logs"):
        log = lake_sync_log(lake, ns)
        # every job's sync-log row names a load package recorded as complete
        assert {r["load_id"] for r in log} <= completed_loads(lake, ns)
        for _, table in [t for t in LAKE_TABLES if t[0] == ns]:
            mine = [r for r in log if r["table_name"] == table]
            assert [(r["job_seq"], r["load_kind"]) for r in mine] == [
                (1, "snapshot"),
                (2, "incremental"),
            ]
            assert mine[-1]["until"].isoformat().replace("+00:00", "Z") == changes["clock"]

    # the automatic re-snapshot: the emulator asks for a snapshot of users
    loader.emulator.advance(1)
    loader.emulator.admin("POST", "reload", {"namespace": "canvas", "table": "users"})
    loader.emulator.advance(1)
    report = loader.run()
    assert_no_failed_tables(report)
    users = next(r for r in report.results if r.table == "users")
    assert (users.status, users.load_kind) == ("resnapshot", "snapshot")
    assert_lake_converged(loader)
    log = [r for r in lake_sync_log(lake, "canvas") if r["table_name"] == "users"]
    assert [(r["status"], r["load_kind"], r["job_seq"]) for r in log][-1] == (
        "resnapshot",
        "snapshot",
        3,
    )


def test_lost_pipelines_folder_resumes_from_the_lake(lake_loader: Loader) -> None:
    """The watermarks and job numbers are committed in the lake with the data: a host that lost
    its working folder goes on with increments, numbering jobs after the stored ones."""
    loader = lake_loader
    assert_no_failed_tables(loader.run())
    shutil.rmtree(loader.state_dir / "pipelines")
    loader.emulator.advance(24)
    report = loader.run()
    assert_no_failed_tables(report)
    assert {r.load_kind for r in report.results} == {"incremental"}
    assert_lake_converged(loader)
    seqs = {r["job_seq"] for r in lake_sync_log(lake_of(loader), "canvas")}
    assert seqs == {1, 2}


def test_a_second_run_into_the_same_lake_stops(lake_loader: Loader) -> None:
    loader = lake_loader
    from loader.pipeline import resolve_target

    target = resolve_target(loader.settings)
    lock_dir = loader.state_dir / "pipelines" / target.fingerprint
    held = LakeRunLock(lock_dir, ["raw_canvas"]).acquire()
    try:
        with pytest.raises(RunLocked, match="another cd2 load"):
            loader.run()
    finally:
        held.release()
    assert_no_failed_tables(loader.run())


def test_cli_writes_to_the_bucket_url_dlt_configures(
    lake_emulator: EmulatorProcess, tmp_path: Path
) -> None:
    bucket = tmp_path / "bucket"
    env = env_without_dap(
        {
            **lake_emulator.env,
            "DESTINATION__FILESYSTEM__BUCKET_URL": bucket.as_uri(),
            "SOURCES__DAP__RATE_LIMIT_SCALE": "0",
            "SOURCES__DAP__DESTINATION": "filesystem",
        }
    )
    result = subprocess.run(
        [sys.executable, "-m", "loader", "load", "--state-dir", str(tmp_path / "state")]
        + ["--table", "canvas.courses", "--namespace", "canvas", "--no-live"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert list((bucket / "raw_canvas" / "courses").glob("*.parquet"))
    assert not (tmp_path / "state" / "lake").exists()
    assert os.listdir(bucket / "raw_canvas" / "_dap_sync_log")
    state = lake_current_state(bucket, "canvas", "courses")
    assert_current_state_matches_truth("", lake_emulator, "canvas", "courses", state=state)


def test_a_dsn_with_the_filesystem_destination_is_refused() -> None:
    from loader.config import ConfigError

    with pytest.raises(ConfigError, match="bucket_url"):
        replace(LoadSettings(), destination="filesystem", dsn="postgresql://x@h/db").validate()
