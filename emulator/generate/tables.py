"""Per-table structure: counts, key arithmetic and the columns that make the data hang together.

Each spec sets ``ctx.overrides`` for the columns that carry structure (foreign keys that must agree
with each other, states that must agree with scores, serialized lists that must name real ids).
Every other column comes from :mod:`emulator.generate.values`.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pyarrow as pa
import pyarrow.compute as pc

from emulator.generate.context import TS, Ctx
from emulator.generate.rand import null_where
from emulator.generate.values import person_name, short_text
from emulator.generate.world import (
    ACTIONS,
    CONTROLLERS,
    GRADING_PERIODS,
    MICROS_PER_DAY,
    World,
)

# Canvas class names of polymorphic targets.
CLASS_OF: dict[str, str] = {
    "courses": "Course",
    "groups": "Group",
    "accounts": "Account",
    "users": "User",
    "assignments": "Assignment",
    "quizzes": "Quizzes::Quiz",
    "submissions": "Submission",
    "course_sections": "CourseSection",
    "discussion_topics": "DiscussionTopic",
    "wiki_pages": "WikiPage",
    "attachments": "Attachment",
    "learning_outcomes": "LearningOutcome",
    "learning_outcome_groups": "LearningOutcomeGroup",
    "context_external_tools": "ContextExternalTool",
    "context_modules": "ContextModule",
    "conversation_messages": "ConversationMessage",
    "quiz_submissions": "Quizzes::QuizSubmission",
    "assessment_questions": "AssessmentQuestion",
    "rubrics": "Rubric",
    "assessment_question_banks": "AssessmentQuestionBank",
    "calendar_events": "CalendarEvent",
    "rubric_associations": "RubricAssociation",
    "rubric_assessments": "RubricAssessment",
    "content_migrations": "ContentMigration",
}

ROLES: tuple[tuple[str, str, str], ...] = (
    # (name, base_role_type, workflow_state)
    ("StudentEnrollment", "StudentEnrollment", "built_in"),
    ("TeacherEnrollment", "TeacherEnrollment", "built_in"),
    ("TaEnrollment", "TaEnrollment", "built_in"),
    ("DesignerEnrollment", "DesignerEnrollment", "built_in"),
    ("ObserverEnrollment", "ObserverEnrollment", "built_in"),
    ("AccountAdmin", "AccountAdmin", "built_in"),
    ("AccountMembership", "AccountMembership", "built_in"),
    ("Grader", "TaEnrollment", "active"),
    ("Librarian", "DesignerEnrollment", "active"),
)
TERMS: tuple[tuple[str, str | None, str | None], ...] = (
    ("Default Term", None, None),
    ("Fall 2025", "2025-08-25", "2025-12-19"),
    ("Spring 2026", "2026-01-12", "2026-05-08"),
    ("Summer 2026", "2026-05-26", "2026-08-07"),
    ("Fall 2026", "2026-08-24", "2026-12-18"),
)
GENERIC_COUNT_MIN = 3
# Namespaces whose tables the structured specs (SPECS, World.counts) describe, by table name;
# the catalog namespace's tables (accounts, users, enrollments, ...) share names with canvas
# tables but are generic.
STRUCTURED_NAMESPACES = ("canvas", "canvas_logs")


def polymorphic_target(table: str) -> str | None:
    """The Canvas class name stored in ``*_type`` columns for rows of ``table``."""
    return CLASS_OF.get(table)


def count_of(world: World, namespace: str, table: str) -> int:
    """Base row count of a table (0 for tables the emulator does not serve, e.g. stubs)."""
    from emulator.schema import load_catalog

    counts = world.counts()
    if namespace in STRUCTURED_NAMESPACES and table in counts:
        return counts[table]
    if table == "web_logs":
        return 0  # a log, not addressable by slot from other tables
    cat = _catalog_names()
    if (namespace, table) in cat:
        return max(GENERIC_COUNT_MIN, world.courses // 2)
    del load_catalog
    return 0


_CAT_NAMES: set[tuple[str, str]] = set()


def _catalog_names() -> set[tuple[str, str]]:
    if not _CAT_NAMES:
        from emulator.schema import load_catalog

        _CAT_NAMES.update((t.namespace, t.name) for t in load_catalog().all_tables())
    return _CAT_NAMES


def key_of(world: World, namespace: str, table: str, slots: pa.Array) -> pa.Array:
    """Primary-key values for row slots of a table (int64)."""
    if namespace == "canvas" and table == "users":
        return world.user_key(slots)
    return pc.add(pc.cast(slots, pa.int64()), 1)


# ---------------------------------------------------------------------------- helpers


def _course_of(ctx: Ctx, per_course: int) -> pa.Array:
    return ctx.div(ctx.sslots, per_course)


def _ids(ctx: Ctx, slots: pa.Array) -> pa.Array:
    return pc.add(slots, 1)


def _set(ctx: Ctx, **thunks: Callable[[], pa.Array]) -> None:
    ctx.overrides.update(thunks)


def _json_list(parts: list[pa.Array]) -> pa.Array:
    """A JSON array text from per-row JSON element texts (nulls skipped)."""
    joined = pc.binary_join_element_wise(*parts, ",", null_handling="skip")
    return pc.binary_join_element_wise("[", joined, "]", "")


def _str(a: pa.Array) -> pa.Array:
    return pc.cast(a, pa.string())


# ---------------------------------------------------------------------------- specs


def accounts(ctx: Ctx) -> None:
    heap_parent = pc.add(
        ctx.div(pc.subtract(ctx.sslots, 1), 2), 1
    )  # slot i -> parent slot (i-1)//2
    is_root = pc.equal(ctx.slots, 0)
    _set(
        ctx,
        parent_account_id=lambda: null_where(heap_parent, is_root),
        name=lambda: pc.if_else(
            is_root,
            pa.scalar("Example University"),
            pc.binary_join_element_wise(
                "Department of",
                ctx.rand.choice(
                    "dept",
                    (
                        "Biology",
                        "History",
                        "Engineering",
                        "Nursing",
                        "Música",
                        "Mathematics",
                        "Law",
                        "Arts",
                    ),
                    versioned=False,
                ),
                _str(ctx.slots),
                " ",
            ),
        ),
        workflow_state=lambda: pc.if_else(
            ctx.soft_deleted(), pa.scalar("deleted"), pa.scalar("active")
        ),
        consortium_parent_account_id=lambda: pa.nulls(ctx.n, pa.int64()),
        course_template_id=lambda: pa.nulls(ctx.n, pa.int64()),
    )


def enrollment_terms(ctx: Ctx) -> None:
    idx = pc.remainder(ctx.sslots, len(TERMS))
    names = pa.array([t[0] for t in TERMS])
    starts = pa.array([t[1] for t in TERMS], pa.string())
    ends = pa.array([t[2] for t in TERMS], pa.string())

    def ts(col: pa.Array) -> pa.Array:
        d = pc.take(col, idx)
        return pc.cast(pc.strptime(d, format="%Y-%m-%d", unit="us"), TS)

    _set(
        ctx,
        name=lambda: pc.take(names, idx),
        start_at=lambda: ts(starts),
        end_at=lambda: ts(ends),
        term_code=lambda: pc.binary_join_element_wise("T", _str(idx), ""),
        grading_period_group_id=lambda: null_where(ctx.const(1, pa.int64()), pc.not_equal(idx, 4)),
        workflow_state=lambda: ctx.const("active"),
    )


def courses(ctx: Ctx) -> None:
    w = ctx.world
    # terms 2..5 (slot 1..4); courses 0 and 1 of every 8 are in the default term (slot 0): the
    # first runs on with no end date, the second concluded on its own end date (Analytics' current
    # and completed scopes)
    in_default = pc.less(pc.remainder(ctx.sslots, 8), 2)
    ongoing = pc.equal(pc.remainder(ctx.sslots, 8), 0)
    term_idx = pc.if_else(in_default, 0, pc.add(pc.remainder(ctx.sslots, 4), 1))
    n_acc = w.accounts
    account = pc.add(ctx.rand.below("account", n_acc - 1, versioned=False), 2)
    subject = ctx.rand.choice(
        "subject",
        ("BIOL", "HIST", "CHEM", "PHYS", "ECON", "PSYC", "MATH", "NURS", "MUSC", "LING"),
        versioned=False,
    )
    number = _str(ctx.rand.integers("number", 100, 499, versioned=False))
    code = pc.binary_join_element_wise(subject, number, " ")
    ws_pick = ctx.rand.choice(
        "ws", ("available",) * 14 + ("completed", "completed", "claimed", "created"), versioned=True
    )
    term_start = pc.take(pa.array([None] + [t[1] for t in TERMS[1:]], pa.string()), term_idx)
    term_end = pc.take(pa.array([None] + [t[2] for t in TERMS[1:]], pa.string()), term_idx)
    concluded = pc.and_(in_default, pc.invert(ongoing))
    term_start = pc.if_else(concluded, pa.scalar(TERMS[2][1]), term_start)
    term_end = pc.if_else(concluded, pa.scalar(TERMS[2][2]), term_end)
    # both published, so that each scope has a course whatever the random states give
    ws_pick = pc.if_else(in_default, pa.scalar("available"), ws_pick)
    _set(
        ctx,
        account_id=lambda: account,
        enrollment_term_id=lambda: pc.add(term_idx, 1),
        start_at=lambda: pc.cast(pc.strptime(term_start, format="%Y-%m-%d", unit="us"), TS),
        conclude_at=lambda: pc.cast(pc.strptime(term_end, format="%Y-%m-%d", unit="us"), TS),
        wiki_id=lambda: pc.add(ctx.sslots, 1),
        course_code=lambda: code,
        name=lambda: pc.binary_join_element_wise(
            code, short_text(ctx, ctx.table.column("name"), True), ": "
        ),
        sis_source_id=lambda: pc.binary_join_element_wise("CRS-", _str(pc.add(ctx.slots, 1)), ""),
        workflow_state=lambda: pc.if_else(ctx.soft_deleted(), pa.scalar("deleted"), ws_pick),
        tab_configuration=lambda: _tab_configuration(ctx),
        grading_standard_id=lambda: pa.nulls(ctx.n, pa.int64()),
        template_course_id=lambda: pa.nulls(ctx.n, pa.int64()),
        replacement_course_id=lambda: pa.nulls(ctx.n, pa.int64()),
        homeroom_course_id=lambda: pa.nulls(ctx.n, pa.int64()),
        abstract_course_id=lambda: pa.nulls(ctx.n, pa.int64()),
    )


def _tab_configuration(ctx: Ctx) -> pa.Array:
    tabs = ["0", "1", "2", "3", "4", "5", "10", "context_external_tool_1"]
    parts = []
    for pos, tab_id in enumerate(tabs):
        hidden = ctx.rand.chance(f"tab{pos}", 0.25)
        tid = tab_id if tab_id.isdigit() else json.dumps(tab_id)
        elem = pc.if_else(
            hidden, pa.scalar(f'{{"id":{tid},"hidden":true}}'), pa.scalar(f'{{"id":{tid}}}')
        )
        parts.append(elem)
    return null_where(_json_list(parts), ctx.rand.chance("tabs-null", 0.3))


def course_sections(ctx: Ctx) -> None:
    course = _course_of(ctx, 2)
    first = pc.equal(pc.remainder(ctx.sslots, 2), 0)
    w = ctx.world
    crosslisted = pc.and_(pc.invert(first), ctx.rand.chance("xlist", 0.1, versioned=False))
    other = pc.remainder(pc.add(course, 1), w.courses)
    _set(
        ctx,
        course_id=lambda: pc.add(pc.if_else(crosslisted, other, course), 1),
        nonxlist_course_id=lambda: null_where(pc.add(course, 1), pc.invert(crosslisted)),
        default_section=lambda: first,
        enrollment_term_id=lambda: pc.add(pc.remainder(course, 4), 2),
        name=lambda: pc.binary_join_element_wise("Section", _str(pc.add(ctx.slots, 1)), " "),
    )


def users(ctx: Ctx) -> None:
    name = person_name(ctx, ctx.sslots, "user")
    _set(
        ctx,
        name=lambda: name,
        short_name=lambda: name,
        sortable_name=lambda: name,
        merged_into_user_id=lambda: pa.nulls(ctx.n, pa.int64()),
        workflow_state=lambda: pc.if_else(
            ctx.soft_deleted(), pa.scalar("deleted"), pa.scalar("registered")
        ),
    )


def _user_row(ctx: Ctx) -> pa.Array:
    """For tables with one row per user (slot = user slot)."""
    return ctx.user_ids(ctx.sslots)


def pseudonyms(ctx: Ctx) -> None:
    _set(
        ctx,
        user_id=lambda: _user_row(ctx),
        account_id=lambda: ctx.const(1, pa.int64()),
        unique_id=lambda: pc.binary_join_element_wise(
            "user", _str(pc.add(ctx.slots, 1)), "@example.edu", ""
        ),
        sis_user_id=lambda: pc.binary_join_element_wise("S", _str(pc.add(ctx.slots, 1000)), ""),
        authentication_provider_id=lambda: pa.nulls(ctx.n, pa.int64()),
        workflow_state=lambda: pc.if_else(
            ctx.soft_deleted(), pa.scalar("deleted"), pa.scalar("active")
        ),
    )


def communication_channels(ctx: Ctx) -> None:
    _set(
        ctx,
        user_id=lambda: _user_row(ctx),
        pseudonym_id=lambda: pc.add(ctx.sslots, 1),
        path=lambda: pc.binary_join_element_wise(
            "user", _str(pc.add(ctx.sslots, 1)), "@example.edu", ""
        ),
        path_type=lambda: ctx.const("email"),
        position=lambda: ctx.const(1, pa.int32()),
    )


def user_account_associations(ctx: Ctx) -> None:
    _set(
        ctx,
        user_id=lambda: _user_row(ctx),
        account_id=lambda: ctx.const(1, pa.int64()),
        depth=lambda: ctx.const(0, pa.int32()),
    )


def roles(ctx: Ctx) -> None:
    idx = pc.remainder(ctx.sslots, len(ROLES))
    _set(
        ctx,
        name=lambda: pc.take(pa.array([r[0] for r in ROLES]), idx),
        base_role_type=lambda: pc.take(pa.array([r[1] for r in ROLES]), idx),
        workflow_state=lambda: pc.take(pa.array([r[2] for r in ROLES]), idx),
        account_id=lambda: ctx.const(1, pa.int64()),
        deleted_at=lambda: pc.cast(pa.nulls(ctx.n, pa.int64()), TS),
    )


def account_users(ctx: Ctx) -> None:
    _set(
        ctx,
        account_id=lambda: pc.add(ctx.sslots, 1),
        user_id=lambda: ctx.user_ids(ctx.mod(ctx.sslots, ctx.world.instructors)),
        role_id=lambda: ctx.const(6, pa.int64()),
    )


ENROLLMENT_TYPES = ("TeacherEnrollment", "TaEnrollment", "StudentEnrollment", "ObserverEnrollment")
ROLE_ID_OF = {
    "StudentEnrollment": 1,
    "TeacherEnrollment": 2,
    "TaEnrollment": 3,
    "ObserverEnrollment": 5,
}


def _enrollment_parts(ctx: Ctx, slots: pa.Array) -> tuple[pa.Array, pa.Array, pa.Array]:
    """(course, k, type index 0..3) of enrollment slots."""
    w = ctx.world
    e = w.enrollments_per_course
    course = ctx.div(slots, e)
    k = ctx.mod(slots, e)
    kind = pc.if_else(
        pc.equal(k, 0), 0, pc.if_else(pc.equal(k, 1), 1, pc.if_else(pc.equal(k, e - 1), 3, 2))
    )
    return course, k, pc.cast(kind, pa.int64())


def enrollment_user_slot(ctx: Ctx, slots: pa.Array) -> pa.Array:
    """User slot enrolled by each enrollment slot."""
    w = ctx.world
    course, k, kind = _enrollment_parts(ctx, slots)
    student = w.student_user_slot(course, pc.subtract(k, 2))
    observer = w.student_user_slot(course, pc.add(ctx.mod(course, 3), w.students_per_course))
    return pc.if_else(
        pc.equal(kind, 0),
        w.teacher_user_slot(course),
        pc.if_else(
            pc.equal(kind, 1),
            w.ta_user_slot(course),
            pc.if_else(pc.equal(kind, 2), student, observer),
        ),
    )


def enrollments(ctx: Ctx) -> None:
    course, k, kind = _enrollment_parts(ctx, ctx.sslots)
    types = pc.take(pa.array(ENROLLMENT_TYPES), kind)
    role = pc.take(pa.array([ROLE_ID_OF[t] for t in ENROLLMENT_TYPES], pa.int64()), kind)
    section = pc.add(pc.multiply(course, 2), pc.remainder(k, 2))
    ws = ctx.rand.choice(
        "ws", ("active",) * 16 + ("completed", "completed", "inactive", "invited"), versioned=True
    )
    ws = pc.if_else(ctx.soft_deleted(), pa.scalar("deleted"), ws)
    _set(
        ctx,
        course_id=lambda: pc.add(course, 1),
        course_section_id=lambda: pc.add(section, 1),
        user_id=lambda: ctx.user_ids(enrollment_user_slot(ctx, ctx.sslots)),
        type=lambda: types,
        role_id=lambda: role,
        workflow_state=lambda: ws,
        associated_user_id=lambda: null_where(
            ctx.user_ids(ctx.world.student_user_slot(course, ctx.const(0, pa.int64()))),
            pc.not_equal(kind, 3),
        ),
        sis_pseudonym_id=lambda: pa.nulls(ctx.n, pa.int64()),
        grade_publishing_status=lambda: ctx.const("unpublished"),
        total_activity_time=lambda: pc.cast(ctx.rand.integers("activity", 0, 90_000), pa.int32()),
    )


def enrollment_states(ctx: Ctx) -> None:
    _set(ctx, state=lambda: ctx.rand.choice("state", ("active",) * 8 + ("completed", "invited")))


def course_account_associations(ctx: Ctx) -> None:
    _set(
        ctx,
        course_id=lambda: pc.add(ctx.sslots, 1),
        course_section_id=lambda: pa.nulls(ctx.n, pa.int64()),
        depth=lambda: ctx.const(1, pa.int32()),
    )
    # account_id: the course's own account (recomputed with the same draw the courses spec uses)
    n_acc = ctx.world.accounts
    from emulator.generate.rand import Rand, salt

    course_rand = Rand(ctx.sslots, None, salt(ctx.seed, "canvas", "courses"))
    ctx.overrides["account_id"] = lambda: pc.add(
        course_rand.below("account", n_acc - 1, versioned=False), 2
    )


def assignment_groups(ctx: Ctx) -> None:
    g = ctx.mod(ctx.sslots, 3)
    names = pa.array(["Assignments", "Quizzes", "Participation"])
    _set(
        ctx,
        context_id=lambda: pc.add(_course_of(ctx, 3), 1),
        context_type=lambda: ctx.const("Course"),
        name=lambda: pc.take(names, g),
        position=lambda: pc.cast(pc.add(g, 1), pa.int32()),
        group_weight=lambda: pc.take(pa.array([50.0, 30.0, 20.0]), g),
    )


def _assignment_parts(ctx: Ctx, slots: pa.Array) -> tuple[pa.Array, pa.Array]:
    a = ctx.world.assignments_per_course
    return ctx.div(slots, a), ctx.mod(slots, a)


def assignments(ctx: Ctx) -> None:
    course, j = _assignment_parts(ctx, ctx.sslots)
    a = ctx.world.assignments_per_course
    is_quiz = pc.equal(j, a - 1)
    is_topic = pc.equal(j, a - 2)
    is_upload = pc.equal(j, 0)  # its submissions carry files (see submissions, attachments)
    group = pc.if_else(is_quiz, 1, pc.if_else(is_topic, 2, 0))
    points = pc.multiply(ctx.rand.integers("points", 1, 10, versioned=False), 10.0)
    types = pc.if_else(
        is_quiz,
        pa.scalar("online_quiz"),
        pc.if_else(
            is_topic,
            pa.scalar("discussion_topic"),
            pc.if_else(
                is_upload,
                pa.scalar("online_upload"),
                ctx.rand.choice(
                    "subtype",
                    ("online_upload", "online_text_entry", "online_url", "on_paper"),
                    versioned=False,
                ),
            ),
        ),
    )
    created = ctx.created_us()
    _set(
        ctx,
        context_id=lambda: pc.add(course, 1),
        context_type=lambda: ctx.const("Course"),
        assignment_group_id=lambda: pc.add(pc.add(pc.multiply(course, 3), group), 1),
        points_possible=lambda: points,
        submission_types=lambda: pa.ListArray.from_arrays(
            pa.array(range(0, ctx.n + 1), pa.int32()), types
        ),
        grading_type=lambda: ctx.rand.choice(
            "gt", ("points",) * 6 + ("percent", "letter_grade", "pass_fail")
        ),
        due_at=lambda: null_where(
            ctx.days_after(created, 7, 120, "due"), ctx.rand.chance("no-due", 0.1)
        ),
        position=lambda: pc.cast(pc.add(j, 1), pa.int32()),
        title=lambda: pc.binary_join_element_wise(
            pc.if_else(
                is_quiz,
                pa.scalar("Quiz"),
                pc.if_else(is_topic, pa.scalar("Discussion"), pa.scalar("Assignment")),
            ),
            _str(pc.add(j, 1)),
            " ",
        ),
        group_category_id=lambda: pa.nulls(ctx.n, pa.int64()),
        duplicate_of_id=lambda: pa.nulls(ctx.n, pa.int64()),
        parent_assignment_id=lambda: pa.nulls(ctx.n, pa.int64()),
        grading_standard_id=lambda: pa.nulls(ctx.n, pa.int64()),
        grader_section_id=lambda: pa.nulls(ctx.n, pa.int64()),
        final_grader_id=lambda: pa.nulls(ctx.n, pa.int64()),
        annotatable_attachment_id=lambda: pa.nulls(ctx.n, pa.int64()),
        type=lambda: ctx.const("Assignment"),
        has_sub_assignments=lambda: ctx.const(False),
    )


def _submission_parts(ctx: Ctx, slots: pa.Array) -> tuple[pa.Array, pa.Array, pa.Array]:
    w = ctx.world
    a, s = w.assignments_per_course, w.students_per_course
    return ctx.div(slots, a * s), ctx.mod(ctx.div(slots, s), a), ctx.mod(slots, s)


def submission_user_slot(ctx: Ctx, slots: pa.Array) -> pa.Array:
    """User slot of the user who owns each submission slot: student ``k``, except that the last
    student is not assigned the next-to-last assignment of each course (Canvas then has no
    submission row for the pair); that slot is the teacher's own (student-view) submission."""
    course, j, k = _submission_parts(ctx, slots)
    w = ctx.world
    unassigned = pc.and_(
        pc.equal(j, w.assignments_per_course - 2), pc.equal(k, w.students_per_course - 1)
    )
    return pc.if_else(unassigned, w.teacher_user_slot(course), w.student_user_slot(course, k))


