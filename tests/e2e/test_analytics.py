"""End to end: the Canvas Analytics marts recomputed in Python straight from the emulator's ground
truth (GET /_emulator/truth/{ns}/{table}) for one course and one student, and compared with what
``cd2 load`` + ``dbt build`` produced.

The reports recomputed: course_assignments (score statistics with the API's quartiles, tardiness
fractions, muted and non-digital flags) and course_student_summaries for one course, and
student_in_course_hourly_activity for one student. The database is loaded with the tables the
analytics models read only, and dbt builds the analytics marts and their ancestors only, so the
module stays well under two minutes at the tiny scale.
"""

from __future__ import annotations

import json
import math
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg2
import pytest

from emulator.server import Emulator
from tests.conftest import PgServer
from tests.e2e.conftest import BIN, Warehouse, _run, create_warehouse

pytestmark = pytest.mark.slow

DATABASE = "analytics_e2e"
# The CD2 tables upstream of models/marts/analytics (dbt ls --select +path:models/marts/analytics
# --resource-type source).
TABLES = (
    "accounts",
    "assignments",
    "attachments",
    "content_tags",
    "conversation_message_participants",
    "conversation_messages",
    "conversations",
    "courses",
    "discussion_topics",
    "enrollment_terms",
    "enrollments",
    "post_policies",
    "scores",
    "submission_comments",
    "submissions",
    "users",
    "canvas_logs.Controller",
    "canvas_logs.web_logs",
)
TOLERANCE = 1e-9
Row = dict[str, Any]


@pytest.fixture(scope="module")
def analytics_warehouse(
    pg_server: PgServer, e2e_emulator: Emulator, tmp_path_factory: pytest.TempPathFactory
) -> Warehouse:
    """A fresh database with the analytics tables loaded by ``cd2 load`` and ``dbt build`` run on
    the analytics marts and their ancestors (seed, staging, intermediate views, tests included)."""
    warehouse = create_warehouse(
        pg_server, e2e_emulator, Path(tmp_path_factory.mktemp("analytics_e2e")), DATABASE
    )
    cd2 = BIN / "cd2"
    command = [str(cd2)] if cd2.exists() else [sys.executable, "-m", "loader"]
    _run(
        command
        + ["load", "--dsn", warehouse.dsn, "--state-dir", str(warehouse.work / "state")]
        + ["--work-dir", str(warehouse.work / "downloads"), "--table", ",".join(TABLES)],
        warehouse.env,
        warehouse.work / "load.log",
    )
    warehouse.dbt(
        "build",
        "build",
        "--select",
        "+path:models/marts/analytics",
        # only the tests whose every parent is built (not, e.g., CD1 grain tests on a shared
        # intermediate model, or staging relationships to tables not loaded here)
        "--indirect-selection",
        "cautious",
        "--threads",
        "4",
        check=False,
    )
    warehouse.run_results = json.loads((warehouse.work / "target" / "run_results.json").read_text())
    return warehouse


# ------------------------------------------------------------------------------ ground truth


def truth_rows(warehouse: Warehouse, table: str, namespace: str = "canvas") -> list[Row]:
    return list(warehouse.truth(namespace, table).to_pylist())


def live_courses(warehouse: Warehouse) -> set[int]:
    return {r["id"] for r in truth_rows(warehouse, "courses") if r["workflow_state"] != "deleted"}


def students_by_course(warehouse: Warehouse) -> dict[int, set[int]]:
    """Users with an active or completed StudentEnrollment, per course that is not deleted."""
    courses = live_courses(warehouse)
    students: dict[int, set[int]] = defaultdict(set)
    for row in truth_rows(warehouse, "enrollments"):
        if (
            row["type"] == "StudentEnrollment"
            and row["workflow_state"] in ("active", "completed")
            and row["course_id"] in courses
        ):
            students[row["course_id"]].add(row["user_id"])
    return students


def canvas_quartiles(values: Iterable[float]) -> tuple[float, float, float]:
    """Canvas' Stats::Counter#quartiles: quartile p at the 1-based position (n + 1) * p, clamped
    into [1, n], interpolated linearly between its neighbours."""
    xs = sorted(values)
    n = len(xs)

    def at(p: float) -> float:
        h = min(max((n + 1) * p, 1.0), float(n))
        low = math.floor(h)
        value = xs[low - 1]
        if h > low:
            value += (h - low) * (xs[low] - xs[low - 1])
        return value

    return at(0.25), at(0.5), at(0.75)


