"""End to end: the emulator loaded by ``cd2 load``, ``dbt build``, then CD1 facts checked against
numbers computed by hand from the emulator's ground truth (GET /_emulator/truth/{ns}/{table}).

The last test advances the emulator past the 30-day web_logs retention and loads again, so it
must run after the others (pytest keeps file order).
"""

from __future__ import annotations

import hashlib
import subprocess
from collections import Counter, defaultdict
from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest

from tests.e2e.conftest import BIN, Warehouse

pytestmark = pytest.mark.slow

SHARD = 10**13  # shard 1 (dbt_project.yml var shard_id): global id = 10^13 + local id


def global_id(local: int | None) -> int | None:
    """CD1 global id (R2/R3): ids from another shard (>= 10^13) stay as they are."""
    if local is None:
        return None
    return local if local >= SHARD else SHARD + local


def rollup_id(user_id: int, course_id: int) -> int:
    """enrollment_rollup_dim.id by hand: the first 60 bits of the MD5 of
    'enrollment_rollup|<global user>|<global course>' (macro cd1_enrollment_rollup_id)."""
    key = f"enrollment_rollup|{global_id(user_id)}|{global_id(course_id)}"
    return int(hashlib.md5(key.encode()).hexdigest()[:15], 16)


def test_dbt_build_is_green(cd1_warehouse: Warehouse) -> None:
    bad = [
        f"{r['unique_id']}: {r['status']} {r.get('message') or ''}".strip()
        for r in cd1_warehouse.run_results["results"]
        if r["status"] not in ("success", "pass", "warn", "no-op")  # no-op: the exposure
    ]
    assert not bad, "dbt build failures:\n" + "\n".join(bad)


def test_dbt_build_has_no_warnings(cd1_warehouse: Warehouse) -> None:
    """The emulator's data is referentially whole, so no test warns on it: a warning here is a
    quirk of the generator or a mapping mistake, not incomplete CD2 data."""
    warned = [
        f"{r['unique_id']}: {r.get('failures')} rows"
        for r in cd1_warehouse.run_results["results"]
        if r["status"] == "warn"
    ]
    assert not warned, "dbt tests warn on the emulator's data:\n" + "\n".join(warned)


def test_every_cd1_table_has_rows(cd1_warehouse: Warehouse) -> None:
    tables = [
        name
        for (name,) in cd1_warehouse.query(
            "select table_name from information_schema.tables where table_schema = 'cd1'"
        )
    ]
    assert len(tables) == 106  # CD1 4.2.1's 100 and the Canvas Catalog tables of 4.2.2
    empty = [
        name
        for name in sorted(tables)
        if not cd1_warehouse.query(f'select 1 from cd1."{name}" limit 1')
    ]
    assert not empty, f"CD1 tables without rows on the emulator's data: {empty}"


def test_cd2_summary_counts_the_layers(cd1_warehouse: Warehouse) -> None:
    """``cd2 summary`` (what ``make demo`` prints) against counts taken here."""
    cd2 = BIN / "cd2"
    out = subprocess.run(
        [str(cd2), "summary", "--dsn", cd1_warehouse.dsn],
        env=cd1_warehouse.env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    ).stdout
    layers = {line[:44].strip(): line[44:].split() for line in out.splitlines()[1:]}
    cd1_rows = sum(
        cd1_warehouse.query(f'select count(*) from cd1."{name}"')[0][0]
        for (name,) in cd1_warehouse.query(
            "select table_name from information_schema.tables where table_schema = 'cd1'"
        )
    )
    assert layers["CD1 star schema"] == ["cd1", "106", "106", f"{cd1_rows:,}"]
    [(views,)] = cd1_warehouse.query(
        "select count(*) from information_schema.views"
        " where table_schema in ('canvas', 'canvas_logs', 'catalog')"
    )
    assert layers["current state (canvas.<table> views)"][0] == "canvas,canvas_logs,catalog"
    assert layers["current state (canvas.<table> views)"][1] == str(views)
    assert int(layers["current state (canvas.<table> views)"][3].replace(",", "")) > 0


def test_submissions_per_course(cd1_warehouse: Warehouse) -> None:
    truth = cd1_warehouse.truth("canvas", "submissions").to_pylist()
    expected = Counter(global_id(row["course_id"]) for row in truth)
    rows = cd1_warehouse.query(
        "select course_id, count(*) from cd1.submission_fact group by course_id"
    )
    assert dict(rows) == dict(expected)
    assert sum(expected.values()) > 0