def submissions(ctx: Ctx) -> None:
    w = ctx.world
    course, j, k = _submission_parts(ctx, ctx.sslots)
    a, s = w.assignments_per_course, w.students_per_course
    assignment = pc.add(pc.multiply(course, a), j)
    r = ctx.rand
    state = r.choice(
        "state", ("graded",) * 6 + ("submitted", "submitted", "unsubmitted", "pending_review")
    )
    is_upload = pc.equal(j, 0)
    # every upload to assignment 0 is handed in: its file is linked to it (attachment_associations)
    state = pc.if_else(
        pc.and_(is_upload, pc.equal(state, "unsubmitted")), pa.scalar("submitted"), state
    )
    state = pc.if_else(ctx.soft_deleted(), pa.scalar("deleted"), state)
    graded = pc.equal(state, "graded")
    unsubmitted = pc.equal(state, "unsubmitted")
    points_rand = _assignment_points(ctx, assignment)
    score = pc.round(
        pc.multiply(points_rand, pc.add(0.4, pc.multiply(r.uniform("score"), 0.65))), 1
    )
    score = null_where(score, pc.invert(graded))
    created = pc.cast(ctx.get("created_at"), pa.int64())
    submitted = null_where(ctx.days_after(created, 0, 20, "submitted"), unsubmitted)
    is_quiz = pc.equal(j, a - 1)
    quiz_sub = pc.add(pc.add(pc.multiply(course, 2 * s), k), 1)
    # Canvas keeps the files of an upload as a comma list of attachment ids (text, e.g. "12,34")
    upload_file = pc.add(submission_file_slot(ctx, course, k), 1)
    attachment_ids = null_where(_str(upload_file), pc.invert(is_upload))
    _set(
        ctx,
        course_id=lambda: pc.add(course, 1),
        assignment_id=lambda: pc.add(assignment, 1),
        user_id=lambda: ctx.user_ids(submission_user_slot(ctx, ctx.sslots)),
        workflow_state=lambda: state,
        score=lambda: score,
        published_score=lambda: score,
        grade=lambda: _str(score),
        published_grade=lambda: _str(score),
        submitted_at=lambda: submitted,
        graded_at=lambda: null_where(ctx.days_after(created, 1, 25, "graded"), pc.invert(graded)),
        grader_id=lambda: null_where(ctx.user_ids(w.teacher_user_slot(course)), pc.invert(graded)),
        quiz_submission_id=lambda: null_where(quiz_sub, pc.invert(is_quiz)),
        submission_type=lambda: null_where(
            pc.if_else(
                is_quiz,
                pa.scalar("online_quiz"),
                pc.if_else(
                    is_upload,
                    pa.scalar("online_upload"),
                    # only assignment 0's submissions carry files (attachment_ids)
                    r.choice("stype", ("online_text_entry", "online_url"), versioned=False),
                ),
            ),
            unsubmitted,
        ),
        attachment_ids=lambda: attachment_ids,
        attempt=lambda: null_where(pc.cast(r.integers("attempt", 1, 3), pa.int32()), unsubmitted),
        cached_due_date=lambda: ctx.days_after(created, 3, 30, "due", versioned=False),
        group_id=lambda: pa.nulls(ctx.n, pa.int64()),
        attachment_id=lambda: pa.nulls(ctx.n, pa.int64()),
        media_object_id=lambda: pa.nulls(ctx.n, pa.int64()),
        grading_period_id=lambda: pa.nulls(ctx.n, pa.int64()),
        excused=lambda: pc.and_(pc.invert(graded), r.chance("excused", 0.05)),
        late_policy_status=lambda: null_where(ctx.const("late"), pc.invert(r.chance("late", 0.1))),
        cached_tardiness=lambda: null_where(
            r.choice("tardy", ("late", "missing")), pc.invert(r.chance("tardy?", 0.15))
        ),
    )


