"""First contact, end to end: the hostile inputs of a server that is not ours, all at once, then
the way back to a green ``dbt build`` and a current state equal to the ground truth.

One load meets, over HTTP from the emulator: a value PostgreSQL refuses (a NUL byte in
``users.name``), empty objects in the ``courses`` job, a column whose type widens
(``submissions.attempt`` served as bigint) and a hostile table name listed beside the real ones
(``bad/name``). That table alone fails; the others load. Once the faults are lifted, an increment
and the documented re-snapshot of the table with the refused value converge: ``dbt build`` is
green and every staging model equals the emulator's ground truth, row for row.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from emulator.server import Emulator, Settings
from tests.conftest import PgServer
from tests.e2e.conftest import BIN, Warehouse, _run, create_warehouse
from tests.e2e.test_current_state import check_staging

pytestmark = pytest.mark.slow

GREEN = ("success", "pass", "warn", "no-op")


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    emulator = Emulator(Settings(port=0, seed=5, scale="tiny"))
    emulator.start()
    try:
        yield emulator
    finally:
        emulator.shutdown()


def admin(emulator: Emulator, method: str, path: str, body: object = None) -> object:
    import httpx

    response = httpx.request(method, f"{emulator.url}/_emulator/{path}", json=body, timeout=120)
    assert response.status_code == 200, f"{method} {path}: {response.text}"
    return response.json()


def load(warehouse: Warehouse, name: str, *extra: str) -> int:
    cd2 = BIN / "cd2"
    command = [str(cd2)] if cd2.exists() else [sys.executable, "-m", "loader"]
    return _run(
        command
        + ["load", "--dsn", warehouse.dsn, "--state-dir", str(warehouse.work / "state")]
        + ["--work-dir", str(warehouse.work / "downloads"), *extra],
        warehouse.env,
        warehouse.work / f"{name}.log",
        check=False,
    )


def test_hostile_first_load_then_rerun_converges_with_dbt_green(
    pg_server: PgServer, emulator: Emulator, tmp_path_factory: pytest.TempPathFactory
) -> None:
    work = Path(tmp_path_factory.mktemp("first_contact"))
    warehouse = create_warehouse(pg_server, emulator, work, "first_contact_e2e")
    admin(
        emulator,
        "POST",
        "faults",
        [
            {"route": "create_job", "kind": "poison", "table": "users", "column": "name"}
            | {"value_kind": "nul", "count": 1},
            {"route": "create_job", "kind": "empty_objects", "table": "courses", "count": 1},
        ],
    )
    admin(
        emulator,
        "POST",
        "schema",
        {"table": "submissions", "kind": "change_type"}
        | {
            "column": "attempt",
            "type": "bigint",
        },
    )
    admin(
        emulator,
        "POST",
        "alias",
        {"namespace": "canvas_logs", "table": "web_logs", "alias": "bad/name"},
    )

    assert load(warehouse, "load-1") == 1  # one table failed, the run went on
    failed = warehouse.query(
        "select table_name, error from raw_canvas_logs._dap_sync_log where status = 'failed'"
    )
    assert [name for name, _ in failed] == ["bad/name"], failed
    assert not warehouse.query("select 1 from raw_canvas._dap_sync_log where status = 'failed'")
    assert warehouse.query("select count(*) from raw_canvas._dap_rejects")[0][0] >= 1
    assert warehouse.query("select count(*) from raw_canvas.courses")[0][0] > 0
    assert warehouse.query("select count(*) from raw_canvas_logs.web_logs")[0][0] > 0
    attempt_type = warehouse.query(
        "select data_type from information_schema.columns "
        "where table_schema = 'raw_canvas' and table_name = 'submissions' "
        "and column_name = 'attempt'"
    )
    assert attempt_type == [("bigint",)]

    # the faults lifted: an increment, and the documented re-snapshot of the refused value's table
    admin(emulator, "DELETE", "faults")
    admin(emulator, "DELETE", "alias", {"namespace": "canvas_logs", "alias": "bad/name"})
    admin(emulator, "POST", "advance", {"hours": 6})
    assert load(warehouse, "load-2") == 0
    assert load(warehouse, "load-3", "--snapshot", "--table", "canvas.users") == 0

    warehouse.build("build")
    bad = [
        f"{r['unique_id']}: {r['status']} {r.get('message') or ''}".strip()
        for r in warehouse.run_results["results"]
        if r["status"] not in GREEN
    ]
    assert not bad, "dbt build failures:\n" + "\n".join(bad)
    compared, problems = check_staging(warehouse.dsn, emulator.url)
    assert {"canvas.users", "canvas.courses", "canvas.submissions"} <= set(compared)
    assert not problems, "\n".join(problems)
