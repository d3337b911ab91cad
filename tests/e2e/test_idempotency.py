"""The idempotency check (STYLE §8): reruns converge, and incremental builds equal a full refresh.

On a database of its own, loaded from an emulator of its own:

1. load a snapshot, ``dbt run --full-refresh``: hash every relation users see (current state in
   ``canvas``/``canvas_logs``, the CD1 star schema, the analytics reports and their shared tables);
2. advance the emulator a day, load the increment, ``dbt run`` with every
   base model merging (var ``incremental_min_rows: 0``), then
   load and ``dbt run`` once more with nothing new: every hash unchanged by the rerun;
3. ``dbt run --full-refresh``: every hash equal to the incremental result of step 2.

Then every incremental CD1 mart (``meta.cd1_incremental``, macros/cd1/cd1_incremental.sql) runs
incrementally through refreshes (updates, inserts, soft and hard deletes), late-arriving records
(the emulator's ``late`` delivery: older versions arriving after newer ones) and a re-snapshot of
driving and parent tables, and must hash equal (its ``_dap_loaded_at`` marker included) to a
``--full-refresh`` of the same data after each phase.

Tests of the models themselves run in test_cd1_facts (``dbt build``); here only the data counts.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from emulator.server import Emulator, Settings
from tests.conftest import PgServer
from tests.e2e.conftest import Warehouse, create_warehouse

pytestmark = pytest.mark.slow

SCHEMAS = ("canvas", "canvas_logs", "cd1", "analytics", "analytics_int")
# Every base model merges its increments (at this scale they would otherwise rebuild).
MERGE_ALL = ("--vars", "{incremental_min_rows: 0}")


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    emulator = Emulator(Settings(port=0, seed=11, scale="tiny"))
    emulator.start()
    try:
        yield emulator
    finally:
        emulator.shutdown()


@pytest.fixture(scope="module")
def warehouse(
    pg_server: PgServer, emulator: Emulator, tmp_path_factory: pytest.TempPathFactory
) -> Warehouse:
    return create_warehouse(
        pg_server, emulator, Path(tmp_path_factory.mktemp("idempotency")), "idempotency_e2e"
    )


def run(warehouse: Warehouse, name: str, *args: str) -> None:
    """``dbt run`` on four threads."""
    warehouse.dbt(name, "run", "--threads", "4", *args)


def relation_hashes(warehouse: Warehouse) -> dict[str, tuple[int, str]]:
    """Row count and an order-independent hash of the rows, per relation of the user schemas."""
    relations = warehouse.query(
        "select table_schema, table_name from information_schema.tables"
        " where table_schema = any(%s) order by 1, 2",
        (list(SCHEMAS),),
    )
    out: dict[str, tuple[int, str]] = {}
    for schema, name in relations:
        [(count, digest)] = warehouse.query(
            f"select count(*), md5(coalesce(string_agg(h, '' order by h), '')) from (select md5(t::text) as h from \"{schema}\".\"{name}\" t) rows"  # noqa: E501
        )
        out[f"{schema}.{name}"] = (int(count), str(digest))
    return out


def differences(before: dict[str, tuple[int, str]], after: dict[str, tuple[int, str]]) -> list[str]:
    names = sorted(set(before) | set(after))
    return [
        f"{n}: {before.get(n)} -> {after.get(n)}" for n in names if before.get(n) != after.get(n)
    ]


def test_rebuilds_converge(warehouse: Warehouse, emulator: Emulator) -> None:
    warehouse.load("load-1")
    warehouse.dbt("seed", "seed")
    run(warehouse, "run-1", "--full-refresh")
    first = relation_hashes(warehouse)
    assert {k.split(".")[0] for k in first} >= {"canvas", "canvas_logs", "cd1"}
    assert first["canvas.submissions"][0] > 0

    httpx.post(
        f"{emulator.url}/_emulator/advance", json={"hours": 24}, timeout=600
    ).raise_for_status()
    warehouse.load("load-2")
    run(warehouse, "run-2", *MERGE_ALL)
    incremental = relation_hashes(warehouse)
    changed = differences(first, incremental)
    assert any(c.startswith("canvas.submissions") for c in changed), changed
    # the activity rollup took the increment's days only (the days of requests loaded since its
    # newest marker), not every day
    rollup = "analytics_int.int_page_views_rolled_up"
    assert any(c.startswith(rollup) for c in changed), changed
    [rollup_result] = [
        r
        for r in json.loads((warehouse.work / "target" / "run_results.json").read_text())["results"]
        if r["unique_id"].endswith(".int_page_views_rolled_up")
    ]
    [(days,)] = warehouse.query(f"select count(distinct request_date) from {rollup}")
    assert "cd1_changed_keys" in rollup_result["compiled_code"]
    assert 0 < rollup_result["adapter_response"]["rows_affected"] < incremental[rollup][0], days

    warehouse.load("load-3")  # nothing new since load-2
    run(warehouse, "run-3", *MERGE_ALL)
    assert differences(incremental, relation_hashes(warehouse)) == []

    run(warehouse, "run-4", "--full-refresh")
    assert differences(incremental, relation_hashes(warehouse)) == []


def test_a_run_that_missed_part_of_its_boundary_job_takes_the_rest(warehouse: Warehouse) -> None:
    """Incremental runs re-read the last job they processed (the boundary job), unless the
    loader's sync log proves every record of it stored. Rows of that job missing from the model
    (as after a run that overlapped the load and saw part of the job) fail the proof, and the
    next run takes them."""
    before = relation_hashes(warehouse)
    base = "canvas_base.base_canvas__submissions"
    [(boundary, stored)] = warehouse.query(
        f"select max(_dap_job_seq), count(*) filter (where _dap_job_seq ="
        f" (select max(_dap_job_seq) from {base})) from {base}"
    )
    assert stored >= 2
    deleted = warehouse.query(
        f"delete from {base} where id in (select id from {base} where _dap_job_seq = %s"
        " order by id limit %s) returning id",
        (boundary, stored // 2),
    )
    assert len(deleted) == stored // 2
    assert relation_hashes(warehouse) != before
    run(warehouse, "run-5", *MERGE_ALL, "--select", "base_canvas__submissions")
    assert differences(before, relation_hashes(warehouse)) == []


# The incremental CD1 marts: those issue 13 names and the others that grow with enrollment or
# activity (each must be one: the test fails otherwise).
INCREMENTAL_MARTS = {
    "submission_fact",
    "submission_dim",
    "submission_comment_fact",
    "submission_comment_dim",
    "enrollment_fact",
    "enrollment_dim",
    "requests",
    "discussion_entry_dim",
    "module_progression_dim",
    "conversation_dim",
    "conversation_message_dim",
    "module_progression_fact",
    "quiz_submission_fact",
    "quiz_submission_dim",
    "course_score_fact",
    "course_score_dim",
    "assignment_group_score_fact",
    "assignment_group_score_dim",
    "grading_period_score_fact",
    "grading_period_score_dim",
    "discussion_entry_fact",
    "assignment_fact",
    "assignment_dim",
    "file_dim",
    "file_fact",
    "conversation_message_participant_fact",
    "quiz_submission_historical_fact",
    "quiz_submission_historical_dim",
    "learning_outcome_result_fact",
    "learning_outcome_result_dim",
    "learning_outcome_question_result_fact",
    "learning_outcome_question_result_dim",
    "pseudonym_fact",
    "pseudonym_dim",
    "group_membership_fact",
    "group_membership_dim",
    "conference_participant_fact",
    "conference_participant_dim",
    "submission_file_fact",
    "assignment_override_user_fact",
    "assignment_override_user_dim",
}


def incremental_marts(warehouse: Warehouse) -> list[str]:
    """The models built with the incremental-mart framework (their spec in meta)."""
    manifest = json.loads((warehouse.work / "target" / "manifest.json").read_text("utf-8"))
    return sorted(
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        and (node["config"].get("meta") or {}).get("cd1_incremental")
    )


def mart_hashes(warehouse: Warehouse, marts: list[str]) -> dict[str, tuple[int, str]]:
    """Row count and row hash of each mart (every column, the marker included)."""
    return {k: v for k, v in relation_hashes(warehouse).items() if k.split(".")[1] in marts}


def test_incremental_marts_equal_a_full_rebuild_through_refreshes_late_records_and_resnapshots(
    warehouse: Warehouse,
) -> None:
    """Each phase ends with the marts compared against ``--full-refresh`` (only the marts are
    rebuilt: same raw and base data). A re-snapshot rebuilds the marts it feeds, so the phases
    before it are compared first, or a wrong incremental result would be washed away."""
    if not warehouse.query("select 1 from information_schema.tables where table_schema = 'cd1'"):
        warehouse.load("marts-first-load")  # run alone (-k): start from a first build
        warehouse.dbt("marts-seed", "seed")
        run(warehouse, "marts-first-run", "--full-refresh")
    marts = incremental_marts(warehouse)
    assert set(marts) >= INCREMENTAL_MARTS, sorted(INCREMENTAL_MARTS - set(marts))
    with_parents = ["--select", " ".join(f"+{m}" for m in marts)]
    only_marts = ["--select", " ".join(marts)]
    start = mart_hashes(warehouse, marts)
    changed: set[str] = set()

    def refresh(name: str, *load_args: str) -> None:
        warehouse.load(f"{name}-load", *load_args)
        run(warehouse, f"{name}-run", *MERGE_ALL, *with_parents)

    def compare_with_full_refresh(name: str) -> None:
        incremental = mart_hashes(warehouse, marts)
        changed.update(k.split(":")[0].split(".")[1] for k in differences(start, incremental))
        run(warehouse, f"{name}-full", *MERGE_ALL, *only_marts, "--full-refresh")
        assert differences(incremental, mart_hashes(warehouse, marts)) == []

    # refreshes: changes (inserts, updates, soft and hard deletes) in two 12-hour steps, with 40 %
    # of them delivered 6 hours late: the second step also loads changes of the first window
    # (late-arriving records, older meta_ts than the window they arrive in)
    warehouse.admin("POST", "late", {"rate": 0.4, "hours": 6})
    try:
        for step in (1, 2):
            warehouse.admin("POST", "advance", {"hours": 12})
            refresh(f"marts-{step}")
    finally:
        warehouse.admin("POST", "late", {"rate": 0, "hours": 0})
    late = sum(
        warehouse.query(
            f"select count(*) from raw_canvas.{table} as rec"
            " inner join raw_canvas._dap_sync_log as job"
            f" on lower(job.table_name) = '{table}' and job.job_seq = rec._dap_job_seq"
            " where job.load_kind = 'incremental' and rec.meta_ts < job.since"
        )[0][0]
        for table in ("submissions", "submission_comments", "enrollments", "courses")
    )
    assert late > 0, "no late-arriving record was loaded"
    compare_with_full_refresh("marts-refreshes")

    # a re-snapshot of a driving table and of parents, then one more refresh on top
    warehouse.admin("POST", "advance", {"hours": 6})
    # (every driving table: the marts of small tables that no refresh happened to change are
    # then rebuilt from a newer snapshot at least, so each mart is exercised)
    refresh(
        "marts-resnapshot",
        "--snapshot",
        "--table",
        "submissions,courses,web_logs,submission_comments,enrollments,quiz_submissions,"
        "discussion_entries,context_module_progressions,conversations,conversation_messages,"
        "scores,assignments,attachments,learning_outcome_results,learning_outcome_question_results,"
        "pseudonyms,group_memberships,web_conference_participants,assignment_override_students",
    )
    warehouse.admin("POST", "advance", {"hours": 6})
    refresh("marts-after-resnapshot")
    compare_with_full_refresh("marts-resnapshot")
    assert changed >= INCREMENTAL_MARTS, f"marts no phase changed: {INCREMENTAL_MARTS - changed}"


def test_every_hop_column_of_a_mart_spec_is_indexed(warehouse: Warehouse) -> None:
    """The base models index each column the incremental marts look changed keys up by (their
    specs' `via` hops), or every refresh would read the whole table once per hop."""
    if not warehouse.query("select 1 from information_schema.tables where table_schema = 'cd1'"):
        warehouse.load("hops-first-load")  # run alone (-k): start from a first build
        warehouse.dbt("hops-seed", "seed")
        run(warehouse, "hops-first-run")
    manifest = json.loads((warehouse.work / "target" / "manifest.json").read_text("utf-8"))
    keys = {n["name"]: n["config"].get("unique_key") for n in manifest["nodes"].values()}
    hops = {
        (hop[0], hop[1])
        for node in manifest["nodes"].values()
        for parent in ((node["config"].get("meta") or {}).get("cd1_incremental") or {}).get(
            "parents", []
        )
        for hop in parent.get("via") or []
        # base models (an intermediate view has no index to create)
        if hop[0].startswith("base_") and hop[1] != keys.get(hop[0])
    }
    assert ("base_canvas__submissions", "course_id") in hops
    assert ("base_canvas_logs__web_logs", "course_id") in hops
    indexed = {
        (table, column)
        for table, column in warehouse.query(
            "select t.relname, a.attname from pg_index as i"
            " join pg_class as t on t.oid = i.indrelid"
            " join pg_namespace as n on n.oid = t.relnamespace"
            " join pg_attribute as a on a.attrelid = t.oid and a.attnum = i.indkey[0]"
            " where n.nspname in ('canvas_base', 'canvas_logs_base', 'catalog_base')"
        )
    }
    assert hops - indexed == set()
