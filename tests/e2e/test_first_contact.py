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

from collections.abc import Iterator
from pathlib import Path

import pytest

from emulator.server import Emulator, Settings
from tests.conftest import PgServer
from tests.e2e.conftest import create_warehouse
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


def test_hostile_first_load_then_rerun_converges_with_dbt_green(
    pg_server: PgServer, emulator: Emulator, tmp_path_factory: pytest.TempPathFactory
) -> None:
    work = Path(tmp_path_factory.mktemp("first_contact"))
    warehouse = create_warehouse(pg_server, emulator, work, "first_contact_e2e")
    warehouse.admin(
        "POST",
        "faults",
        [
            {
                "route": "create_job",
                "kind": "poison",
                "table": "users",
                "column": "name",
                "value_kind": "nul",
                "count": 1,
            },
            {"route": "create_job", "kind": "empty_objects", "table": "courses", "count": 1},
        ],
    )
    warehouse.admin(
        "POST",
        "schema",
        {"table": "submissions", "kind": "change_type", "column": "attempt", "type": "bigint"},
    )
    warehouse.admin(
        "POST",
        "alias",
        {"namespace": "canvas_logs", "table": "web_logs", "alias": "bad/name"},
    )

    assert warehouse.load("load-1", check=False) == 1  # one table failed, the run went on
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
    warehouse.admin("DELETE", "faults")
    warehouse.admin("DELETE", "alias", {"namespace": "canvas_logs", "alias": "bad/name"})
    warehouse.admin("POST", "advance", {"hours": 6})
    assert warehouse.load("load-2", check=False) == 0
    assert warehouse.load("load-3", "--snapshot", "--table", "canvas.users", check=False) == 0

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
