"""The project's own generic tests and test scoping, run by real dbt on a real PostgreSQL.

A small dbt project whose macros are the repository's own (``macros/`` linked in) and whose
selectors are the repository's ``selectors.yml``, over tables written here by hand:

* ``equal_row_count`` (the CD1 grain test, macros/tests) fails when the counts differ and passes
  when they match, with and without ``compare_where``;
* ``get_where_subquery`` (macros/tests): under ``--selector refresh`` a test reads only the rows
  of the newest completed load (``_dap_loaded_at`` at or after its start, from the raw schema's
  ``_dap_sync_log`` and ``_dlt_loads``), so a bad row an older load wrote fails the nightly build
  only; the test's own ``where`` still applies; models without the marker are read whole;
* ``combined_checks`` (macros/tests): the refresh runs one test per model instead of its
  not_null, unique, no_deleted_keys and analytics_accepted_range tests, finds a NULL, a
  duplicate key, a kept tombstone and values out of range, fails (or only warns, for
  warn-severity checks) with one stored row per failing (column, check) and skips the model's
  children; the nightly build (and a plain ``dbt build``) runs the per-column tests and not the
  combined ones.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest

from tests.conftest import PgServer

REPO = Path(__file__).resolve().parents[2]
DBT = Path(sys.executable).parent / "dbt"
pytestmark = pytest.mark.slow

SOURCES = """
version: 2
sources:
  - name: canvas
    schema: raw_canvas
    tables:
      - name: items
      - name: keyed
"""

MODELS = """
version: 2
models:
  - name: items
    data_tests:
      - equal_row_count:
          arguments:
            compare_model: ref('three_rows')
      - equal_row_count:
          name: grain_differs
          arguments:
            compare_model: ref('two_rows')
      - equal_row_count:
          name: grain_filtered_matches
          arguments:
            compare_model: ref('four_rows')
            compare_where: "n <= 3"
      - equal_row_count:
          name: grain_filtered_differs
          arguments:
            compare_model: ref('three_rows')
            compare_where: "n <= 2"
    columns:
      - name: old_bad
        data_tests:
          - not_null:
              name: old_bad_not_null
      - name: new_bad
        data_tests:
          - not_null:
              name: new_bad_not_null
          - not_null:
              name: new_bad_not_null_where_other_rows
              config:
                where: "id <> 2"
          - not_null:
              name: new_bad_not_null_where_that_row
              config:
                where: "id = 2"
  - name: unmarked
    data_tests:
      - combined_checks
    columns:
      - name: old_bad
        data_tests:
          - not_null:
              name: unmarked_not_null
  - name: keyed
    data_tests:
      - combined_checks
    columns:
      - name: id
        data_tests: [unique, not_null]
      - name: name
        data_tests: [not_null]
  - name: stg_keyed
    data_tests:
      - combined_checks
    columns:
      - name: id
        data_tests:
          - unique
          - not_null
          - no_deleted_keys:
              arguments:
                base_model: ref('keyed')
          - analytics_accepted_range:
              arguments:
                min_value: 1
                max_value: 3
      - name: name
        data_tests:
          - not_null:
              config:
                severity: warn
  - name: warned
    data_tests:
      - combined_checks
    columns:
      - name: id
        data_tests: [unique]
      - name: name
        data_tests:
          - not_null:
              config:
                severity: warn
