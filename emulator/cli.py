"""``cd2-emulator``: run the DAP emulator, and drive a running one.

``serve`` runs the server in the foreground and prints the environment to use, as ``export``
lines on stdout (flushed at once, so a parent process can read them)::

    export DAP_API_URL=http://127.0.0.1:8765
    export DAP_CLIENT_ID='us-east-1#emulator'
    export DAP_CLIENT_SECRET=emulator-secret
    export CD2_EMULATOR_URL=http://127.0.0.1:8765

The other subcommands talk to a running emulator's admin routes over HTTP (httpx); the URL
comes from ``--url``, else ``$CD2_EMULATOR_URL``, else ``$DAP_API_URL``, else
``http://127.0.0.1:8765``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shlex
import signal
import sys
import threading
from pathlib import Path
from typing import Any

import httpx

from emulator.faults import KINDS, ROUTES
from emulator.schema import SCHEMA_CHANGE_KINDS

DEFAULT_URL = "http://127.0.0.1:8765"
log = logging.getLogger("emulator")


def _rows(values: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for item in values:
        name, sep, count = item.partition("=")
        if not sep:
            raise argparse.ArgumentTypeError(f"--rows expects table=N, not {item!r}")
        try:
            out[name.strip()] = int(count.replace("_", ""))
        except ValueError:
            raise argparse.ArgumentTypeError(f"--rows expects table=N, not {item!r}") from None
    return out


def _default_url() -> str:
    return os.environ.get("CD2_EMULATOR_URL") or os.environ.get("DAP_API_URL") or DEFAULT_URL


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``cd2-emulator``."""
    p = argparse.ArgumentParser(prog="cd2-emulator", description="A local Instructure DAP API.")
    p.add_argument("--log-level", default="INFO", help="logging level (default INFO)")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("serve", help="run the emulator in the foreground")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    s.add_argument("--seed", type=int, default=1)
    s.add_argument("--scale", default="small", help="tiny, small, medium, large, xlarge or N")
    s.add_argument("--rows", nargs="*", default=[], metavar="TABLE=N", help="row count overrides")
    s.add_argument("--state-dir", type=Path, default=None, help="object cache (default: temp)")
    s.add_argument("--faults", type=Path, default=None, help="JSON file of fault rules")
    s.add_argument("--client-id", default=None)
    s.add_argument("--client-secret", default=None)
    s.add_argument("--token-lifetime", type=float, default=None, help="seconds (default 3600)")
    s.add_argument("--url-lifetime", type=float, default=None, help="seconds (default 900)")
    s.add_argument("--job-lifetime", type=float, default=None, help="seconds (default 86400)")
    s.add_argument("--job-polls", type=int, default=None, help="polls before complete (1)")
    s.add_argument("--rows-per-object", type=int, default=None, help="default 1000000")
    s.add_argument("--retry-after", type=int, default=None, help="429 Retry-After seconds (2)")
    s.add_argument("--gzip-level", type=int, default=None, help="1-9 (default 1)")
    s.add_argument(
        "--tsv-escapes",
        choices=["short", "octal", "hex"],
        default=None,
        help="how TSV writes escapes (default short, as DAP does)",
    )
    s.add_argument("--workers", type=int, default=None, help="jobs generated at once (default 4)")

    a = sub.add_parser("advance", help="move the simulated clock forward")
    a.add_argument("--hours", type=float, required=True)
    _url(a)

    t = sub.add_parser("truth", help="download a table's ground truth as Parquet")
    t.add_argument("--namespace", default="canvas")
    t.add_argument("--table", required=True)
    t.add_argument("--out", type=Path, required=True)
    _url(t)

    b = sub.add_parser("schema-bump", help="raise a table's schema version")
    b.add_argument("--namespace", default="canvas")
    b.add_argument("--table", required=True)
    b.add_argument("--kind", choices=list(SCHEMA_CHANGE_KINDS), default="add_column")
    b.add_argument("--column", default=None)
    b.add_argument(
        "--type",
        default=None,
        help="type of an added column, or the new type (change_type): bigint, integer, text, "
        "double precision, boolean, timestamp, varchar(N), decimal(P,S), untyped",
    )
    _url(b)

    r = sub.add_parser("reload", help="mark a table reloaded (incrementals need a snapshot)")
    r.add_argument("--namespace", default="canvas")
    r.add_argument("--table", required=True)
    _url(r)

    la = sub.add_parser(
        "late", help="deliver a share of changes late to incremental queries (0 turns it off)"
    )
    la.add_argument("--rate", type=float, required=True, help="share of changes, 0 to 1")
    la.add_argument("--hours", type=float, default=6.0, help="how late (default 6)")
    _url(la)

    e = sub.add_parser(
        "empty", help="hard-delete every row of a table (incrementals deliver the deletes)"
    )
    e.add_argument("--namespace", default="canvas")
    e.add_argument("--table", required=True)
    _url(e)

    pr = sub.add_parser("prepare", help="run a query job now, to warm the object cache")
    pr.add_argument("--namespace", default="canvas")
    pr.add_argument("--table", required=True)
    pr.add_argument("--format", default="tsv", choices=["tsv", "csv", "jsonl", "parquet"])
    pr.add_argument("--mode", default="expanded", choices=["expanded", "condensed"])
    pr.add_argument("--since", default=None)
    _url(pr)

    st = sub.add_parser("status", help="print the emulator's status")
    _url(st)

    f = sub.add_parser("faults", help="list, add or clear fault rules")
    fsub = f.add_subparsers(dest="action", required=True)
    fa = fsub.add_parser("add", help="add a rule")
    fa.add_argument("--route", choices=ROUTES, default="any")
    fa.add_argument("--kind", choices=KINDS, required=True)
    fa.add_argument("--count", type=int, default=None)
    fa.add_argument("--rate", type=float, default=None)
    fa.add_argument("--table", default=None)
    fa.add_argument("--status", type=int, default=None)
    fa.add_argument("--body", choices=["dap", "plain"], default=None)
    fa.add_argument("--retry-after", type=int, default=None)
    fa.add_argument("--delay", type=float, default=None)
    fa.add_argument("--fraction", type=float, default=None)
    fa.add_argument("--error-type", default=None, help="for account_error")
    fa.add_argument("--value-kind", default=None, help="for poison (nul, json_nul, bad_json, ...)")
    fa.add_argument("--column", default=None, help="for poison: the column to corrupt")
    fa.add_argument("--rows", type=int, default=None, help="for poison: values to corrupt (1)")
    fa.add_argument("--seed", type=int, default=None)
    fa.add_argument("--json", dest="raw", default=None, help="rules as JSON instead")
    _url(fa)
    _url(fsub.add_parser("clear", help="remove every rule"))
    _url(fsub.add_parser("list", help="list rules with their counters"))

    c = sub.add_parser("config", help="change run-time settings (key=value ...)")
    c.add_argument("pairs", nargs="*", metavar="KEY=VALUE")
    _url(c)
    return p


