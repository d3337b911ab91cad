"""The README's scheduler recipe: ``scripts/cd2-cron refresh`` loads, builds with the refresh
selector and ends with ``cd2 status``, whose exit code it passes on."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from emulator.server import Emulator
from tests.conftest import PgServer
from tests.e2e.conftest import BIN, REPO, ParsedProject, create_warehouse

pytestmark = pytest.mark.slow


def test_cron_refresh_loads_builds_and_reports_status(
    pg_server: PgServer,
    e2e_emulator: Emulator,
    parsed_project: ParsedProject,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    work = tmp_path_factory.mktemp("cron")
    warehouse = create_warehouse(pg_server, e2e_emulator, work, "cron_e2e")
    target = work / "target"
    shutil.copytree(parsed_project.target, target)  # dbt parses partially, as on a second run
    env = {
        **warehouse.env,
        "CD2_BIN": str(BIN),
        "CD2_STATE_DIR": str(work / "state"),
        "CD2_SHARD_ID": "1",
        "DBT_PROFILES_DIR": str(work),
        "DBT_TARGET_PATH": str(target),
        "DBT_LOG_PATH": str(work / "logs"),
        "PGHOST": pg_server.host,  # the script sets PG* from the embedded warehouse otherwise
    }
    result = subprocess.run(
        [str(REPO / "scripts" / "cd2-cron"), "refresh"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    output = result.stdout + result.stderr
    (work / "cron.log").write_text(output, "utf-8")
    steps = [line.split(" ", 2)[2] for line in result.stdout.splitlines() if line.startswith("== ")]
    assert steps == ["cd2 load", "dbt build --selector refresh", "cd2 status"], output[-3000:]
    # every table loaded, the refresh build built the marts, and the script exits as status does
    assert warehouse.query("select count(*) from cd1.course_dim")[0][0] > 0
    failed = warehouse.query(
        "select count(*) from raw_canvas._dap_sync_log where status = 'failed'"
    )[0][0]
    assert failed == 0
    status = subprocess.run(
        [str(BIN / "cd2"), "status"], cwd=work, env=env, capture_output=True, timeout=300
    )
    assert result.returncode == status.returncode, output[-3000:]
    assert status.returncode in (0, 1)
    assert (work / "state" / "pipelines").is_dir()  # the state went where CD2_STATE_DIR says
    assert (target / "run_results.json").exists()  # dbt wrote where DBT_TARGET_PATH says
    # The next scheduled build (here the nightly's selection) reuses the refresh's parse: the
    # selector is not part of what dbt checks before parsing partially (vars would be).
    assert (target / "partial_parse.msgpack").exists()
    log = work / "logs" / "dbt.log"
    seen = log.stat().st_size
    listed = subprocess.run(
        [str(BIN / "dbt"), "ls", "--selector", "nightly", "--quiet", "--project-dir", str(REPO)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert listed.returncode == 0, listed.stdout[-2000:] + listed.stderr[-2000:]
    with log.open("rb") as handle:
        handle.seek(seen)
        parse_log = handle.read().decode("utf-8", "replace")
    assert "Partial parsing enabled, no changes found, skipping parsing" in parse_log, parse_log[
        -3000:
    ]
