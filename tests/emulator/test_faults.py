"""Fault injection: every fault kind, count and rate rules, table filters, counters."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Callable

import httpx
import pytest

from emulator.server import Emulator

from .conftest import Api, gunzip_single_member


def _add(api: Api, **rule: object) -> dict:
    added = api.admin("POST", "faults", rule)["added"]
    assert len(added) == 1
    return dict(added[0])


def _rule(api: Api, rule_id: int) -> dict:
    rules = {r["id"]: r for r in api.admin("GET", "faults")["faults"]}
    return dict(rules[rule_id])


def test_rate_limit_with_retry_after(api: Api) -> None:
    rule = _add(api, route="list_tables", kind="rate_limit", count=2, retry_after=7)
    statuses = []
    for _ in range(3):
        r = api.get("/dap/query/canvas/table")
        statuses.append(r.status_code)
        if r.status_code == 429:
            assert r.headers["retry-after"] == "7"
            assert r.headers["content-type"].startswith("application/json")
            assert set(r.json()["error"]) == {"type", "uuid", "message"}
    assert statuses == [429, 429, 200]
    state = _rule(api, rule["id"])
    assert state["hits"] == 2 and state["remaining"] == 0
    counters = api.admin("GET", "requests")["requests"]
    assert counters["list_tables"] == {"429": 2, "200": 1}


def test_rate_limit_default_retry_after(make_emulator: Callable[..., Emulator]) -> None:
    api = Api(make_emulator(retry_after=3))
    api.login()
    _add(api, route="any", kind="rate_limit", count=1)
    r = api.get("/dap/query/canvas/table")
    assert r.status_code == 429 and r.headers["retry-after"] == "3"
    api.close()


@pytest.mark.parametrize("status", [500, 502, 503, 504])
@pytest.mark.parametrize("body", ["dap", "plain"])
def test_server_errors(api: Api, status: int, body: str) -> None:
    _add(api, route="schema", kind="server_error", status=status, body=body, count=1)
    r = api.get("/dap/query/canvas/table/accounts/schema")
    assert r.status_code == status
    if body == "dap":
        assert r.headers["content-type"].startswith("application/json")
        assert r.json()["error"]["type"] == "ProcessingError"
    else:
        assert r.headers["content-type"].startswith("text/plain")
    assert api.get("/dap/query/canvas/table/accounts/schema").status_code == 200


def _object_url(api: Api, table: str = "accounts") -> tuple[str, int]:
    job = api.query("canvas", table, format="tsv")
    oid = job["objects"][0]["id"]
    url = api.urls([oid])[oid]
    return url, len(api.download(url))


def test_connection_reset_mid_download(api: Api) -> None:
    url, size = _object_url(api, "submissions")
    _add(api, route="download", kind="reset", count=1, fraction=0.5)
    with pytest.raises(httpx.TransportError):
        api.http.get(url)
    assert len(api.download(url)) == size


def test_connection_reset_on_api_route(api: Api) -> None:
    _add(api, route="list_tables", kind="reset", count=1)
    with pytest.raises(httpx.TransportError):
        api.get("/dap/query/canvas/table")
    assert api.get("/dap/query/canvas/table").status_code == 200


def test_truncated_gzip(api: Api) -> None:
    url, size = _object_url(api, "submissions")
    _add(api, route="download", kind="truncate", count=1, fraction=0.6)
    r = api.http.get(url)
    assert r.status_code == 200
    assert int(r.headers["content-length"]) == len(r.content) == int(size * 0.6)
    d = zlib.decompressobj(wbits=31)
    d.decompress(r.content)
    assert not d.eof, "a truncated object must not be a complete gzip stream"
    assert gunzip_single_member(api.download(url))


def test_slow_response_still_answers(api: Api) -> None:
    rule = _add(api, route="schema", kind="slow", delay=0.3, count=1)
    r = api.get("/dap/query/canvas/table/courses/schema")
    assert r.status_code == 200 and r.json()["version"] == 1
    assert _rule(api, rule["id"])["hits"] == 1


def test_job_failed_on_create(api: Api) -> None:
    _add(api, route="create_job", kind="job_failed", count=1)
    job = api.query("canvas", "courses", format="tsv")
    assert set(job) == {"id", "status", "expires_at", "error"}
    assert job["status"] == "failed" and job["expires_at"] is None
    assert set(job["error"]) == {"type", "uuid", "message"}
    assert job["error"]["type"] == "ProcessingError"
    again = api.query("canvas", "courses", format="tsv")
    assert again["status"] == "complete" and again["id"] != job["id"]


def test_job_failed_on_poll(make_emulator: Callable[..., Emulator]) -> None:
    api = Api(make_emulator(job_polls=1))
    _add(api, route="get_job", kind="job_failed", count=1, table="courses")
    created = api.post("/dap/query/canvas/table/courses/data", {"format": "csv"}).json()
    assert created["status"] == "waiting"
    assert api.wait(created["id"])["status"] == "failed"
    api.close()


def test_url_expiry_fault(api: Api) -> None:
    job = api.query("canvas", "accounts", format="tsv")
    oid = job["objects"][0]["id"]
    _add(api, route="object_url", kind="url_expiry", count=1)
    expired = api.urls([oid])[oid]
    r = api.http.get(expired)
    assert r.status_code == 404 and r.json()["error"]["kind"] == "object"
    fresh = api.urls([oid])[oid]
    assert api.http.get(fresh).status_code == 200
    _add(api, route="download", kind="url_expiry", count=1)
    assert api.http.get(fresh).status_code == 404
    assert api.http.get(fresh).status_code == 200


def test_token_expiry_fault(api: Api) -> None:
    api.login()
    old = api.token
    _add(api, route="get_job", kind="token_expiry", count=1)
    job = api.query("canvas", "accounts", format="tsv")  # complete from create; no poll yet
    r = api.get(f"/dap/job/{job['id']}")
    assert r.status_code == 401 and r.json()["error"]["type"] == "AuthenticationError"
    r = api.get("/dap/query/canvas/table")
    assert r.status_code == 401, "the old token stays revoked"
    api.login()
    assert api.token != old
    assert api.get(f"/dap/job/{job['id']}").status_code == 200


def test_rate_rules_are_deterministic(make_emulator: Callable[..., Emulator]) -> None:
    patterns = []
    for _ in range(2):
        api = Api(make_emulator(seed=5))
        _add(api, route="list_tables", kind="server_error", status=500, rate=0.5, seed=9)
        patterns.append([api.get("/dap/query/canvas/table").status_code for _ in range(24)])
        api.close()
    assert patterns[0] == patterns[1]
    assert {500, 200} == set(patterns[0])


def test_table_filter(api: Api) -> None:
    _add(api, route="create_job", kind="rate_limit", table="canvas.courses", count=5)
    assert api.post("/dap/query/canvas/table/accounts/data", {"format": "tsv"}).status_code == 200
    assert api.post("/dap/query/canvas/table/courses/data", {"format": "tsv"}).status_code == 429


def test_login_faults(api: Api) -> None:
    _add(api, route="login", kind="server_error", status=502, count=1)
    r = api.http.post("/ids/auth/login", auth=("us-east-1#emulator", "emulator-secret"))
    assert r.status_code == 502
    api.login()


def test_fault_admin(api: Api) -> None:
    r = api.http.post("/_emulator/faults", json={"route": "download", "kind": "explode"})
    assert r.status_code == 400 and "explode" in r.json()["error"]["message"]
    r = api.http.post("/_emulator/faults", json={"route": "login", "kind": "truncate"})
    assert r.status_code == 400
    r = api.http.post("/_emulator/faults", json={"kind": "slow", "count": 1, "rate": 0.5})
    assert r.status_code == 400
    added = api.admin(
        "POST",
        "faults",
        {"faults": [{"kind": "slow", "delay": 0}, {"route": "download", "kind": "reset"}]},
    )["added"]
    assert [a["id"] for a in added] == [1, 2]
    assert added[0]["route"] == "any" and added[0]["remaining"] == 1
    assert len(api.admin("GET", "faults")["faults"]) == 2
    assert api.admin("DELETE", "faults") == {"removed": 2}
    assert api.admin("GET", "faults") == {"faults": []}


@pytest.mark.parametrize(
    "error_type",
    ["AccountDisabled", "AccountNotOnboarded", "AccountUnderMaintenance", "RequestTypeForbidden"],
)
def test_account_errors(api: Api, error_type: str) -> None:
    _add(api, route="create_job", kind="account_error", error_type=error_type, count=1)
    r = api.post("/dap/query/canvas/table/accounts/data", {"format": "tsv"})
    assert r.status_code == 403
    assert r.json()["error"]["type"] == error_type
    assert set(r.json()["error"]) == {"type", "uuid", "message"}
    r = api.http.post("/_emulator/faults", json={"kind": "account_error", "error_type": "Nope"})
    assert r.status_code == 400


def test_empty_objects_fault_adds_objects_without_records(api: Api) -> None:
    _add(api, route="create_job", kind="empty_objects", table="accounts", count=1)
    job, bodies = api.fetch("canvas", "accounts", format="tsv")
    sizes = [len(b) for b in bodies]
    assert 0 in sizes  # a zero-byte object: no gzip header at all
    texts = [gzip.decompress(b) if b else b"" for b in bodies]
    assert b"" in texts[1:]  # an empty gzip stream
    header_only = [t for t in texts if t and t.count(b"\n") == 1]
    assert header_only and header_only[0].startswith(b"meta.ts\t")
    assert sum(t.count(b"\n") - 1 for t in texts if t) > 0  # the data objects are still there
    again, _ = api.fetch("canvas", "accounts", format="tsv")
    assert len(again["objects"]) == len(job["objects"]) - 3  # the fault fired once


@pytest.mark.parametrize(
    ("table", "column", "kind", "fmt", "needle"),
    [
        ("users", "name", "nul", "tsv", b"poison\x00"),
        ("users", "name", "nul", "jsonl", b"poison\\u0000"),
        ("quiz_questions", "question_data", "json_nul", "tsv", b"nul\\\\u0000here"),
        ("assignments", "submission_types", "bad_json", "csv", b'"{""broken"": "'),
        ("submissions", "points_deducted", "not_numeric", "tsv", b"12.5abc"),
        ("courses", "start_at", "year0", "tsv", b"0000-06-15T00:00:00Z"),
        ("enrollments", "start_at", "after_range", "csv", b"12000-01-01T00:00:00Z"),
        ("accounts", "default_storage_quota", "int_overflow", "tsv", str(2**70).encode()),
    ],
)
def test_poison_fault_writes_the_value_in_the_served_format(
    api: Api, table: str, column: str, kind: str, fmt: str, needle: bytes
) -> None:
    _add(api, route="create_job", kind="poison", table=table, column=column, value_kind=kind)
    _, bodies = api.fetch("canvas", table, format=fmt, mode="condensed")
    text = b"".join(gzip.decompress(b) for b in bodies)
    assert text.count(needle) == 1, text[:500]
    _, clean = api.fetch("canvas", table, format=fmt, mode="condensed")
    assert needle not in b"".join(gzip.decompress(b) for b in clean)


def test_poison_fault_that_cannot_apply_is_refused(api: Api) -> None:
    r = api.post("/_emulator/faults", {"route": "create_job", "kind": "poison", "table": "users"})
    assert r.status_code == 400 and "column" in r.text
    _add(api, route="create_job", kind="poison", table="users", column="id", value_kind="bad_json")
    r = api.post("/dap/query/canvas/table/users/data", {"format": "parquet", "mode": "condensed"})
    assert r.status_code == 400 and "TSV and CSV only" in r.text
