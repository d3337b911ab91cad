"""The embedded warehouse's binaries can come from a copy (``CD2_POSTGRES_BIN_DIR``), the way
out that ``cd2 warehouse up`` names when the server's account cannot reach the virtualenv, and
the one the test session takes itself for a checkout in a private folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from loader import warehouse as warehouse_module
from loader.warehouse import (
    EmbeddedWarehouse,
    closed_directory,
    copy_postgres_install,
    server_account,
)
from tests.conftest import _free_port, reachable_postgres_bin


def test_the_warehouse_runs_the_binaries_of_cd2_postgres_bin_dir(
    open_tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = copy_postgres_install(open_tmp_path / "postgres")
    monkeypatch.setenv("CD2_POSTGRES_BIN_DIR", str(copy))
    assert warehouse_module.postgres_bin_dir() == copy
    warehouse = EmbeddedWarehouse(open_tmp_path / "warehouse", port=_free_port())
    warehouse.up()
    try:
        pid = warehouse.status().pid
        assert pid is not None
        assert Path(os.readlink(f"/proc/{pid}/exe")) == copy / "postgres"
    finally:
        warehouse.down()


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root")
def test_binaries_out_of_the_servers_reach_are_copied_where_it_can_run_them(
    open_tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    account = server_account()
    assert account is not None
    home = open_tmp_path / "home"  # like /root: a virtualenv in a 0700 folder
    home.mkdir()
    private_bin = copy_postgres_install(home / "venv")
    home.chmod(0o700)
    assert closed_directory(private_bin, account.uid, account.gid) == home
    monkeypatch.delenv("CD2_POSTGRES_BIN_DIR", raising=False)
    reachable = reachable_postgres_bin(private_bin, account)
    assert reachable != private_bin
    assert closed_directory(reachable, account.uid, account.gid) is None
    assert os.environ["CD2_POSTGRES_BIN_DIR"] == str(reachable)
    assert (reachable / "postgres").exists()
