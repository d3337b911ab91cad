"""dbt refuses to run without an explicit Canvas shard id (mapping.md R2): a silent default would
give every CD1 id a value that differs from the ids an institution stored from CD1."""

from __future__ import annotations

from pathlib import Path

import pytest

from emulator.server import Emulator
from tests.conftest import PgServer
from tests.e2e.conftest import create_warehouse

pytestmark = pytest.mark.slow


def test_dbt_refuses_to_run_without_a_shard_and_uses_the_one_given(
    pg_server: PgServer, e2e_emulator: Emulator, tmp_path: Path
) -> None:
    warehouse = create_warehouse(pg_server, e2e_emulator, tmp_path, "cd1_shard")
    warehouse.env.pop("CD2_SHARD_ID", None)
    log = tmp_path / "build-no-shard.log"

    code = warehouse.dbt("build-no-shard", "build", "--select", "account_dim", check=False)
    output = log.read_text("utf-8")
    assert code != 0
    assert "No Canvas shard id" in output
    assert "CD2_SHARD_ID" in output and "shard_id" in output
    assert "floor(" in output and "10^13" in output  # how to find it
    # nothing was built: the hook stops the run before any model
    assert warehouse.query(
        "select count(*) from information_schema.tables where table_schema = 'cd1'"
    ) == [(0,)]

    # the var wins over the environment variable (the e2e suite passes CD2_SHARD_ID alone)
    compiled = tmp_path / "target" / "compiled" / "cd2_warehouse" / "models" / "marts" / "cd1"
    warehouse.env["CD2_SHARD_ID"] = "7"
    warehouse.dbt("compile", "compile", "--select", "account_dim", "--vars", "{shard_id: 1072}")
    assert "cast(1072 as bigint) * 10000000000000" in (compiled / "account_dim.sql").read_text()
