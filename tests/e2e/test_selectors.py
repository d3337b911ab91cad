"""The named selections of selectors.yml (README, "Production recipes"), listed by dbt itself."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import ParsedProject

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow  # needs the session's dbt parse


@pytest.fixture(scope="module")
def ls(parsed_project: ParsedProject) -> Any:
    """``dbt ls`` in-process over the session's parsed project: args -> JSON lines."""
    from dbt.cli.main import dbtRunner

    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    common = ["--project-dir", str(REPO), "--profiles-dir", str(parsed_project.work)]
    common += ["--target-path", str(parsed_project.target)]
    common += ["--log-path", str(parsed_project.work / "logs")]
    parsed = dbtRunner().invoke(["parse", "--quiet", *common])  # partial: nothing changed
    assert parsed.success, parsed.exception
    runner = dbtRunner(manifest=parsed.result)

    def run(*args: str) -> set[str]:
        result = runner.invoke(["ls", "--quiet", "--output", "json", *common, *args])
        assert result.success, result.exception
        return set(result.result)

    return run


def _ids(listing: set[str]) -> set[str]:
    return {json.loads(line)["unique_id"] for line in listing}


def test_nightly_is_everything_and_refresh_drops_only_slow_tests(
    ls: Any, parsed_project: ParsedProject
) -> None:
    everything = {u for u in _ids(ls("--select", "fqn:*")) if not u.startswith("source.")}
    combined = {u for u in everything if ".combined_checks_" in u}
    nightly = _ids(ls("--selector", "nightly"))
    refresh = _ids(ls("--selector", "refresh"))
    # the nightly build is the default (a plain `dbt build`): everything but the refresh's
    # combined checks, which repeat its per-column tests
    assert nightly == everything - combined
    assert _ids(ls()) == nightly
    models = {u for u in everything if u.startswith("model.")}
    assert models and models <= refresh
    dropped = nightly - refresh
    assert dropped and len(refresh) < len(nightly)
    assert not any(u.startswith(("model.", "seed.")) for u in dropped)
    assert any(".relationships_" in u for u in dropped)
    assert any(u.startswith("unit_test.") for u in dropped)
    assert not any(".relationships_" in u or u.startswith("unit_test.") for u in refresh)
    # the CD1 grain tests count whole tables: nightly only
    grain = {u for u in nightly if ".equal_row_count_" in u}
    assert len(grain) == 87 and not grain & refresh  # 81 of 4.2.1, the 6 Catalog tables
    # keys, not_null, no_deleted_keys, ranges: one combined check per model in the refresh,
    # on every model or seed that has such a per-column test (else the refresh would lose them)
    manifest = json.loads((parsed_project.target / "manifest.json").read_text("utf-8"))
    folded = ("not_null", "unique", "unique_combination_of_columns", "no_deleted_keys")
    folded += ("analytics_accepted_range",)
    tests = [n for n in manifest["nodes"].values() if n["resource_type"] == "test"]
    per_column = {u for u, n in manifest["nodes"].items() if _test_name(n) in folded}
    assert per_column and not per_column & refresh and per_column <= nightly
    checked = {manifest["nodes"][u]["attached_node"] for u in per_column}
    combined_of = [n["attached_node"] for n in tests if _test_name(n) == "combined_checks"]
    assert sorted(combined_of) == sorted(checked)  # exactly one each
    # in the refresh: every model's but the CD1 intermediate views' (no changed rows to read;
    # the marts built from them are checked)
    intermediate = {
        u
        for u in combined
        if manifest["nodes"][manifest["nodes"][u]["attached_node"]][
            "original_file_path"
        ].startswith("models/intermediate/cd1/")
    }
    assert len(intermediate) == 22
    assert {
        manifest["nodes"][manifest["nodes"][u]["attached_node"]]["config"]["materialized"]
        for u in intermediate
    } == {"view"}
    assert combined - intermediate <= refresh and not intermediate & refresh


def _test_name(node: dict[str, Any]) -> str | None:
    return (node.get("test_metadata") or {}).get("name")


def test_one_cd1_table_and_analytics_only(ls: Any) -> None:
    course = _ids(ls("--selector", "cd1_table", "--vars", "{cd1_table: course_dim}"))
    models = {u.split(".")[-1] for u in course if u.startswith("model.")}
    assert "course_dim" in models and "stg_canvas__courses" in models
    assert "submission_fact" not in models and "user_dim" not in models
    assert any(".not_null_" in u for u in course)  # per-column tests, not the refresh's
    assert not any(".combined_checks_" in u for u in course)
    default = _ids(ls("--selector", "cd1_table", "--resource-type", "model"))
    assert "model.cd2_warehouse.submission_fact" in default
    analytics = _ids(ls("--selector", "analytics", "--resource-type", "model"))
    names = {u.split(".")[-1] for u in analytics}
    marts = {p.stem for p in (REPO / "models/marts/analytics").glob("*.sql")}
    assert marts and marts <= names
    cd1 = {p.stem for p in (REPO / "models/marts/cd1").glob("*.sql")}
    assert not names & cd1
