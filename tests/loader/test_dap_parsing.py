"""Error bodies, job and schema bodies, timestamps, tokens and the download gzip check."""

from __future__ import annotations

import base64
import gzip
import json
from datetime import UTC, datetime

import pytest

from loader.dap import errors
from loader.dap.auth import TokenManager, jwt_expiry, make_token
from loader.dap.client import _GzipChecker, _retry_after
from loader.dap.errors import UnexpectedResponseError, from_response
from loader.dap.models import Job, QueryRequest, VersionedSchema, format_timestamp, parse_timestamp


def body(type_: str, message: str = "msg", **extra: object) -> dict:
    return {"error": {"type": type_, "uuid": "u-1", "message": message, **extra}}


@pytest.mark.parametrize(
    ("status", "type_", "cls"),
    [
        (401, "AuthenticationError", errors.AuthenticationError),
        (403, "AccountDisabled", errors.AccountDisabledError),
        (403, "AccountNotOnboarded", errors.AccountNotOnboardedError),
        (403, "AccountUnderMaintenance", errors.AccountUnderMaintenanceError),
        (403, "RequestTypeForbidden", errors.RequestTypeForbiddenError),
        (400, "ValidationError", errors.ValidationError),
        (404, "NotFound", errors.NotFoundError),
        (404, "NotFoundError", errors.NotFoundError),
        (400, "OutOfRange", errors.OutOfRangeError),
        (400, "SnapshotRequired", errors.SnapshotRequiredError),
        (422, "SnapshotRequiredError", errors.SnapshotRequiredError),
        (500, "ProcessingError", errors.ProcessingError),
        (429, "TooManyRequests", errors.RateLimitedError),
        (502, "", errors.ServerError),
        (503, "SomethingNew", errors.ServerError),
        (404, "", errors.NotFoundError),
        (401, "", errors.AuthenticationError),
    ],
)
def test_error_classes(status: int, type_: str, cls: type) -> None:
    err = from_response(status, body(type_) if type_ else {"weird": 1})
    assert type(err) is cls
    assert err.status == status
    assert isinstance(err, errors.DapError)


def test_error_fields_and_one_line_message() -> None:
    err = from_response(404, body("NotFound", "no\n such  table", id="t", kind="table"))
    assert isinstance(err, errors.NotFoundError)
    assert err.message == "no such table"
    assert err.kind == "table" and err.uuid == "u-1"
    assert "\n" not in str(err) and "u-1" in str(err)


def test_retryable_errors() -> None:
    assert from_response(429, None, retry_after=3).retryable
    assert from_response(503, None).retryable
    assert not from_response(400, body("ValidationError")).retryable
    assert not from_response(401, body("AuthenticationError")).retryable
    assert from_response(500, body("ProcessingError")).retryable  # any 5xx
    assert not from_response(400, body("ProcessingError")).retryable
    rl = from_response(429, body("TooManyRequests"), retry_after=3)
    assert isinstance(rl, errors.RateLimitedError) and rl.retry_after == 3


def test_non_json_error_body_still_names_the_request() -> None:
    err = from_response(502, None, what="status of job 7")
    assert "status of job 7" in str(err) and isinstance(err, errors.ServerError)


def test_retry_after_header() -> None:
    assert _retry_after("7") == 7
    assert _retry_after("1.5") == 1.5
    assert _retry_after(None) is None
    assert _retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0  # in the past
    assert _retry_after("soon") is None


def test_timestamps() -> None:
    assert parse_timestamp("2024-01-03T10:00:00Z") == datetime(2024, 1, 3, 10, tzinfo=UTC)
    assert parse_timestamp("2024-01-03T12:00:00+02:00") == datetime(2024, 1, 3, 10, tzinfo=UTC)
    assert parse_timestamp("2024-01-03T10:00:00.123456Z").microsecond == 123456
    assert format_timestamp(datetime(2024, 1, 3, 10, tzinfo=UTC)) == "2024-01-03T10:00:00Z"
    assert (
        format_timestamp(datetime(2023, 12, 31, 22, 0, 0, 500000, tzinfo=UTC))
        == "2023-12-31T22:00:00.500000Z"
    )
    with pytest.raises(UnexpectedResponseError):
        parse_timestamp(17)


def test_query_request_bodies() -> None:
    assert QueryRequest("tsv").body() == {"format": "tsv", "mode": "condensed"}
    since = datetime(2024, 1, 1, tzinfo=UTC)
    assert QueryRequest("jsonl", None, since).body() == {
        "format": "jsonl",
        "since": "2024-01-01T00:00:00Z",
    }
    assert QueryRequest("tsv", "condensed", since, since).body()["until"] == "2024-01-01T00:00:00Z"


