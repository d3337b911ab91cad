"""The loader indexes raw tables on ``_dap_job_seq`` (BRIN).

The base models' incremental runs read only the jobs they have not processed yet
(``_dap_job_seq >`` their marker). Without an index every such run scans the whole raw table,
which only grows. The destination creates a BRIN index with the table, before the first COPY, so
the load never pays for building one; tables from earlier versions get it on their next load, and
lose the B-tree those versions created.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyarrow as pa

from tests.helpers import assert_no_failed_tables, query, raw_table
from tests.integration.conftest import TABLES, Loader


def job_seq_indexes(dsn: str) -> Counter[tuple[str, str, str]]:
    """(schema, table, access method) -> number of indexes on exactly ``(_dap_job_seq)``."""
    rows = query(
        dsn,
        "select schemaname, tablename, substring(indexdef from 'USING (\\w+)')"
        " from pg_indexes where schemaname like 'raw\\_%' and indexdef like '%(_dap_job_seq)%'",
    )
    return Counter((str(schema), str(table), str(method)) for schema, table, method in rows)


def test_raw_tables_get_one_brin_index_on_the_job_sequence(loader: Loader) -> None:
    assert_no_failed_tables(loader.run())
    expected = Counter({(f"raw_{ns}", raw_table(table), "brin"): 1 for ns, table in TABLES})
    assert job_seq_indexes(loader.dsn) == expected
    loader.emulator.advance(24)
    assert_no_failed_tables(loader.run())
    assert job_seq_indexes(loader.dsn) == expected


def test_a_table_of_an_earlier_version_trades_its_btree_for_brin(loader: Loader) -> None:
    assert_no_failed_tables(loader.run())
    # the layout earlier versions left: a B-tree index, no BRIN
    query(loader.dsn, "drop index raw_canvas.users__dap_job_seq_brin; select 1")
    query(
        loader.dsn,
        "create index users__dap_job_seq on raw_canvas.users (_dap_job_seq); select 1",
    )
    assert job_seq_indexes(loader.dsn)[("raw_canvas", "users", "btree")] == 1
    loader.emulator.advance(24)
    assert_no_failed_tables(loader.run())
    indexes = job_seq_indexes(loader.dsn)
    assert indexes[("raw_canvas", "users", "btree")] == 0
    assert indexes[("raw_canvas", "users", "brin")] == 1


def test_the_destination_creates_the_index_with_the_table(database: str, tmp_path: Path) -> None:
    """dlt's own CREATE TABLE brings the index (no loader step after the load involved)."""
    import dlt

    from loader.destination import make_destination

    pipeline = dlt.pipeline(
        "indexes",
        destination=make_destination(database),
        dataset_name="raw_x",
        pipelines_dir=str(tmp_path / "dlt"),
    )
    data = pa.table({"id": [1, 2], "_dap_job_seq": [1, 1]})
    pipeline.run(data, table_name="things", loader_file_format="csv")
    pipeline.run(pa.table({"id": [3]}), table_name="others", loader_file_format="csv")
    assert job_seq_indexes(database) == Counter({("raw_x", "things", "brin"): 1})