"""

# the rows of raw_canvas.items: id 1 from the older load, 2 and 3 from the newest completed one
ITEMS = [
    (1, None, "x", "2026-01-01 00:05:00+00"),
    (2, "x", None, "2026-01-02 00:00:00.5+00"),
    (3, "x", "x", "2026-01-02 00:09:00+00"),
]
# raw_canvas.keyed, a current state with tombstones: the older load wrote ids 1 and 5 (5 with a
# NULL name), the newest one a NULL name (2), a duplicate key (3) and a tombstone (4)
KEYED = [
    (1, "a", "U", "2026-01-01 00:05:00+00"),
    (5, None, "U", "2026-01-01 00:05:00+00"),
    (2, None, "U", "2026-01-02 00:05:00+00"),
    (3, "c", "U", "2026-01-02 00:05:00+00"),
    (3, "d", "U", "2026-01-02 00:05:00+00"),
    (4, "e", "D", "2026-01-02 00:05:00+00"),
]
# two runs completed; the third's package never reached _dlt_loads (still loading, or killed)
SYNC_LOG = [
    ("run1", "ok", "2026-01-01 00:00:00+00", "2026-01-01 00:10:00+00", "load-1"),
    ("run1", "failed", "2026-01-01 00:00:00+00", "2026-01-01 00:10:00+00", None),
    ("run2", "ok", "2026-01-02 00:00:00.5+00", "2026-01-02 00:09:30+00", "load-2a"),
    ("run2", "ok", "2026-01-02 00:01:00+00", "2026-01-02 00:10:00+00", "load-2b"),
    ("run3", "ok", "2026-01-02 00:20:00+00", "2026-01-02 00:30:00+00", "load-3"),
]
LOADS = [("load-1", 0), ("load-2a", 0), ("load-2b", 0), ("load-3", 1)]


@pytest.fixture
def project(pg_server: PgServer, tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """The small project and its fresh database (dropped afterwards)."""
    name = f"scope_{uuid.uuid4().hex[:10]}"
    _admin(pg_server, f'create database "{name}"')
    dsn = pg_server.url(name)
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute("create schema raw_canvas")
        cur.execute(
            "create table raw_canvas.items (id bigint, old_bad text, new_bad text,"
            " _dap_loaded_at timestamptz)"
        )
        cur.executemany("insert into raw_canvas.items values (%s, %s, %s, %s)", ITEMS)
        cur.execute(
            "create table raw_canvas.keyed (id bigint, name text, meta_action text,"
            " _dap_loaded_at timestamptz)"
        )
        cur.executemany("insert into raw_canvas.keyed values (%s, %s, %s, %s)", KEYED)
        cur.execute(
            "create table raw_canvas._dap_sync_log (run_id text, status text,"
            " started_at timestamptz, finished_at timestamptz, load_id text)"
        )
        cur.executemany(
            "insert into raw_canvas._dap_sync_log values (%s, %s, %s, %s, %s)", SYNC_LOG
        )
        cur.execute("create table raw_canvas._dlt_loads (load_id text, status bigint)")
        cur.executemany("insert into raw_canvas._dlt_loads values (%s, %s)", LOADS)
    root = tmp_path / "project"
    (root / "models").mkdir(parents=True)
    (root / "macros").symlink_to(REPO / "macros")
    (root / "selectors.yml").write_text((REPO / "selectors.yml").read_text("utf-8"))
    (root / "dbt_project.yml").write_text(
        "name: cd2_warehouse\nversion: '0.1.0'\nconfig-version: 2\nprofile: cd2\n"
        "models:\n  cd2_warehouse:\n    +materialized: table\n"
    )
    (root / "profiles.yml").write_text(
        "cd2:\n  target: t\n  outputs:\n    t:\n      type: postgres\n"
        f"      host: {pg_server.host}\n      port: {pg_server.port}\n"
        f"      user: {pg_server.user}\n      password: ''\n      dbname: {name}\n"
        "      schema: main\n      threads: 2\n"
    )
    models = root / "models"
    (models / "_sources.yml").write_text(SOURCES)
    (models / "_models.yml").write_text(MODELS)
    (models / "items.sql").write_text("select * from {{ source('canvas', 'items') }}")
    (models / "unmarked.sql").write_text("select id, old_bad from {{ source('canvas', 'items') }}")
    (models / "keyed.sql").write_text("select * from {{ source('canvas', 'keyed') }}")
    # a staging view that (wrongly) keeps the tombstone, without the change marker
    view = "{{ config(materialized='view') }} select id, name from {{ source('canvas', 'keyed') }}"
    (models / "stg_keyed.sql").write_text(view)
    (models / "warned.sql").write_text(f"{view} where id <> 3")
    (models / "keyed_child.sql").write_text("select id from {{ ref('keyed') }}")
    for rows, word in ((2, "two"), (3, "three"), (4, "four")):
        union = " union all ".join(f"select {n} as n" for n in range(1, rows + 1))
        (models / f"{word}_rows.sql").write_text(union)
    try:
        yield root, dsn
    finally:
        _admin(pg_server, f'drop database if exists "{name}" with (force)')


def _admin(pg_server: PgServer, statement: str) -> None:
    conn = psycopg2.connect(pg_server.dsn)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(statement)
    finally:
        conn.close()


def _parse_log(root: Path) -> str:
    """What dbt's log file says about parsing (its lines with "partial pars")."""
    log = root / "logs" / "dbt.log"
    lines = log.read_text("utf-8", "replace").splitlines() if log.exists() else []
    log.unlink(missing_ok=True)
    return "\n".join(line for line in lines if "partial pars" in line.lower())