def tardiness(submission: Row) -> str:
    """The status of one (assignment, student) pair that has a submission row, as the Analytics
    API tallies it (a student without a row is not assigned the assignment: not counted)."""
    submitted = submission["submitted_at"] is not None and submission["submission_type"] is not None
    if submission["excused"]:
        return "on_time" if submitted else "floating"
    if submission["late_policy_status"] in ("missing", "late"):
        return str(submission["late_policy_status"])
    if submission["late_policy_status"] is None and submission["cached_tardiness"] in (
        "missing",
        "late",
    ):
        return str(submission["cached_tardiness"])
    return "on_time" if submitted else "floating"


def naive_utc(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC).replace(tzinfo=None)


def close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= TOLERANCE


def query_dicts(warehouse: Warehouse, sql: str, params: Sequence[Any]) -> list[Row]:
    with psycopg2.connect(warehouse.dsn) as conn, conn.cursor() as cur:
        cur.execute(sql, tuple(params))
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def chosen_course(warehouse: Warehouse) -> int:
    """The live course with the most students (lowest id on ties): the one recomputed."""
    students = students_by_course(warehouse)
    assert students, "the emulator should enroll students in live courses"
    return min(students, key=lambda course: (-len(students[course]), course))


# ------------------------------------------------------------------------------------ tests


def test_analytics_build_is_green(analytics_warehouse: Warehouse) -> None:
    results = analytics_warehouse.run_results["results"]
    bad = [
        f"{r['unique_id']}: {r['status']} {r.get('message') or ''}".strip()
        for r in results
        if r["status"] not in ("success", "pass")
    ]
    assert not bad, "dbt build failures:\n" + "\n".join(bad)
    built = {r["unique_id"].split(".")[-1] for r in results if r["unique_id"].startswith("model.")}
    assert {
        "department_activity_by_date",
        "department_activity_by_category",
        "department_grade_distribution",
        "department_statistics",
        "department_statistics_by_subaccount",
        "course_activity",
        "course_assignments",
        "course_student_summaries",
        "student_in_course_hourly_activity",
        "student_in_course_participations",
        "student_in_course_assignments",
        "student_in_course_communication",
    } <= built


def test_course_assignments_match_truth(analytics_warehouse: Warehouse) -> None:
    warehouse = analytics_warehouse
    course = chosen_course(warehouse)
    students = students_by_course(warehouse)[course]
    assignments = [
        r
        for r in truth_rows(warehouse, "assignments")
        if r["context_id"] == course
        and r["context_type"] == "Course"
        and r["workflow_state"] == "published"
    ]
    submissions = {
        (r["assignment_id"], r["user_id"]): r
        for r in truth_rows(warehouse, "submissions")
        if r["course_id"] == course and r["workflow_state"] != "deleted"
    }
    policies = {
        (r["course_id"], r["assignment_id"]): r["post_manually"]
        for r in truth_rows(warehouse, "post_policies")
    }
    expected: dict[int, Row] = {}
    unassigned = 0
    for assignment in assignments:
        types = json.loads(assignment["submission_types"] or "[]")
        non_digital = len(types) == 0 or (
            len(types) == 1 and types[0] in ("on_paper", "none", "not_graded")
        )
        pairs = [
            submissions[(assignment["id"], student)]
            for student in students
            if (assignment["id"], student) in submissions
        ]
        unassigned += len(students) - len(pairs)
        scores = [p["score"] for p in pairs if p["score"] is not None]
        statuses = Counter(tardiness(p) for p in pairs) if not non_digital else Counter()
        total = sum(statuses.values())
        row: Row = {
            "title": assignment["title"],
            "points_possible": assignment["points_possible"],
            "due_at": naive_utc(assignment["due_at"]),
            "unlock_at": naive_utc(assignment["unlock_at"]),
            "is_muted": bool(
                policies.get((course, assignment["id"]), policies.get((course, None), False))
            ),
            "is_non_digital_submission": non_digital,
            "scored_submission_count": len(scores),
            "min_score": min(scores) if scores else None,
            "max_score": max(scores) if scores else None,
            "tardiness_total": total,
        }
        quartiles = canvas_quartiles(scores) if scores else (None, None, None)
        row["first_quartile_score"], row["median_score"], row["third_quartile_score"] = quartiles
        for status in ("on_time", "late", "missing", "floating"):
            row[f"{status}_fraction"] = statuses[status] / total if total else 0.0
        expected[assignment["id"]] = row
    assert expected, "the chosen course should have published assignments"
    assert unassigned > 0, "some student should not be assigned some assignment (no submission)"
    assert any(r["scored_submission_count"] >= 4 for r in expected.values())

    actual = {
        r.pop("assignment_id"): r
        for r in query_dicts(
            warehouse,
            "select assignment_id, title, points_possible, due_at, unlock_at, is_muted,"
            " is_non_digital_submission, scored_submission_count, min_score, max_score,"
            " median_score, first_quartile_score, third_quartile_score, on_time_fraction,"
            " late_fraction, missing_fraction, floating_fraction, tardiness_total"
            " from analytics.course_assignments where course_id = %s",
            [course],
        )
    }
    assert set(actual) == set(expected)
    for assignment_id, want in expected.items():
        got = actual[assignment_id]
        for column, value in want.items():
            if isinstance(value, float) or column.endswith(("_score", "_fraction")):
                assert close(got[column], value), (assignment_id, column, got[column], value)
            else:
                assert got[column] == value, (assignment_id, column, got[column], value)