def _assignment_points(ctx: Ctx, assignment_slots: pa.Array) -> pa.Array:
    """The points_possible the assignments spec draws for these assignment slots."""
    from emulator.generate.rand import Rand, salt

    ar = Rand(assignment_slots, None, salt(ctx.seed, "canvas", "assignments"))
    return pc.multiply(ar.integers("points", 1, 10, versioned=False), 10.0)


def submission_comments(ctx: Ctx) -> None:
    sub_slot = pc.multiply(ctx.sslots, 3)
    course, _, _ = _submission_parts(ctx, sub_slot)
    w = ctx.world
    by_teacher = ctx.rand.chance("by-teacher", 0.6, versioned=False)
    author_slot = pc.if_else(
        by_teacher, w.teacher_user_slot(course), submission_user_slot(ctx, sub_slot)
    )
    _set(
        ctx,
        submission_id=lambda: pc.add(sub_slot, 1),
        context_id=lambda: pc.add(course, 1),
        context_type=lambda: ctx.const("Course"),
        author_id=lambda: ctx.user_ids(author_slot),
        author_name=lambda: person_name(ctx, author_slot, "user"),
        assessment_request_id=lambda: pa.nulls(ctx.n, pa.int64()),
        provisional_grade_id=lambda: pa.nulls(ctx.n, pa.int64()),
    )


