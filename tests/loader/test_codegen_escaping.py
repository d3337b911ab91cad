"""``cd2 codegen`` writes API text (descriptions, enum values) so that dbt renders it back as it
was: Jinja in a description is not evaluated, and a quote in an enum value does not break the
``accepted_values`` SQL (issue 11, item 7). Checked on the generated YAML and by ``dbt parse`` of
a small project generated from a hostile catalog."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import psycopg2
import pytest
import yaml  # type: ignore[import-untyped]

from loader import codegen
from tests.conftest import PgServer

REPO = Path(__file__).resolve().parents[2]
JINJA_TITLE = "Things {{ exceptions.raise_compiler_error('rendered the title') }} here"
JINJA_DESCRIPTION = "A {% if true %}rendered{% endif %} {# comment #} column {{ 1 + 1 }}"
ENUM = ("it's", "plain", "{{ 'x' }}", 'say "hi"')


def hostile_catalog() -> dict[str, dict[str, dict[str, Any]]]:
    schema = {
        "title": JINJA_TITLE,
        "type": "object",
        "properties": {
            "key": {
                "type": "object",
                "properties": {"id": {"type": "integer", "format": "int64"}},
                "required": ["id"],
            },
            "value": {
                "type": "object",
                "properties": {
                    "state": {"type": "string", "enum": list(ENUM), "description": "State."},
                    "note": {"type": "string", "description": JINJA_DESCRIPTION},
                },
            },
        },
    }
    return {"hostile": {"things": {"version": 1, "schema": schema}}}


def test_jinja_literal_and_sql_string_content() -> None:
    assert codegen.jinja_literal("a {{ b }} {% c %} {# d #} }} %}") == (
        "a {{ '{{' }} b }} {{ '{%' }} c %} {{ '{#' }} d #} }} %}"
    )
    assert codegen.sql_string_content("it's") == "it''s"


def test_generated_yaml_escapes_api_text(tmp_path: Path) -> None:
    codegen.generate(tmp_path, hostile_catalog(), {})
    folder = tmp_path / "models" / "staging" / "hostile"
    models = yaml.safe_load((folder / "_hostile__models.yml").read_text("utf-8"))
    stg = next(m for m in models["models"] if m["name"] == "stg_hostile__things")
    assert stg["description"] == codegen.jinja_literal(JINJA_TITLE)
    state = next(c for c in stg["columns"] if c["name"] == "state")
    (test,) = [t for t in state["data_tests"] if "accepted_values" in t]
    values = test["accepted_values"]["arguments"]["values"]
    assert "it''s" in values and "{{ '{{' }} ''x'' }}" in values and 'say "hi"' in values


@pytest.mark.slow
def test_dbt_renders_api_text_back_verbatim(tmp_path: Path, pg_server: PgServer) -> None:
    """A project of the repository's macros and the hostile namespace's generated models:
    ``dbt compile`` of it (on the session's PostgreSQL) succeeds, the descriptions come out as the
    API wrote them, and the ``accepted_values`` SQL holds each value as a valid literal."""
    codegen.generate(tmp_path, hostile_catalog(), {})
    (tmp_path / "macros").symlink_to(REPO / "macros")
    (tmp_path / "dbt_project.yml").write_text(
        "name: cd2_warehouse\nversion: '0.1.0'\nconfig-version: 2\nprofile: cd2\n"
        "model-paths: ['models']\nmacro-paths: ['macros']\ntest-paths: []\n"
        "flags:\n  send_anonymous_usage_stats: false\n",
        "utf-8",
    )
    (tmp_path / "profiles.yml").write_text(
        "cd2:\n  target: t\n  outputs:\n    t:\n      type: postgres\n"
        f"      host: {pg_server.host}\n      port: {pg_server.port}\n"
        f"      user: {pg_server.user}\n      password: ''\n      dbname: postgres\n"
        "      schema: s\n",
        "utf-8",
    )
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DO_NOT_TRACK": "1"}
    result = subprocess.run(
        [str(Path(sys.executable).parent / "dbt"), "compile", "--project-dir", str(tmp_path)]
        + ["--profiles-dir", str(tmp_path), "--select", "test_type:generic"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text("utf-8"))
    stg = manifest["nodes"]["model.cd2_warehouse.stg_hostile__things"]
    assert stg["description"] == JINJA_TITLE
    assert stg["columns"]["note"]["description"] == JINJA_DESCRIPTION
    source = manifest["sources"]["source.cd2_warehouse.hostile.things"]
    assert source["description"] == JINJA_TITLE
    (accepted,) = [
        n
        for n in manifest["nodes"].values()
        if n["resource_type"] == "test"
        and (n.get("test_metadata") or {}).get("name") == "accepted_values"
    ]
    compiled = accepted["compiled_code"]
    for value in ENUM:
        assert "'" + value.replace("'", "''") + "'" in compiled, compiled
    # the value list is valid SQL and means exactly the enum values
    in_list = compiled[
        compiled.index("not in (") + len("not in (") : compiled.index(
            ")", compiled.index("not in (")
        )
    ]
    with psycopg2.connect(pg_server.dsn) as conn, conn.cursor() as cur:
        cur.execute(f"select unnest(array[{in_list}])")
        assert sorted(r[0] for r in cur.fetchall()) == sorted([*ENUM, codegen.ENUM_SENTINEL])
    conn.close()
