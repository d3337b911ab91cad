"""Admin routes under /_emulator/: status, clock, schema changes, truth, config, jobs, counters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pyarrow as pa

from emulator.server import Emulator

from .conftest import Api, gunzip_single_member, read_parquet_bytes
from .readers import parse_tsv


def test_status(api: Api, emulator: Emulator) -> None:
    status = api.admin("GET", "status")
    assert status["clock"] == "2026-10-01T00:00:00Z"
    assert status["seed"] == 1 and status["scale"] == "tiny"
    assert status["url"] == emulator.url
    assert status["tables"]["canvas.accounts"]["version"] == 1
    assert "client_secret" not in str(status) and "emulator-secret" not in str(status)


def test_advance(api: Api) -> None:
    before = api.admin("GET", "status")["tables"]["canvas.courses"]["token"]
    out = api.admin("POST", "advance", {"hours": 6})
    assert out["clock"] == "2026-10-01T06:00:00Z"
    assert "canvas_logs.web_logs" in out["changes"]
    assert api.admin("GET", "status")["tables"]["canvas.courses"]["token"] != before
    for bad in ({"hours": 0}, {"hours": -1}, {"hours": "x"}, {}):
        r = api.http.post("/_emulator/advance", json=bad)
        assert r.status_code == 400 and r.json()["error"]["type"] == "ValidationError"


def test_schema_bump_shows_in_schema_and_data(api: Api) -> None:
    snap = api.query("canvas", "courses", format="tsv", mode="condensed")
    out = api.admin(
        "POST",
        "schema",
        {"namespace": "canvas", "table": "courses", "kind": "add_column", "column": "colour"},
    )
    assert out["version"] == 2 and "colour" in out["schema"]["properties"]["value"]["properties"]
    schema = api.get("/dap/query/canvas/table/courses/schema").json()
    assert schema["version"] == 2
    assert "colour" in schema["schema"]["properties"]["value"]["properties"]
    api.admin("POST", "advance", {"hours": 48})
    job, blobs = api.fetch("canvas", "courses", format="tsv", mode="condensed", since=snap["at"])
    assert job["schema_version"] == 2
    header, _ = parse_tsv(gunzip_single_member(blobs[0]).decode())
    assert header[-1] == "value.colour"
    r = api.http.post(
        "/_emulator/schema", json={"table": "courses", "kind": "add_column", "column": "colour"}
    )
    assert r.status_code == 400
    r = api.http.post("/_emulator/schema", json={"table": "nope", "kind": "add_column"})
    assert r.status_code == 404
    r = api.http.post("/_emulator/schema", json={"table": "courses", "kind": "drop_everything"})
    assert r.status_code == 400


def test_relax_required(api: Api) -> None:
    out = api.admin("POST", "schema", {"table": "accounts", "kind": "relax_required"})
    assert out["version"] == 2


def test_reload(api: Api) -> None:
    out = api.admin("POST", "reload", {"namespace": "canvas", "table": "users"})
    assert out == {"namespace": "canvas", "table": "users", "reloaded_at": "2026-10-01T00:00:00Z"}


def _truth(api: Api, ns: str, table: str) -> pa.Table:
    r = api.http.get(f"/_emulator/truth/{ns}/{table}")
    assert r.status_code == 200
    return read_parquet_bytes(r.content)


def test_truth_matches_the_snapshot(api: Api) -> None:
    api.admin("POST", "advance", {"hours": 24})
    truth = _truth(api, "canvas", "courses")
    assert truth.column_names[:2] == ["meta_ts", "id"]
    assert "settings" in truth.column_names
    assert truth.schema.field("settings").type == pa.string()
    assert truth.schema.field("meta_ts").type == pa.timestamp("us", tz="UTC")
    _, blobs = api.fetch("canvas", "courses", format="tsv", mode="condensed")
    header, rows = parse_tsv(gunzip_single_member(blobs[0]).decode())
    by_id = {int(r[header.index("key.id")] or -1): r for r in rows}
    truth_rows = truth.to_pylist()
    assert {r["id"] for r in truth_rows} == set(by_id)
    for row in truth_rows:
        text = by_id[row["id"]]
        assert text[header.index("value.settings")] == row["settings"]
        assert text[header.index("value.name")] == row["name"]
        ts = dt.datetime.fromisoformat(text[0])  # type: ignore[arg-type]
        assert ts == row["meta_ts"]


def test_truth_has_no_duplicates(api: Api) -> None:
    truth = _truth(api, "canvas_logs", "web_logs")
    ids = truth.column("id").to_pylist()
    assert len(ids) == len(set(ids)) > 0
    r = api.http.get("/_emulator/truth/canvas/nope")
    assert r.status_code == 404 and r.json()["error"]["kind"] == "table"


def test_config(api: Api) -> None:
    cfg = api.admin("GET", "config")
    assert cfg["job_polls"] == 0 and cfg["rows_per_object"] == 1_000_000
    out = api.admin("POST", "config", {"rows_per_object": 10, "job_polls": 1, "retry_after": 5})
    assert out["rows_per_object"] == 10 and out["job_polls"] == 1
    job = api.post("/dap/query/canvas/table/users/data", {"format": "tsv"}).json()
    assert job["status"] == "waiting"
    done = api.wait(job["id"])
    assert len(done["objects"]) == 2
    for bad in ({"colour": 1}, {"rows_per_object": 0}, {"job_polls": "many"}):
        r = api.http.post("/_emulator/config", json=bad)
        assert r.status_code == 400


def test_jobs_listing(make_emulator: Callable[..., Emulator]) -> None:
    api = Api(make_emulator(rows_per_object=10))
    job = api.query("canvas", "users", format="csv", mode="condensed")
    listed = api.admin("GET", "jobs")["jobs"]
    assert len(listed) == 1
    entry = listed[0]
    assert entry["id"] == job["id"] and entry["table"] == "users"
    assert entry["kind"] == "snapshot" and entry["format"] == "csv" and entry["mode"] == "condensed"
    assert entry["at"] == job["at"] and entry["since"] is None
    assert [o["rows"] for o in entry["objects"]] == [10, 7]
    assert entry["rows"] == 17
    api.close()


def test_request_counters(api: Api) -> None:
    api.login()
    api.get("/dap/query/canvas/table")
    api.get("/dap/query/nope/table")
    counters = api.admin("GET", "requests")["requests"]
    assert counters["login"] == {"200": 1}
    assert counters["list_tables"] == {"200": 1, "404": 1}
    api.admin("DELETE", "requests")
    assert api.admin("GET", "requests")["requests"] == {"admin": {"200": 1}}


def test_unknown_admin_route(api: Api) -> None:
    r = api.http.get("/_emulator/nothing")
    assert r.status_code == 404 and r.json()["error"]["kind"] == "route"


def test_prepare_warms_the_job_a_query_reuses(api: Api) -> None:
    prepared = api.admin(
        "POST", "prepare", {"table": "submissions", "format": "tsv", "mode": "condensed"}
    )
    assert prepared["generated"] is True and prepared["rows"] == 192
    job = api.query("canvas", "submissions", format="tsv", mode="condensed")
    assert job["id"] == prepared["id"]
    r = api.http.post("/_emulator/prepare", json={"table": "nope"})
    assert r.status_code == 404


def test_admin_bodies_must_be_objects(api: Api) -> None:
    for route in ("advance", "schema", "reload", "config", "prepare"):
        r = api.http.post(f"/_emulator/{route}", json=[1, 2])
        assert r.status_code == 400, route
        assert r.json()["error"]["type"] == "ValidationError"


def test_empty_hard_deletes_every_row(api: Api) -> None:
    """POST /_emulator/empty: the truth and the next snapshot are empty, and an incremental from
    the previous clock delivers a delete for every key the table had."""
    api.admin("POST", "advance", {"hours": 6})
    before = _truth(api, "canvas", "favorites")
    since = api.admin("GET", "status")["clock"]
    assert before.num_rows > 0
    out = api.admin("POST", "empty", {"namespace": "canvas", "table": "favorites"})
    assert out["deleted"] == before.num_rows
    assert dt.datetime.fromisoformat(out["clock"]) > dt.datetime.fromisoformat(since)
    assert _truth(api, "canvas", "favorites").num_rows == 0
    snap = api.query("canvas", "favorites", format="tsv", mode="condensed")
    assert snap["status"] == "complete"
    rows = [r for o in snap["objects"] for r in _rows(api, o["id"])]
    assert rows == []
    inc = api.query("canvas", "favorites", format="tsv", mode="condensed", since=since)
    records = [r for o in inc["objects"] for r in _rows(api, o["id"])]
    deleted = {r["key.id"] for r in records if r["meta.action"] == "D"}
    assert deleted == {str(k) for k in before.column("id").to_pylist()}
    assert all(r["meta.action"] == "D" for r in records)
    for bad in ({"table": "web_logs", "namespace": "canvas_logs"}, {"table": "no_such"}, {}):
        r = api.http.post("/_emulator/empty", json=bad)
        assert r.status_code in (400, 404), r.text


def test_late_delivers_a_share_of_changes_in_a_later_window(api: Api) -> None:
    """POST /_emulator/late: with rate 0.5 and 24 hours, about half the changes of a window are
    missing from it and arrive in the next one, with their own (older) meta_ts; without it, a
    window has no record older than its since."""

    def window(since: str) -> list[dict[str, str | None]]:
        inc = api.query("canvas", "submissions", format="tsv", mode="condensed", since=since)
        return [r for o in inc["objects"] for r in _rows(api, o["id"])]

    def stamp(value: str | None) -> dt.datetime:
        assert value is not None
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))

    start = api.admin("GET", "status")["clock"]
    api.admin("POST", "advance", {"hours": 24})
    punctual = window(start)
    assert punctual and all(stamp(r["meta.ts"]) >= stamp(start) for r in punctual)
    try:
        assert api.admin("POST", "late", {"rate": 0.5, "hours": 24}) == {
            "late_rate": 0.5,
            "late_hours": 24.0,
        }
        held = window(start)
        assert 0 < len(held) < len(punctual)
        middle = api.admin("GET", "status")["clock"]
        api.admin("POST", "advance", {"hours": 24})
        late = [r for r in window(middle) if stamp(r["meta.ts"]) < stamp(middle)]
        assert late, "no change of the first window arrived in the second"
        assert {r["key.id"] for r in late} <= {r["key.id"] for r in punctual}
    finally:
        api.admin("POST", "late", {"rate": 0, "hours": 0})
    for bad in ({"rate": 2, "hours": 1}, {"rate": 0.5, "hours": -1}, {"rate": "x"}):
        r = api.http.post("/_emulator/late", json=bad)
        assert r.status_code == 400, r.text


def _rows(api: Api, object_id: str) -> list[dict[str, str | None]]:
    (url,) = api.urls([object_id]).values()
    header, rows = parse_tsv(gunzip_single_member(api.download(url)).decode())
    return [dict(zip(header, row, strict=True)) for row in rows]
