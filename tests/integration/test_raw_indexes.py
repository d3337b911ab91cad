"""The loader indexes raw tables on ``_dap_job_seq``.

The base models' incremental runs read only the jobs they have not processed yet
(``_dap_job_seq >=`` their marker). Without an index every such run scans the whole raw table,
which only grows (measured on ``bench/dbt_incremental.py``'s database, 1M submissions plus a 1 %
increment: the incremental select of ``base_canvas__submissions`` took 1.7 s without the index,
0.07 s with it).
"""

from __future__ import annotations

from collections import Counter

from tests.helpers import assert_no_failed_tables, query, raw_table
from tests.integration.conftest import TABLES, Loader


def job_seq_indexes(dsn: str) -> Counter[tuple[str, str]]:
    """(schema, table) -> number of indexes on exactly ``(_dap_job_seq)``."""
    rows = query(
        dsn,
        "select schemaname, tablename from pg_indexes where schemaname like 'raw\\_%'"
        " and indexdef like '%(_dap_job_seq)'",
    )
    return Counter((str(schema), str(table)) for schema, table in rows)


def test_raw_tables_are_indexed_on_the_job_sequence_once(loader: Loader) -> None:
    assert_no_failed_tables(loader.run())
    expected = Counter({(f"raw_{ns}", raw_table(table)): 1 for ns, table in TABLES})
    assert job_seq_indexes(loader.dsn) == expected
    loader.emulator.advance(24)
    assert_no_failed_tables(loader.run())
    assert job_seq_indexes(loader.dsn) == expected
