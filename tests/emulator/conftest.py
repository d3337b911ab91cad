"""Fixtures for the emulator tests: an in-process emulator on a free port, and a small client.

Every test talks to the emulator over real HTTP (httpx); nothing is mocked.
"""

from __future__ import annotations

import gzip
import io
import time
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from emulator.server import Emulator, Settings

USER_AGENT = "cd2-tests/1.0"


class Api:
    """A thin DAP client for tests: logs in, sends requests, keeps nothing hidden."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self.url = emulator.url
        self.http = httpx.Client(
            base_url=self.url, timeout=60.0, headers={"User-Agent": USER_AGENT}
        )
        self.token: str | None = None

    def close(self) -> None:
        """Close the connection pool."""
        self.http.close()

    def login(self) -> dict[str, Any]:
        """Log in with the default credentials and keep the token."""
        s = self.emulator.settings
        r = self.http.post(
            "/ids/auth/login",
            auth=(s.client_id, s.client_secret),
            data={"grant_type": "client_credentials"},
        )
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        self.token = body["access_token"]
        return body

    def headers(self) -> dict[str, str]:
        """The Authorization header (logs in first if needed)."""
        if self.token is None:
            self.login()
        return {"Authorization": f"Bearer {self.token}"}

    def get(self, path: str, **kw: Any) -> httpx.Response:
        """GET with the token."""
        return self.http.get(path, headers={**self.headers(), **kw.pop("headers", {})}, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> httpx.Response:
        """POST JSON with the token."""
        return self.http.post(
            path, json=body, headers={**self.headers(), **kw.pop("headers", {})}, **kw
        )

    def admin(self, method: str, path: str, body: Any = None) -> Any:
        """Call an admin route and return its JSON (asserts success)."""
        r = self.http.request(method, "/_emulator/" + path, json=body)
        assert r.status_code == 200, r.text
        return r.json()

    def query(self, ns: str, table: str, **body: Any) -> dict[str, Any]:
        """Create a job and poll it to completion (asserts success)."""
        r = self.post(f"/dap/query/{ns}/table/{table}/data", body)
        assert r.status_code == 200, r.text
        job: dict[str, Any] = r.json()
        for _ in range(1000):
            if job["status"] in ("complete", "failed"):
                break
            r = self.get(f"/dap/job/{job['id']}")
            assert r.status_code == 200, r.text
            job = r.json()
        return job

    def wait(self, job_id: str) -> dict[str, Any]:
        """Poll a job until it is complete or failed."""
        for _ in range(1000):
            r = self.get(f"/dap/job/{job_id}")
            assert r.status_code == 200, r.text
            job: dict[str, Any] = r.json()
            if job["status"] in ("complete", "failed"):
                return job
            time.sleep(0.01)
        raise AssertionError(f"job {job_id} did not finish")

    def urls(self, object_ids: list[str]) -> dict[str, str]:
        """Presigned URLs for objects."""
        r = self.post("/dap/object/url", [{"id": i} for i in object_ids])
        assert r.status_code == 200, r.text
        return {k: v["url"] for k, v in r.json()["urls"].items()}

    def download(self, url: str) -> bytes:
        """GET an object URL without auth (asserts success)."""
        r = self.http.get(url)
        assert r.status_code == 200, r.text
        return r.content

    def fetch(self, ns: str, table: str, **body: Any) -> tuple[dict[str, Any], list[bytes]]:
        """Run a query and download every object (raw bytes)."""
        job = self.query(ns, table, **body)
        assert job["status"] == "complete", job
        ids = [o["id"] for o in job["objects"]]
        urls = self.urls(ids) if ids else {}
        return job, [self.download(urls[i]) for i in ids]


def gunzip_single_member(data: bytes) -> bytes:
    """Decompress a gzip object, asserting it is exactly one member."""
    d = zlib.decompressobj(wbits=31)
    out = d.decompress(data) + d.flush()
    assert d.eof, "incomplete gzip stream"
    assert d.unused_data == b"", "more than one gzip member"
    assert gzip.decompress(data) == out
    return out


@pytest.fixture
def make_emulator(tmp_path: Path) -> Iterator[Callable[..., Emulator]]:
    """Start emulators (in this process, each on a free port); all are stopped afterwards."""
    started: list[Emulator] = []

    def make(**overrides: Any) -> Emulator:
        settings = Settings(
            port=0,
            scale="tiny",
            job_polls=0,
            state_dir=tmp_path / f"state{len(started)}",
        )
        for key, value in overrides.items():
            setattr(settings, key, value)
        emu = Emulator(settings)
        emu.start()
        started.append(emu)
        return emu

    yield make
    for emu in started:
        emu.shutdown()


@pytest.fixture
def emulator(make_emulator: Callable[..., Emulator]) -> Emulator:
    """A tiny emulator with ``job_polls=0``."""
    return make_emulator()


@pytest.fixture
def api(emulator: Emulator) -> Iterator[Api]:
    """A client of :func:`emulator`."""
    client = Api(emulator)
    yield client
    client.close()


def read_parquet_bytes(data: bytes) -> Any:
    """A pyarrow Table from Parquet bytes."""
    import pyarrow.parquet as pq

    return pq.read_table(io.BytesIO(data))
