"""End to end, run safety: overlapping ``cd2 load`` runs, a load killed during its ``COPY`` whose
pipelines folder is then lost, and a re-snapshot of a table that is empty at that moment.

Each test has an emulator of its own (in-process, seed 1, scale tiny: the scenarios change its
clock and tables) and a database of its own; ``cd2 load`` runs as real processes, and ``dbt run``
builds the current state of the tables loaded, which is compared with the emulator's ground truth
row for row (``tests/e2e/test_current_state.py``'s comparison).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from emulator.server import Emulator, Settings
from tests.conftest import PgServer
from tests.e2e.conftest import BIN, REPO, Warehouse, create_warehouse
from tests.e2e.test_current_state import check_table, emulator_clock, truth_records
from tests.helpers import raw_table

pytestmark = pytest.mark.slow

TABLES = ("accounts", "users", "courses", "favorites")
SELECT = ["--select", *(f"+stg_canvas__{t}" for t in TABLES)]
LOCK_APPLICATION = "cd2 load (run lock)"
DATABASE = f"run_safety_{os.getpid()}"  # one name: the dbt profile, and so its parse, is shared
PARSE_CACHE = Path(tempfile.gettempdir()) / f"cd2-run-safety-dbt-{os.getpid()}"


@pytest.fixture(scope="module", autouse=True)
def _parse_cache() -> Iterator[None]:
    """Remove the shared dbt parse file after the module."""
    yield
    shutil.rmtree(PARSE_CACHE, ignore_errors=True)


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    """An emulator of this test's own (its clock and tables change)."""
    emu = Emulator(Settings(port=0, seed=1, scale="tiny"))
    emu.start()
    try:
        yield emu
    finally:
        emu.shutdown()


@pytest.fixture
def warehouse(pg_server: PgServer, emulator: Emulator, tmp_path: Path) -> Warehouse:
    """A fresh database for this test, nothing loaded."""
    return create_warehouse(pg_server, emulator, tmp_path, DATABASE)


def admin(warehouse: Warehouse, path: str, body: object) -> object:
    response = httpx.post(f"{warehouse.emulator.url}/_emulator/{path}", json=body, timeout=300)
    response.raise_for_status()
    return response.json()


def load_command(warehouse: Warehouse, *extra: str, tables: tuple[str, ...] = TABLES) -> list[str]:
    cd2 = BIN / "cd2"
    command = [str(cd2)] if cd2.exists() else [sys.executable, "-m", "loader"]
    return command + [
        "load",
        "--namespace",
        "canvas",
        "--table",
        ",".join(tables),
        "--dsn",
        warehouse.dsn,
        "--state-dir",
        str(warehouse.work / "state"),
        "--work-dir",
        str(warehouse.work / "downloads"),
        *extra,
    ]


def start_load(
    warehouse: Warehouse,
    name: str,
    *extra: str,
    tables: tuple[str, ...] = TABLES,
    env: dict[str, str] | None = None,
) -> subprocess.Popen[str]:
    log = (warehouse.work / f"{name}.log").open("w")
    return subprocess.Popen(
        load_command(warehouse, *extra, tables=tables),
        cwd=REPO,
        env={**warehouse.env, **(env or {})},
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )


def finish(process: subprocess.Popen[str]) -> int:
    return process.wait(timeout=600)


def load(warehouse: Warehouse, name: str) -> None:
    """``cd2 load`` of TABLES; it must succeed."""
    code = finish(start_load(warehouse, name))
    assert code == 0, log_of(warehouse, name)


def log_of(warehouse: Warehouse, name: str) -> str:
    return (warehouse.work / f"{name}.log").read_text("utf-8")


def poll(condition: object, what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}")


def lock_holders(warehouse: Warehouse) -> int:
    ((n,),) = warehouse.query(
        "select count(*) from pg_locks as l join pg_stat_activity as a on a.pid = l.pid "
        "where l.locktype = 'advisory' and l.granted and a.application_name = %s",
        (LOCK_APPLICATION,),
    )
    return int(n)


