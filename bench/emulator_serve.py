"""Benchmark: how fast the DAP emulator serves a large submissions snapshot.

Starts ``cd2-emulator serve`` in a subprocess with ``--rows submissions=N``, runs a snapshot
query (TSV, condensed, as ``dap initdb`` asks), polls it to completion, downloads every object
over HTTP (4 at a time, like the official client) and reports the time to generate, the time to
download, the throughput and the emulator process's peak RSS (``VmHWM``). A second identical
query measures the cached path (job reuse). The last line printed is one JSON object.

Usage::

    python bench/emulator_serve.py --rows 10000000 [--format tsv] [--rows-per-object 1000000]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path
from typing import Any

import httpx

log = logging.getLogger("bench.emulator_serve")


def _peak_rss_mb(pid: int) -> float | None:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def _start(
    args: argparse.Namespace, state: Path, log_file: Any
) -> tuple[subprocess.Popen[str], str]:
    cmd = [
        sys.executable,
        "-m",
        "emulator",
        "serve",
        "--port",
        "0",
        "--scale",
        "small",
        "--rows",
        f"submissions={args.rows}",
        "--state-dir",
        str(state),
        "--job-polls",
        "1",
        "--rows-per-object",
        str(args.rows_per_object),
        "--gzip-level",
        str(args.gzip_level),
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=log_file, text=True)
    assert proc.stdout is not None
    while True:
        line = proc.stdout.readline()
        if not line:
            raise SystemExit("the emulator exited before printing its URL")
        if line.startswith("export DAP_API_URL="):
            return proc, line.strip().split("=", 1)[1]


def _download(client: httpx.Client, url: str, inflate: bool) -> tuple[int, int]:
    size = 0
    lines = 0
    d = zlib.decompressobj(wbits=31) if inflate else None
    with client.stream("GET", url) as r:
        r.raise_for_status()
        for chunk in r.iter_raw(1 << 20):
            size += len(chunk)
            if d is not None:
                lines += d.decompress(chunk).count(b"\n")
    return size, lines


def _query(client: httpx.Client, fmt: str) -> tuple[dict[str, Any], float]:
    t0 = time.perf_counter()
    r = client.post(
        "/dap/query/canvas/table/submissions/data", json={"format": fmt, "mode": "condensed"}
    )
    r.raise_for_status()
    job = r.json()
    while job["status"] not in ("complete", "failed"):
        time.sleep(0.2)
        job = client.get(f"/dap/job/{job['id']}").json()
    if job["status"] != "complete":
        raise SystemExit(f"job failed: {job}")
    return job, time.perf_counter() - t0


def _fetch_all(client: httpx.Client, job: dict[str, Any], inflate: bool) -> tuple[int, int, float]:
    t0 = time.perf_counter()
    ids = [o["id"] for o in job["objects"]]

    def one(object_id: str) -> tuple[int, int]:
        r = client.post("/dap/object/url", json=[{"id": object_id}])
        r.raise_for_status()
        return _download(client, r.json()["urls"][object_id]["url"], inflate)

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        results = list(pool.map(one, ids))
    return sum(s for s, _ in results), sum(n for _, n in results), time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; the last stdout line is JSON."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=10_000_000)
    p.add_argument("--format", default="tsv", choices=["tsv", "csv", "jsonl", "parquet"])
    p.add_argument("--rows-per-object", type=int, default=1_000_000)
    p.add_argument("--gzip-level", type=int, default=1)
    p.add_argument("--inflate", action="store_true", help="also gunzip and count lines")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its INFO lines carry signed URLs

    with tempfile.TemporaryDirectory(prefix="cd2-bench-") as tmp:
        state = Path(tmp) / "state"
        log_path = Path(tmp) / "emulator.log"
        with open(log_path, "w") as log_file:
            proc, url = _start(args, state, log_file)
            try:
                with httpx.Client(base_url=url, timeout=3600, headers={"User-Agent": "bench"}) as c:
                    r = c.post(
                        "/ids/auth/login",
                        auth=("us-east-1#emulator", "emulator-secret"),
                        data={"grant_type": "client_credentials"},
                    )
                    r.raise_for_status()
                    c.headers["Authorization"] = "Bearer " + r.json()["access_token"]
                    log.info("generating %s rows of submissions as %s ...", args.rows, args.format)
                    job, gen_s = _query(c, args.format)
                    rss_after_gen = _peak_rss_mb(proc.pid)
                    log.info("job complete in %.1f s: %d objects", gen_s, len(job["objects"]))
                    size, lines, dl_s = _fetch_all(c, job, args.inflate)
                    log.info("downloaded %.1f MB in %.1f s", size / 1e6, dl_s)
                    again, cached_s = _query(c, args.format)
                    assert again["id"] == job["id"], "an identical query must reuse the job"
                    jobs = c.get("/_emulator/jobs").json()["jobs"]
                    rows = jobs[0]["rows"]
                    peak = _peak_rss_mb(proc.pid)
            finally:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    proc.kill()
    total = gen_s + dl_s
    result = {
        "bench": "emulator_serve",
        "table": "canvas.submissions",
        "format": args.format,
        "rows": rows,
        "objects": len(job["objects"]),
        "bytes": size,
        "generate_s": round(gen_s, 2),
        "download_s": round(dl_s, 2),
        "total_s": round(total, 2),
        "rows_per_s": round(rows / total) if total else None,
        "generate_rows_per_s": round(rows / gen_s) if gen_s else None,
        "download_mb_per_s": round(size / 1e6 / dl_s, 1) if dl_s else None,
        "reused_job_s": round(cached_s, 3),
        "peak_rss_mb_after_generate": rss_after_gen,
        "peak_rss_mb": peak,
        "lines": lines if args.inflate else None,
        "cpus": os.cpu_count(),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