def test_default_term_scopes_follow_concluded_courses(analytics_warehouse: Warehouse) -> None:
    """department_statistics' current and completed scopes (the root account): courses of the
    default term that are available and not concluded, and those concluded (completed, or past
    their own or their term's end now), as the API's scopes; both hold courses."""
    warehouse = analytics_warehouse
    now = datetime.now(UTC)
    terms = {r["id"]: r for r in truth_rows(warehouse, "enrollment_terms")}
    default_term = min(
        t
        for t, r in terms.items()
        if r["name"] == "Default Term" and r["workflow_state"] != "deleted"
    )
    root = next(
        r["id"] for r in truth_rows(warehouse, "accounts") if r["parent_account_id"] is None
    )
    expected: Counter[str] = Counter()
    for course in truth_rows(warehouse, "courses"):
        if course["enrollment_term_id"] != default_term:
            continue
        if course["workflow_state"] not in ("available", "completed"):
            continue
        ends = [course["conclude_at"], terms[default_term]["end_at"]]
        concluded = course["workflow_state"] == "completed" or any(
            end is not None and end < now for end in ends
        )
        expected["completed" if concluded else "current"] += 1
    rows = warehouse.query(
        "select scope, courses from analytics.department_statistics"
        " where account_id = %s and scope in ('current', 'completed') and term_id = %s",
        (root, default_term),
    )
    assert dict(rows) == dict(expected)
    assert expected["current"] > 0 and expected["completed"] > 0


def course_page_views(warehouse: Warehouse, course: int) -> list[Row]:
    """web_logs requests made by a user in the course."""
    return [
        r
        for r in truth_rows(warehouse, "web_logs", "canvas_logs")
        if r["course_id"] == course and r["user_id"] is not None
    ]