def shared_job_seqs(warehouse: Warehouse) -> list[str]:
    """Job sequence numbers two different jobs share: in a raw table, or in the sync log."""
    problems = []
    for table in TABLES:
        relation = f'raw_canvas."{raw_table(table)}"'
        if not warehouse.query("select to_regclass(%s)", (relation,))[0][0]:
            continue
        for seq, jobs in warehouse.query(
            f"select _dap_job_seq, count(distinct _dap_job_id) from {relation} "
            "group by 1 having count(distinct _dap_job_id) > 1"
        ):
            problems.append(f"raw {table}: job_seq {seq} has {jobs} jobs")
    for table, seq, jobs in warehouse.query(
        "select table_name, job_seq, count(*) from raw_canvas._dap_sync_log "
        "where status in ('ok', 'resnapshot') group by 1, 2 having count(*) > 1"
    ):
        problems.append(f"sync log {table}: job_seq {seq} logged for {jobs} jobs")
    return problems


def assert_current_state_equals_truth(warehouse: Warehouse) -> None:
    url = warehouse.emulator.url
    clock = emulator_clock(url)
    problems = []
    for table in TABLES:
        columns, truth = truth_records(url, "canvas", table)
        problem = check_table(warehouse.dsn, "canvas", table, clock, columns, truth)
        if problem:
            problems.append(problem)
    assert not problems, "\n".join(problems)


def dbt_run(warehouse: Warehouse, name: str, *extra: str) -> None:
    """``dbt run`` of the TABLES' base and staging models, merging incrementally. dbt's partial
    parse file is kept across the tests (same project, profile and vars): a full parse of the
    project takes most of a minute on a busy machine."""
    cached = PARSE_CACHE / "partial_parse.msgpack"
    target = warehouse.work / "target"
    target.mkdir(parents=True, exist_ok=True)
    if cached.exists() and not (target / cached.name).exists():
        shutil.copy2(cached, target / cached.name)
    warehouse.dbt(name, "run", *SELECT, "--vars", "{incremental_min_rows: 0}", *extra)
    if (target / cached.name).exists():
        PARSE_CACHE.mkdir(parents=True, exist_ok=True)
        shutil.copy2(target / cached.name, cached)


def test_overlapping_loads_take_turns(warehouse: Warehouse) -> None:
    """A second ``cd2 load`` while one runs: without ``--lock-wait`` it exits 75 with one line
    naming the run that holds the lock; with it, it waits and then loads. No two jobs share a job
    sequence number, and the current state equals the ground truth."""
    # the first run's users table waits 15 s for its schema: long enough to overlap it
    admin(
        warehouse,
        "faults",
        {"route": "schema", "kind": "slow", "delay": 15, "count": 1, "table": "canvas.users"},
    )
    first = start_load(warehouse, "load-first")
    poll(lambda: lock_holders(warehouse) > 0 or first.poll() is not None, "the first run's lock")
    assert first.poll() is None, log_of(warehouse, "load-first")
    second = start_load(warehouse, "load-second", "--lock-wait", "0")
    assert finish(second) == 75, log_of(warehouse, "load-second")
    text = log_of(warehouse, "load-second")
    assert "another cd2 load is loading into raw_canvas of this database" in text, text
    assert "PostgreSQL backend pid" in text, text
    third = start_load(warehouse, "load-third", "--lock-wait", "300")
    poll(lambda: "waiting up to 300 s" in log_of(warehouse, "load-third"), "the third run to wait")
    assert first.poll() is None  # it waited for a run that was still going
    assert finish(first) == 0, log_of(warehouse, "load-first")
    assert finish(third) == 0, log_of(warehouse, "load-third")
    assert lock_holders(warehouse) == 0
    warehouse.emulator.advance(24)
    load(warehouse, "load-fourth")
    assert shared_job_seqs(warehouse) == []
    ((jobs,),) = warehouse.query(
        "select count(*) from raw_canvas._dap_sync_log where table_name = 'users'"
    )
    assert jobs == 3  # first, third and fourth; the second loaded nothing
    dbt_run(warehouse, "dbt-run")
    assert_current_state_equals_truth(warehouse)