def scores(ctx: Ctx) -> None:
    """Per student: the course score and one per assignment group (slots ``4*(c*S + k) + i``);
    then, for courses in the term with grading periods, one per grading period (course_score
    false, as Canvas keeps it for the score with neither a group nor a period)."""
    w = ctx.world
    s = w.students_per_course
    n_plain = 4 * s * w.courses
    per_period = pc.greater_equal(ctx.sslots, n_plain)
    x = pc.max_element_wise(pc.subtract(ctx.sslots, n_plain), 0)
    period = ctx.mod(x, GRADING_PERIODS)
    period_student = ctx.div(x, GRADING_PERIODS)  # (c // 4)*S + k
    period_course = pc.add(pc.multiply(ctx.div(period_student, s), 4), 3)
    student = ctx.div(ctx.sslots, 4)  # c*S + k
    i = ctx.mod(ctx.sslots, 4)
    course = pc.if_else(per_period, period_course, ctx.div(student, s))
    k = pc.if_else(per_period, ctx.mod(period_student, s), ctx.mod(student, s))
    enrollment = pc.add(pc.multiply(course, w.enrollments_per_course), pc.add(k, 2))
    current = pc.round(pc.multiply(ctx.rand.uniform("current"), 105.0), 2)
    _set(
        ctx,
        enrollment_id=lambda: pc.add(enrollment, 1),
        course_score=lambda: pc.and_(pc.equal(i, 0), pc.invert(per_period)),
        assignment_group_id=lambda: null_where(
            pc.add(pc.add(pc.multiply(course, 3), pc.subtract(i, 1)), 1),
            pc.or_(pc.equal(i, 0), per_period),
        ),
        grading_period_id=lambda: null_where(pc.add(period, 1), pc.invert(per_period)),
        current_score=lambda: current,
        final_score=lambda: pc.round(pc.multiply(current, 0.9), 2),
        unposted_current_score=lambda: current,
        unposted_final_score=lambda: pc.round(pc.multiply(current, 0.9), 2),
        override_score=lambda: pa.nulls(ctx.n, pa.float64()),
    )


def quizzes(ctx: Ctx) -> None:
    course = _course_of(ctx, 2)
    q = ctx.mod(ctx.sslots, 2)
    a = ctx.world.assignments_per_course
    graded = pc.equal(q, 0)
    assignment = pc.add(pc.add(pc.multiply(course, a), a - 1), 1)
    _set(
        ctx,
        context_id=lambda: pc.add(course, 1),
        context_type=lambda: ctx.const("Course"),
        assignment_id=lambda: null_where(assignment, pc.invert(graded)),
        assignment_group_id=lambda: null_where(
            pc.add(pc.multiply(course, 3), 2), pc.invert(graded)
        ),
        quiz_type=lambda: pc.if_else(graded, pa.scalar("assignment"), pa.scalar("practice_quiz")),
        # a varchar in CD2 holding one of Canvas' three policies
        scoring_policy=lambda: pc.if_else(
            graded, pa.scalar("keep_highest"), pa.scalar("keep_latest")
        ),
        title=lambda: pc.if_else(graded, pa.scalar("Weekly quiz"), pa.scalar("Practice quiz")),
        question_count=lambda: ctx.const(5, pa.int32()),
    )


def quiz_submissions(ctx: Ctx) -> None:
    w = ctx.world
    s = w.students_per_course
    course = ctx.div(ctx.sslots, 2 * s)
    q = ctx.mod(ctx.div(ctx.sslots, s), 2)
    k = ctx.mod(ctx.sslots, s)
    a = w.assignments_per_course
    sub = pc.add(pc.multiply(pc.add(pc.multiply(course, a), a - 1), s), k)
    _set(
        ctx,
        quiz_id=lambda: pc.add(pc.add(pc.multiply(course, 2), q), 1),
        user_id=lambda: ctx.user_ids(w.student_user_slot(course, k)),
        submission_id=lambda: null_where(pc.add(sub, 1), pc.not_equal(q, 0)),
        workflow_state=lambda: ctx.rand.choice(
            "ws", ("complete",) * 8 + ("untaken", "pending_review")
        ),
    )


def quiz_groups(ctx: Ctx) -> None:
    _set(
        ctx,
        quiz_id=lambda: pc.add(ctx.sslots, 1),
        assessment_question_bank_id=lambda: pc.add(ctx.div(ctx.sslots, 2), 1),
    )


def quiz_questions(ctx: Ctx) -> None:
    quiz = ctx.div(ctx.sslots, 5)
    _set(
        ctx,
        quiz_id=lambda: pc.add(quiz, 1),
        quiz_group_id=lambda: pc.add(quiz, 1),
        assessment_question_id=lambda: pc.add(
            pc.add(pc.multiply(ctx.div(quiz, 2), 5), ctx.mod(ctx.sslots, 5)), 1
        ),
        position=lambda: pc.cast(pc.add(ctx.mod(ctx.sslots, 5), 1), pa.int32()),
        question_data=lambda: _question_data(ctx),
    )