def test_job_shapes() -> None:
    waiting = Job.parse({"id": "j", "status": "waiting"})
    assert not waiting.done and waiting.objects is None
    snap = Job.parse(
        {
            "id": "j",
            "status": "complete",
            "expires_at": "2026-11-23T09:49:15.014221Z",
            "objects": [{"id": "j/part-0.tsv.gz"}, {"id": "j/part-1.tsv.gz"}],
            "schema_version": 3,
            "at": "2024-01-03T10:00:00Z",
        }
    )
    assert snap.is_described and snap.objects == ("j/part-0.tsv.gz", "j/part-1.tsv.gz")
    assert snap.watermark == datetime(2024, 1, 3, 10, tzinfo=UTC)
    inc = Job.parse(
        {
            "id": "j",
            "status": "complete",
            "objects": [],
            "since": "2024-01-03T10:00:00Z",
            "until": "2024-03-01T00:00:00Z",
        }
    )
    assert inc.watermark == datetime(2024, 3, 1, tzinfo=UTC) and inc.objects == ()
    failed = Job.parse(
        {
            "id": "j",
            "status": "failed",
            "error": {"type": "ProcessingError", "uuid": "u", "message": "boom"},
        }
    )
    assert failed.error is not None and failed.error.type == "ProcessingError"
    with pytest.raises(UnexpectedResponseError):
        Job.parse({"id": "j", "status": "expired"})
    with pytest.raises(UnexpectedResponseError):
        Job.parse({"status": "complete"})
    assert not Job.parse({"id": "j", "status": "complete"}).is_described


def test_versioned_schema() -> None:
    assert VersionedSchema.parse({"version": 2, "schema": {"a": 1}}).version == 2
    with pytest.raises(UnexpectedResponseError):
        VersionedSchema.parse({"schema": {}})


def jwt(claims: dict) -> str:
    def part(d: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(d).encode()).decode().rstrip("=")

    return f"{part({'alg': 'HS256'})}.{part(claims)}.c2ln"


def test_jwt_expiry_is_read_without_verification() -> None:
    assert jwt_expiry(jwt({"exp": 1700000000, "sub": "x"})) == 1700000000
    for bad in ("not-a-jwt", "a.b", jwt({"sub": "no exp"}), "a.!!!.c"):
        with pytest.raises(UnexpectedResponseError) as info:
            jwt_expiry(bad)
        assert bad not in str(info.value) or bad == "a.b"


def test_refresh_before_expiry() -> None:
    long = make_token(jwt({"exp": 10_000}), now=6_400)  # lives an hour
    assert long.refresh_at == 10_000 - 300
    short = make_token(jwt({"exp": 1_060}), now=1_000)  # lives a minute
    assert short.refresh_at == pytest.approx(1_045)  # a quarter of the lifetime before


def test_token_manager_logs_in_when_due_and_after_invalidate() -> None:
    now = [1_000.0]
    issued: list[str] = []

    def login() -> str:
        token = jwt({"exp": now[0] + 3600, "n": len(issued)})
        issued.append(token)
        return token

    tokens = TokenManager(login, clock=lambda: now[0])
    first = tokens.get()
    assert tokens.get() == first and tokens.logins == 1
    now[0] += 3600 - 299  # within the refresh margin
    second = tokens.get()
    assert second != first and tokens.logins == 2
    tokens.invalidate(first)  # stale: ignored
    assert tokens.get() == second
    tokens.invalidate(second)
    assert tokens.get() != second and tokens.logins == 3
    assert issued[-1] not in repr(tokens._token)  # noqa: SLF001 - the repr hides the token


def feed(data: bytes, chunk: int) -> _GzipChecker:
    checker = _GzipChecker()
    for i in range(0, len(data), chunk):
        checker.feed(data[i : i + chunk])
    return checker


@pytest.mark.parametrize("chunk", [1, 7, 4096])
def test_gzip_checker(chunk: int) -> None:
    payload = b"x\ty\n" * 5000
    good = gzip.compress(payload)
    assert feed(good, chunk).complete()
    assert feed(good + gzip.compress(b"more"), chunk).complete()  # several members
    assert not feed(good[:-10], chunk).complete()  # truncated
    assert not feed(good[: len(good) // 2], chunk).complete()
    assert not feed(good + b"\x1f", chunk).complete()  # a partial next member
    assert feed(b"PAR1....PAR1", chunk).complete()  # not gzip: nothing to check
