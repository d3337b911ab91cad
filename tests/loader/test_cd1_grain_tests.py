"""Every CD1 table has exactly one grain test: the generic ``equal_row_count`` that codegen writes
from the ``grain`` of docs/cd1/mapping, or a singular ``tests/dbt/cd1/assert_<table>_grain.sql``
where no single model counts the grain (no database)."""

from __future__ import annotations

from pathlib import Path

import yaml

from loader import cd1_reference, codegen

REPO = Path(__file__).resolve().parents[2]


def test_one_grain_test_per_cd1_table() -> None:
    tables = [t["table"] for t in cd1_reference.tables()]
    assert len(tables) == 106  # 4.2.1 and the Canvas Catalog tables of 4.2.2
    generated = yaml.safe_load(codegen.cd1_models_yml(REPO))
    generic: dict[str, list[dict[str, str]]] = {}
    for model in generated["models"]:
        for test in model.get("data_tests") or []:
            if isinstance(test, dict) and "equal_row_count" in test:
                generic.setdefault(model["name"], []).append(test["equal_row_count"]["arguments"])
    singular = {
        p.name.removeprefix("assert_").removesuffix("_grain.sql")
        for p in (REPO / "tests/dbt/cd1").glob("assert_*_grain.sql")
    }
    for table in tables:
        count = len(generic.get(table, [])) + (table in singular)
        assert count == 1, f"{table}: {count} grain tests"
    assert len(generic) == 87 and len(singular) == 19
    # the grain and its filter as the mapping notes give them
    scores = generic["assignment_group_score_dim"][0]
    assert scores == {
        "compare_model": "ref('stg_canvas__scores')",
        "compare_where": "assignment_group_id is not null",
    }
    assert generic["submission_fact"] == [{"compare_model": "ref('stg_canvas__submissions')"}]