QUESTION_TYPES = (
    "multiple_choice_question",
    "true_false_question",
    "short_answer_question",
    "essay_question",
    "numerical_question",
)


def _question_data(ctx: Ctx) -> pa.Array:
    """The generic question_data object with a question_type Canvas uses (CD1 lists them)."""
    from emulator.generate.values import generic

    data = generic(ctx, ctx.table.column("question_data"))
    types = pc.take(pa.array(QUESTION_TYPES), ctx.mod(ctx.sslots, len(QUESTION_TYPES)))
    children = [
        types if field.name == "question_type" else data.field(i)
        for i, field in enumerate(data.type)
    ]
    return pa.StructArray.from_arrays(children, fields=list(data.type), mask=data.is_null())


def per_course(
    n: int,
    course_col: str = "context_id",
    ctype: str | None = "Course",
    **extra: Callable[[Ctx, pa.Array, pa.Array], pa.Array],
) -> Callable[[Ctx], None]:
    """A spec for tables with ``n`` rows per course: the course key (and context type) plus extras
    computed from (course, index within course)."""

    def spec(ctx: Ctx) -> None:
        course = _course_of(ctx, n)
        idx = ctx.mod(ctx.sslots, n)
        ctx.overrides[course_col] = lambda: pc.add(course, 1)
        if ctype is not None:
            ctx.overrides["context_type"] = lambda: ctx.const(ctype)
        for col, fn in extra.items():
            ctx.overrides[col] = lambda fn=fn: fn(ctx, course, idx)  # type: ignore[misc]

    return spec


def _teacher(ctx: Ctx, course: pa.Array, idx: pa.Array) -> pa.Array:
    return ctx.user_ids(ctx.world.teacher_user_slot(course))


def _student(ctx: Ctx, course: pa.Array, idx: pa.Array) -> pa.Array:
    return ctx.user_ids(
        ctx.world.student_user_slot(course, ctx.mod(idx, ctx.world.students_per_course))
    )


def _nulls(ctx: Ctx, course: pa.Array, idx: pa.Array) -> pa.Array:
    return pa.nulls(ctx.n, pa.int64())


def discussion_entries(ctx: Ctx) -> None:
    topic = ctx.div(ctx.sslots, 6)
    e = ctx.mod(ctx.sslots, 6)
    course = ctx.div(topic, 3)
    reply = pc.greater_equal(e, 3)
    parent = pc.add(pc.subtract(ctx.sslots, 3), 1)
    _set(
        ctx,
        discussion_topic_id=lambda: pc.add(topic, 1),
        user_id=lambda: ctx.user_ids(
            ctx.world.student_user_slot(
                course, ctx.mod(pc.add(e, topic), ctx.world.students_per_course)
            )
        ),
        parent_id=lambda: null_where(parent, pc.invert(reply)),
        root_entry_id=lambda: null_where(parent, pc.invert(reply)),
        depth=lambda: pc.cast(pc.if_else(reply, 2, 1), pa.int32()),
        editor_id=lambda: pa.nulls(ctx.n, pa.int64()),
        attachment_id=lambda: pa.nulls(ctx.n, pa.int64()),
    )


def discussion_entry_participants(ctx: Ctx) -> None:
    _set(ctx, discussion_entry_id=lambda: pc.add(ctx.sslots, 1))


def discussion_topic_participants(ctx: Ctx) -> None:
    _set(
        ctx,
        discussion_topic_id=lambda: pc.add(ctx.sslots, 1),
        user_id=lambda: ctx.user_ids(
            ctx.world.student_user_slot(ctx.div(ctx.sslots, 3), ctx.mod(ctx.sslots, 3))
        ),
    )


def wikis(ctx: Ctx) -> None:
    c = ctx.world.courses
    is_course = pc.less(ctx.sslots, c)
    _set(
        ctx,
        title=lambda: pc.if_else(is_course, pa.scalar("Course Wiki"), pa.scalar("Group Wiki")),
        front_page_url=lambda: ctx.const("front-page"),
    )


def context_modules(ctx: Ctx) -> None:
    course = _course_of(ctx, 2)
    m = ctx.mod(ctx.sslots, 2)
    tag_base = pc.multiply(course, 6)

    def reqs() -> pa.Array:
        # a requirement per module item: module 1 holds tags 6c..6c+2 (assignment, page, topic),
        # module 2 tags 6c+3, 6c+4 (quiz, file); tag 6c+5 is an outcome alignment, no item
        parts = []
        for t in range(3):
            tag = pc.add(pc.add(tag_base, pc.add(pc.multiply(m, 3), t)), 1)
            first = ("must_view", "must_submit", "min_score")[t]
            second = ("must_view", "must_view", None)[t]
            elems = []
            for kind in (first, second):
                if kind is None:
                    elems.append(pa.scalar(None, pa.string()))
                    continue
                extra = ',"min_score":70.0' if kind == "min_score" else ""
                elems.append(
                    pc.binary_join_element_wise(
                        '{"id":', _str(tag), f',"type":"{kind}"{extra}}}', ""
                    )
                )
            parts.append(pc.if_else(pc.equal(m, 0), elems[0], elems[1]))
        return _json_list(parts)

    def prereqs() -> pa.Array:
        prev = pc.add(pc.subtract(ctx.sslots, 1), 1)
        txt = pc.binary_join_element_wise(
            '[{"id":', _str(prev), ',"type":"context_module","name":"Module 1"}]', ""
        )
        return pc.if_else(pc.equal(m, 1), txt, pa.scalar("[]"))

    _set(
        ctx,
        context_id=lambda: pc.add(course, 1),
        context_type=lambda: ctx.const("Course"),
        name=lambda: pc.binary_join_element_wise("Module", _str(pc.add(m, 1)), " "),
        position=lambda: pc.cast(pc.add(m, 1), pa.int32()),
        completion_requirements=lambda: reqs(),
        prerequisites=lambda: prereqs(),
        requirement_count=lambda: pa.nulls(ctx.n, pa.int32()),
    )


CONTENT_TAG_KINDS = (
    "Assignment",
    "WikiPage",
    "DiscussionTopic",
    "Quizzes::Quiz",
    "Attachment",
    "LearningOutcome",
)


def asset_user_accesses(ctx: Ctx) -> None:
    """Two students' views of every wiki page (asset_code ``wiki_page_<id>``, as Canvas records
    page views), with whole-number view scores."""
    page = ctx.mod(ctx.sslots, 3 * ctx.world.courses)
    course = ctx.div(page, 3)
    _set(
        ctx,
        asset_code=lambda: pc.binary_join_element_wise("wiki_page", _str(pc.add(page, 1)), "_"),
        context_type=lambda: ctx.const("Course"),
        context_id=lambda: pc.add(course, 1),
        user_id=lambda: ctx.user_ids(
            ctx.world.student_user_slot(course, ctx.mod(ctx.sslots, ctx.world.students_per_course))
        ),
        view_score=lambda: pc.cast(pc.add(ctx.mod(ctx.sslots, 7), 1), pa.float64()),
    )


def content_tags(ctx: Ctx) -> None:
    course = _course_of(ctx, 6)
    t = ctx.mod(ctx.sslots, 6)
    w = ctx.world
    kind = pc.take(pa.array(CONTENT_TAG_KINDS), t)
    content = pc.take(pa.array([0, 0, 1, 0, 0, 0], pa.int64()), t)
    per_course = pa.array([w.assignments_per_course, 3, 3, 2, 4, 0], pa.int64())
    content_slot = pc.add(pc.multiply(course, pc.take(per_course, t)), content)
    outcome = pc.equal(t, 5)
    content_id = pc.if_else(outcome, pc.add(ctx.mod(course, 4), 1), pc.add(content_slot, 1))
    module = pc.add(pc.multiply(course, 2), pc.if_else(pc.less(t, 3), 0, 1))
    _set(
        ctx,
        context_id=lambda: pc.add(course, 1),
        context_type=lambda: ctx.const("Course"),
        content_type=lambda: kind,
        content_id=lambda: content_id,
        tag_type=lambda: pc.if_else(
            outcome, pa.scalar("learning_outcome_association"), pa.scalar("context_module")
        ),
        context_module_id=lambda: null_where(pc.add(module, 1), outcome),
        learning_outcome_id=lambda: null_where(content_id, pc.invert(outcome)),
        associated_asset_id=lambda: null_where(pc.add(course, 2), pc.invert(outcome)),
        associated_asset_type=lambda: null_where(
            ctx.const("LearningOutcomeGroup"), pc.invert(outcome)
        ),
        rubric_association_id=lambda: pa.nulls(ctx.n, pa.int64()),
        position=lambda: pc.cast(pc.add(ctx.mod(t, 3), 1), pa.int32()),
        title=lambda: pc.binary_join_element_wise(kind, _str(content_id), " "),
    )


