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

from loader.config import LoadSettings
from tests.helpers import assert_no_failed_tables, emulator_process, query, raw_table
from tests.integration.conftest import TABLES, Loader


def job_seq_indexes(dsn: str) -> Counter[tuple[str, str, str]]:
    """(schema, table, access method) -> number of indexes on exactly ``(_dap_job_seq)``."""
    rows = query(
        dsn,
        "select schemaname, tablename, substring(indexdef from 'USING (\\w+)')"
        " from pg_indexes where schemaname like 'raw\\_%' and indexdef like '%(_dap_job_seq)%'",
    )
    return Counter((str(schema), str(table), str(method)) for schema, table, method in rows)


def unsummarised_ranges(dsn: str) -> int:
    """Block ranges of the BRIN indexes that nothing summarised yet (summarising them now)."""
    total = 0
    for ns, table in TABLES:
        index = f'"raw_{ns}"."{raw_table(table)}__dap_job_seq_brin"'
        total += int(query(dsn, "select brin_summarize_new_values(%s::regclass)", (index,))[0][0])
    return total


def test_raw_tables_get_one_brin_index_on_the_job_sequence(loader: Loader) -> None:
    assert_no_failed_tables(loader.run())
    expected = Counter({(f"raw_{ns}", raw_table(table), "brin"): 1 for ns, table in TABLES})
    assert job_seq_indexes(loader.dsn) == expected
    # the loader summarised what it appended: the next dbt run can use the index at once
    assert unsummarised_ranges(loader.dsn) == 0
    loader.emulator.advance(24)
    assert_no_failed_tables(loader.run())
    assert job_seq_indexes(loader.dsn) == expected
    assert unsummarised_ranges(loader.dsn) == 0


def test_the_load_summarises_the_ranges_it_appended(database: str, tmp_path: Path) -> None:
    """Past the first block range (128 pages), appended ranges stay unsummarised, and are read by
    every query whatever their values, until someone summarises them: the loader does."""
    with emulator_process(tmp_path / "emu", "--seed", "1", "--rows", "submissions=4000") as emu:
        loader = Loader(
            emu,
            database,
            tmp_path / "state",
            LoadSettings(
                namespaces=("canvas",),
                tables=("canvas.submissions",),
                dsn=database,
                state_dir=tmp_path / "state",
                work_dir=tmp_path / "work",
                rate_limit_scale=0,
            ),
        )
        assert_no_failed_tables(loader.run())
        pages = query(database, "select pg_relation_size('raw_canvas.submissions') / 8192")[0][0]
        assert pages > 2 * 128, "too small to span several block ranges"
        index = '"raw_canvas"."submissions__dap_job_seq_brin"'
        assert query(database, "select brin_summarize_new_values(%s::regclass)", (index,)) == [(0,)]
        # and what the loader did is what an unsummarised index needs
        query(database, "select brin_desummarize_range(%s::regclass, 128)", (index,))
        assert query(database, "select brin_summarize_new_values(%s::regclass)", (index,)) == [(1,)]


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
