"""CD1 coverage against the SQL dbt compiled for the e2e warehouse (what ``python -m
loader.cd1_coverage --compiled-dir ...`` checks): every CD1 table has a model whose final select has
every CD1 column, in CD1 order, and no other, so CI fails when a mart loses a CD1 column. CD1 is
the last schema we can establish: 4.2.1 plus its later additions (loader/cd1_reference.py); a
table may instead be a documented gap (``not_built``). The committed report
(docs/cd1-coverage.md) must be the one these compiled selects give.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from loader import cd1_coverage
from tests.e2e.conftest import Warehouse

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
CD1_TABLES = 100 + 6  # 4.2.1, then the Canvas Catalog tables of 4.2.2
CD1_COLUMNS = 1191 + 5 + 48  # 4.2.1, the columns added to 4.2.1 tables, the Catalog tables'


def test_compiled_marts_cover_every_cd1_column(cd1_warehouse: Warehouse) -> None:
    compiled = cd1_warehouse.work / "target" / "compiled" / "cd2_warehouse" / cd1_coverage.MARTS_DIR
    tables = cd1_coverage.collect(REPO, compiled)
    assert len(tables) == CD1_TABLES
    assert sum(len(t.columns) for t in tables) == CD1_COLUMNS
    unchecked = [t.name for t in tables if t.selected is None and not t.gap]
    assert not unchecked, f"dbt compiled no SQL for {unchecked}"
    problems = {
        t.name: {
            "missing": t.missing,
            "not CD1": t.extra,
            "out of order": t.out_of_order,
            "NULL without a note": t.undocumented_nulls,
        }
        for t in tables
        if not t.gap and (t.missing or t.extra or t.out_of_order or t.undocumented_nulls)
    }
    assert not problems, f"CD1 tables not fully covered by the compiled marts: {problems}"
    gaps = [t for t in tables if t.gap]
    assert all(t.not_built for t in gaps)
    assert sum(len(t.present) for t in tables) == CD1_COLUMNS - sum(len(t.columns) for t in gaps)
    # the columns CD1 added to 4.2.1 tables: in the compiled select, after the 4.2.1 columns
    added = {t.name: list(t.added_columns) for t in tables if t.added_columns}
    assert added == {
        "submission_dim": ["posted_at"],
        "learning_outcome_dim": ["outcome_import_id"],
        "learning_outcome_fact": ["outcome_import_id"],
        "learning_outcome_group_dim": ["outcome_import_id"],
        "learning_outcome_group_fact": ["outcome_import_id"],
    }
    for t in tables:
        if t.added_columns:
            cd1 = [c for c in (t.selected or []) if c in t.columns]
            assert cd1[-len(t.added_columns) :] == list(t.added_columns), t.name
    committed = (REPO / cd1_coverage.COVERAGE_MD).read_text("utf-8")
    assert cd1_coverage.coverage_markdown(tables) == committed, (
        "docs/cd1-coverage.md is stale: run `cd2 codegen` (or python -m loader.cd1_coverage)"
    )