def _url(p: argparse.ArgumentParser) -> None:
    p.add_argument("--url", default=None, help="emulator base URL")


# --------------------------------------------------------------------------- serve


def _serve(args: argparse.Namespace) -> int:
    from emulator.server import Emulator, Settings

    settings = Settings(
        host=args.host,
        port=args.port,
        seed=args.seed,
        scale=args.scale,
        rows=_rows(args.rows),
        state_dir=args.state_dir,
    )
    overrides = {
        "client_id": args.client_id,
        "client_secret": args.client_secret,
        "token_lifetime": args.token_lifetime,
        "url_lifetime": args.url_lifetime,
        "job_lifetime": args.job_lifetime,
        "job_polls": args.job_polls,
        "rows_per_object": args.rows_per_object,
        "retry_after": args.retry_after,
        "gzip_level": args.gzip_level,
        "tsv_escapes": args.tsv_escapes,
        "workers": args.workers,
    }
    for key, value in overrides.items():
        if value is not None:
            setattr(settings, key, value)
    emulator = Emulator(settings)
    if args.faults is not None:
        data = json.loads(args.faults.read_text("utf-8"))
        added = emulator.faults.add(data)
        log.info("loaded %d fault rules from %s", len(added), args.faults)
    emulator.bind()
    url = emulator.url
    lines = [
        f"export DAP_API_URL={url}",
        f"export DAP_CLIENT_ID={shlex.quote(settings.client_id)}",
        f"export DAP_CLIENT_SECRET={shlex.quote(settings.client_secret)}",
        f"export CD2_EMULATOR_URL={url}",
    ]
    sys.stdout.write("\n".join(lines) + "\n")
    sys.stdout.flush()
    log.info(
        "DAP emulator listening on %s (seed %s, scale %s, state %s)",
        url,
        settings.seed,
        settings.scale,
        emulator.state_dir,
    )

    stop = threading.Event()

    def _on_signal(signum: int, frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    thread = threading.Thread(target=emulator.serve_forever, name="cd2-emulator", daemon=True)
    thread.start()
    try:
        while not stop.wait(0.5):
            if not thread.is_alive():
                break
    finally:
        log.info("shutting down")
        emulator.shutdown()
    return 0


# --------------------------------------------------------------------------- admin client


def _client(args: argparse.Namespace) -> httpx.Client:
    return httpx.Client(base_url=(args.url or _default_url()).rstrip("/"), timeout=600.0)


def _call(args: argparse.Namespace, method: str, path: str, body: Any = None) -> Any:
    with _client(args) as client:
        response = client.request(method, "/_emulator/" + path, json=body)
    data = response.json()
    if response.status_code >= 400:
        error = data.get("error", {}) if isinstance(data, dict) else {}
        raise SystemExit(f"cd2-emulator: {error.get('message') or response.text}")
    return data


def _print(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def _faults(args: argparse.Namespace) -> int:
    if args.action == "list":
        _print(_call(args, "GET", "faults"))
    elif args.action == "clear":
        _print(_call(args, "DELETE", "faults"))
    else:
        if args.raw:
            rule: Any = json.loads(args.raw)
        else:
            rule = {"route": args.route, "kind": args.kind}
            for key in ("count", "rate", "table", "status", "body", "retry_after", "delay"):
                if getattr(args, key) is not None:
                    rule[key] = getattr(args, key)
            for key in ("fraction", "seed", "error_type", "value_kind", "column", "rows"):
                if getattr(args, key) is not None:
                    rule[key] = getattr(args, key)
        _print(_call(args, "POST", "faults", rule))
    return 0


def _config(args: argparse.Namespace) -> int:
    changes: dict[str, Any] = {}
    for pair in args.pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise SystemExit(f"cd2-emulator: expected KEY=VALUE, not {pair!r}")
        changes[key] = json.loads(value) if value[:1].isdigit() or value[:1] == "-" else value
    _print(_call(args, "POST", "config", changes) if changes else _call(args, "GET", "config"))
    return 0


def _truth(args: argparse.Namespace) -> int:
    path = f"/_emulator/truth/{args.namespace}/{args.table}"
    with _client(args) as client, client.stream("GET", path) as response:
        if response.status_code >= 400:
            response.read()
            raise SystemExit(f"cd2-emulator: {response.text}")
        tmp = args.out.with_name(args.out.name + ".part")
        with open(tmp, "wb") as f:
            for chunk in response.iter_bytes(1 << 20):
                f.write(chunk)
        tmp.replace(args.out)
    log.info("wrote %s", args.out)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``cd2-emulator``.

    Returns:
        The process exit code.
    """
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=getattr(logging, str(args.log_level).upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)  # keep request URLs out of the log
    try:
        if args.command == "serve":
            return _serve(args)
        if args.command == "advance":
            _print(_call(args, "POST", "advance", {"hours": args.hours}))
        elif args.command == "truth":
            return _truth(args)
        elif args.command == "schema-bump":
            body = {"namespace": args.namespace, "table": args.table, "kind": args.kind}
            if args.column:
                body["column"] = args.column
            if args.type:
                body["type"] = args.type
            _print(_call(args, "POST", "schema", body))
        elif args.command == "reload":
            _print(
                _call(args, "POST", "reload", {"namespace": args.namespace, "table": args.table})
            )
        elif args.command == "late":
            _print(_call(args, "POST", "late", {"rate": args.rate, "hours": args.hours}))
        elif args.command == "empty":
            _print(_call(args, "POST", "empty", {"namespace": args.namespace, "table": args.table}))
        elif args.command == "prepare":
            body = {
                "namespace": args.namespace,
                "table": args.table,
                "format": args.format,
                "mode": args.mode,
            }
            if args.since:
                body["since"] = args.since
            _print(_call(args, "POST", "prepare", body))
        elif args.command == "status":
            _print(_call(args, "GET", "status"))
        elif args.command == "faults":
            return _faults(args)
        elif args.command == "config":
            return _config(args)
    except httpx.HTTPError as exc:
        raise SystemExit(f"cd2-emulator: cannot reach the emulator: {exc}") from None
    return 0


if __name__ == "__main__":
    sys.exit(main())