def context_module_progressions(ctx: Ctx) -> None:
    w = ctx.world
    s = w.students_per_course
    course = ctx.div(ctx.sslots, 2 * s)
    m = ctx.mod(ctx.div(ctx.sslots, s), 2)
    k = ctx.mod(ctx.sslots, s)
    tag0 = pc.add(pc.add(pc.multiply(course, 6), pc.multiply(m, 3)), 1)
    done = ctx.rand.chance("done", 0.6)
    met = pc.binary_join_element_wise('[{"id":', _str(tag0), ',"type":"must_view"}]', "")
    _set(
        ctx,
        context_module_id=lambda: pc.add(pc.add(pc.multiply(course, 2), m), 1),
        user_id=lambda: ctx.user_ids(w.student_user_slot(course, k)),
        workflow_state=lambda: pc.if_else(done, pa.scalar("completed"), pa.scalar("started")),
        requirements_met=lambda: pc.if_else(done, met, pa.scalar("[]")),
        incomplete_requirements=lambda: ctx.const("[]"),
    )


def groups(ctx: Ctx) -> None:
    course = _course_of(ctx, 2)
    _set(
        ctx,
        context_id=lambda: pc.add(course, 1),
        context_type=lambda: ctx.const("Course"),
        account_id=lambda: ctx.const(1, pa.int64()),
        group_category_id=lambda: pc.add(course, 1),
        wiki_id=lambda: pc.add(pc.add(ctx.sslots, ctx.world.courses), 1),
        leader_id=lambda: pa.nulls(ctx.n, pa.int64()),
        avatar_attachment_id=lambda: pa.nulls(ctx.n, pa.int64()),
        name=lambda: pc.binary_join_element_wise("Project team", _str(pc.add(ctx.slots, 1)), " "),
    )


def group_memberships(ctx: Ctx) -> None:
    group = ctx.div(ctx.sslots, 3)
    m = ctx.mod(ctx.sslots, 3)
    course = ctx.div(group, 2)
    k = pc.add(pc.multiply(ctx.mod(group, 2), 3), m)
    _set(
        ctx,
        group_id=lambda: pc.add(group, 1),
        user_id=lambda: ctx.user_ids(ctx.world.student_user_slot(course, k)),
    )


def conversation_messages(ctx: Ctx) -> None:
    conv = ctx.div(ctx.sslots, 3)
    course = ctx.div(conv, 2)
    i = ctx.mod(ctx.sslots, 3)
    w = ctx.world
    author = pc.if_else(
        pc.equal(i, 1), w.student_user_slot(course, ctx.mod(conv, 2)), w.teacher_user_slot(course)
    )
    _set(
        ctx,
        conversation_id=lambda: pc.add(conv, 1),
        author_id=lambda: ctx.user_ids(author),
        context_id=lambda: null_where(ctx.const(1, pa.int64()), ctx.const(True)),
        context_type=lambda: pa.nulls(ctx.n, pa.string()),
        asset_id=lambda: pa.nulls(ctx.n, pa.int64()),
        asset_type=lambda: pa.nulls(ctx.n, pa.string()),
    )


def conversation_participants(ctx: Ctx) -> None:
    conv = ctx.div(ctx.sslots, 2)
    course = ctx.div(conv, 2)
    i = ctx.mod(ctx.sslots, 2)
    w = ctx.world
    who = pc.if_else(
        pc.equal(i, 0), w.teacher_user_slot(course), w.student_user_slot(course, ctx.mod(conv, 2))
    )
    _set(ctx, user_id=lambda: ctx.user_ids(who))


def conversation_message_participants(ctx: Ctx) -> None:
    msg = ctx.div(ctx.sslots, 2)
    i = ctx.mod(ctx.sslots, 2)
    conv = ctx.div(msg, 3)
    course = ctx.div(conv, 2)
    w = ctx.world
    who = pc.if_else(
        pc.equal(i, 0), w.teacher_user_slot(course), w.student_user_slot(course, ctx.mod(conv, 2))
    )
    _set(
        ctx,
        conversation_message_id=lambda: pc.add(msg, 1),
        conversation_participant_id=lambda: pc.add(pc.add(pc.multiply(conv, 2), i), 1),
        user_id=lambda: ctx.user_ids(who),
    )


def submission_file_slot(ctx: Ctx, course: pa.Array, k: pa.Array) -> pa.Array:
    """Attachment slot of the file student ``k`` uploaded to assignment 0 of ``course``."""
    w = ctx.world
    return pc.add(pc.add(pc.multiply(course, w.students_per_course), k), 4 * w.courses)


def attachments(ctx: Ctx) -> None:
    """Four course files per course (slots ``4c..4c+3``), then per student of each course the file
    uploaded to assignment 0 (slot ``4C + c*S + k``): owned by the student (context ``User``, as
    Canvas files a submission upload in the user's own files), outside any course folder."""
    w = ctx.world
    s = w.students_per_course
    upload = pc.greater_equal(ctx.sslots, 4 * w.courses)
    x = pc.max_element_wise(pc.subtract(ctx.sslots, 4 * w.courses), 0)
    course = pc.if_else(upload, ctx.div(x, s), _course_of(ctx, 4))
    student = ctx.user_ids(w.student_user_slot(course, ctx.mod(x, s)))
    teacher = ctx.user_ids(w.teacher_user_slot(course))
    _set(
        ctx,
        context_id=lambda: pc.if_else(upload, student, pc.add(course, 1)),
        context_type=lambda: pc.if_else(upload, pa.scalar("User"), pa.scalar("Course")),
        folder_id=lambda: null_where(pc.add(course, 1), upload),
        user_id=lambda: pc.if_else(upload, student, teacher),
        replacement_attachment_id=lambda: pa.nulls(ctx.n, pa.int64()),
        root_attachment_id=lambda: pa.nulls(ctx.n, pa.int64()),
        usage_rights_id=lambda: pa.nulls(ctx.n, pa.int64()),
        file_state=lambda: ctx.const("available"),
        workflow_state=lambda: pc.if_else(
            ctx.soft_deleted(), pa.scalar("deleted"), pa.scalar("processed")
        ),
    )


def attachment_associations(ctx: Ctx) -> None:
    """Slot ``c*S + k``: the upload of student ``k`` of course ``c`` attached to that student's
    assignment-0 submission (Canvas links every file a submission lists this way); then per course
    ``c`` one course file attached to the course's first conversation message."""
    w = ctx.world
    s, a = w.students_per_course, w.assignments_per_course
    n_uploads = w.courses * s
    upload = pc.less(ctx.sslots, n_uploads)
    course = pc.if_else(upload, ctx.div(ctx.sslots, s), pc.subtract(ctx.sslots, n_uploads))
    k = ctx.mod(ctx.sslots, s)
    submission = pc.add(pc.multiply(pc.multiply(course, a), s), k)
    message = pc.multiply(course, 6)  # conversation 2c, message 0
    _set(
        ctx,
        context_type=lambda: pc.if_else(
            upload, pa.scalar("Submission"), pa.scalar("ConversationMessage")
        ),
        context_id=lambda: pc.if_else(
            upload,
            # a row override can leave the last course short of submissions
            null_where(pc.add(submission, 1), pc.greater_equal(submission, w.submissions)),
            pc.add(message, 1),
        ),
        attachment_id=lambda: pc.add(
            pc.if_else(
                upload, submission_file_slot(ctx, course, k), pc.add(pc.multiply(course, 4), 3)
            ),
            1,
        ),
    )


def web_conference_participants(ctx: Ctx) -> None:
    conf = ctx.div(ctx.sslots, 3)
    _set(
        ctx,
        web_conference_id=lambda: pc.add(conf, 1),
        user_id=lambda: ctx.user_ids(ctx.world.student_user_slot(conf, ctx.mod(ctx.sslots, 3))),
    )


