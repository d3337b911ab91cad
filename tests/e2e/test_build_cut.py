"""One build, one set of loads; and an incremental mart made by an older version upgrades.

1. Every model of a dbt invocation reads the jobs whose load completed before the invocation
   started (``cd2_completed_jobs``: ``_dlt_loads.inserted_at <= run_started_at``). A load that
   completes while a build runs would otherwise reach some current-state models and not others
   built earlier, and an incremental mart, whose change marker then passed the missed records'
   ``_dap_loaded_at``, would never read them. Here the completed load's ``inserted_at`` is put
   after the build's start: the build must ignore it (current state empty), and the next build,
   with the real completion time, must take it.
2. A CD1 incremental mart built before it had the ``_dap_loaded_at`` marker (the column
   dropped here) is rebuilt by the next incremental run, which adds the column, and equals
   the mart it was.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from emulator.server import Emulator, Settings
from tests.conftest import PgServer
from tests.e2e.conftest import Warehouse, create_warehouse

pytestmark = pytest.mark.slow

TABLES = "courses,enrollment_terms,accounts,users,assignments,submissions,enrollments"
SELECT = ("--select", "+submission_fact")


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    emulator = Emulator(Settings(port=0, seed=5, scale="tiny"))
    emulator.start()
    try:
        yield emulator
    finally:
        emulator.shutdown()


@pytest.fixture(scope="module")
def warehouse(
    pg_server: PgServer, emulator: Emulator, tmp_path_factory: pytest.TempPathFactory
) -> Warehouse:
    warehouse = create_warehouse(
        pg_server, emulator, Path(tmp_path_factory.mktemp("build_cut")), "build_cut_e2e"
    )
    warehouse.load("load", "--namespace", "canvas", "--table", TABLES)
    return warehouse


def submission_fact_hash(warehouse: Warehouse) -> tuple[int, str]:
    [(count, digest)] = warehouse.query(
        "select count(*), md5(coalesce(string_agg(h, '' order by h), ''))"
        " from (select md5(t::text) as h from cd1.submission_fact t) rows"
    )
    return int(count), str(digest)


def test_a_load_completed_after_the_build_started_waits_for_the_next_build(
    warehouse: Warehouse,
) -> None:
    [(loads,)] = warehouse.query("select count(*) from raw_canvas._dlt_loads where status = 0")
    assert loads >= 1
    # as if the load completed a day after this build starts
    warehouse.query(
        "update raw_canvas._dlt_loads set inserted_at = inserted_at + interval '1 day'"
        " returning load_id"
    )
    warehouse.dbt("ahead", "run", *SELECT)
    [(raw,)] = warehouse.query("select count(*) from raw_canvas.submissions")
    assert raw > 0
    assert warehouse.query("select count(*) from canvas.submissions") == [(0,)]
    assert warehouse.query("select count(*) from cd1.submission_fact") == [(0,)]

    warehouse.query(
        "update raw_canvas._dlt_loads set inserted_at = inserted_at - interval '1 day'"
        " returning load_id"
    )
    warehouse.dbt("after", "run", *SELECT)
    live = warehouse.truth("canvas", "submissions").num_rows
    assert warehouse.query("select count(*) from canvas.submissions") == [(live,)]
    [(facts,)] = warehouse.query("select count(*) from cd1.submission_fact")
    assert facts == live


def test_a_mart_without_the_marker_column_is_rebuilt_with_it(warehouse: Warehouse) -> None:
    warehouse.dbt("full", "run", *SELECT, "--full-refresh")
    before = submission_fact_hash(warehouse)
    assert before[0] > 0
    warehouse.query(
        "alter table cd1.submission_fact drop column _dap_loaded_at;"
        " select count(*) from cd1.submission_fact"
    )
    warehouse.dbt("upgrade", "run", "--select", "submission_fact")
    columns = warehouse.query(
        "select column_name from information_schema.columns"
        " where table_schema = 'cd1' and table_name = 'submission_fact'"
        " order by ordinal_position desc limit 1"
    )
    assert columns == [("_dap_loaded_at",)]
    assert submission_fact_hash(warehouse) == before