def test_account_subaccount_chain(cd1_warehouse: Warehouse) -> None:
    accounts = {
        row["id"]: row["parent_account_id"]
        for row in cd1_warehouse.truth("canvas", "accounts").to_pylist()
    }
    columns = ", ".join(f"subaccount{n}_id" for n in range(1, 16))
    rows = cd1_warehouse.query(
        "select canvas_id, depth, parent_account_id, root_account_id, "
        f"{columns} from cd1.account_dim"
    )
    assert len(rows) == len(accounts)
    deepest = 0
    for canvas_id, depth, parent, root, *subaccounts in rows:
        chain = [canvas_id]  # the account, then its parent, ... up to the root
        while accounts.get(chain[-1]) is not None:
            chain.append(accounts[chain[-1]])
        top_down = list(reversed(chain))  # root, subaccount1, ..., the account
        deepest = max(deepest, len(chain) - 1)
        assert depth == len(chain) - 1, canvas_id
        assert parent == global_id(accounts[canvas_id]), canvas_id
        assert root == global_id(top_down[0]), canvas_id
        expected = [global_id(a) for a in top_down[1:]] + [None] * (16 - len(top_down))
        assert subaccounts == expected, canvas_id
    assert deepest >= 2, "the emulator's account tree should be at least two levels deep"


PRIVILEGE_ORDER = [
    "AccountAdmin",
    "AccountMembership",
    "TeacherEnrollment",
    "TaEnrollment",
    "DesignerEnrollment",
    "StudentEnrollment",
    "ObserverEnrollment",
    "NoPermissions",
]


def test_student_enrollment_rollup(cd1_warehouse: Warehouse) -> None:
    enrollments = cd1_warehouse.truth("canvas", "enrollments").to_pylist()
    base_type = {
        r["id"]: r["base_role_type"] for r in cd1_warehouse.truth("canvas", "roles").to_pylist()
    }
    admins = {r["user_id"] for r in cd1_warehouse.truth("canvas", "account_users").to_pylist()}
    by_pair: dict[tuple[int, int], list[dict[str, object]]] = defaultdict(list)
    for row in enrollments:
        by_pair[(row["user_id"], row["course_id"])].append(row)
    live_students = sorted(
        pair
        for pair, rows in by_pair.items()
        if pair[0] not in admins
        and any(r["type"] == "StudentEnrollment" and r["workflow_state"] != "deleted" for r in rows)
    )
    assert live_students, "the emulator should enroll students"
    user_id, course_id = live_students[0]
    live = [r for r in by_pair[(user_id, course_id)] if r["workflow_state"] != "deleted"]
    types = {base_type.get(r["role_id"], r["type"]) for r in live}
    student_roles = {
        r["role_id"] for r in live if base_type.get(r["role_id"]) == "StudentEnrollment"
    }
    student_ids = [r["id"] for r in live if base_type.get(r["role_id"]) == "StudentEnrollment"]
    rows = cd1_warehouse.query(
        "select id, enrollment_count, role_count, student_enrollment_role_count,"
        " student_enrollment_enrollment_id, most_privileged_role, least_privileged_role"
        " from cd1.enrollment_rollup_dim where user_id = %s and course_id = %s",
        (global_id(user_id), global_id(course_id)),
    )
    ranked = sorted(types, key=PRIVILEGE_ORDER.index)
    assert rows == [
        (
            rollup_id(user_id, course_id),
            len(live),
            len({r["role_id"] for r in live}),
            len(student_roles),
            global_id(min(student_ids)),
            ranked[0],
            ranked[-1],
        )
    ]
    assert cd1_warehouse.query("select count(*) from cd1.enrollment_rollup_dim") == [
        (len(by_pair),)
    ]


def test_submission_fact_points_at_the_rollup(cd1_warehouse: Warehouse) -> None:
    truth = cd1_warehouse.truth("canvas", "submissions").to_pylist()
    row = min(truth, key=lambda r: r["id"])
    assert cd1_warehouse.query(
        "select enrollment_rollup_id from cd1.submission_fact where submission_id = %s",
        (global_id(row["id"]),),
    ) == [(rollup_id(row["user_id"], row["course_id"]),)]


def test_course_scores(cd1_warehouse: Warehouse) -> None:
    truth = [r for r in cd1_warehouse.truth("canvas", "scores").to_pylist() if r["course_score"]]
    rows = cd1_warehouse.query(
        "select canvas_id, current_score, final_score, muted_current_score, muted_final_score"
        " from cd1.course_score_fact"
    )
    expected = {
        (
            r["id"],
            r["current_score"],
            r["final_score"],
            r["unposted_current_score"],
            r["unposted_final_score"],
        )
        for r in truth
    }
    assert set(rows) == expected
    assert expected


