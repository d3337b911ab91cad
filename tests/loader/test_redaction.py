"""Credentials never reach logs: URLs, headers, tokens, secrets, DSNs."""

from __future__ import annotations

import io
import json
import logging
from urllib.parse import unquote, urlsplit

import pytest

from loader.dap.errors import describe
from loader.redaction import (
    MASK,
    configure,
    format_dsn,
    redact_headers,
    redact_text,
    redact_url,
    register_dsn_secret,
    register_secret,
)

JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJleHAiOjE3MDAwMDAwMDAsInN1YiI6InRlc3QifQ."
    "c2lnbmF0dXJlLXNpZ25hdHVyZQ"
)
PRESIGNED = (
    "https://bucket.s3.amazonaws.com/jobs/6a1f/part-00000.tsv.gz?X-Amz-Algorithm=AWS4"
    "&X-Amz-Credential=AKIAEXAMPLE%2F20240101&X-Amz-Signature=deadbeef"
)


def test_presigned_url_loses_its_query_string() -> None:
    assert redact_url(PRESIGNED) == "https://bucket.s3.amazonaws.com/jobs/6a1f/part-00000.tsv.gz"


def test_dsn_password_is_masked() -> None:
    assert redact_url("postgresql://cd2:s3cret@db:5432/warehouse?sslmode=require") == (
        f"postgresql://cd2:{MASK}@db:5432/warehouse"
    )


def test_dsn_parts_are_percent_encoded() -> None:
    dsn = format_dsn("a b", "p@ss/wo:rd#1% x", "db.example", 5433, "my db")
    assert dsn == "postgresql://a%20b:p%40ss%2Fwo%3Ard%231%25%20x@db.example:5433/my%20db"
    parts = urlsplit(dsn)
    assert (parts.hostname, parts.port, parts.path) == ("db.example", 5433, "/my%20db")
    assert unquote(parts.password or "") == "p@ss/wo:rd#1% x"
    assert redact_url(dsn) == f"postgresql://a%20b:{MASK}@db.example:5433/my%20db"
    assert format_dsn("u", None, "::1", None, "d") == "postgresql://u@[::1]/d"
    assert format_dsn(None, None, "h") == "postgresql://h/"


def test_unencoded_dsn_password_is_masked_as_registered() -> None:
    # a user-supplied DSN whose password was not percent-encoded: the URL does not parse as
    # meant, so the part between // and the last @ is registered
    dsn = "postgresql://u:Pw8q@x/Zz9k:yy#@db:5432/d"
    register_dsn_secret(dsn)
    line = redact_text(f"connecting to {dsn}; password was Pw8q@x/Zz9k:yy#")
    assert "Pw8q" not in line and "Zz9k" not in line


def test_headers() -> None:
    out = redact_headers(
        {"Authorization": f"Bearer {JWT}", "x-instauth": JWT, "User-Agent": "cd2-warehouse/1"}
    )
    assert out == {"Authorization": MASK, "x-instauth": MASK, "User-Agent": "cd2-warehouse/1"}


@pytest.mark.parametrize(
    "text",
    [
        f"Authorization: Bearer {JWT}",
        f"token {JWT} rejected",
        f"GET {PRESIGNED} failed",
        'body {"access_token": "abc.def.ghi", "expires_in": 3600}',
        "client_secret=hunter2hunter2&grant_type=client_credentials",
        "Basic dXNlcjpwYXNzd29yZA==",
        "password='p@ss w0rd'",
    ],
)
def test_free_text(text: str) -> None:
    out = redact_text(text)
    for secret in (
        JWT,
        "X-Amz-Signature",
        "deadbeef",
        "abc.def.ghi",
        "hunter2",
        "dXNlcjpw",
        "p@ss",
    ):
        assert secret not in out


def test_registered_secrets_are_masked_anywhere() -> None:
    register_secret("my-very-secret-value")
    register_secret("ab")  # too short to mask safely: ignored
    assert redact_text("oops my-very-secret-value leaked") == f"oops {MASK} leaked"
    assert redact_text("ab cd") == "ab cd"


def test_describe_redacts_foreign_exceptions() -> None:
    exc = RuntimeError(f"request to {PRESIGNED} with Bearer {JWT} failed")
    text = describe(exc)
    assert text.startswith("RuntimeError: ") and "deadbeef" not in text and JWT not in text


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_log_records_are_redacted_at_every_level(fmt: str) -> None:
    stream = io.StringIO()
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    try:
        configure(logging.DEBUG, fmt, stream)
        log = logging.getLogger("loader.test")
        log.debug("downloading %s", PRESIGNED)
        log.info("header Authorization: Bearer %s", JWT)
        try:
            raise ValueError(f"bad token {JWT}")
        except ValueError:
            log.exception("failed with %s", "client_secret=topsecret123")
        logging.getLogger("dlt").warning("dlt says %s", PRESIGNED)
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
        logging.getLogger("dlt").handlers.clear()
    out = stream.getvalue()
    assert "deadbeef" not in out and JWT not in out and "topsecret123" not in out
    assert "part-00000.tsv.gz" in out  # the useful part stays
    if fmt == "json":
        for line in out.strip().splitlines():
            json.loads(line)
