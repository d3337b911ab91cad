"""The CD1 coverage report: select parsing, column checks and ER diagrams (no database)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from loader import cd1_coverage, cd1_reference

REPO = Path(__file__).resolve().parents[2]


def test_final_select_columns_reads_the_final_cte() -> None:
    sql = """
    with x as (select 1 as not_this),
    final as (
        select
            case when a = 'x, y' then 1 end as first_col, -- a comment, with a comma
            cast(null as varchar(256)) as "second",
            coalesce(f(a, b), 0) as third,
            t.fourth
        from x as t
    )
    select * from final
    """
    pairs = cd1_coverage.final_select_columns(sql)
    assert [name for name, _ in pairs] == ["first_col", "second", "third", "fourth"]
    assert cd1_coverage.NULL_EXPRESSION.match(pairs[1][1])
    assert not cd1_coverage.NULL_EXPRESSION.match(pairs[2][1])


def _project(tmp_path: Path) -> Path:
    """A copy of the CD1 inputs of this repository (reference is read from the package)."""
    for rel in (cd1_coverage.MAPPING_DIR, cd1_coverage.MARTS_DIR):
        shutil.copytree(REPO / rel, tmp_path / rel)
    return tmp_path


def _compiled(tmp_path: Path, tables: dict[str, list[str]]) -> Path:
    out = tmp_path / "compiled"
    out.mkdir()
    for table, columns in tables.items():
        select = ",\n".join(f"cast(null as text) as {c}" for c in columns)
        (out / f"{table}.sql").write_text(f"with final as (select {select}) select * from final")
    return out


def _reference_columns(table: str) -> list[str]:
    reference = json.loads(cd1_coverage.REFERENCE.read_text("utf-8"))
    return next(
        [c["name"] for c in t["columns"]] for t in reference["tables"] if t["table"] == table
    )


def test_missing_column_in_compiled_select_fails(tmp_path: Path) -> None:
    project = _project(tmp_path)
    columns = _reference_columns("enrollment_fact")
    compiled = _compiled(tmp_path, {"enrollment_fact": columns[:-1]})
    written, failing = cd1_coverage.write(project, compiled)
    assert failing == 1
    report = (project / cd1_coverage.COVERAGE_MD).read_text("utf-8")
    assert f"missing from the select: {columns[-1]}" in report
    assert project / cd1_coverage.COVERAGE_MD in written


def test_missing_model_fails_and_complete_tables_pass(tmp_path: Path) -> None:
    project = _project(tmp_path)
    compiled = _compiled(tmp_path, {"enrollment_fact": _reference_columns("enrollment_fact")})
    _, failing = cd1_coverage.write(project, compiled)
    assert failing == 0
    (project / cd1_coverage.MARTS_DIR / "role_dim.sql").unlink()
    _, failing = cd1_coverage.write(project, compiled)
    assert failing == 1
    assert "| role_dim | dimension | missing | 10 | 0 | 0 | 0 | 0 | no model |" in (
        project / cd1_coverage.COVERAGE_MD
    ).read_text("utf-8")


def test_null_notes_count_as_null_by_design(tmp_path: Path) -> None:
    project = _project(tmp_path)
    tables = cd1_coverage.collect(project, tmp_path / "no-compiled-sql")
    enrollment_fact = next(t for t in tables if t.name == "enrollment_fact")
    assert enrollment_fact.null_by_design == ["computed_final_score", "computed_current_score"]
    assert len(enrollment_fact.with_source) == len(enrollment_fact.columns) - 2


@pytest.mark.parametrize("fact", ["enrollment_fact", "requests"])
def test_erd_links_fact_to_referenced_dims(tmp_path: Path, fact: str) -> None:
    project = _project(tmp_path)
    tables = cd1_coverage.collect(project, tmp_path / "no-compiled-sql")
    files = cd1_coverage.erd_files(tables, project)
    diagram = files[cd1_coverage.ERD_DIR / f"{fact}.md"]
    assert "```mermaid\nerDiagram\n" in diagram
    assert f'{fact} }}o--o| user_dim : "user_id"' in diagram
    assert "user_dim {\n        bigint id PK" in diagram
    assert "{% docs cd1_erd %}" in files[cd1_coverage.ERD_DOCS]
    assert f"ref('{fact}')" in files[cd1_coverage.EXPOSURES_YML]


def test_approximate_tables_and_columns_are_marked_with_the_reason(tmp_path: Path) -> None:
    """An ``approximate:`` note (table or column) gives the table the status ``approximate``
    and lists the reason; this repository's quiz_submission_historical_* (one row per
    submission, not per attempt: mapping.md 9) and wiki_page_fact.view_count are marked."""
    tables = {t.name: t for t in cd1_coverage.collect(REPO)}
    for name in ("quiz_submission_historical_dim", "quiz_submission_historical_fact"):
        assert tables[name].status == "approximate"
        assert "attempt" in (tables[name].approximate or "")
        assert tables[name].approximate_columns == tables[name].with_source
    assert tables["wiki_page_fact"].approximate_columns == ["view_count"]
    assert tables["quiz_dim"].status != "approximate"
    text = cd1_coverage.coverage_markdown(list(tables.values()))
    assert (
        "| quiz_submission_historical_dim | (every column) | CD1 held one row per version" in text
    )
    assert "| wiki_page_fact | view_count | asset_user_accesses" in text
    assert (REPO / cd1_coverage.COVERAGE_MD).read_text("utf-8") == text


def test_reference_is_cd1_as_last_seen() -> None:
    """The schema the marts follow is 4.2.1 plus every later addition of the reference
    (cd1_schema.json ``later_additions``): added columns after a table's 4.2.1 columns, in the
    additions' order, added tables after the 4.2.1 tables."""
    raw = json.loads(cd1_coverage.REFERENCE.read_text("utf-8"))
    base = {t["table"]: [c["name"] for c in t["columns"]] for t in raw["tables"]}
    tables = cd1_reference.tables()
    names = [t["table"] for t in tables]
    assert names[: len(base)] == list(base)
    by_name = {t["table"]: t for t in tables}
    added_tables: list[str] = []
    for additions in raw["later_additions"].values():
        for table, columns in (additions.get("new_columns") or {}).items():
            have = [c["name"] for c in by_name[table]["columns"]]
            assert have[: len(base[table])] == base[table]
            assert have[len(base[table]) :] == columns
            assert all(c.get("added_in") for c in by_name[table]["columns"][len(base[table]) :])
        for table, columns in (additions.get("new_tables") or {}).items():
            assert [c["name"] for c in by_name[table]["columns"]] == list(columns)
            added_tables.append(table)
    assert names[len(base) :] == added_tables
    assert by_name["submission_dim"]["columns"][-1] == {
        **by_name["submission_dim"]["columns"][-1],
        "name": "posted_at",
        "type": "timestamp",
    }
    types = {c["name"]: c for c in by_name["catalog_product_dim"]["columns"]}
    assert types["enrollment_open"]["type"] == "boolean"
    assert types["title"] == {**types["title"], "type": "varchar", "length": 256}
    assert types["created_at"]["type"] == "timestamp"


def test_not_built_tables_are_a_documented_gap(tmp_path: Path) -> None:
    """A table with a ``not_built:`` note and no model has the status ``not built``, with the
    reason, and does not fail the run; without the note, a table with no model fails."""
    project = _project(tmp_path)
    compiled = tmp_path / "no-compiled-sql"
    (project / cd1_coverage.MARTS_DIR / "role_dim.sql").unlink()
    _, failing = cd1_coverage.write(project, compiled)
    assert failing == 1
    # read after the other mapping files, so its note on role_dim wins
    (project / cd1_coverage.MAPPING_DIR / "zz_gap.yml").write_text(
        'tables:\n  role_dim:\n    not_built: "no source yet"\n', "utf-8"
    )
    _, failing = cd1_coverage.write(project, compiled)
    assert failing == 0
    report = (project / cd1_coverage.COVERAGE_MD).read_text("utf-8")
    assert "| role_dim | dimension | not built | 10 | 0 | 0 | 0 | 0 |" in report
    assert "| role_dim | no source yet |" in report