def test_load_killed_during_copy_then_pipelines_folder_lost(warehouse: Warehouse) -> None:
    """SIGKILL while a forced snapshot of users is being COPYed (some of its files are in, one
    waits on a row trigger), the pipelines folder deleted, and a rerun: the rerun's job takes a
    sequence number above the stranded rows, dbt ignores the rows of the load that never
    completed, and the current state equals the ground truth."""
    load(warehouse, "load-1")
    dbt_run(warehouse, "dbt-1")
    assert_current_state_equals_truth(warehouse)
    warehouse.emulator.advance(24)
    # once a file of the forced snapshot's job (job sequence 2) is in, the next file's COPY waits
    warehouse.query(
        """
        create function raw_canvas.hold_copy() returns trigger language plpgsql as $$
        begin
            if new._dap_job_seq = 2 and exists (
                select 1 from raw_canvas.users
                where _dap_job_seq = 2
                    and xmin::text <> (pg_current_xact_id()::text::bigint %% 4294967296)::text
            ) then
                perform pg_sleep(600);
            end if;
            return new;
        end $$;
        create trigger hold_copy before insert on raw_canvas.users
            for each row execute function raw_canvas.hold_copy();
        select 1;
        """
    )
    # small parse blocks, a CSV file per batch, one COPY at a time: the snapshot of users loads
    # as several files, one after the other
    killed = start_load(
        warehouse,
        "load-killed",
        "--snapshot",
        tables=("users",),
        env={
            "SOURCES__DAP__BLOCK_SIZE": "2048",
            "SOURCES__DAP__ROWS_PER_FILE": "1",
            "LOAD__WORKERS": "1",
        },
    )

    def copy_waits() -> bool:
        rows = warehouse.query(
            "select count(*) from pg_stat_activity where datname = current_database() "
            "and wait_event = 'PgSleep' and query ilike 'copy%%users%%'"
        )
        return bool(rows[0][0]) or killed.poll() is not None

    poll(copy_waits, "the snapshot's COPY into users to wait on the trigger")
    assert killed.poll() is None, log_of(warehouse, "load-killed")
    os.kill(killed.pid, signal.SIGKILL)
    killed.wait(60)
    warehouse.query(
        "select count(pg_terminate_backend(pid)) from pg_stat_activity "
        "where datname = current_database() and pid <> pg_backend_pid() and query ilike 'copy%%'"
    )
    poll(lambda: lock_holders(warehouse) == 0, "the killed run's lock to go")
    warehouse.query("drop trigger hold_copy on raw_canvas.users; select 1")
    ((stranded,),) = warehouse.query("select count(*) from raw_canvas.users where _dap_job_seq = 2")
    ((loaded,),) = warehouse.query("select count(*) from raw_canvas.users where _dap_job_seq = 1")
    assert 0 < stranded < loaded  # a partial snapshot, of a load dlt never recorded complete
    ((pending,),) = warehouse.query("select count(*) from raw_canvas._dlt_loads")
    assert pending == 1
    shutil.rmtree(warehouse.work / "state" / "pipelines")
    load(warehouse, "load-rerun")
    assert shared_job_seqs(warehouse) == []
    seqs = warehouse.query(
        "select job_seq from raw_canvas._dap_sync_log where table_name = 'users' "
        "and status = 'ok' order by job_seq"
    )
    assert seqs[-1][0] == 3  # above the stranded rows' 2
    dbt_run(warehouse, "dbt-2")
    assert_current_state_equals_truth(warehouse)
    dbt_run(warehouse, "dbt-3", "--full-refresh")
    assert_current_state_equals_truth(warehouse)


def test_resnapshot_of_an_emptied_table_empties_its_current_state(warehouse: Warehouse) -> None:
    """A table emptied and reloaded at the source: its re-snapshot has no rows, so raw gains
    nothing, and yet the current state becomes empty, merged incrementally and rebuilt alike."""
    load(warehouse, "load-1")
    dbt_run(warehouse, "dbt-1")
    assert warehouse.query("select count(*) from canvas.favorites")[0][0] > 0
    warehouse.emulator.advance(24)
    admin(warehouse, "empty", {"namespace": "canvas", "table": "favorites"})
    admin(warehouse, "reload", {"namespace": "canvas", "table": "favorites"})
    load(warehouse, "load-2")
    log = {
        row[0]: row[1:]
        for row in warehouse.query(
            "select table_name, status, load_kind, rows from raw_canvas._dap_sync_log "
            "where job_seq = 2"
        )
    }
    assert log["favorites"] == ("resnapshot", "snapshot", 0)
    assert len(truth_records(warehouse.emulator.url, "canvas", "favorites")[1]) == 0
    dbt_run(warehouse, "dbt-2")  # incremental: the pre-hook empties the model
    assert warehouse.query("select count(*) from canvas_base.base_canvas__favorites")[0][0] == 0
    assert_current_state_equals_truth(warehouse)
    dbt_run(warehouse, "dbt-3", "--full-refresh")
    assert_current_state_equals_truth(warehouse)
    # the table fills again after the empty snapshot (a re-insert, growth): merged on top
    warehouse.emulator.advance(24)
    load(warehouse, "load-3")
    dbt_run(warehouse, "dbt-4")
    assert_current_state_equals_truth(warehouse)