def test_course_student_summaries_match_truth(analytics_warehouse: Warehouse) -> None:
    warehouse = analytics_warehouse
    course = chosen_course(warehouse)
    students = students_by_course(warehouse)[course]
    views: Counter[int] = Counter()
    participations: Counter[int] = Counter()
    for request in course_page_views(warehouse, course):
        if request["user_id"] in students:
            views[request["user_id"]] += 1
            participations[request["user_id"]] += bool(request["participated"])
    active = [s for s in students if views[s] > 0]
    assert len(active) >= 4, "the chosen course's students should browse it"

    def level(n: int, values: list[int]) -> int:
        first, _, third = canvas_quartiles(values)
        if n == 0:
            return 0
        return 1 if n < first else 2 if n < third else 3

    digital = [
        a["id"]
        for a in truth_rows(warehouse, "assignments")
        if a["context_id"] == course
        and a["context_type"] == "Course"
        and a["workflow_state"] == "published"
        and json.loads(a["submission_types"] or "[]")
        not in ([], ["on_paper"], ["none"], ["not_graded"])
    ]
    submissions = {
        (r["assignment_id"], r["user_id"]): r
        for r in truth_rows(warehouse, "submissions")
        if r["course_id"] == course and r["workflow_state"] != "deleted"
    }
    expected = {}
    for student in students:
        statuses = Counter(
            tardiness(submissions[(a, student)]) for a in digital if (a, student) in submissions
        )
        expected[student] = (
            views[student],
            max(views[s] for s in active),
            level(views[student], [views[s] for s in active]),
            participations[student],
            max(participations[s] for s in active),
            level(participations[student], [participations[s] for s in active]),
            statuses["on_time"],
            statuses["late"],
            statuses["missing"],
            statuses["floating"],
            sum(statuses.values()),
        )
    rows = warehouse.query(
        "select user_id, page_views, max_page_views, page_views_level, participations,"
        " max_participations, participations_level, on_time_count, late_count, missing_count,"
        " floating_count, tardiness_total"
        " from analytics.course_student_summaries where course_id = %s",
        (course,),
    )
    assert {row[0]: tuple(row[1:]) for row in rows} == expected


def test_student_hourly_activity_matches_truth(analytics_warehouse: Warehouse) -> None:
    warehouse = analytics_warehouse
    course = chosen_course(warehouse)
    students = students_by_course(warehouse)[course]
    requests = [r for r in course_page_views(warehouse, course) if r["user_id"] in students]
    per_student = Counter(r["user_id"] for r in requests)
    student = min(per_student, key=lambda s: (-per_student[s], s))
    views: Counter[datetime] = Counter()
    participations: Counter[datetime] = Counter()
    participation_ids = set()
    for request in requests:
        if request["user_id"] != student:
            continue
        hour = (
            request["timestamp"]
            .astimezone(UTC)
            .replace(tzinfo=None, minute=0, second=0, microsecond=0)
        )
        views[hour] += 1
        if request["participated"]:
            participations[hour] += 1
            participation_ids.add(request["id"])
    assert sum(views.values()) >= 5, "the chosen student should have page views"

    rows = warehouse.query(
        "select activity_hour, page_views, participations"
        " from analytics.student_in_course_hourly_activity where course_id = %s and user_id = %s",
        (course, student),
    )
    assert {hour: (n, p) for hour, n, p in rows} == {
        hour: (views[hour], participations[hour]) for hour in views
    }
    listed = warehouse.query(
        "select request_id from analytics.student_in_course_participations"
        " where course_id = %s and user_id = %s",
        (course, student),
    )
    assert {row[0] for row in listed} == participation_ids


def test_models_over_tables_never_loaded_build_empty(analytics_warehouse: Warehouse) -> None:
    """roles and wikis were not loaded here: their base models build empty and typed, while loaded
    tables built in the same multi-threaded run keep their rows."""
    analytics_warehouse.dbt(
        "never-loaded",
        "run",
        "--select",
        "base_canvas__roles base_canvas__wikis base_canvas__users base_canvas__courses",
        "--threads",
        "4",
    )
    assert not analytics_warehouse.query("select to_regclass('raw_canvas.roles')")[0][0]
    for table in ("roles", "wikis"):
        [(rows,)] = analytics_warehouse.query(
            f"select count(*) from canvas_base.base_canvas__{table}"
        )
        assert rows == 0
        columns = {
            name
            for (name,) in analytics_warehouse.query(
                "select column_name from information_schema.columns"
                " where table_schema = 'canvas_base' and table_name = %s",
                (f"base_canvas__{table}",),
            )
        }
        assert {"id", "meta_action", "_dap_job_seq"} <= columns
    for table in ("users", "courses"):
        [(base,)] = analytics_warehouse.query(
            f"select count(distinct id) from canvas_base.base_canvas__{table}"
        )
        [(raw,)] = analytics_warehouse.query(f"select count(distinct id) from raw_canvas.{table}")
        assert base == raw > 0
