"""DAP JSON schema → raw table layout: types, hints, nothing NOT NULL."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest

from loader.schema import (
    META_COLUMN_NAMES,
    PG_TYPES,
    column_kind,
    decimal_precision,
    sync_log_columns,
    table_layout,
)


def versioned(
    value_props: dict, required: list[str] | None = None, key: dict | None = None
) -> dict:
    return {
        "version": 3,
        "schema": {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": "Things",
            "type": "object",
            "properties": {
                "meta": {"type": "object", "properties": {"ts": {"type": "string"}}},
                "key": {
                    "type": "object",
                    "properties": key or {"id": {"type": "integer", "format": "int64"}},
                    "required": list(key or {"id": 1}),
                },
                "value": {
                    "type": "object",
                    "properties": value_props,
                    "required": required or [],
                },
            },
        },
    }


@pytest.mark.parametrize(
    ("prop", "kind", "pg"),
    [
        ({"type": "integer", "format": "int16"}, "int16", "smallint"),
        ({"type": "integer", "format": "int32"}, "int32", "integer"),
        ({"type": "integer", "format": "int64"}, "int64", "bigint"),
        ({"type": "integer"}, "int64", "bigint"),
        ({"type": "number", "format": "float64"}, "float", "double precision"),
        ({"type": "number", "format": "float32"}, "float", "double precision"),
        (
            {"type": "number", "exclusiveMaximum": 1e10, "multipleOf": 0.01},
            "decimal",
            "numeric",
        ),
        ({"type": "boolean"}, "bool", "boolean"),
        ({"type": "string", "format": "date-time"}, "timestamp", "timestamp with time zone"),
        ({"type": "string", "format": "date"}, "date", "date"),
        ({"type": "string", "format": "uuid"}, "text", "text"),
        ({"type": "string", "format": "ipv4"}, "text", "text"),
        ({"type": "string", "enum": ["a", "b"]}, "text", "text"),
        ({"type": "string", "maxLength": 255}, "text", "text"),
        ({"type": "object", "properties": {"a": {"type": "integer"}}}, "json", "jsonb"),
        ({"type": "array", "items": {"type": "string"}}, "json", "jsonb"),
        ({"oneOf": [{"type": "string"}, {"type": "integer"}]}, "text", "text"),
        ({"type": ["string", "null"], "format": "date"}, "date", "date"),
    ],
)
def test_column_kinds(prop: dict, kind: str, pg: str) -> None:
    assert column_kind(prop) == kind
    assert PG_TYPES[kind] == pg


def test_layout_keys_values_and_meta_columns() -> None:
    layout = table_layout(
        "canvas",
        "things",
        versioned(
            {
                "name": {"type": "string", "description": "The name"},
                "settings": {
                    "type": "object",
                    "properties": {"a": {"type": "integer"}, "b": {"type": "string"}},
                    "required": ["a"],
                },
            },
            required=["name"],
        ),
    )
    assert layout.version == 3
    assert [c.name for c in layout.keys] == ["id"]
    assert [c.name for c in layout.values] == ["name", "settings"]
    assert [c.dotted for c in layout.columns] == ["key.id", "value.name", "value.settings"]
    assert [p.name for p in layout.values[1].properties] == ["a", "b"]
    schema = layout.arrow_schema()
    assert schema.names == ["id", "name", "settings", *META_COLUMN_NAMES]
    assert schema.field("id").type == pa.int64()
    assert schema.field("settings").type == pa.string()
    assert schema.field("meta_ts").type == pa.timestamp("us", tz="UTC")


def test_nothing_is_declared_not_null() -> None:
    layout = table_layout(
        "canvas",
        "things",
        versioned({"name": {"type": "string"}, "n": {"type": "integer"}}, required=["name", "n"]),
    )
    assert layout.values[0].required  # the schema says so …
    hints = layout.dlt_columns()
    assert hints and all(h["nullable"] is True for h in hints)  # … and we ignore it
    assert all(h["nullable"] for h in sync_log_columns())


def test_dlt_hints_types() -> None:
    layout = table_layout(
        "canvas",
        "things",
        versioned(
            {
                "small": {"type": "integer", "format": "int16"},
                "amount": {"type": "number", "exclusiveMaximum": 1e10, "multipleOf": 0.01},
                "doc": {"type": "array", "items": {"type": "integer"}},
                "at": {"type": "string", "format": "date-time"},
            }
        ),
    )
    hints = {h["name"]: h for h in layout.dlt_columns()}
    assert hints["small"]["data_type"] == "bigint" and hints["small"]["precision"] == 16
    assert hints["amount"]["data_type"] == "decimal" and "precision" not in hints["amount"]
    assert hints["doc"]["data_type"] == "json"
    assert hints["at"] == {
        "name": "at",
        "nullable": True,
        "data_type": "timestamp",
        "timezone": True,
    }
    assert hints["_dap_change_order"]["data_type"] == "bigint"


def test_composite_and_string_keys() -> None:
    layout = table_layout(
        "canvas_logs",
        "web_logs",
        versioned(
            {}, key={"id": {"type": "string", "format": "uuid"}, "part": {"type": "integer"}}
        ),
    )
    assert [(c.name, c.kind) for c in layout.keys] == [("id", "text"), ("part", "int64")]


def test_schema_without_key_is_rejected() -> None:
    with pytest.raises(ValueError, match="no key"):
        table_layout("canvas", "x", {"version": 1, "schema": {"properties": {"key": {}}}})


def test_decimal_precision() -> None:
    assert decimal_precision({"exclusiveMaximum": 1e10, "multipleOf": 0.01}) == (12, 2)
    assert decimal_precision({"exclusiveMaximum": 1000, "multipleOf": 1}) == (3, 0)
    assert decimal_precision({"exclusiveMaximum": 7, "multipleOf": 0.5}) is None


def _layout_with(kind_by_column: dict[str, dict[str, Any]]) -> Any:
    from loader.schema import table_layout

    schema = {
        "type": "object",
        "properties": {
            "key": {"type": "object", "properties": {"id": {"type": "integer"}}},
            "value": {"type": "object", "properties": kind_by_column},
        },
    }
    return table_layout("canvas", "things", {"version": 2, "schema": schema})


def test_reconcile_types_widens_keeps_or_refuses() -> None:
    from loader.schema import TypeChangeError, Widening, reconcile_types

    layout = _layout_with(
        {
            "attempt": {"type": "integer", "format": "int64"},
            "code": {"type": "integer", "format": "int32"},
            "note": {"type": "string"},
            "score": {"type": "number", "multipleOf": 0.01},
        }
    )
    stored = {
        "id": "bigint",
        "attempt": "integer",
        "code": "text",
        "note": "jsonb",
        "score": "bigint",
    }
    fitted, widenings = reconcile_types(layout, stored)
    assert widenings == [
        Widening("attempt", "integer", "bigint"),
        Widening("note", "jsonb", "text"),
        Widening("score", "bigint", "numeric"),
    ]
    kinds = {c.name: (c.kind, c.raw_kind) for c in fitted.columns}
    assert kinds["code"] == ("int32", "text")  # raw text holds the integers
    assert {h["name"]: h["data_type"] for h in fitted.dlt_columns()}["code"] == "text"
    batch = pa.RecordBatch.from_arrays(
        [pa.array([1]), pa.array([1]), pa.array([7], pa.int32()), pa.array(["x"]), pa.array(["1"])],
        names=["id", "attempt", "code", "note", "score"],
    )
    assert fitted.conform(batch).column(2).to_pylist() == ["7"]
    with pytest.raises(TypeChangeError, match=r"'attempt'.*boolean.*bigint"):
        reconcile_types(layout, {"attempt": "boolean"})
