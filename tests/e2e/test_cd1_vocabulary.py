"""CD1's vocabulary: every CD1 enum column of the built marts holds only the values CD1 4.2.1
documents for it (the column descriptions in ``loader/reference/cd1_schema.json``) or a value
CHANGELOG.md lists as a new CD2 state of that column (rows with the change ``new value``). A CD2
word for a documented CD1 state (groups' ``available`` for ``active``) must be mapped to CD1's word.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.e2e.conftest import REPO, Warehouse

# (table, column) -> values CD1 4.2.1 documents (each appears as a word in the column's description)
CD1_VALUES: dict[tuple[str, str], tuple[str, ...]] = {
    ("course_dim", "workflow_state"): ("completed", "created", "deleted", "available", "claimed"),
    ("account_dim", "workflow_state"): ("deleted", "active"),
    ("user_dim", "workflow_state"): ("creation_pending", "deleted", "pre_registered", "registered"),
    ("pseudonym_dim", "workflow_state"): ("deleted", "active"),
    ("assignment_dim", "workflow_state"): ("unpublished", "published", "deleted"),
    ("assignment_dim", "visibility"): ("everyone", "only_visible_to_overrides"),
    ("submission_dim", "submission_type"): (
        "discussion_topic",
        "external_tool",
        "media_recording",
        "online_file_upload",
        "online_quiz",
        "online_text_entry",
        "online_upload",
        "online_url",
    ),
    ("submission_dim", "workflow_state"): ("graded", "pending_review", "submitted", "unsubmitted"),
    ("submission_dim", "excused"): ("excused_submission", "regular_submission"),
    ("submission_dim", "graded_anonymously"): ("graded_anonymously", "not_graded_anonymously"),
    ("submission_dim", "grade_state"): ("auto_graded", "human_graded", "not_graded"),
    ("assignment_group_dim", "workflow_state"): ("available", "deleted"),
    ("assignment_override_dim", "all_day"): ("new_all_day", "same_all_day"),
    ("assignment_override_dim", "due_at_overridden"): ("new_due_at", "same_due_at"),
    ("assignment_override_dim", "lock_at_overridden"): ("new_lock_at", "same_lock_at"),
    ("assignment_override_dim", "set_type"): ("course_section", "group", "adhoc"),
    ("assignment_override_dim", "unlock_at_overridden"): ("new_unlock_at", "same_unlock_at"),
    ("assignment_override_dim", "workflow_state"): ("active", "deleted"),
    ("communication_channel_dim", "type"): ("email", "facebook", "push", "sms", "twitter"),
    ("communication_channel_dim", "workflow_state"): ("unconfirmed", "active"),
    ("discussion_topic_dim", "workflow_state"): (
        "unpublished",
        "active",
        "locked",
        "deleted",
        "post_delayed",
    ),
    ("discussion_entry_dim", "workflow_state"): ("deleted", "active"),
    ("course_section_dim", "workflow_state"): ("active", "deleted"),
    ("role_dim", "workflow_state"): ("deleted", "inactive"),
    ("enrollment_dim", "workflow_state"): (
        "active",
        "completed",
        "rejected",
        "deleted",
        "invited",
        "creation_pending",
    ),
    ("assignment_group_score_dim", "workflow_state"): ("active", "deleted"),
    ("course_score_dim", "workflow_state"): ("active", "deleted"),
    ("grading_period_score_dim", "workflow_state"): ("active", "deleted"),
    ("grading_period_dim", "workflow_state"): ("active", "deleted"),
    ("grading_period_group_dim", "workflow_state"): ("active", "deleted"),
    ("file_dim", "owner_entity_type"): (
        "account",
        "assignment",
        "conversation_message",
        "course",
        "group",
        "quiz",
        "quiz_submission",
        "submission",
        "user",
    ),
    ("file_dim", "file_state"): ("available", "broken", "deleted", "errored", "hidden"),
    ("file_dim", "could_be_locked"): ("allow_locking", "disallow_locking"),
    ("file_dim", "locked"): ("is_locked", "is_not_locked"),
    ("group_dim", "workflow_state"): ("deleted", "active"),
    ("group_membership_dim", "moderator"): ("is_moderator", "not_moderator"),
    ("group_membership_dim", "workflow_state"): ("accepted", "invited", "requested", "deleted"),
    ("module_dim", "require_sequential_progress"): ("required", "not_required", "unspecified"),
    ("module_dim", "workflow_state"): ("locked", "completed", "unlocked", "started"),
    ("module_item_dim", "content_type"): (
        "Assignment",
        "Attachment",
        "DiscussionTopic",
        "ContextExternalTool",
        "ContextModuleSubHeader",
        "ExternalUrl",
        "LearningOutcome",
        "Quiz",
        "Rubric",
        "WikiPage",
    ),
    ("module_progression_completion_requirement_dim", "completion_status"): (
        "complete",
        "incomplete",
    ),
    ("learning_outcome_dim", "workflow_state"): ("active", "deleted"),
    ("learning_outcome_dim", "calculation_method"): (
        "decaying_average",
        "highest",
        "latest",
        "n_mastery",
    ),
    ("learning_outcome_group_dim", "workflow_state"): ("active", "deleted"),
    ("quiz_dim", "quiz_type"): ("practice_quiz", "assignment", "graded_survey", "survey"),
    ("quiz_dim", "workflow_state"): ("unpublished", "published", "deleted"),
    ("quiz_dim", "scoring_policy"): ("keep_highest", "keep_latest", "keep_average"),
    ("quiz_dim", "anonymous_submissions"): (
        "allow_anonymous_submissions",
        "disallow_anonymous_submissions",
    ),
    ("quiz_dim", "display_questions"): ("multiple_at_a_time", "one_at_a_time"),
    ("quiz_dim", "answer_display_order"): ("in_order", "shuffled"),
    ("quiz_dim", "go_back_to_previous_question"): ("allow_going_back", "disallow_going_back"),
    ("quiz_dim", "could_be_locked"): ("allow_locking", "disallow_locking"),
    ("quiz_dim", "browser_lockdown"): ("required", "not_required"),
    ("quiz_dim", "browser_lockdown_for_displaying_results"): ("required", "not_required"),
    ("quiz_dim", "browser_lockdown_monitor"): ("required", "not_required"),
    ("quiz_dim", "show_results"): (
        "always",
        "never",
        "always_after_last_attempt",
        "only_once_after_last_attempt",
    ),
    ("quiz_dim", "show_correct_answers"): (
        "always",
        "never",
        "only_once_after_last_attempt",
        "always_after_last_attempt",
    ),
    ("quiz_submission_historical_dim", "submission_state"): (
        "current_submission",
        "previous_submission",
    ),
    ("quiz_submission_historical_dim", "workflow_state"): (
        "untaken",
        "complete",
        "pending_review",
        "preview",
        "settings_only",
    ),
    ("quiz_submission_historical_dim", "submission_scoring_policy"): (
        "manually_overridden",
        "keep_highest",
        "keep_latest",
        "keep_average",
    ),
    ("quiz_submission_historical_dim", "submission_source"): ("student", "test_preview"),
    ("quiz_submission_dim", "workflow_state"): (
        "untaken",
        "complete",
        "pending_review",
        "preview",
        "settings_only",
    ),
    ("quiz_submission_dim", "submission_scoring_policy"): (
        "manually_overridden",
        "keep_highest",
        "keep_latest",
        "keep_average",
    ),
    ("quiz_submission_dim", "submission_source"): ("student", "test_preview"),
    ("quiz_question_dim", "workflow_state"): ("unpublished", "published", "deleted"),
    ("quiz_question_dim", "question_type"): (
        "calculated_question",
        "essay_question",
        "file_upload_question",
        "fill_in_multiple_blanks_question",
        "matching_question",
        "multiple_answers_question",
        "multiple_choice_question",
        "multiple_dropdowns_question",
        "numerical_question",
        "short_answer_question",
        "text_only_question",
        "true_false_question",
    ),
    ("quiz_question_dim", "regrade_option"): ("available", "unavailable"),
    ("quiz_question_answer_dim", "numerical_answer_type"): ("exact_answer", "range_answer"),
    ("external_tool_activation_dim", "workflow_state"): ("active", "deleted"),
    ("wiki_page_dim", "workflow_state"): ("active", "unpublished", "deleted"),
}

CHANGELOG = REPO / "CHANGELOG.md"
REFERENCE = REPO / "loader" / "reference" / "cd1_schema.json"
CHANGELOG_ROW = re.compile(r"^\|\s*(\w+)\s*\|\s*new value\s*\|\s*(\w+)\s*\|([^|]*)\|")


def descriptions() -> dict[tuple[str, str], str]:
    """(table, column) -> the CD1 4.2.1 description."""
    schema = json.loads(REFERENCE.read_text("utf-8"))
    return {
        (t["table"], c["name"]): c.get("description") or ""
        for t in schema["tables"]
        for c in t["columns"]
    }


def changelog_values() -> dict[tuple[str, str], set[str]]:
    """(table, column) -> the new CD2 values CHANGELOG.md lists for it."""
    listed: dict[tuple[str, str], set[str]] = {}
    for line in CHANGELOG.read_text("utf-8").splitlines():
        match = CHANGELOG_ROW.match(line)
        if match:
            table, column, values = match.groups()
            listed.setdefault((table, column), set()).update(re.findall(r"`([^`]+)`", values))
    return listed


def test_the_documented_lists_are_cd1s() -> None:
    """Each value listed above is a word of the CD1 column's description, and the changelog's
    new values are for CD1 enum columns listed above."""
    described = descriptions()
    for (table, column), values in CD1_VALUES.items():
        text = described[(table, column)]
        for value in values:
            assert re.search(rf"(?<![\w]){re.escape(value)}(?![\w])", text), (table, column, value)
    new = changelog_values()
    assert new, "CHANGELOG.md lists no new values"
    assert set(new) <= set(CD1_VALUES), sorted(set(new) - set(CD1_VALUES))


@pytest.mark.slow
def test_cd1_enum_columns_hold_cd1_values_or_listed_new_ones(cd1_warehouse: Warehouse) -> None:
    new = changelog_values()
    unexpected: dict[str, list[str]] = {}
    seen = 0
    for (table, column), values in CD1_VALUES.items():
        rows = cd1_warehouse.query(
            f'select distinct cast("{column}" as text) from cd1."{table}"'
            f' where "{column}" is not null'
        )
        allowed = set(values) | new.get((table, column), set())
        found = {str(v) for (v,) in rows}
        seen += len(found)
        if found - allowed:
            unexpected[f"{table}.{column}"] = sorted(found - allowed)
    assert seen > 0
    assert not unexpected, "values neither CD1 documents nor CHANGELOG.md lists:\n" + "\n".join(
        f"  {column}: {values}" for column, values in sorted(unexpected.items())
    )