def _dbt(root: Path, *args: str) -> dict[str, str]:
    """Run dbt in the project; the status of each test it ran, by test name."""
    return _dbt_output(root, *args)[0]


def _dbt_output(root: Path, *args: str) -> tuple[dict[str, str], str]:
    """Run dbt in the project; the status of each test it ran, by test name, and its output."""
    env = {
        **os.environ,
        "DBT_PROFILES_DIR": str(root),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DO_NOT_TRACK": "1",
    }
    result = subprocess.run(
        [str(DBT), *args, "--project-dir", str(root)],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    results = json.loads((root / "target" / "run_results.json").read_text("utf-8"))
    statuses = {
        r["unique_id"].split(".")[2]: r["status"]
        for r in results["results"]
        if r["unique_id"].startswith("test.")
    }
    assert statuses, result.stdout[-3000:] + result.stderr[-3000:]
    errors = {k: v for k, v in statuses.items() if v == "error"}
    assert not errors, result.stdout[-3000:]
    return statuses, result.stdout


def test_grain_test_and_changed_rows_scope(project: tuple[Path, str]) -> None:
    root, dsn = project
    nightly = _dbt(root, "build", "--selector", "nightly")
    grain = {k: v for k, v in nightly.items() if "equal_row_count" in k or "grain" in k}
    assert grain == {
        "equal_row_count_items_ref_three_rows_": "pass",
        "grain_differs": "fail",
        "grain_filtered_matches": "pass",
        "grain_filtered_differs": "fail",
    }
    # whole tables: the older load's NULL fails too; `where` narrows as dbt's own macro does
    assert nightly["old_bad_not_null"] == "fail"
    assert nightly["new_bad_not_null"] == "fail"
    assert nightly["new_bad_not_null_where_other_rows"] == "pass"
    assert nightly["new_bad_not_null_where_that_row"] == "fail"
    assert nightly["unmarked_not_null"] == "fail"
    # the per-column tests run one node each; the refresh's combined checks do not run
    assert nightly["not_null_keyed_name"] == "fail"
    assert nightly["unique_keyed_id"] == "fail"
    assert nightly["not_null_keyed_id"] == "pass"
    assert nightly[next(k for k in nightly if k.startswith("no_deleted_keys_stg_keyed"))] == "fail"
    assert nightly["not_null_warned_name"] == "warn"
    [in_range] = [k for k in nightly if k.startswith("analytics_accepted_range_stg_keyed_id")]
    assert nightly[in_range] == "fail"
    assert not any(k.startswith("combined_checks") for k in nightly)
    # a plain `dbt build` is the nightly build (its selector is the default)
    assert set(_dbt(root, "build")) == set(nightly)

    _parse_log(root)
    refresh, output = _dbt_output(root, "build", "--selector", "refresh")
    # the refresh after the nightly build (and the other way round) reuses its parse
    assert "Partial parsing enabled, no changes found" in _parse_log(root)
    # the grain tests count whole tables: the refresh leaves them to the nightly build
    assert not any("grain" in k or "equal_row_count" in k for k in refresh)
    # no per-column test node: one combined check per model instead
    assert not any(k.startswith(("not_null", "unique", "no_deleted", "analytics")) for k in refresh)
    assert not any(k.endswith("_not_null") or "_not_null_" in k for k in refresh)
    assert refresh == {
        "combined_checks_keyed_": "fail",
        "combined_checks_stg_keyed_": "fail",
        "combined_checks_warned_": "warn",  # only a warn-severity check fails
        "combined_checks_unmarked_": "fail",
    }
    # per model: the failed check of `keyed` skips its child, as its per-column tests would
    results = json.loads((root / "target" / "run_results.json").read_text("utf-8"))["results"]
    models = {
        r["unique_id"].split(".")[-1]: r["status"]
        for r in results
        if r["unique_id"].startswith("model.")
    }
    assert models["keyed_child"] == "skipped"
    assert models["stg_keyed"] == models["unmarked"] == "success"
    # dbt's failure message names the test (so the model) and the table of its failing rows
    assert "Failure in test combined_checks_keyed_" in output
    assert "Failure in test combined_checks_stg_keyed_" in output
    assert "dbt_test__audit" in output
    # one row per failing (column, check), with the count: the changed rows of `keyed` (its
    # older load's NULL name is the nightly build's to find); `stg_keyed` has no change marker,
    # so all of it: the tombstone it keeps, the duplicate, both NULL names (a warning)
    assert _failures(dsn, "combined_checks_keyed_") == {
        ("keyed", "id", "unique", "error", 1),
        ("keyed", "name", "not_null", "error", 1),
    }
    assert _failures(dsn, "combined_checks_stg_keyed_") == {
        ("stg_keyed", "id", "unique", "error", 1),
        ("stg_keyed", "id", "no_deleted_keys", "error", 1),
        ("stg_keyed", "id", "analytics_accepted_range", "error", 2),  # ids 4 and 5
        ("stg_keyed", "name", "not_null", "warn", 2),
    }
    assert _failures(dsn, "combined_checks_warned_") == {("warned", "name", "not_null", "warn", 2)}
    # no change marker: the whole relation, so the older load's NULL fails here too
    assert _failures(dsn, "combined_checks_unmarked_") == {
        ("unmarked", "old_bad", "not_null", "error", 1)
    }

    # forced scope on a plain `dbt test`: the per-column tests read the changed rows, and the
    # count comparisons still count all
    forced = _dbt(root, "test", "--vars", "{test_scope: changed}")
    # a var on the command line makes dbt parse the whole project again
    assert "Unable to do partial parsing because config vars" in _parse_log(root)
    assert forced["old_bad_not_null"] == "pass"
    assert forced["new_bad_not_null"] == "fail"
    assert forced["new_bad_not_null_where_other_rows"] == "pass"
    assert forced["new_bad_not_null_where_that_row"] == "fail"
    assert forced["unmarked_not_null"] == "fail"  # no change marker: the whole relation
    assert forced["equal_row_count_items_ref_three_rows_"] == "pass"
    assert forced["grain_differs"] == "fail"


def _failures(dsn: str, test: str) -> set[tuple[str, str, str, str, int]]:
    """The failing rows combined_checks stored for a test (store_failures)."""
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(
            "select table_schema from information_schema.tables where table_name = %s", (test,)
        )
        [(schema,)] = cur.fetchall()
        cur.execute(
            "select model_name, column_name, check_name, check_severity, failures"
            f' from "{schema}"."{test}"'
        )
        rows = {(m, c, k, s, int(f)) for m, c, k, s, f in cur.fetchall()}
    conn.close()
    return rows