def assignment_overrides(ctx: Ctx) -> None:
    course = _course_of(ctx, 2)
    o = ctx.mod(ctx.sslots, 2)
    a = ctx.world.assignments_per_course
    section = pc.add(pc.multiply(course, 2), 1)
    _set(
        ctx,
        assignment_id=lambda: pc.add(pc.multiply(course, a), pc.add(o, 1)),
        set_type=lambda: pc.if_else(pc.equal(o, 0), pa.scalar("CourseSection"), pa.scalar("ADHOC")),
        set_id=lambda: null_where(pc.add(section, 1), pc.equal(o, 1)),
        quiz_id=lambda: pa.nulls(ctx.n, pa.int64()),
        title=lambda: pc.if_else(pc.equal(o, 0), pa.scalar("Section 2"), pa.scalar("2 students")),
    )


def assignment_override_students(ctx: Ctx) -> None:
    course = _course_of(ctx, 2)
    i = ctx.mod(ctx.sslots, 2)
    a = ctx.world.assignments_per_course
    _set(
        ctx,
        assignment_override_id=lambda: pc.add(pc.multiply(course, 2), 2),
        assignment_id=lambda: pc.add(pc.multiply(course, a), 2),
        quiz_id=lambda: pa.nulls(ctx.n, pa.int64()),
        user_id=lambda: ctx.user_ids(ctx.world.student_user_slot(course, i)),
    )


def rubric_assessments(ctx: Ctx) -> None:
    w = ctx.world
    s = w.students_per_course
    course = ctx.div(ctx.sslots, s)
    k = ctx.mod(ctx.sslots, s)
    sub = pc.add(pc.multiply(pc.multiply(course, w.assignments_per_course), s), k)
    _set(
        ctx,
        rubric_id=lambda: pc.add(course, 1),
        rubric_association_id=lambda: pc.add(course, 1),
        artifact_id=lambda: pc.add(sub, 1),
        artifact_type=lambda: ctx.const("Submission"),
        user_id=lambda: ctx.user_ids(w.student_user_slot(course, k)),
        assessor_id=lambda: ctx.user_ids(w.teacher_user_slot(course)),
        assessment_type=lambda: ctx.const("grading"),
    )


def rubric_associations(ctx: Ctx) -> None:
    course = ctx.sslots
    _set(
        ctx,
        rubric_id=lambda: pc.add(course, 1),
        context_id=lambda: pc.add(course, 1),
        context_type=lambda: ctx.const("Course"),
        association_id=lambda: pc.add(pc.multiply(course, ctx.world.assignments_per_course), 1),
        association_type=lambda: ctx.const("Assignment"),
        purpose=lambda: ctx.const("grading"),
    )


def _rubric_data(ctx: Ctx) -> pa.Array:
    return ctx.const(
        '[{"id":"c1","description":"Argument","points":5.0,"ratings":['
        '{"id":"r1","description":"Full marks","points":5.0},'
        '{"id":"r2","description":"No marks","points":0.0}]}]'
    )


def _outcome_import(ctx: Ctx) -> pa.Array:
    """outcome_imports is a stub table (no rows to point at): every other outcome (group) came
    from an import, with an opaque import id shared by two consecutive slots; the rest, NULL."""
    slots = pc.cast(ctx.sslots, pa.int64())
    ids = pc.add(pc.divide(slots, 4), 1)
    return null_where(ids, pc.equal(pc.bit_wise_and(slots, 1), 0))


def learning_outcomes(ctx: Ctx) -> None:
    _set(
        ctx,
        context_id=lambda: ctx.const(1, pa.int64()),
        context_type=lambda: ctx.const("Account"),
        outcome_import_id=lambda: _outcome_import(ctx),
        data=lambda: ctx.const(
            '{"rubric_criterion":{"mastery_points":3.0,"points_possible":5.0,'
            '"ratings":[{"description":"Exceeds","points":5.0},'
            '{"description":"Meets","points":3.0},'
            '{"description":"Does not meet","points":0.0}]}}'
        ),
    )


def learning_outcome_groups(ctx: Ctx) -> None:
    root = pc.equal(ctx.sslots, 0)
    _set(
        ctx,
        context_id=lambda: pc.if_else(root, 1, ctx.sslots),
        context_type=lambda: pc.if_else(root, pa.scalar("Account"), pa.scalar("Course")),
        learning_outcome_group_id=lambda: null_where(ctx.const(1, pa.int64()), root),
        root_learning_outcome_group_id=lambda: null_where(ctx.const(1, pa.int64()), root),
        source_outcome_group_id=lambda: pa.nulls(ctx.n, pa.int64()),
        outcome_import_id=lambda: _outcome_import(ctx),
    )


def learning_outcome_results(ctx: Ctx) -> None:
    w = ctx.world
    s = w.students_per_course
    course = ctx.div(ctx.sslots, s)
    k = ctx.mod(ctx.sslots, s)
    # Slot c*S + k: the outcome result of student k's rubric assessment (the same slot of
    # rubric_assessments) under course c's rubric association, on assignment 0, aligned through
    # the course's outcome alignment tag (content_tags slot 6c + 5).
    _set(
        ctx,
        context_id=lambda: pc.add(course, 1),
        context_type=lambda: ctx.const("Course"),
        user_id=lambda: ctx.user_ids(w.student_user_slot(course, k)),
        learning_outcome_id=lambda: pc.add(ctx.mod(course, 4), 1),
        association_id=lambda: pc.add(course, 1),
        association_type=lambda: ctx.const("RubricAssociation"),
        associated_asset_id=lambda: pc.add(pc.multiply(course, w.assignments_per_course), 1),
        associated_asset_type=lambda: ctx.const("Assignment"),
        artifact_id=lambda: pc.add(ctx.sslots, 1),
        artifact_type=lambda: ctx.const("RubricAssessment"),
        content_tag_id=lambda: pc.add(pc.multiply(course, 6), 6),
    )


def learning_outcome_question_results(ctx: Ctx) -> None:
    _set(
        ctx,
        learning_outcome_result_id=lambda: pc.add(ctx.sslots, 1),
        learning_outcome_id=lambda: pc.add(
            ctx.mod(ctx.div(ctx.sslots, ctx.world.students_per_course), 4), 1
        ),
    )


def grading_periods(ctx: Ctx) -> None:
    """The four quarters of the term "Fall 2026" (the grading period group's term)."""
    start = pc.cast(pc.strptime(ctx.const(TERMS[4][1]), format="%Y-%m-%d", unit="us"), pa.int64())
    quarter = ctx.mod(ctx.sslots, GRADING_PERIODS)
    begins = pc.add(start, pc.multiply(quarter, 29 * MICROS_PER_DAY))
    ends = pc.add(begins, 29 * MICROS_PER_DAY)
    _set(
        ctx,
        grading_period_group_id=lambda: ctx.const(1, pa.int64()),
        title=lambda: pc.binary_join_element_wise("Quarter", _str(pc.add(quarter, 1)), " "),
        start_date=lambda: pc.cast(begins, TS),
        end_date=lambda: pc.cast(ends, TS),
        close_date=lambda: pc.cast(pc.add(ends, 7 * MICROS_PER_DAY), TS),
        weight=lambda: ctx.const(100.0 / GRADING_PERIODS),
    )


def grading_period_groups(ctx: Ctx) -> None:
    _set(
        ctx,
        account_id=lambda: ctx.const(1, pa.int64()),
        course_id=lambda: pa.nulls(ctx.n, pa.int64()),
    )


def post_policies(ctx: Ctx) -> None:
    a = ctx.world.assignments_per_course
    _set(
        ctx,
        course_id=lambda: pc.add(ctx.div(ctx.sslots, a), 1),
        assignment_id=lambda: pc.add(ctx.sslots, 1),
    )


def lookup(values: tuple[str, ...]) -> Callable[[Ctx], None]:
    """Spec for the canvas_logs lookup tables (id -> value)."""

    def spec(ctx: Ctx) -> None:
        _set(ctx, value=lambda: pc.take(pa.array(values), pc.remainder(ctx.sslots, len(values))))

    return spec


