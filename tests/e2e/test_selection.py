"""The README's selections build on a fresh warehouse (issue 11, item 3).

``dbt build --select +stg_canvas__submissions``, then ``--select +submission_fact``, on a database
where nothing else was ever built: only ``submissions`` is loaded, no other model exists, and the
relationships tests towards unbuilt models must not be selected (``indirect_selection: buildable``
in dbt_project.yml; dbt's default, ``eager``, selects them and they error), so both builds exit 0.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from emulator.server import Emulator
from tests.conftest import PgServer
from tests.e2e.conftest import Warehouse, create_warehouse

pytestmark = pytest.mark.slow


def build_selection(warehouse: Warehouse, selection: str) -> None:
    """``dbt build --select selection``: exit 0, no failing node, the model and tests ran."""
    code = warehouse.dbt(selection, "build", "--select", selection, "--threads", "4", check=False)
    results = json.loads((warehouse.work / "target" / "run_results.json").read_text())["results"]
    bad = [(r["unique_id"], r["status"], r.get("message")) for r in results]
    bad = [b for b in bad if b[1] in ("error", "fail", "skipped")]
    assert code == 0 and not bad, bad
    ran = {r["unique_id"] for r in results}
    assert f"model.cd2_warehouse.{selection.lstrip('+')}" in ran
    assert any(r.startswith("test.") for r in ran), "the selection ran no tests"


def test_documented_selections_build_on_a_fresh_warehouse(
    pg_server: PgServer, e2e_emulator: Emulator, tmp_path: Path
) -> None:
    warehouse = create_warehouse(pg_server, e2e_emulator, tmp_path, "selection_e2e")
    warehouse.load("load", "--namespace", "canvas", "--table", "submissions")
    build_selection(warehouse, "+stg_canvas__submissions")
    (count,) = warehouse.query("select count(*) from canvas.submissions")[0]
    assert count > 0
    build_selection(warehouse, "+submission_fact")
    (facts,) = warehouse.query("select count(*) from cd1.submission_fact")[0]
    assert facts == count
