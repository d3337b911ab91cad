"""Changed-rows test scope on the real project, loader and sync log: after two ``cd2 load`` runs,
a data test in the refresh scope reads only the rows the newest load wrote (``_dap_loaded_at``
at or after that run's start in ``_dap_sync_log``); the whole-table scope reads every row.

tests/integration/test_dbt_test_scope.py shows, on a small project with the repository's macros
and selectors, that ``--selector refresh`` is what selects the changed-rows scope; here the scope
is forced with ``--vars '{test_scope: changed}'``, to test one model instead of the whole project.
"""

from __future__ import annotations

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


def test_refresh_scope_reads_only_the_newest_loads_rows(
    warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dbt.cli.main import dbtRunner

    for name in ("CD2_SHARD_ID", "DBT_SEND_ANONYMOUS_USAGE_STATS", "DO_NOT_TRACK"):
        monkeypatch.setenv(name, warehouse.env[name])
    common = ["--project-dir", str(REPO), "--profiles-dir", str(warehouse.work)]
    common += ["--target-path", str(warehouse.work / "target")]
    common += ["--log-path", str(warehouse.work / "logs")]
    parsed = dbtRunner().invoke(["parse", "--quiet", *common])
    assert parsed.success, parsed.exception
    # one parse for every command below: a different --vars would make dbt parse again
    runner = dbtRunner(manifest=parsed.result)

    def dbt(*args: str) -> Any:
        result = runner.invoke([*args, "--select", MODEL, *common])
        assert result.exception is None, result.exception
        return result.result

    warehouse.load("load-1", "--table", "users")  # the snapshot
    assert dbt("run").results[0].status == "success"
    warehouse.admin("POST", "advance", {"hours": 48})
    warehouse.load("load-2", "--table", "users")  # the increment: the newest load
    assert dbt("run").results[0].status == "success"

    [(snapshot_job, newest_job)] = warehouse.query(
        "select min(job_seq), max(job_seq) from raw_canvas._dap_sync_log"
        " where table_name = 'users' and status = 'ok'"
    )
    assert newest_job > snapshot_job
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
    def combined_failures(*args: str) -> set[tuple[Any, ...]]:
        results = dbt("test", *args).results
        [result] = [r for r in results if r.node.name == f"combined_checks_{MODEL}_"]
        assert result.status == "fail"
        assert result.node.relation_name  # stored failures: dbt's message points at them
        rows = warehouse.query(
            "select model_name, column_name, check_name, check_severity, failures"
            f" from {result.node.relation_name}"
        )
        assert sum(int(r[-1]) for r in rows) == int(result.failures)
        return {tuple(r[:-1]) + (int(r[-1]),) for r in rows}

    assert combined_failures() == {(MODEL, "id", "not_null", "error", 2)}
    changed = combined_failures("--vars", "{test_scope: changed}")
    assert changed == {(MODEL, "id", "not_null", "error", 1)}
    # the newest load's rows are exactly those its run stamped at or after its start
    [(changed, newest)] = warehouse.query(
        f"select count(*) filter (where _dap_loaded_at >= ("
        "    select min(started_at) from raw_canvas._dap_sync_log where run_id = ("
        "        select run_id from raw_canvas._dap_sync_log where job_seq = %s"
        "            and table_name = 'users'))),"
        f"  count(*) filter (where _dap_job_seq = %s) from {RELATION}",
        (newest_job, newest_job),
    )
    assert changed == newest > 0