def web_logs(ctx: Ctx) -> None:
    w = ctx.world
    r = ctx.rand
    course = r.below("course", w.courses, versioned=False)
    k = r.below("k", w.students_per_course, versioned=False)
    is_teacher = r.chance("teacher", 0.15, versioned=False)
    user_slot = pc.if_else(is_teacher, w.teacher_user_slot(course), w.student_user_slot(course, k))
    controller = r.below("controller", len(CONTROLLERS), versioned=False)
    action = r.below("action", len(ACTIONS), versioned=False)
    method = r.choice("method", ("GET",) * 8 + ("POST", "PUT"), versioned=False)
    no_user = r.chance("anon", 0.03, versioned=False)
    a = w.assignments_per_course
    is_assignment = pc.equal(controller, 1)
    assignment = pc.add(pc.add(pc.multiply(course, a), r.below("asg", a, versioned=False)), 1)
    url = pc.binary_join_element_wise(
        "https://canvas.example.edu/courses/",
        _str(pc.add(course, 1)),
        "/",
        pc.take(pa.array(CONTROLLERS), controller),
        "",
    )
    _set(
        ctx,
        user_id=lambda: null_where(ctx.user_ids(user_slot), no_user),
        real_user_id=lambda: pa.nulls(ctx.n, pa.int64()),
        course_id=lambda: pc.add(course, 1),
        assignment_id=lambda: null_where(assignment, pc.invert(is_assignment)),
        quiz_id=lambda: pa.nulls(ctx.n, pa.int64()),
        discussion_id=lambda: pa.nulls(ctx.n, pa.int64()),
        conversation_id=lambda: pa.nulls(ctx.n, pa.int64()),
        developer_key_id=lambda: pa.nulls(ctx.n, pa.int64()),
        url=lambda: url,
        http_method=lambda: method,
        http_status=lambda: r.choice("status", ("200",) * 18 + ("302", "404"), versioned=False),
        http_version=lambda: ctx.const("1.1"),
        web_application_controller=lambda: pc.cast(pc.add(controller, 1), pa.int32()),
        web_application_action=lambda: pc.cast(pc.add(action, 1), pa.int32()),
        web_application_context_type=lambda: ctx.const("Course"),
        web_application_context_id=lambda: pc.add(course, 1),
        participated=lambda: pc.not_equal(method, "GET"),
        user_agent=lambda: r.choice(
            "ua",
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                "Chrome/140.0 Safari/537.36",
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like "
                "Gecko) Version/18.0 Safari/605.1.15",
                "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 "
                "canvas-student/8.1",
                "candroid/7.9.0 (Android 15)",
            ),
            versioned=False,
        ),
    )


SPECS: dict[str, Callable[[Ctx], None]] = {
    "accounts": accounts,
    "enrollment_terms": enrollment_terms,
    "courses": courses,
    "course_sections": course_sections,
    "users": users,
    "pseudonyms": pseudonyms,
    "communication_channels": communication_channels,
    "user_account_associations": user_account_associations,
    "roles": roles,
    "account_users": account_users,
    "enrollments": enrollments,
    "enrollment_states": enrollment_states,
    "course_account_associations": course_account_associations,
    "assignment_groups": assignment_groups,
    "assignments": assignments,
    "submissions": submissions,
    "submission_comments": submission_comments,
    "scores": scores,
    "quizzes": quizzes,
    "quiz_submissions": quiz_submissions,
    "quiz_groups": quiz_groups,
    "quiz_questions": quiz_questions,
    "assessment_question_banks": per_course(1),
    "assessment_questions": per_course(
        5, assessment_question_bank_id=lambda c, course, i: pc.add(course, 1)
    ),
    "discussion_topics": per_course(
        3,
        # the third topic of each course belongs to the course's first group (a group topic)
        context_type=lambda c, course, i: pc.if_else(
            pc.equal(i, 2), c.const("Group"), c.const("Course")
        ),
        context_id=lambda c, course, i: pc.if_else(
            pc.equal(i, 2), pc.add(pc.multiply(course, 2), 1), pc.add(course, 1)
        ),
        user_id=_teacher,
        type=lambda c, course, i: null_where(c.const("Announcement"), pc.not_equal(i, 0)),
        assignment_id=_nulls,
        group_category_id=_nulls,
        root_topic_id=_nulls,
        old_assignment_id=_nulls,
        cloned_item_id=_nulls,
        external_feed_id=_nulls,
        editor_id=_nulls,
        attachment_id=_nulls,
    ),
    "discussion_entries": discussion_entries,
    "discussion_entry_participants": discussion_entry_participants,
    "discussion_topic_participants": discussion_topic_participants,
    "wikis": wikis,
    "asset_user_accesses": asset_user_accesses,
    "wiki_pages": per_course(
        3,
        user_id=_teacher,
        wiki_id=lambda c, course, i: pc.add(course, 1),
        assignment_id=_nulls,
        old_assignment_id=_nulls,
    ),
    "context_modules": context_modules,
    "content_tags": content_tags,
    "context_module_progressions": context_module_progressions,
    "group_categories": per_course(1),
    "groups": groups,
    "group_memberships": group_memberships,
    "conversations": per_course(2),
    "conversation_messages": conversation_messages,
    "conversation_participants": conversation_participants,
    "conversation_message_participants": conversation_message_participants,
    "attachments": attachments,
    "attachment_associations": attachment_associations,
    "folders": per_course(1, parent_folder_id=_nulls, cloned_item_id=_nulls),
    "web_conferences": per_course(1, user_id=_teacher),
    "web_conference_participants": web_conference_participants,
    "calendar_events": per_course(
        2, user_id=_teacher, parent_calendar_event_id=_nulls, web_conference_id=_nulls
    ),
    "assignment_overrides": assignment_overrides,
    "assignment_override_students": assignment_override_students,
    "rubrics": per_course(1, user_id=_teacher, data=lambda c, course, i: _rubric_data(c)),
    "rubric_associations": rubric_associations,
    "rubric_assessments": rubric_assessments,
    "learning_outcomes": learning_outcomes,
    "learning_outcome_groups": learning_outcome_groups,
    "learning_outcome_results": learning_outcome_results,
    "learning_outcome_question_results": learning_outcome_question_results,
    "grading_periods": grading_periods,
    "grading_period_groups": grading_period_groups,
    "post_policies": post_policies,
    "late_policies": per_course(1, course_col="course_id", ctype=None),
    "Controller": lookup(CONTROLLERS),
    "Action": lookup(ACTIONS),
    "web_logs": web_logs,
}


# ---------------------------------------------------------------------------- catalog namespace
# Canvas Catalog: one root catalog with sub-catalogs, products spread over them (every third a
# program, with no Canvas course), program requirements naming a program and a course product.


def _catalog_count(ctx: Ctx, table: str) -> int:
    return count_of(ctx.world, "catalog", table)


def catalog_accounts(ctx: Ctx) -> None:
    root = pc.equal(ctx.sslots, 0)
    _set(ctx, parent_id=lambda: null_where(ctx.const(1, pa.int64()), root))


def _is_program(ctx: Ctx, slots: pa.Array) -> pa.Array:
    return pc.equal(ctx.mod(slots, 3), 2)


def catalog_products(ctx: Ctx) -> None:
    program = _is_program(ctx, ctx.sslots)
    courses = count_of(ctx.world, "canvas", "courses")
    _set(
        ctx,
        account_id=lambda: pc.add(ctx.mod(ctx.sslots, _catalog_count(ctx, "accounts")), 1),
        type=lambda: pc.if_else(program, pa.scalar("Program"), pa.scalar("Course")),
        canvas_course_id=lambda: null_where(pc.add(ctx.mod(ctx.sslots, courses), 1), program),
    )


def catalog_program_requirements(ctx: Ctx) -> None:
    products = _catalog_count(ctx, "products")
    programs = max(1, products // 3)
    course_slot = ctx.mod(ctx.sslots, products)
    # a program's slot is 3k + 2; the product before it is a course
    course_slot = pc.subtract(course_slot, pc.cast(_is_program(ctx, course_slot), pa.int64()))
    _set(
        ctx,
        program_id=lambda: pc.add(pc.multiply(ctx.mod(ctx.sslots, programs), 3), 3),
        product_id=lambda: pc.add(course_slot, 1),
    )


def catalog_users(ctx: Ctx) -> None:
    _set(ctx, root_account_id=lambda: ctx.const(1, pa.int64()))


CATALOG_SPECS: dict[str, Callable[[Ctx], None]] = {
    "accounts": catalog_accounts,
    "products": catalog_products,
    "program_requirements": catalog_program_requirements,
    "users": catalog_users,
}


def spec_of(namespace: str, table: str) -> Callable[[Ctx], None] | None:
    """The structure spec of a table, if it has one (specs are per namespace)."""
    if namespace in STRUCTURED_NAMESPACES:
        return SPECS.get(table)
    if namespace == "catalog":
        return CATALOG_SPECS.get(table)
    return None
