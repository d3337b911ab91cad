"""The shape of one synthetic Canvas institution: row counts and the structural id arithmetic.

Structural relationships (which course an assignment belongs to, which users a course enrolls, which
submission belongs to which assignment and student) are pure arithmetic on row slots, so any row of
any table can be generated on its own and every foreign key lands on a row that exists:

* course ``c`` (0-based) has sections ``2c, 2c+1``, assignment groups ``3c..3c+2``, assignments
  ``A*c .. A*c+A-1``, enrollments ``E*c .. E*c+E-1`` (teacher, TA, S students, observer), ...;
* student ``k`` of course ``c`` is user slot ``NI + (c*131 + k*P) mod NSP`` (P coprime with NSP,
  so a course never enrolls the same student twice);
* submission slot ``(c*A + j)*S + k`` is student ``k``'s submission to assignment ``j`` of
  course ``c``; assignment 0 takes file uploads: that submission lists file (attachment) slot
  ``4C + c*S + k``, which attachment_associations slot ``c*S + k`` links to it as well;
* courses with slot ``c mod 4 = 3`` are in the term with grading periods (G quarters): student
  ``k`` of such a course has a score per period, scores slot ``4SC + ((c // 4)*S + k)*G + g``.

Ids are ``slot + 1``, except a few users homed on another shard, whose ids are already global
(``shard * 10**13 + local id``), as CD2 shows them for cross-institution users.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

import pyarrow as pa
import pyarrow.compute as pc

SCALES: dict[str, tuple[int, int, int]] = {
    # name: (courses, assignments per course, students per course)
    "tiny": (4, 6, 8),
    "small": (30, 10, 15),
    "medium": (300, 10, 15),
    "large": (3000, 10, 15),
    "xlarge": (30000, 10, 15),
}
START = datetime(2026, 10, 1, tzinfo=UTC)
FOREIGN_SHARD = 7
SHARD_FACTOR = 10**13
MICROS_PER_DAY = 86_400_000_000
MICROS_PER_HOUR = 3_600_000_000
WEB_LOGS_PER_COURSE_DAY = 12
WEB_LOGS_RETENTION_DAYS = 30
GRADING_PERIODS = 4  # the quarters of the one grading period group (term "Fall 2026")


def _coprime_step(n: int, start: int = 7) -> int:
    step = start
    while math.gcd(step, n) != 1:
        step += 1
    return step


@dataclass(frozen=True)
class World:
    """Counts and id arithmetic for one scale.

    Attributes:
        courses: number of courses (C).
        assignments_per_course: A.
        students_per_course: S.
        submissions: number of submission rows (C*A*S unless capped by a row override).
    """

    courses: int
    assignments_per_course: int
    students_per_course: int
    submissions: int

    @classmethod
    def build(cls, scale: str | float, rows: dict[str, int] | None = None) -> World:
        """The world for a named scale (``tiny`` ... ``xlarge``) or a number of courses.

        A ``rows={"submissions": N}`` override sizes the institution so that the submissions
        table has exactly N rows.

        Raises:
            ValueError: unknown scale name or unsupported override.
        """
        if isinstance(scale, str) and scale not in SCALES:
            try:
                scale = float(scale)
            except ValueError:
                raise ValueError(
                    f"unknown scale {scale!r}; use one of {', '.join(SCALES)} or a course count"
                ) from None
        if isinstance(scale, str):
            c, a, s = SCALES[scale]
        else:
            c, a, s = max(1, int(scale)), 10, 15
        rows = dict(rows or {})
        subs = c * a * s
        if "submissions" in rows:
            subs = int(rows.pop("submissions"))
            c = max(1, math.ceil(subs / (a * s)))
        if rows:
            raise ValueError(
                f"row overrides are supported for submissions only, not {sorted(rows)}"
            )
        return cls(c, a, s, subs)

    # ------------------------------------------------------------------ sizes
    @property
    def enrollments_per_course(self) -> int:
        """E: teacher, TA, S students, observer."""
        return self.students_per_course + 3

    @property
    def accounts(self) -> int:
        """Root account plus a sub-account tree (binary-heap shaped)."""
        return max(7, self.courses // 4 + 3)

    @property
    def instructors(self) -> int:
        """NI: users who teach (slots 0..NI-1)."""
        return self.courses // 2 + 2

    @property
    def student_pool(self) -> int:
        """NSP: users who study (slots NI..NI+NSP-1)."""
        return max(
            self.students_per_course + 5, math.ceil(self.courses * self.students_per_course / 3)
        )

    @property
    def users(self) -> int:
        """All users."""
        return self.instructors + self.student_pool

    @property
    def student_step(self) -> int:
        """P, coprime with NSP."""
        return _coprime_step(self.student_pool)

    @property
    def grading_period_courses(self) -> int:
        """Courses in the term with grading periods: slots ``3, 7, 11, ...`` (slot mod 4 = 3)."""
        return self.courses // 4

    @property
    def web_logs_per_day(self) -> int:
        """Requests per simulated day."""
        return self.courses * WEB_LOGS_PER_COURSE_DAY

    # ------------------------------------------------------------------ ids
    def user_key(self, slots: pa.Array) -> pa.Array:
        """User ids for user slots: ``slot + 1``, or a global id for a few cross-shard users.

        Every 41st student-pool user (and only base users) lives on shard ``FOREIGN_SHARD``.
        """
        ids = pc.add(slots, 1)
        in_pool = pc.and_(pc.greater_equal(slots, self.instructors), pc.less(slots, self.users))
        foreign = pc.and_(in_pool, pc.equal(pc.remainder(slots, 41), 40))
        return pc.if_else(foreign, pc.add(ids, FOREIGN_SHARD * SHARD_FACTOR), ids)

    def student_user_slot(self, course: pa.Array, k: pa.Array) -> pa.Array:
        """User slot of student ``k`` of course ``course`` (both 0-based arrays)."""
        mixed = pc.add(pc.multiply(course, 131), pc.multiply(k, self.student_step))
        return pc.add(pc.remainder(mixed, self.student_pool), self.instructors)

    def teacher_user_slot(self, course: pa.Array) -> pa.Array:
        """User slot of the teacher of a course."""
        return pc.remainder(course, self.instructors)

    def ta_user_slot(self, course: pa.Array) -> pa.Array:
        """User slot of the TA of a course (another instructor)."""
        return pc.remainder(pc.add(course, self.instructors // 2 + 1), self.instructors)

    def counts(self) -> dict[str, int]:
        """Base row counts for the structured tables (others get small generic counts)."""
        c, a, s = self.courses, self.assignments_per_course, self.students_per_course
        e = self.enrollments_per_course
        return {
            "accounts": self.accounts,
            "enrollment_terms": 5,
            "courses": c,
            "course_sections": 2 * c,
            "users": self.users,
            "pseudonyms": self.users,
            "communication_channels": self.users,
            "user_account_associations": self.users,
            "roles": 9,
            "account_users": self.accounts,
            "enrollments": e * c,
            "enrollment_states": e * c,
            "course_account_associations": c,
            "assignment_groups": 3 * c,
            "assignments": a * c,
            "submissions": self.submissions,
            "submission_comments": self.submissions // 3,
            "scores": 4 * s * c + GRADING_PERIODS * s * self.grading_period_courses,
            "quizzes": 2 * c,
            "quiz_submissions": 2 * s * c,
            "quiz_groups": 2 * c,
            "quiz_questions": 10 * c,
            "assessment_question_banks": c,
            "assessment_questions": 5 * c,
            "discussion_topics": 3 * c,
            "discussion_entries": 18 * c,
            "discussion_topic_participants": 3 * c,
            "discussion_entry_participants": 18 * c,
            "wikis": 3 * c,
            "wiki_pages": 3 * c,
            "asset_user_accesses": 6 * c,
            "context_modules": 2 * c,
            "content_tags": 6 * c,
            "context_module_progressions": 2 * s * c,
            "group_categories": c,
            "groups": 2 * c,
            "group_memberships": 6 * c,
            "conversations": 2 * c,
            "conversation_messages": 6 * c,
            "conversation_participants": 4 * c,
            "conversation_message_participants": 12 * c,
            "attachments": 4 * c + c * s,
            "attachment_associations": c * s + c,
            "folders": c,
            "web_conferences": c,
            "web_conference_participants": 3 * c,
            "calendar_events": 2 * c,
            "assignment_overrides": 2 * c,
            "assignment_override_students": 2 * c,
            "rubrics": c,
            "rubric_associations": c,
            "rubric_assessments": s * c,
            "learning_outcomes": 4,
            "learning_outcome_groups": c + 1,
            "learning_outcome_results": s * c,
            "learning_outcome_question_results": s * c,
            "grading_period_groups": 1,
            "grading_periods": GRADING_PERIODS,
            "post_policies": a * c,
            "late_policies": c,
            "context_external_tools": 3,
            "developer_keys": 3,
            "Controller": len(CONTROLLERS),
            "Action": len(ACTIONS),
        }


CONTROLLERS: tuple[str, ...] = (
    "courses",
    "assignments",
    "submissions",
    "discussion_topics",
    "discussion_entries",
    "wiki_pages",
    "files",
    "quizzes/quizzes",
    "quizzes/quiz_submissions",
    "context_modules",
    "gradebooks",
    "announcements",
    "conversations",
    "collaborations",
    "conferences",
    "groups",
    "users",
    "profile",
    "calendar_events_api",
    "login/canvas",
    "outcomes",
    "rubrics",
    "external_tools",
    "grades",
    "context",
    "application",
    "sections",
    "enrollments_api",
    "page_views",
    "planner",
)
ACTIONS: tuple[str, ...] = (
    "index",
    "show",
    "create",
    "update",
    "destroy",
    "new",
    "edit",
    "grade",
    "grade_summary",
    "history",
    "download",
    "preview",
    "syllabus",
    "roster",
    "settings",
    "take",
    "submit",
    "reply",
    "mark_as_read",
    "api_index",
    "api_show",
    "api_create",
    "api_update",
    "home",
    "launch",
    "retrieve",
    "search",
    "statistics",
    "progressions",
    "redirect",
)
