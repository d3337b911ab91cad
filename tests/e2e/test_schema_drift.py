"""A served schema that lacks catalog columns, adds one, or changes a column's type does not
break the dbt build (issue 11, items 2 and 5; README "a removed column does not break `dbt
build`").

One emulator and one database of their own:

1. before the first load the emulator's schema of ``courses`` lacks ``conclude_at`` and
   ``sis_source_id`` (read by ``course_dim``): raw never has them;
2. the first load snapshots every table but ``courses``, and dbt builds the base models of
   ``submissions`` and ``users``, and ``courses``'s base and staging models, empty with every
   catalog column; the clock advances; then ``submissions`` loses ``grade`` (read by
   ``submission_dim``; raw has it from the snapshot, the new rows lack it) and its ``attempt``
   goes from integer to bigint, ``users`` gains a column the catalog lacks and its
   ``storage_quota`` goes from bigint to text; the second load takes the increments (raw
   widened) and snapshots ``courses``;
3. ``dbt build`` without the data tests builds the seeds and every model, so every CD1 mart
   (the base models of ``submissions`` and ``users`` merge into tables whose column types
   changed), then ``dbt test`` of the staging models and marts over the changed tables: no
   test errors or fails (the generated tests on the missing columns warn at most). The staging
   views expose every catalog column (NULL, typed as the catalog says, where raw lacks it) plus
   the added one, and equal the emulator's ground truth on the columns the API serves.

(Every model plus the tests of the changed tables, rather than a whole ``dbt build``: the same
nodes fail either way, in a fraction of the time.)
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from emulator.server import Emulator, Settings
from tests.conftest import PgServer
from tests.e2e.conftest import REPO, create_warehouse
from tests.e2e.test_current_state import Rows, diff, staging_rows, truth_records

pytestmark = pytest.mark.slow

DROPPED_FIRST = ("conclude_at", "sis_source_id")  # canvas.courses, before the first snapshot
DROPPED_LATER = "grade"  # canvas.submissions, after the first load
ADDED = "preferred_pronouns_v2"  # canvas.users, after the first load
RETYPED = (("submissions", "attempt", "bigint"), ("users", "storage_quota", "text"))
TESTED = (
    "stg_canvas__courses stg_canvas__submissions stg_canvas__users course_dim submission_dim"
    " submission_fact user_dim"
)


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    emulator = Emulator(Settings(port=0, seed=5, scale="tiny"))
    emulator.start()
    try:
        yield emulator
    finally:
        emulator.shutdown()


def admin(emulator: Emulator, route: str, body: dict[str, Any]) -> Any:
    response = httpx.post(f"{emulator.url}/_emulator/{route}", json=body, timeout=120)
    response.raise_for_status()
    return response.json()


def test_served_schema_lacking_or_adding_columns_builds_every_mart(
    pg_server: PgServer, emulator: Emulator, tmp_path: Path
) -> None:
    for column in DROPPED_FIRST:
        admin(emulator, "schema", {"table": "courses", "kind": "drop_column", "column": column})
    warehouse = create_warehouse(pg_server, emulator, tmp_path, "schema_drift_e2e")
    warehouse.load("load-1", "--exclude", "canvas.courses")
    # courses builds empty (typed from the catalog) while it was never loaded
    warehouse.dbt(
        "base",
        "run",
        "--select",
        "base_canvas__submissions",
        "base_canvas__users",
        "base_canvas__courses",
        "stg_canvas__courses",
    )

    admin(emulator, "advance", {"hours": 24})
    admin(emulator, "schema", {"table": "submissions", "kind": "drop_column", "column": "grade"})
    admin(emulator, "schema", {"table": "users", "kind": "add_column", "column": ADDED})
    for table, column, type_ in RETYPED:
        admin(
            emulator,
            "schema",
            {"table": table, "kind": "change_type", "column": column, "type": type_},
        )
    admin(emulator, "advance", {"hours": 24})
    warehouse.load("load-2")
    raw_courses = {
        r[0]
        for r in warehouse.query(
            "select column_name from information_schema.columns"
            " where table_schema = 'raw_canvas' and table_name = 'courses'"
        )
    }
    assert raw_courses and not raw_courses & set(DROPPED_FIRST)
    (new_rows,) = warehouse.query(
        "select count(*) from raw_canvas.submissions where _dap_job_seq = 2"
        " and meta_action is distinct from 'D'"
    )[0]
    assert new_rows > 0

    for name, command in (
        ("run", ["build", "--exclude", "resource_type:test", "resource_type:unit_test"]),
        ("test", ["test", "--select", *TESTED.split()]),
    ):
        warehouse.dbt(name, *command, check=False)
        results = json.loads((tmp_path / "target" / "run_results.json").read_text())["results"]
        bad = [
            (r["unique_id"], r["status"], (r.get("message") or "")[:200])
            for r in results
            if r["status"] not in ("success", "pass", "warn", "no-op")
        ]
        assert results and not bad, bad
        if name == "run":
            built = {r["unique_id"].split(".")[-1] for r in results}
            marts = {p.stem for p in (REPO / "models" / "marts" / "cd1").glob("*.sql")}
            assert marts and not marts - built, sorted(marts - built)
    base_types = dict(
        warehouse.query(
            "select table_name || '.' || column_name, data_type from information_schema.columns"
            " where table_schema = 'canvas_base' and column_name in ('attempt', 'storage_quota')"
            " and table_name in ('base_canvas__submissions', 'base_canvas__users')"
        )
    )
    assert base_types == {
        "base_canvas__submissions.attempt": "bigint",
        "base_canvas__users.storage_quota": "text",
    }

    # every catalog column, typed; NULL where raw lacks it
    types = dict(
        warehouse.query(
            "select column_name, data_type from information_schema.columns"
            " where table_schema = 'canvas' and table_name = 'courses'"
        )
    )
    assert types["conclude_at"] == "timestamp with time zone"
    assert types["sis_source_id"] == "text"
    (filled,) = warehouse.query(
        "select count(*) from canvas.courses"
        " where conclude_at is not null or sis_source_id is not null"
    )[0]
    assert filled == 0
    (courses, dims) = warehouse.query(
        "select (select count(*) from canvas.courses), (select count(*) from cd1.course_dim)"
    )[0]
    assert courses > 0 and dims == courses
    (graded_new,) = warehouse.query(
        "select count(*) from canvas.submissions s"
        " join canvas_base.base_canvas__submissions b using (id)"
        " where b._dap_job_seq = 2 and s.grade is not null"
    )[0]
    assert graded_new == 0
    user_columns = {
        r[0]
        for r in warehouse.query(
            "select column_name from information_schema.columns"
            " where table_schema = 'canvas' and table_name = 'users'"
        )
    }
    assert ADDED in user_columns

    # staging equals the ground truth on the served columns
    problems = []
    for table in ("courses", "submissions", "users"):
        columns, truth = truth_records(emulator.url, "canvas", table)
        assert not set(columns) & {*DROPPED_FIRST, DROPPED_LATER}
        actual, kinds = staging_rows(warehouse.dsn, "canvas", table, columns[1])
        assert actual is not None
        expected = Rows.build(f"truth canvas.{table}", columns[1], columns, iter(truth), kinds)
        problem = diff(expected, actual, columns)
        if problem:
            problems.append(problem)
    assert not problems, "\n".join(problems)
