"""BI access as the README shows it: a login created in ``cd2_bi_reader`` (which ``dbt build``
creates and grants) reads the CD1 and Analytics marts, and cannot write or read raw or current
state."""

from __future__ import annotations

import re
from collections.abc import Iterator

import psycopg2
import psycopg2.errors
import pytest

from tests.conftest import PgServer
from tests.e2e.conftest import DATABASE, REPO, Warehouse

pytestmark = pytest.mark.slow


def readme_bi_login() -> tuple[str, str]:
    """The README's ``create role … in role cd2_bi_reader`` statement and the role it creates."""
    readme = (REPO / "README.md").read_text("utf-8")
    match = re.search(
        r"^create role (\w+) login password '[^']*' in role cd2_bi_reader;$", readme, re.M
    )
    assert match, "README.md no longer shows how to create a BI login in cd2_bi_reader"
    return match.group(0), match.group(1)


@pytest.fixture
def bi_login(cd1_warehouse: Warehouse, pg_server: PgServer) -> Iterator[str]:
    statement, role = readme_bi_login()
    cd1_warehouse.query(f"drop role if exists {role}; {statement} select 1")
    try:
        yield pg_server.url(DATABASE).replace(f"{pg_server.user}@", f"{role}@", 1)
    finally:
        cd1_warehouse.query(f"drop role if exists {role}; select 1")


def attempt(dsn: str, sql: str) -> type[Exception] | None:
    """The error class a statement fails with, or None when it succeeds."""
    conn = psycopg2.connect(dsn)
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
        return None
    except psycopg2.Error as exc:
        return type(exc)
    finally:
        conn.rollback()
        conn.close()


def test_bi_login_reads_marts_and_nothing_else(bi_login: str, cd1_warehouse: Warehouse) -> None:
    denied = psycopg2.errors.InsufficientPrivilege
    with psycopg2.connect(bi_login) as conn, conn.cursor() as cur:
        cur.execute("select current_user, pg_has_role(current_user, 'cd2_bi_reader', 'member')")
        assert cur.fetchone()[1] is True  # type: ignore[index]
        cur.execute("select count(*) from cd1.course_dim")
        courses = cur.fetchone()[0]  # type: ignore[index]
        cur.execute("select count(*) from analytics.course_assignments")
    assert courses == cd1_warehouse.query("select count(*) from cd1.course_dim")[0][0] > 0
    # no writes to the marts
    assert attempt(bi_login, "delete from cd1.course_dim") is denied
    assert attempt(bi_login, "insert into cd1.course_dim (id) values (-1)") is denied
    assert attempt(bi_login, "create table cd1.bi_scratch (id int)") is denied
    assert attempt(bi_login, "update analytics.course_assignments set title = 'x'") is denied
    # nothing below the marts
    assert attempt(bi_login, "select count(*) from raw_canvas.courses") is denied
    assert attempt(bi_login, "select count(*) from canvas.courses") is denied
