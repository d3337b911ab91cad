"""CD1 coverage against the SQL dbt compiled for the e2e warehouse (what ``python -m
loader.cd1_coverage --compiled-dir ...`` checks): every CD1 table has a model whose final select has
every CD1 column, in CD1 order, and no other, so CI fails when a mart loses a CD1 column. The
committed report (docs/cd1-coverage.md) must be the one these compiled selects give.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from loader import cd1_coverage
from tests.e2e.conftest import Warehouse

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
CD1_TABLES = 100
CD1_COLUMNS = 1191


def test_compiled_marts_cover_every_cd1_column(cd1_warehouse: Warehouse) -> None:
    compiled = cd1_warehouse.work / "target" / "compiled" / "cd2_warehouse" / cd1_coverage.MARTS_DIR
    tables = cd1_coverage.collect(REPO, compiled)
    assert len(tables) == CD1_TABLES
    assert sum(len(t.columns) for t in tables) == CD1_COLUMNS
    unchecked = [t.name for t in tables if t.selected is None]
    assert not unchecked, f"dbt compiled no SQL for {unchecked}"
    problems = {
        t.name: {
            "missing": t.missing,
            "not CD1": t.extra,
            "out of order": t.out_of_order,
            "NULL without a note": t.undocumented_nulls,
        }
        for t in tables
        if t.missing or t.extra or t.out_of_order or t.undocumented_nulls
    }
    assert not problems, f"CD1 tables not fully covered by the compiled marts: {problems}"
    assert sum(len(t.present) for t in tables) == CD1_COLUMNS
    committed = (REPO / cd1_coverage.COVERAGE_MD).read_text("utf-8")
    assert cd1_coverage.coverage_markdown(tables) == committed, (
        "docs/cd1-coverage.md is stale: run `cd2 codegen` (or python -m loader.cd1_coverage)"
    )
