"""The DAP Query API as the emulator serves it: shapes, headers, errors, jobs, objects."""

from __future__ import annotations

import base64
import http.client
import json
import re
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from emulator.schema import json_schema
from emulator.server import Emulator

from .conftest import USER_AGENT, Api, gunzip_single_member
from .readers import parse_tsv

RFC3339_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?Z$")
BASE_ERROR = {"type", "uuid", "message"}


def _error(
    r: httpx.Response, status: int, type_: str, extra: frozenset[str] | set[str] = frozenset()
) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert set(body) == {"error"}
    err = body["error"]
    assert set(err) == BASE_ERROR | set(extra), err
    assert err["type"] == type_
    assert isinstance(err["message"], str) and err["message"]
    return dict(err)


# --------------------------------------------------------------------------- auth


def test_login_shape(api: Api) -> None:
    r = api.http.post(
        "/ids/auth/login",
        auth=("us-east-1#emulator", "emulator-secret"),
        data={"grant_type": "client_credentials"},
    )
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert set(body) == {"access_token", "expires_in", "scope", "token_type"}
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    assert isinstance(body["scope"], str)
    header, payload, _ = body["access_token"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    hdr = json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))
    assert hdr["alg"] == "HS256"
    assert claims["exp"] - time.time() > 3000


@pytest.mark.parametrize(
    "auth", [("us-east-1#emulator", "wrong"), ("someone", "emulator-secret"), None]
)
def test_login_rejects_bad_credentials(api: Api, auth: tuple[str, str] | None) -> None:
    r = api.http.post(
        "/ids/auth/login",
        auth=auth if auth is not None else httpx.USE_CLIENT_DEFAULT,
        data={"grant_type": "client_credentials"},
    )
    _error(r, 401, "AuthenticationError")


def test_configured_credentials_and_lifetime(make_emulator: Callable[..., Emulator]) -> None:
    emu = make_emulator(client_id="ca-central-1#x", client_secret="s3cret", token_lifetime=120)
    api = Api(emu)
    body = api.login()
    assert body["expires_in"] == 120
    r = api.http.post("/ids/auth/login", auth=("us-east-1#emulator", "emulator-secret"))
    _error(r, 401, "AuthenticationError")
    api.close()


def test_api_needs_a_valid_token(api: Api) -> None:
    _error(api.http.get("/dap/query/canvas/table"), 401, "AuthenticationError")
    bad = {"Authorization": "Bearer a.b.c"}
    _error(api.http.get("/dap/query/canvas/table", headers=bad), 401, "AuthenticationError")
    api.login()
    forged = api.token.rsplit(".", 1)[0] + ".AAAA"  # type: ignore[union-attr]
    r = api.http.get("/dap/query/canvas/table", headers={"Authorization": f"Bearer {forged}"})
    _error(r, 401, "AuthenticationError")


def test_x_instauth_header(api: Api) -> None:
    api.login()
    r = api.http.get("/dap/query/canvas/table", headers={"x-instauth": api.token or ""})
    assert r.status_code == 200


def test_expired_token_is_refused(make_emulator: Callable[..., Emulator]) -> None:
    emu = make_emulator(token_lifetime=1)
    api = Api(emu)
    api.login()
    assert api.get("/dap/query/canvas/table").status_code == 200
    time.sleep(1.6)
    _error(api.get("/dap/query/canvas/table"), 401, "AuthenticationError")
    api.login()
    assert api.get("/dap/query/canvas/table").status_code == 200
    api.close()


def test_user_agent_is_required(api: Api) -> None:
    api.login()
    with httpx.Client(base_url=api.url) as raw:
        r = raw.get(
            "/dap/query/canvas/table",
            headers={"Authorization": f"Bearer {api.token}", "User-Agent": ""},
        )
    _error(r, 403, "RequestTypeForbidden")


# --------------------------------------------------------------------------- catalog


