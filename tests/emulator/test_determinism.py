"""Same seed, same bytes; the object cache; a restarted server reuses its state directory."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from emulator.server import Emulator

from .conftest import Api


def _objects(emu: Emulator, fmt: str, since: str | None = None) -> tuple[dict, list[bytes]]:
    api = Api(emu)
    body = {"format": fmt, "mode": "condensed"}
    if since:
        body["since"] = since
    job, blobs = api.fetch("canvas", "submissions", **body)
    api.close()
    return job, blobs


@pytest.mark.parametrize("fmt", ["tsv", "csv", "jsonl", "parquet"])
def test_same_seed_same_bytes(make_emulator: Callable[..., Emulator], fmt: str) -> None:
    a = make_emulator(seed=7, rows_per_object=50)
    b = make_emulator(seed=7, rows_per_object=50)
    ja, blobs_a = _objects(a, fmt)
    jb, blobs_b = _objects(b, fmt)
    assert len(blobs_a) == 4  # 192 submissions
    assert blobs_a == blobs_b
    names_a = [o["id"].split("/", 1)[1] for o in ja["objects"]]
    assert names_a == [o["id"].split("/", 1)[1] for o in jb["objects"]]
    for emu in (a, b):
        emu.advance(24)
    _, inc_a = _objects(a, fmt, since=ja["at"])
    _, inc_b = _objects(b, fmt, since=jb["at"])
    assert inc_a == inc_b and inc_a


def test_other_seed_other_bytes(make_emulator: Callable[..., Emulator]) -> None:
    _, a = _objects(make_emulator(seed=1), "tsv")
    _, b = _objects(make_emulator(seed=2), "tsv")
    assert a != b


def test_restart_reuses_the_cache(make_emulator: Callable[..., Emulator], tmp_path: Path) -> None:
    state = tmp_path / "shared-state"
    first = make_emulator(state_dir=state)
    job1, blobs1 = _objects(first, "tsv")
    first.shutdown()
    second = make_emulator(state_dir=state)
    job2, blobs2 = _objects(second, "tsv")
    assert blobs1 == blobs2
    assert job1["id"] != job2["id"]
    listed = Api(second).admin("GET", "jobs")["jobs"]
    assert listed[0]["cached"] is True
    second.advance(1)
    _objects(second, "tsv")
    assert Api(second).admin("GET", "jobs")["jobs"][-1]["cached"] is False
