"""Nasty values survive TSV parsing, the CSV files and PostgreSQL ``COPY``, on both paths (CSV
files imported by dlt, and Arrow items dlt writes itself): empty strings stay empty (not NULL),
tabs, newlines, backslashes, quotes and unicode stay intact, JSON lands as ``jsonb``, timestamps
as ``timestamptz`` in UTC whatever the session time zone."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import dlt
import psycopg2
import pytest

from loader.dap.client import DapClient
from loader.dap.models import DownloadedObject
from loader.destination import make_destination
from loader.extract import JobStamp, RunContext, job_items
from loader.schema import table_layout
from tests.helpers import NASTY, copy_escape

SCHEMA: dict[str, Any] = {
    "version": 1,
    "schema": {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "properties": {
            "meta": {"type": "object", "properties": {"ts": {"type": "string"}}},
            "key": {"type": "object", "properties": {"id": {"type": "integer", "format": "int64"}}},
            "value": {
                "type": "object",
                "properties": {
                    "body": {"type": "string"},
                    "doc": {
                        "type": "object",
                        "properties": {"s": {"type": "string"}, "n": {"type": "integer"}},
                    },
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "at": {"type": "string", "format": "date-time"},
                    "amount": {"type": "number", "exclusiveMaximum": 1e10, "multipleOf": 0.01},
                    "flag": {"type": "boolean"},
                },
            },
        },
    },
}


def write_object(path: Path) -> list[dict[str, Any]]:
    rows = []
    lines = [
        "meta.ts\tmeta.action\tkey.id\tvalue.body\tvalue.doc\tvalue.tags\tvalue.at"
        "\tvalue.amount\tvalue.flag"
    ]
    for i, text in enumerate([*NASTY, None]):
        doc = None if text is None else {"s": text, "n": i}
        tags = None if text is None else [text, "", "x"]
        at = f"2024-03-{1 + i % 28:02d}T{i % 24:02d}:30:00.{i:06d}Z"
        row = {
            "id": i,
            "body": text,
            "doc": doc,
            "tags": tags,
            "at": datetime.fromisoformat(at.replace("Z", "+00:00")),
            "amount": Decimal(f"{i}.{i % 100:02d}"),
            "flag": i % 2 == 0,
        }
        rows.append(row)
        fields = [
            "2024-04-01T00:00:00Z",
            "U",
            str(i),
            copy_escape(text),
            copy_escape(json.dumps(doc, ensure_ascii=False) if doc is not None else None),
            copy_escape(json.dumps(tags, ensure_ascii=False) if tags is not None else None),
            at,
            str(row["amount"]),
            "true" if row["flag"] else "false",
        ]
        lines.append("\t".join(fields))
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    return rows


@pytest.mark.parametrize("csv_direct", [True, False], ids=["csv_files", "arrow_items"])
def test_nasty_values_survive_the_csv_path(database: str, tmp_path: Path, csv_direct: bool) -> None:
    obj_path = tmp_path / "part-0.tsv.gz"
    expected = write_object(obj_path)
    layout = table_layout("canvas", "things", SCHEMA)
    client = DapClient("unused-id", "unused-secret")  # never called: no HTTP in this test
    ctx = RunContext(client=client, rows_per_file=7)  # several files
    spool = tmp_path / "spool"
    spool.mkdir()
    ctx.spool_dir = spool if csv_direct else None
    stamp = JobStamp("snapshot", "job-1", 1, datetime(2024, 4, 2, tzinfo=UTC))

    @dlt.resource(name="things", write_disposition="append")
    def things() -> Iterator[Any]:
        yield from job_items(
            [DownloadedObject(0, "job-1/part-0.tsv.gz", obj_path, obj_path.stat().st_size)],
            "things",
            layout,
            stamp,
            ctx,
        )

    pipeline = dlt.pipeline(
        pipeline_name=f"csv_path_{csv_direct}",
        pipelines_dir=str(tmp_path / "pipelines"),
        destination=make_destination(database),
        dataset_name="raw_canvas",
    )
    pipeline.run(things(), loader_file_format="csv")
    client.close()

    conn = psycopg2.connect(database)
    with conn.cursor() as cur:
        cur.execute("set time zone 'America/Los_Angeles'")  # results must not depend on it
        cur.execute(
            "select id, body, doc, tags, at, amount, flag, pg_typeof(doc)::text, "
            "pg_typeof(at)::text, _dap_change_order from raw_canvas.things order by id"
        )
        got = cur.fetchall()
    conn.close()
    assert len(got) == len(expected)
    for row, want in zip(got, expected, strict=True):
        rid, body, doc, tags, at, amount, flag, doc_type, at_type, order = row
        assert rid == want["id"]
        assert body == want["body"], rid  # "" stays "", None stays NULL
        assert doc == want["doc"] and tags == want["tags"], rid
        assert at == want["at"], rid
        assert amount == want["amount"] and flag == want["flag"]
        assert (doc_type, at_type) == ("jsonb", "timestamp with time zone")
        assert order == 10**12 + rid
