"""Generated staging relationships: a polymorphic foreign key is checked only on the rows whose
type column names the target (no database)."""

from __future__ import annotations

import json

from loader import codegen


def _references(table: str, column: str) -> dict[str, str | None]:
    fks = codegen.foreign_keys(json.loads(codegen.FOREIGN_KEYS_FILE.read_text("utf-8")))
    catalog = codegen.load_catalog(codegen.CATALOG_DIR)
    known = {(ns, codegen.normalize(t)) for ns, tables in catalog.items() for t in tables}
    return {
        target: where
        for _, target, where in codegen._references("canvas", table, column, fks, known)
    }


def test_polymorphic_keys_check_only_rows_of_their_type() -> None:
    content = _references("content_tags", "content_id")
    assert content["assignments"] == "content_type = 'Assignment'"
    assert content["quizzes"] == "content_type = 'Quizzes::Quiz'"
    assert content["assessment_question_banks"] == "content_type = 'AssessmentQuestionBank'"
    assert content["rubrics"] == "content_type = 'Rubric'"
    assert "live_assessments_assessments" not in content  # a stub CD2 does not export
    results = _references("learning_outcome_results", "association_id")
    assert results["rubric_associations"] == "association_type = 'RubricAssociation'"
    artifacts = _references("learning_outcome_results", "artifact_id")
    assert artifacts["rubric_assessments"] == "artifact_type = 'RubricAssessment'"
    master = _references("master_courses_master_content_tags", "content_id")
    assert master["wikis"] == "content_type = 'Wiki'"
    assert master["content_tags"] == "content_type = 'ContentTag'"
    assert _references("attachments", "context_id")["content_migrations"] == (
        "context_type = 'ContentMigration'"
    )


def test_plain_keys_check_every_row() -> None:
    assert _references("content_tags", "context_module_id") == {"context_modules": None}


def test_every_polymorphic_key_of_an_exported_table_gets_a_type_filter() -> None:
    fks = codegen.foreign_keys(json.loads(codegen.FOREIGN_KEYS_FILE.read_text("utf-8")))
    catalog = codegen.load_catalog(codegen.CATALOG_DIR)
    known = {(ns, codegen.normalize(t)) for ns, tables in catalog.items() for t in tables}
    unnamed = sorted(
        {
            target
            for targets in fks.values()
            for tns, target, discriminator, cls in targets
            if discriminator and not cls and (tns, codegen.normalize(target)) in known
        }
    )
    assert not unnamed, f"add the Canvas class names of {unnamed} to codegen.CANVAS_CLASS"
