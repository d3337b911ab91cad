"""Changed-rows test scope on the real project, loader and sync log: after two ``cd2 load`` runs,
a data test in the refresh scope reads only the rows the newest load wrote (``_dap_loaded_at``
at or after that run's start in ``_dap_sync_log``); the whole-table scope reads every row.

tests/integration/test_dbt_test_scope.py shows, on a small project with the repository's macros
and selectors, that ``--selector refresh`` is what selects the changed-rows scope; here the scope
is forced with ``--vars '{test_scope: changed}'``, to test one model instead of the whole project.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from emulator.server import Emulator, Settings
from tests.conftest import PgServer
from tests.e2e.conftest import REPO, Warehouse, create_warehouse

pytestmark = pytest.mark.slow

MODEL = "base_canvas__users"
RELATION = "canvas_base.base_canvas__users"
STAGING = "stg_canvas__users"


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    emulator = Emulator(Settings(port=0, seed=13, scale="tiny"))
    emulator.start()
    try:
        yield emulator
    finally:
        emulator.shutdown()


@pytest.fixture(scope="module")
def warehouse(
    pg_server: PgServer, emulator: Emulator, tmp_path_factory: pytest.TempPathFactory
) -> Warehouse:
    return create_warehouse(
        pg_server, emulator, Path(tmp_path_factory.mktemp("test_scope")), "test_scope_e2e"
    )


class Dbt:
    """dbt commands on the test's warehouse, sharing one parse."""

    def __init__(self, warehouse: Warehouse) -> None:
        from dbt.cli.main import dbtRunner

        self.common = ["--project-dir", str(REPO), "--profiles-dir", str(warehouse.work)]
        self.common += ["--target-path", str(warehouse.work / "target")]
        self.common += ["--log-path", str(warehouse.work / "logs")]
        parsed = dbtRunner().invoke(["parse", "--quiet", *self.common])
        assert parsed.success, parsed.exception
        # one parse for every command below: a different --vars would make dbt parse again
        self.runner = dbtRunner(manifest=parsed.result)

    def __call__(self, *args: str, select: str = MODEL) -> Any:
        result = self.runner.invoke([*args, "--select", select, *self.common])
        assert result.exception is None, result.exception
        return result.result


@pytest.fixture(scope="module")
def loaded(warehouse: Warehouse) -> Iterator[tuple[Dbt, int, int]]:
    """The users table loaded twice (a snapshot, then an increment 48 hours later: the newest
    load), its base model and staging view built after each; yields the dbt runner and the two
    loads' job sequence numbers."""
    names = ("CD2_SHARD_ID", "DBT_SEND_ANONYMOUS_USAGE_STATS", "DO_NOT_TRACK")
    saved = {name: os.environ.get(name) for name in names}
    os.environ.update({name: warehouse.env[name] for name in names})
    try:
        dbt = Dbt(warehouse)
        both = f"{MODEL} {STAGING}"
        warehouse.load("load-1", "--table", "users")  # the snapshot
        assert {r.status for r in dbt("run", select=both).results} == {"success"}
        warehouse.admin("POST", "advance", {"hours": 48})
        warehouse.load("load-2", "--table", "users")  # the increment: the newest load
        assert {r.status for r in dbt("run", select=both).results} == {"success"}
        [(snapshot_job, newest_job)] = warehouse.query(
            "select min(job_seq), max(job_seq) from raw_canvas._dap_sync_log"
            " where table_name = 'users' and status = 'ok'"
        )
        assert newest_job > snapshot_job
        yield dbt, snapshot_job, newest_job
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def combined_failures(
    warehouse: Warehouse, dbt: Dbt, model: str, status: str, *args: str
) -> set[tuple[Any, ...]]:
    """Run the model's combined_checks (``args``: more dbt options); assert its status and return
    the stored failures, one (model, column, check, severity, failures) per failing check."""
    results = dbt("test", *args, select=model).results
    [result] = [r for r in results if r.node.name == f"combined_checks_{model}_"]
    assert result.status == status
    assert result.node.relation_name  # stored failures: dbt's message points at them
    rows = warehouse.query(
        "select model_name, column_name, check_name, check_severity, failures"
        f" from {result.node.relation_name}"
    )
    assert sum(int(r[-1]) for r in rows) == int(result.failures)
    return {tuple(r[:-1]) + (int(r[-1]),) for r in rows}


