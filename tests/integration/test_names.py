"""Table and column names from the API that the loader cannot use (issue 11, item 7), served by
the emulator over HTTP (``POST /_emulator/alias`` lists a hostile table name, ``DELETE`` stops
listing it; ``POST /_emulator/schema`` ``add_column`` serves a hostile column): that table fails
alone with one clear line, nothing is written outside the work directories, the other tables load,
and once the name is gone again the rerun converges."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.helpers import (
    assert_current_state_matches_truth,
    assert_no_failed_tables,
    query,
)
from tests.integration.conftest import Loader

HOSTILE_TABLES = ("..", "../escape", "bad/name")


def test_hostile_table_names_fail_alone(make_loader: Callable[..., Loader], tmp_path: Path) -> None:
    loader = make_loader((), namespaces=("canvas_logs",))
    for alias in HOSTILE_TABLES:
        loader.emulator.admin(
            "POST", "alias", {"namespace": "canvas_logs", "table": "web_logs", "alias": alias}
        )
    listed = loader.client(loader.settings).list_tables("canvas_logs")
    assert set(HOSTILE_TABLES) <= set(listed)
    report = loader.run()
    failed = {r.table: r.error or "" for r in report.results if r.status == "failed"}
    assert set(failed) == set(HOSTILE_TABLES), failed
    for name, error in failed.items():
        assert repr(name) in error and "not a usable table name" in error and "\n" not in error
    loaded = {r.table for r in report.results if r.status == "ok"}
    assert "web_logs" in loaded and len(loaded) == len(listed) - len(HOSTILE_TABLES)
    assert_current_state_matches_truth(loader.dsn, loader.emulator, "canvas_logs", "web_logs")
    logged = {
        r[0]
        for r in query(
            loader.dsn,
            "select table_name from raw_canvas_logs._dap_sync_log where status = 'failed'",
        )
    }
    assert logged == set(HOSTILE_TABLES)
    assert not list(tmp_path.parent.glob("escape*")) and not list(tmp_path.glob("escape*"))

    # the API stops listing them: the rerun is clean and converges
    for alias in HOSTILE_TABLES:
        loader.emulator.admin("DELETE", "alias", {"namespace": "canvas_logs", "alias": alias})
    loader.emulator.advance(24)
    assert_no_failed_tables(loader.run())
    assert_current_state_matches_truth(loader.dsn, loader.emulator, "canvas_logs", "web_logs")


def test_colliding_column_names_fail_the_table_alone(make_loader: Callable[..., Loader]) -> None:
    loader = make_loader((("canvas", "accounts"), ("canvas", "users"), ("canvas", "submissions")))
    hostile = {"submissions": "userId", "users": "_dap_job_seq"}
    for table, column in hostile.items():
        loader.emulator.admin(
            "POST", "schema", {"table": table, "kind": "add_column", "column": column}
        )
    report = loader.run()
    failed = {r.table: r.error or "" for r in report.results if r.status == "failed"}
    assert set(failed) == {"submissions", "users"}, failed
    assert "'user_id' and 'userId' both become raw column 'user_id'" in failed["submissions"]
    assert "'_dap_job_seq' has the name of a loader column" in failed["users"]
    assert_current_state_matches_truth(loader.dsn, loader.emulator, "canvas", "accounts")

    for table, column in hostile.items():
        loader.emulator.admin(
            "POST", "schema", {"table": table, "kind": "drop_column", "column": column}
        )
    assert_no_failed_tables(loader.run())
    for table in ("users", "submissions"):
        assert_current_state_matches_truth(loader.dsn, loader.emulator, "canvas", table)