def test_list_tables(api: Api) -> None:
    r = api.get("/dap/query/canvas/table")
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert set(body) == {"tables"}
    assert "accounts" in body["tables"] and "submissions" in body["tables"]
    assert api.get("/dap/query/canvas_logs/table").json()[
        "tables"
    ] == api.emulator.dataset.list_tables("canvas_logs")
    assert set(api.get("/dap/query/catalog/table").json()["tables"]) == {
        "accounts",
        "enrollments",
        "products",
        "program_requirements",
        "users",
    }
    err = _error(api.get("/dap/query/nope/table"), 404, "NotFound", {"id", "kind"})
    assert err["kind"] == "namespace" and err["id"] == "nope"


def test_schema(api: Api, emulator: Emulator) -> None:
    r = api.get("/dap/query/canvas/table/courses/schema")
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"version", "schema"}
    assert body == json_schema(emulator.dataset.table("canvas", "courses"))
    assert "$schema" in body["schema"]
    err = _error(api.get("/dap/query/canvas/table/nope/schema"), 404, "NotFound", {"id", "kind"})
    assert err["kind"] == "table"


def test_paths_tolerate_double_slashes_and_text_bodies(api: Api) -> None:
    assert api.get("/dap//query/canvas//table/").status_code == 200
    host, port = httpx.URL(api.url).host, httpx.URL(api.url).port
    conn = http.client.HTTPConnection(host, port, timeout=10)
    conn.request("GET", "//dap//query//canvas/table", headers={**api.headers(), "User-Agent": "x"})
    assert conn.getresponse().status == 200
    conn.close()
    r = api.http.post(
        "/dap//query/canvas/table/accounts/data",
        content=json.dumps({"format": "jsonl"}),
        headers={**api.headers(), "Content-Type": "text/plain"},
    )
    assert r.status_code == 200, r.text
    job = r.json()
    assert api.get(f"/dap//job/{job['id']}").status_code == 200


def test_unknown_route_and_method(api: Api) -> None:
    err = _error(api.get("/dap/nothing/here"), 404, "NotFound", {"id", "kind"})
    assert err["kind"] == "route"
    r = api.http.delete("/dap/query/canvas/table", headers=api.headers())
    assert r.status_code == 405


# --------------------------------------------------------------------------- jobs


def _check_complete_snapshot(job: dict[str, Any]) -> None:
    assert set(job) == {"id", "status", "expires_at", "objects", "schema_version", "at"}
    assert job["status"] == "complete"
    assert RFC3339_Z.match(job["at"]) and RFC3339_Z.match(job["expires_at"])
    for obj in job["objects"]:
        assert set(obj) == {"id"}