def _naive_utc(value: datetime | None) -> datetime | None:
    """A ground-truth timestamp as CD1 stores it: naive UTC."""
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


def test_submission_posted_at(cd1_warehouse: Warehouse) -> None:
    """submission_dim.posted_at (added to CD1 after 4.2.2) is CD2's submissions.posted_at."""
    truth = cd1_warehouse.truth("canvas", "submissions").to_pylist()
    rows = cd1_warehouse.query("select canvas_id, posted_at from cd1.submission_dim")
    assert sorted(rows) == sorted((r["id"], _naive_utc(r["posted_at"])) for r in truth)
    assert any(r["posted_at"] is not None for r in truth)
    assert any(r["posted_at"] is None for r in truth)


@pytest.mark.parametrize(
    ("table", "marts"),
    [
        ("learning_outcomes", ("learning_outcome_dim", "learning_outcome_fact")),
        ("learning_outcome_groups", ("learning_outcome_group_dim", "learning_outcome_group_fact")),
    ],
)
def test_outcome_import_id(cd1_warehouse: Warehouse, table: str, marts: tuple[str, str]) -> None:
    """outcome_import_id (added in CD1 4.2.2) is the CD2 column as a global id, on the dim and
    the fact of outcomes and outcome groups."""
    truth = cd1_warehouse.truth("canvas", table).to_pylist()
    expected = sorted((global_id(r["id"]), global_id(r["outcome_import_id"])) for r in truth)
    dim, fact = marts
    assert sorted(cd1_warehouse.query(f"select id, outcome_import_id from cd1.{dim}")) == expected
    key = fact.removesuffix("_fact") + "_id"
    assert (
        sorted(cd1_warehouse.query(f"select {key}, outcome_import_id from cd1.{fact}")) == expected
    )
    assert any(r["outcome_import_id"] is not None for r in truth)


def test_catalog_products(cd1_warehouse: Warehouse) -> None:
    """The Canvas Catalog tables (CD1 4.2.2) from CD2's catalog namespace: catalog_product_fact
    by hand from catalog.products, their catalog account's parent and their Canvas course's term;
    Catalog's own ids as they are, Canvas ids global."""
    products = cd1_warehouse.truth("catalog", "products").to_pylist()
    parents = {
        r["id"]: r["parent_id"] for r in cd1_warehouse.truth("catalog", "accounts").to_pylist()
    }
    terms = {
        r["id"]: r["enrollment_term_id"]
        for r in cd1_warehouse.truth("canvas", "courses").to_pylist()
    }
    expected = sorted(
        (
            p["id"],
            p["account_id"],
            parents.get(p["account_id"]),
            global_id(p["canvas_course_id"]),
            global_id(terms.get(p["canvas_course_id"])),
            None if p["enrollment_fee"] is None else float(p["enrollment_fee"]),
            p["waitlist_cap"],
        )
        for p in products
    )
    rows = cd1_warehouse.query(
        "select catalog_product_id, catalog_id, parent_catalog_id, course_id, enrollment_term_id,"
        " enrollment_fee, waitlist_capacity from cd1.catalog_product_fact"
    )
    assert sorted(rows) == expected
    assert any(r[2] is not None for r in expected) and any(r[4] is not None for r in expected)
    dims = cd1_warehouse.query(
        "select id, product_type, has_waitlist, enrollment_open from cd1.catalog_product_dim"
    )
    assert sorted(dims) == sorted(
        (p["id"], p["type"], p["waitlist"], p["enrollment_open"]) for p in products
    )


def test_catalog_registrations(cd1_warehouse: Warehouse) -> None:
    """catalog_user_registration_dim: the catalog the user registered with, else the root
    catalog; the Canvas user's global id."""
    users = cd1_warehouse.truth("catalog", "users").to_pylist()
    rows = cd1_warehouse.query(
        "select id, catalog_id, user_id from cd1.catalog_user_registration_dim"
    )
    assert sorted(rows) == sorted(
        (
            u["id"],
            u["registered_account_id"]
            if u["registered_account_id"] is not None
            else u["root_account_id"],
            global_id(u["canvas_user_id"]),
        )
        for u in users
    )
    assert any(u["registered_account_id"] is None for u in users)


