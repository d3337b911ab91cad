"""The generated data hangs together where the CD1 marts join it, also after changes: files listed
by submissions exist and are linked to them, grading-period scores, outcome results on rubric
assessments, module requirements on module items, and hard deletes that take their dependants."""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa
import pytest

from emulator.dataset import HARD_DELETE, Dataset


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    ds = Dataset(seed=1, scale="tiny")
    for hours in (24, 30):
        ds.advance(hours)
    return ds


def rows(ds: Dataset, table: str) -> list[dict[str, Any]]:
    """Current rows of a canvas table, keyed ``id`` plus the value columns."""
    batches = list(ds.ground_truth("canvas", table))
    out = pa.Table.from_batches(batches).to_pylist()
    return [{k.split(".", 1)[1]: v for k, v in r.items() if not k.startswith("meta.")} for r in out]


def ids(ds: Dataset, table: str, key: str = "id") -> set[int]:
    return {r[key] for r in rows(ds, table)}


def test_submission_files_exist_and_are_linked(dataset: Dataset) -> None:
    attachments = {r["id"]: r for r in rows(dataset, "attachments")}
    submissions = rows(dataset, "submissions")
    listed = {
        (s["id"], int(a))
        for s in submissions
        if s["attachment_ids"]
        for a in s["attachment_ids"].split(",")
    }
    assert listed
    assert all(s["submission_type"] == "online_upload" for s in submissions if s["attachment_ids"])
    for submission_id, attachment_id in listed:
        file = attachments.get(attachment_id)
        assert file is not None, f"submission {submission_id} lists missing file {attachment_id}"
        assert file["context_type"] == "User"
    by_id = {s["id"]: s for s in submissions}
    linked = {
        (a["context_id"], a["attachment_id"])
        for a in rows(dataset, "attachment_associations")
        if a["context_type"] == "Submission"
    }
    assert linked and linked <= listed  # hard-deleted associations leave listed files unlinked
    assert all(attachments[f]["user_id"] == by_id[s]["user_id"] for s, f in linked)


def test_grading_period_scores(dataset: Dataset) -> None:
    enrollments = {r["id"]: r for r in rows(dataset, "enrollments")}
    courses = {r["id"]: r for r in rows(dataset, "courses")}
    terms = {r["id"]: r for r in rows(dataset, "enrollment_terms")}
    periods = {r["id"]: r for r in rows(dataset, "grading_periods")}
    scored = [s for s in rows(dataset, "scores") if s["grading_period_id"] is not None]
    assert scored
    for score in scored:
        assert not score["course_score"] and score["assignment_group_id"] is None
        enrollment = enrollments[score["enrollment_id"]]
        assert enrollment["type"] == "StudentEnrollment"
        term = terms[courses[enrollment["course_id"]]["enrollment_term_id"]]
        group = periods[score["grading_period_id"]]["grading_period_group_id"]
        assert term["grading_period_group_id"] == group


def test_scores_and_enrollment_states_follow_their_enrollment(dataset: Dataset) -> None:
    enrollments = ids(dataset, "enrollments")
    assert {s["enrollment_id"] for s in rows(dataset, "scores")} <= enrollments
    assert ids(dataset, "enrollment_states", "enrollment_id") == enrollments
    st = dataset.states[("canvas", "enrollments")]
    gone = [s for s, i in st.latest.items() if st.ev_kind[i] == HARD_DELETE]
    assert gone
    e = dataset.world.enrollments_per_course
    assert all(s % e == e - 1 for s in gone)  # observers only


def test_outcome_results_point_at_rubric_assessments(dataset: Dataset) -> None:
    associations = ids(dataset, "rubric_associations")
    assessments = ids(dataset, "rubric_assessments")
    tags = {r["id"]: r for r in rows(dataset, "content_tags")}
    for result in rows(dataset, "learning_outcome_results"):
        assert result["association_type"] == "RubricAssociation"
        assert result["association_id"] in associations
        assert result["artifact_type"] == "RubricAssessment"
        assert result["artifact_id"] in assessments
        tag = tags[result["content_tag_id"]]
        assert tag["tag_type"] == "learning_outcome_association"
        assert tag["learning_outcome_id"] == result["learning_outcome_id"]


def test_discussion_authors_are_enrolled(dataset: Dataset) -> None:
    enrolled = {(r["user_id"], r["course_id"]) for r in rows(dataset, "enrollments")}
    topics = {r["id"]: r for r in rows(dataset, "discussion_topics")}
    group_courses = {r["id"]: r["context_id"] for r in rows(dataset, "groups")}
    in_groups = 0
    for entry in rows(dataset, "discussion_entries"):
        topic = topics.get(entry["discussion_topic_id"])
        if topic is not None:
            # a group topic's course is its group's course
            course = topic["context_id"]
            if topic["context_type"] == "Group":
                course, in_groups = group_courses[course], in_groups + 1
            assert (entry["user_id"], course) in enrolled
    assert in_groups > 0


def test_module_requirements_name_module_items(dataset: Dataset) -> None:
    items = {
        (r["context_module_id"], r["id"])
        for r in rows(dataset, "content_tags")
        if r["tag_type"] == "context_module"
    }
    for module in rows(dataset, "context_modules"):
        for requirement in json.loads(module["completion_requirements"]):
            assert (module["id"], requirement["id"]) in items