def test_snapshot_job_complete_from_create(api: Api, emulator: Emulator) -> None:
    r = api.post("/dap/query/canvas/table/accounts/data", {"format": "tsv", "mode": "condensed"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    job = r.json()
    _check_complete_snapshot(job)
    assert job["schema_version"] == 1
    assert job["at"] == "2026-10-01T00:00:00Z"
    again = api.get(f"/dap/job/{job['id']}").json()
    assert again == job


def test_job_polls(make_emulator: Callable[..., Emulator]) -> None:
    emu = make_emulator(job_polls=2)
    api = Api(emu)
    r = api.post("/dap/query/canvas/table/courses/data", {"format": "csv"})
    job = r.json()
    assert job == {"id": job["id"], "status": "waiting"}
    first = api.get(f"/dap/job/{job['id']}").json()
    assert set(first) == {"id", "status", "expires_at"} and first["status"] == "running"
    _check_complete_snapshot(api.wait(job["id"]))
    api.close()


def test_incremental_job(api: Api, emulator: Emulator) -> None:
    snap = api.query("canvas", "enrollments", format="tsv", mode="condensed")
    api.admin("POST", "advance", {"hours": 30})
    job, blobs = api.fetch("canvas", "enrollments", format="tsv", since=snap["at"])
    assert set(job) == {
        "id",
        "status",
        "expires_at",
        "objects",
        "schema_version",
        "since",
        "until",
    }
    assert job["since"] == snap["at"]
    assert job["until"] == "2026-10-02T06:00:00Z"
    header, rows = parse_tsv(gunzip_single_member(blobs[0]).decode())
    assert header[:3] == ["meta.ts", "meta.action", "key.id"]
    actions = {r[1] for r in rows}
    assert actions <= {"U", "D"} and "U" in actions
    deletes = [r for r in rows if r[1] == "D"]
    assert all(v is None for r in deletes for v in r[3:])
    bounded = api.query(
        "canvas", "enrollments", format="tsv", since=snap["at"], until="2026-10-01T12:00:00Z"
    )
    assert bounded["until"] == "2026-10-01T12:00:00Z"


def test_job_reuse_until_data_changes(api: Api) -> None:
    a = api.query("canvas", "users", format="jsonl")
    b = api.query("canvas", "users", format="jsonl")
    assert a["id"] == b["id"]
    c = api.query("canvas", "users", format="csv")
    assert c["id"] != a["id"]
    api.admin("POST", "advance", {"hours": 1})
    d = api.query("canvas", "users", format="jsonl")
    assert d["id"] != a["id"] and d["at"] != a["at"]
    jobs = api.admin("GET", "jobs")["jobs"]
    assert [j["id"] for j in jobs] == [a["id"], c["id"], d["id"]]


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"format": "xml"}, "format"),
        ({}, "format"),
        ({"format": "tsv", "mode": "squashed"}, "mode"),
        ({"format": "tsv", "until": "2026-10-01T00:00:00Z"}, "since"),
        ({"format": "tsv", "since": "2026-09-30T00:00:00"}, "time zone"),
        ({"format": "tsv", "since": "yesterday"}, "since"),
        ({"format": "tsv", "colour": "red"}, "colour"),
        ([{"format": "tsv"}], "object"),
        (
            {
                "format": "tsv",
                "since": "2026-09-30T00:00:00Z",
                "until": "2026-09-29T00:00:00Z",
            },
            "until",
        ),
        ({"format": "tsv", "since": "2027-01-01T00:00:00Z"}, "after"),
    ],
)
def test_query_validation(api: Api, body: Any, fragment: str) -> None:
    r = api.post("/dap/query/canvas/table/accounts/data", body)
    err = _error(r, 400, "ValidationError", {"location"})
    assert set(err["location"]) == {"line", "column", "character"}
    assert fragment in err["message"]


def test_malformed_json_has_a_location(api: Api) -> None:
    r = api.http.post(
        "/dap/query/canvas/table/accounts/data",
        content=b'{"format":\n "tsv",,}',
        headers=api.headers(),
    )
    err = _error(r, 400, "ValidationError", {"location"})
    assert err["location"]["line"] == 2


def test_query_unknown_table(api: Api) -> None:
    r = api.post("/dap/query/canvas/table/nope/data", {"format": "tsv"})
    assert _error(r, 404, "NotFound", {"id", "kind"})["kind"] == "table"
    r = api.post("/dap/query/nope/table/accounts/data", {"format": "tsv"})
    assert _error(r, 404, "NotFound", {"id", "kind"})["kind"] == "namespace"


def test_out_of_range(api: Api) -> None:
    r = api.post(
        "/dap/query/canvas_logs/table/web_logs/data",
        {"format": "tsv", "since": "2026-08-01T00:00:00Z"},
    )
    err = _error(r, 400, "OutOfRange", {"since", "until"})
    assert RFC3339_Z.match(err["since"])
    assert err["until"] is None or RFC3339_Z.match(err["until"])


def test_snapshot_required_after_reload(api: Api) -> None:
    snap = api.query("canvas", "courses", format="tsv")
    api.admin("POST", "advance", {"hours": 2})
    api.admin("POST", "reload", {"namespace": "canvas", "table": "courses"})
    r = api.post("/dap/query/canvas/table/courses/data", {"format": "tsv", "since": snap["at"]})
    _error(r, 400, "SnapshotRequired", {"since", "until"})
    assert api.query("canvas", "courses", format="tsv")["status"] == "complete"