@pytest.mark.parametrize(
    "table", ["accounts", "enrollments", "products", "program_requirements", "users"]
)
def test_catalog_current_state(cd1_warehouse: Warehouse, table: str) -> None:
    """The catalog namespace's current state under dap's names (``catalog.<table>``) equals the
    emulator's ground truth, every column the API serves."""
    truth = cd1_warehouse.truth("catalog", table).to_pylist()
    columns = list(truth[0])
    select = ", ".join(f'"{c}"' for c in columns)
    rows = cd1_warehouse.query(f'select {select} from catalog."{table}"')

    def norm(value: object) -> object:
        return float(value) if isinstance(value, Decimal) else value

    assert sorted((tuple(norm(v) for v in r) for r in rows), key=repr) == sorted(
        (tuple(norm(r[c]) for c in columns) for r in truth), key=repr
    )


def test_user_global_ids(cd1_warehouse: Warehouse) -> None:
    """user_dim.id and global_canvas_id are the global id (R2); a user homed on another shard
    (id >= 10^13, at scales from small up) keeps the id CD2 gives it (R3)."""
    users = [r["id"] for r in cd1_warehouse.truth("canvas", "users").to_pylist()]
    rows = cd1_warehouse.query("select canvas_id, id, global_canvas_id from cd1.user_dim")
    assert sorted(rows) == sorted((u, global_id(u), str(global_id(u))) for u in users)
    assert users


def test_discussion_entries_take_their_topics_course(cd1_warehouse: Warehouse) -> None:
    """discussion_entry_fact: the course (and its term and account) is the topic's course, for a
    group topic the group's course (mapping.md 6); only topics of account groups have none."""
    topics = {r["id"]: r for r in cd1_warehouse.truth("canvas", "discussion_topics").to_pylist()}
    groups = {r["id"]: r for r in cd1_warehouse.truth("canvas", "groups").to_pylist()}
    courses = {r["id"]: r for r in cd1_warehouse.truth("canvas", "courses").to_pylist()}
    expected = {}
    through_groups = 0
    for entry in cd1_warehouse.truth("canvas", "discussion_entries").to_pylist():
        topic = topics.get(entry["discussion_topic_id"])
        course = None
        if topic is not None and topic["context_type"] == "Course":
            course = topic["context_id"]
        elif topic is not None and topic["context_type"] == "Group":
            group = groups.get(topic["context_id"])
            if group is not None and group["context_type"] == "Course":
                course, through_groups = group["context_id"], through_groups + 1
        row = courses.get(course) if course is not None else None
        expected[global_id(entry["id"])] = (
            global_id(course),
            global_id(row["enrollment_term_id"]) if row else None,
            global_id(row["account_id"]) if row else None,
        )
    rows = cd1_warehouse.query(
        "select discussion_entry_id, course_id, enrollment_term_id, course_account_id"
        " from cd1.discussion_entry_fact"
    )
    assert {r[0]: tuple(r[1:]) for r in rows} == expected
    assert through_groups > 0, "the emulator made no entries in group topics"


def _requests_by_course(warehouse: Warehouse) -> tuple[set[str], Counter[int | None]]:
    truth = warehouse.truth("canvas_logs", "web_logs").to_pylist()
    return {str(r["id"]) for r in truth}, Counter(global_id(r["course_id"]) for r in truth)


def test_requests_match_web_logs(cd1_warehouse: Warehouse) -> None:
    ids, per_course = _requests_by_course(cd1_warehouse)
    assert dict(
        cd1_warehouse.query("select course_id, count(*) from cd1.requests group by course_id")
    ) == dict(per_course)
    assert {r[0] for r in cd1_warehouse.query("select id from cd1.requests")} == ids


def test_requests_keep_history_beyond_retention(cd1_warehouse: Warehouse) -> None:
    """DAP serves ~30 days of web_logs: after 35 more days and another load, requests still has
    every request of the first window plus the new window."""
    first, _ = _requests_by_course(cd1_warehouse)
    response = httpx.post(
        f"{cd1_warehouse.emulator.url}/_emulator/advance", json={"hours": 35 * 24}, timeout=600
    )
    response.raise_for_status()
    second, _ = _requests_by_course(cd1_warehouse)
    assert first - second, "the first window should have left the emulator's retention"
    cd1_warehouse.load("load-2")
    cd1_warehouse.dbt("build-2-staging", "run", "--select", "path:models/staging", "--threads", "1")
    # cautious: tests that also read models outside the selection (e.g. grain tests of the
    # dims on staging tables that changed) stay out; this builds requests and its upstream only
    cd1_warehouse.dbt(
        "build-2", "build", "--select", "+requests", "--indirect-selection", "cautious"
    )
    kept = {r[0] for r in cd1_warehouse.query("select id from cd1.requests")}
    assert first | second <= kept
    assert len(kept) == len(first | second)