def test_refresh_scope_reads_a_staging_views_changed_rows(
    warehouse: Warehouse, loaded: tuple[Dbt, int, int]
) -> None:
    """A staging view drops the change marker: its tests read the rows whose key the base
    model's newest-load rows carry, not the whole current state."""
    dbt, snapshot_job, newest_job = loaded
    broken = []
    for job in (snapshot_job, newest_job):
        [(key,)] = warehouse.query(
            f"select max(id) from {RELATION}"
            " where _dap_job_seq = %s and coalesce(meta_action, 'U') <> 'D'",
            (job,),
        )
        assert key is not None, f"no row of job {job}"
        broken.append(key)
    # workflow_state's not_null test is a warning in staging: the view's check warns
    warehouse.query(
        f"update {RELATION} set workflow_state = null where id = any(%s) returning 1", (broken,)
    )
    try:
        failures = {(STAGING, "workflow_state", "not_null", "warn")}
        whole = combined_failures(warehouse, dbt, STAGING, "warn")
        assert whole == {f + (2,) for f in failures}
        changed = combined_failures(
            warehouse, dbt, STAGING, "warn", "--vars", "{test_scope: changed}"
        )
        assert changed == {f + (1,) for f in failures}
        # the per-column test reads the same rows in the changed scope
        results = dbt("test", "--vars", "{test_scope: changed}", select=STAGING).results
        [result] = [r for r in results if r.node.name == f"not_null_{STAGING}_workflow_state"]
        assert int(result.failures) == 1
    finally:
        # the other test of this module breaks the base model in its own way
        rebuilt = dbt("run", "--full-refresh", select=f"{MODEL} {STAGING}").results
        assert {r.status for r in rebuilt} == {"success"}
        assert not warehouse.query(f"select id from {RELATION} where workflow_state is null")


def test_refresh_scope_reads_only_the_newest_loads_rows(
    warehouse: Warehouse, loaded: tuple[Dbt, int, int]
) -> None:
    dbt, snapshot_job, newest_job = loaded
    # one row the snapshot wrote and one the newest load wrote break the key's not_null test
    broken = []
    for job in (snapshot_job, newest_job):
        [(key,)] = warehouse.query(
            f"select min(id) from {RELATION} where _dap_job_seq = %s", (job,)
        )
        assert key is not None, f"no row of job {job}"
        broken.append(key)
    warehouse.query(f"update {RELATION} set id = null where id = any(%s) returning 1", (broken,))

    def not_null_failures(*args: str) -> int:
        results = dbt("test", *args).results
        [result] = [r for r in results if r.node.name == f"not_null_{MODEL}_id"]
        return int(result.failures)

    assert not_null_failures() == 2  # the whole table
    assert not_null_failures("--vars", "{test_scope: changed}") == 1  # the newest load's row

    # the refresh's one check of the model (its not_null, unique and no_deleted_keys tests in
    # one query) counts the same, and stores one row per failing (column, check)
    assert combined_failures(warehouse, dbt, MODEL, "fail") == {
        (MODEL, "id", "not_null", "error", 2)
    }
    changed = combined_failures(warehouse, dbt, MODEL, "fail", "--vars", "{test_scope: changed}")
    assert changed == {(MODEL, "id", "not_null", "error", 1)}
    # the newest load's rows are exactly those its run stamped at or after its start
    [(stamped, newest)] = warehouse.query(
        f"select count(*) filter (where _dap_loaded_at >= ("
        "    select min(started_at) from raw_canvas._dap_sync_log where run_id = ("
        "        select run_id from raw_canvas._dap_sync_log where job_seq = %s"
        "            and table_name = 'users'))),"
        f"  count(*) filter (where _dap_job_seq = %s) from {RELATION}",
        (newest_job, newest_job),
    )
    assert stamped == newest > 0