def test_unknown_and_expired_jobs(make_emulator: Callable[..., Emulator]) -> None:
    emu = make_emulator(job_lifetime=1.0)
    api = Api(emu)
    err = _error(api.get("/dap/job/no-such-job"), 404, "NotFound", {"id", "kind"})
    assert err == {**err, "kind": "job", "id": "no-such-job"}
    job = api.query("canvas", "accounts", format="tsv")
    oid = job["objects"][0]["id"]
    url = api.urls([oid])[oid]
    time.sleep(1.3)
    assert (
        _error(api.get(f"/dap/job/{job['id']}"), 404, "NotFound", {"id", "kind"})["kind"] == "job"
    )
    r = api.post("/dap/object/url", [{"id": oid}])
    assert _error(r, 404, "NotFound", {"id", "kind"})["kind"] == "object"
    assert api.http.get(url).status_code == 404
    fresh = api.query("canvas", "accounts", format="tsv")
    assert fresh["id"] != job["id"]
    api.close()


# --------------------------------------------------------------------------- objects


def test_object_urls_one_and_many(make_emulator: Callable[..., Emulator]) -> None:
    emu = make_emulator(rows_per_object=5)
    api = Api(emu)
    job = api.query("canvas", "users", format="tsv", mode="condensed")
    ids = [o["id"] for o in job["objects"]]
    assert len(ids) == 4  # 17 users in 5-row objects
    r = api.post("/dap/object/url", [{"id": ids[0]}])
    body = r.json()
    assert set(body) == {"urls"} and set(body["urls"]) == {ids[0]}
    assert set(body["urls"][ids[0]]) == {"url"}
    urls = api.urls(ids)
    assert list(urls) == ids
    names = [httpx.URL(u).path.rsplit("/", 1)[1] for u in urls.values()]
    assert len(set(names)) == 4 and all(n.endswith(".tsv.gz") for n in names)
    assert names == sorted(names)
    rows = []
    for i, url in enumerate(urls.values()):
        r = api.http.get(url)  # no auth header
        assert r.status_code == 200
        assert "content-encoding" not in r.headers
        header, part = parse_tsv(gunzip_single_member(r.content).decode())
        assert header[0] == "meta.ts" and "meta.action" not in header
        assert len(part) == (5 if i < 3 else 2)
        rows += part
    assert len({r[1] for r in rows}) == 17
    api.close()


@pytest.mark.parametrize(
    ("fmt", "suffix"),
    [("tsv", ".tsv.gz"), ("csv", ".csv.gz"), ("jsonl", ".json.gz"), ("parquet", ".parquet")],
)
def test_object_names_per_format(api: Api, fmt: str, suffix: str) -> None:
    job, blobs = api.fetch("canvas", "accounts", format=fmt)
    assert job["objects"][0]["id"].endswith(suffix)
    if fmt == "parquet":
        assert blobs[0][:4] == b"PAR1"
    else:
        assert gunzip_single_member(blobs[0])


def test_object_url_errors(api: Api) -> None:
    r = api.post("/dap/object/url", [{"id": "nope/part-00000.tsv.gz"}])
    assert _error(r, 404, "NotFound", {"id", "kind"})["kind"] == "object"
    bodies: list[Any] = [[], {"ids": []}, [{"key": "x"}], [{"id": 5}]]
    for body in bodies:
        _error(api.post("/dap/object/url", body), 400, "ValidationError", {"location"})


def test_signed_urls(make_emulator: Callable[..., Emulator]) -> None:
    emu = make_emulator()
    api = Api(emu)
    job = api.query("canvas", "accounts", format="tsv")
    oid = job["objects"][0]["id"]
    url = httpx.URL(api.urls([oid])[oid])
    assert api.http.get(url).status_code == 200
    tampered = url.copy_set_param("expires", str(time.time() + 99999))
    assert api.http.get(tampered).status_code == 403
    assert api.http.get(url.copy_with(query=None)).status_code == 403
    api.admin("POST", "config", {"url_lifetime": 0})
    expired = api.urls([oid])[oid]
    r = api.http.get(expired)
    assert _error(r, 404, "NotFound", {"id", "kind"})["kind"] == "object"
    api.close()


def test_every_response_is_json(api: Api) -> None:
    """Errors included, as the official client requires."""
    for r in (
        api.http.get("/nowhere"),
        api.http.post("/ids/auth/login"),
        api.get("/dap/job/x"),
        api.post("/dap/query/canvas/table/accounts/data", {"format": "x"}),
    ):
        assert r.headers["content-type"].startswith("application/json"), r
        assert "error" in r.json()
    assert USER_AGENT
