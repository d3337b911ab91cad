"""A column whose type changes between schema versions (issue 11, item 5), against the emulator
over HTTP (``POST /_emulator/schema`` kind ``change_type``) and a real PostgreSQL.

The raw column is widened where PostgreSQL can (integer to bigint, anything to text), keeps its
type where it already holds the new values (a column first served untyped is text; a later
bigint still fits), and otherwise the table fails alone with one line naming the column and both
types; the other tables load, and a rerun after the type is back converges.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import psycopg2

from tests.helpers import (
    _canonical,
    assert_current_state_matches_truth,
    assert_no_failed_tables,
    current_state,
    query,
)
from tests.integration.conftest import Loader

TABLES = (("canvas", "accounts"), ("canvas", "users"), ("canvas", "submissions"))


def change_type(loader: Loader, table: str, column: str, type_: str) -> None:
    loader.emulator.admin(
        "POST",
        "schema",
        {
            "namespace": "canvas",
            "table": table,
            "kind": "change_type",
            "column": column,
            "type": type_,
        },
    )


def raw_types(loader: Loader, table: str) -> dict[str, str]:
    return dict(
        query(  # type: ignore[arg-type]
            loader.dsn,
            "select column_name, data_type from information_schema.columns"
            " where table_schema = 'raw_canvas' and table_name = %s",
            (table,),
        )
    )


def assert_submissions_match_truth(loader: Loader, as_text: set[str]) -> None:
    """Current state of submissions equals the truth; ``as_text`` columns compare as text
    (raw keeps text where the served type is now narrower)."""
    truth = {r["id"]: r for r in loader.emulator.truth("canvas", "submissions")}
    state = current_state(loader.dsn, "canvas", "submissions")
    assert set(state) == set(truth)
    columns = [c for c in next(iter(truth.values())) if c != "meta_ts"]

    def value(row: dict[str, Any], column: str) -> Any:
        v = row.get(column)
        if column in as_text and v is not None:
            return str(v)
        return _canonical(v)

    bad = [
        (k, c, truth[k].get(c), state[k].get(c))
        for k in truth
        for c in columns
        if value(truth[k], c) != value(state[k], c)
    ]
    assert not bad, bad[:5]


def test_type_changes_widen_or_fail_the_table_alone(make_loader: Callable[..., Loader]) -> None:
    loader = make_loader(TABLES)
    # first seen untyped: the raw column is text
    change_type(loader, "submissions", "extra_attempts", "untyped")
    assert_no_failed_tables(loader.run())
    assert raw_types(loader, "submissions")["extra_attempts"] == "text"
    assert raw_types(loader, "submissions")["attempt"] == "integer"

    # integer -> bigint, untyped (text) -> bigint, bigint -> text
    change_type(loader, "submissions", "attempt", "bigint")
    change_type(loader, "submissions", "extra_attempts", "bigint")
    change_type(loader, "users", "storage_quota", "text")
    loader.emulator.advance(24)
    report = loader.run()
    assert_no_failed_tables(report)
    types = raw_types(loader, "submissions")
    assert (types["attempt"], types["extra_attempts"]) == ("bigint", "text")
    assert raw_types(loader, "users")["storage_quota"] == "text"
    assert_submissions_match_truth(loader, {"extra_attempts"})
    assert_current_state_matches_truth(loader.dsn, loader.emulator, "canvas", "users")

    # boolean -> bigint: no type holds both; submissions fails alone, with one clear line
    change_type(loader, "submissions", "excused", "bigint")
    loader.emulator.advance(24)
    report = loader.run()
    failed = {r.table: r.error or "" for r in report.results if r.status == "failed"}
    assert set(failed) == {"submissions"}, failed
    message = failed["submissions"]
    assert "'excused'" in message and "boolean" in message and "bigint" in message, message
    assert "\n" not in message
    ((status,),) = query(
        loader.dsn,
        "select status from raw_canvas._dap_sync_log where table_name = 'submissions'"
        " order by finished_at desc limit 1",
    )
    assert status == "failed"
    assert_current_state_matches_truth(loader.dsn, loader.emulator, "canvas", "accounts")

    # the type comes back: the rerun converges
    change_type(loader, "submissions", "excused", "boolean")
    assert_no_failed_tables(loader.run())
    assert_submissions_match_truth(loader, {"extra_attempts"})


def test_documented_way_out_of_a_type_change_that_stays(
    make_loader: Callable[..., Loader],
) -> None:
    """docs/operations.md, 'A column changed type': rename the raw column, snapshot the table."""
    loader = make_loader(TABLES)
    assert_no_failed_tables(loader.run())
    change_type(loader, "submissions", "excused", "bigint")
    loader.emulator.advance(24)
    report = loader.run()
    assert {r.table for r in report.results if r.status == "failed"} == {"submissions"}

    with psycopg2.connect(loader.dsn) as conn, conn.cursor() as cur:
        cur.execute(
            "alter table raw_canvas.submissions rename column excused to excused_before_type_change"
        )
    conn.close()
    report = loader.run(force_snapshot=True, tables=("canvas.submissions",))
    assert_no_failed_tables(report)
    types = raw_types(loader, "submissions")
    assert (types["excused"], types["excused_before_type_change"]) == ("bigint", "boolean")
    assert_current_state_matches_truth(loader.dsn, loader.emulator, "canvas", "submissions")
    loader.emulator.advance(24)
    assert_no_failed_tables(loader.run())
    assert_current_state_matches_truth(loader.dsn, loader.emulator, "canvas", "submissions")
