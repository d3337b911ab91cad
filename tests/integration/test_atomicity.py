"""A job lands in raw entirely or not at all.

A failure after some of a table's rows were handed to dlt must not leave a partial job behind (a
partial snapshot would look like a full state to dbt): the whole extract is abandoned, every
table of the run is reported, failure rows reach the sync log, and the rerun converges. With CSV
files (the default) nothing reaches dlt before the whole job parsed, so a parse failure fails only
its table and the rest of the run goes on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from loader import arrow_io
from loader import extract as loader_extract
from loader.arrow_io import ParseError
from tests.helpers import (
    assert_current_state_matches_truth,
    assert_no_failed_tables,
    assert_raw_matches_jobs,
    query,
    sync_log,
)
from tests.integration.conftest import Loader

TABLES = (("canvas", "accounts"), ("canvas", "users"), ("canvas", "submissions"))


@pytest.mark.parametrize("csv_direct", [True, False], ids=["csv_files", "arrow_items"])
def test_failure_after_rows_were_parsed_loses_nothing(
    make_loader: Callable[..., Loader], monkeypatch: pytest.MonkeyPatch, csv_direct: bool
) -> None:
    # one row per CSV file: several files are complete before the injected failure
    loader = make_loader(TABLES, csv_direct=csv_direct, rows_per_file=1)
    assert_no_failed_tables(loader.run())
    loader.emulator.advance(24)
    before = {t: query(loader.dsn, f"select count(*) from raw_canvas.{t}")[0][0] for _, t in TABLES}

    def broken_read(
        path: Path, fmt: str, layout: Any, options: Any = None, rejects: Any = None
    ) -> Iterator[pa.RecordBatch]:
        batches = arrow_io.read_object(path, fmt, layout, options, rejects)
        if layout.table != "submissions":
            yield from batches
            return
        yield next(batches)
        raise ParseError("object 0: row 7: bad value (injected)")

    def one_by_one(batches: Any, min_rows: int) -> Iterator[pa.Table]:
        for batch in batches:
            yield pa.Table.from_batches([batch])

    monkeypatch.setattr(loader_extract, "read_object", broken_read)
    monkeypatch.setattr(loader_extract, "rebatch", one_by_one)
    report = loader.run()
    assert not report.ok
    lines = report.failure_lines()
    after = {t: query(loader.dsn, f"select count(*) from raw_canvas.{t}")[0][0] for _, t in TABLES}
    failed = [r for r in sync_log(loader.dsn, "canvas") if r["status"] == "failed"]
    if csv_direct:
        # the files were still held back: one failed table, the others loaded
        assert lines == ["canvas.submissions: ParseError: object 0: row 7: bad value (injected)"]
        assert {r.table: r.status for r in report.results} == {
            "accounts": "ok",
            "users": "ok",
            "submissions": "failed",
        }
        assert after["submissions"] == before["submissions"]
        assert after["users"] > before["users"]
        assert [r["table_name"] for r in failed] == ["submissions"]
    else:
        assert any(
            line.startswith("canvas.submissions: ") and "run aborted" in line for line in lines
        )
        assert any("extract aborted" in line for line in lines)
        assert {r.status for r in report.results} == {"failed"}
        assert after == before  # nothing of the aborted run reached raw
        assert sorted(r["table_name"] for r in failed) == sorted(t for _, t in TABLES)

    monkeypatch.undo()
    assert_no_failed_tables(loader.run())
    for ns, table in TABLES:
        assert_current_state_matches_truth(loader.dsn, loader.emulator, ns, table)
    assert_raw_matches_jobs(loader.dsn, loader.emulator, TABLES)
