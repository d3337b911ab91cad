"""``cd2``: the command line. Argument parsing, exit codes and human messages only.

Subcommands:

* ``cd2 load``: load the selected CD2 tables into PostgreSQL (append-only raw tables).
* ``cd2 warehouse up|down|url|status``: the embedded PostgreSQL warehouse.
* ``cd2 codegen [--refresh]``: regenerate the dbt sources, stubs, CD1 properties and docs.
* ``cd2 summary``: tables and rows per layer of the warehouse.
* ``cd2 status [--format json]``: per table, last load, watermark, age and errors; exit 1 when
  any table is stale or failing.
* ``cd2 docs [--offline]``: the data dictionary, dbt's static docs site (one HTML file).

More subcommands plug in through :func:`register` (a name, a help line, a function that adds
arguments, and a handler returning the exit code).

Exit codes: 0 success; 1 some table or step failed (one line per failure on stderr, naming the
table and the cause); 2 bad usage or configuration; 75 another ``cd2 load`` into the same database
is running (``EX_TEMPFAIL``: try again later); 130 interrupted.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from loader import __version__

logger = logging.getLogger("loader.cli")

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_LOCKED = 75  # sysexits.h EX_TEMPFAIL: another run holds the lock; try again later
EXIT_INTERRUPTED = 130


@dataclass(frozen=True)
class Subcommand:
    """A ``cd2`` subcommand.

    Attributes:
        name: the word after ``cd2``.
        help: one line for ``cd2 --help``.
        add_arguments: adds the subcommand's arguments to its parser.
        handler: runs it; returns the exit code.
    """

    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    handler: Callable[[argparse.Namespace], int]


_SUBCOMMANDS: dict[str, Subcommand] = {}


def register(command: Subcommand) -> Subcommand:
    """Add a subcommand to ``cd2``.

    Args:
        command: the subcommand.

    Returns:
        The same subcommand.
    """
    _SUBCOMMANDS[command.name] = command
    return command


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--log-format", choices=["text", "json"], default="text", help="log line format"
    )
    parser.add_argument(
        "--log-level",
        default="INFO",
        type=str.upper,
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="log level (default INFO)",
    )
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=None,
        help="project state directory (default $CD2_STATE_DIR or .cd2)",
    )


# --------------------------------------------------------------------------- load


def _load_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--namespace",
        action="append",
        default=None,
        metavar="NS",
        help="namespace to load (repeat or comma-separate; default canvas,canvas_logs)",
    )
    p.add_argument(
        "--table",
        action="append",
        default=None,
        metavar="TABLE",
        help="table to load, optionally ns.table (repeat or comma-separate; default all)",
    )
    p.add_argument(
        "--exclude", action="append", default=None, metavar="TABLE", help="table to skip"
    )
    p.add_argument("--format", choices=["tsv", "csv", "jsonl", "parquet"], default=None)
    p.add_argument("--mode", choices=["condensed", "expanded"], default=None)
    p.add_argument("--concurrency", type=int, default=None, help="tables at once (default 4)")
    p.add_argument(
        "--download-concurrency", type=int, default=None, help="downloads at once (default 8)"
    )
    p.add_argument("--dsn", default=None, help="PostgreSQL DSN (default: embedded warehouse)")
    p.add_argument(
        "--destination",
        choices=["postgres", "filesystem"],
        default=None,
        help="postgres (default) or filesystem: Parquet files in a lake at dlt's "
        "destination.filesystem.bucket_url (default <state-dir>/lake)",
    )
    p.add_argument(
        "--snapshot", action="store_true", help="take a fresh snapshot of every selected table"
    )
    p.add_argument("--work-dir", type=Path, default=None, help="where downloads wait to be parsed")
    p.add_argument(
        "--no-live",
        action="store_true",
        help="log lines instead of the live display, even on a terminal",
    )
    p.add_argument(
        "--drop-pending",
        action="store_true",
        help="first drop a load package an earlier run left pending and could not load "
        "(its tables load again from the state in the database; see docs/operations.md)",
    )
    p.add_argument(
        "--lock-wait",
        type=float,
        default=None,
        metavar="SECONDS",
        help="wait this long for another cd2 load into the same database to finish (default 0: "
        "exit at once with code 75)",
    )


def _load(args: argparse.Namespace) -> int:
    from loader.config import ConfigError, load_settings
    from loader.pipeline import run
    from loader.report import live_display
    from loader.runlock import RunLocked

    # on a terminal, a live display instead of the per-table log lines
    live = args.log_format == "text" and sys.stderr.isatty() and not args.no_live

    try:
        settings = load_settings(
            namespaces=args.namespace,
            tables=args.table,
            exclude=args.exclude,
            format=args.format,
            mode=args.mode,
            concurrency=args.concurrency,
            download_concurrency=args.download_concurrency,
            dsn=args.dsn,
            state_dir=args.state_dir,
            work_dir=args.work_dir,
            force_snapshot=True if args.snapshot else None,
            drop_pending=args.drop_pending,
            lock_wait_seconds=args.lock_wait,
            destination=args.destination,
        )
        with live_display(live):
            report = run(settings)
    except ConfigError as exc:
        print(f"cd2 load: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except RunLocked as exc:
        print(f"cd2 load: {exc}", file=sys.stderr)
        return EXIT_LOCKED
    print(report.summary())
    if report.ok:
        return EXIT_OK
    for line in report.failure_lines():
        print(f"FAILED {line}", file=sys.stderr)
    return EXIT_FAILED


# --------------------------------------------------------------------------- warehouse


def _warehouse_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", choices=["up", "down", "url", "status"])
    p.add_argument("--port", type=int, default=None, help="TCP port (default 54329)")
    p.add_argument(
        "--env", action="store_true", help="url: print PG* export lines instead of a DSN"
    )


def _warehouse(args: argparse.Namespace) -> int:
    from loader.warehouse import EmbeddedWarehouse, WarehouseError, state_dir

    base = args.state_dir or state_dir()
    warehouse = EmbeddedWarehouse(Path(base) / "warehouse", port=args.port)
    try:
        if args.action == "up":
            print(warehouse.up())
        elif args.action == "down":
            print("stopped" if warehouse.down() else "not running")
        elif args.action == "url":
            running = warehouse.status()
            if running.running:
                warehouse.port = running.port
            print("\n".join(warehouse.env_lines()) if args.env else warehouse.dsn())
        else:
            s = warehouse.status()
            state = "running" if s.running else ("stopped" if s.initialized else "not created")
            pid = f" pid={s.pid}" if s.pid else ""
            print(f"{state} port={s.port}{pid} dir={s.data_dir}")
            return EXIT_OK if s.running else EXIT_FAILED
    except WarehouseError as exc:
        print(f"cd2 warehouse {args.action}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


# --------------------------------------------------------------------------- codegen


def _codegen_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--project-dir", type=Path, default=Path("."), help="dbt project root (default .)"
    )
    p.add_argument(
        "--refresh",
        action="store_true",
        help="first rewrite loader/catalog/<ns>.json from the DAP API's current table schemas",
    )
    p.add_argument(
        "--namespace",
        action="append",
        default=None,
        metavar="NS",
        help="with --refresh: namespace to fetch (default canvas,canvas_logs)",
    )


def _refresh_catalog(namespaces: Sequence[str]) -> list[Path]:
    from loader.codegen import write_catalog
    from loader.config import dap_client, resolve_credentials

    client = dap_client(resolve_credentials())
    written = []
    try:
        for ns in namespaces:
            tables = {}
            for table in client.list_tables(ns):
                versioned = client.get_schema(ns, table)
                tables[table] = {"version": versioned.version, "schema": versioned.schema}
            written.append(write_catalog(ns, tables))
    finally:
        client.close()
    return written


def _codegen(args: argparse.Namespace) -> int:
    from loader import cd1_coverage, codegen
    from loader.config import ConfigError, as_list
    from loader.dap.errors import DapError

    project = args.project_dir
    if not (project / "dbt_project.yml").exists():
        print(f"cd2 codegen: {project} has no dbt_project.yml", file=sys.stderr)
        return EXIT_USAGE
    if args.refresh:
        try:
            for path in _refresh_catalog(as_list(args.namespace) or ("canvas", "canvas_logs")):
                logger.info("refreshed %s", path)
        except (ConfigError, DapError) as exc:
            print(f"cd2 codegen --refresh: {exc}", file=sys.stderr)
            return EXIT_FAILED
    written = codegen.run(project) + codegen.run_cd1(project)
    coverage, failing = cd1_coverage.write(project)
    print(f"cd2 codegen: wrote {len(written) + len(coverage)} files")
    if failing:
        print(
            f"cd2 codegen: {failing} CD1 table(s) not fully covered; see docs/cd1-coverage.md",
            file=sys.stderr,
        )
        return EXIT_FAILED
    return EXIT_OK


# --------------------------------------------------------------------------- summary


def _summary_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dsn", default=None, help="PostgreSQL DSN (default: embedded warehouse)")
    p.add_argument("--cd1-schema", default="cd1", help="the CD1 schema (dbt var cd1_schema)")


def _running_dsn(args: argparse.Namespace, command: str) -> str | None:
    """The DSN a reading command uses: ``--dsn`` or the configured destination, else the
    embedded warehouse if it runs (None, after one line on stderr, when it does not).

    Raises:
        WarehouseError: the embedded warehouse cannot be read.
    """
    from loader.config import destination_dsn
    from loader.warehouse import EmbeddedWarehouse, state_dir

    dsn = destination_dsn(args.dsn)
    if dsn is not None:
        return dsn
    warehouse = EmbeddedWarehouse(Path(args.state_dir or state_dir()) / "warehouse")
    running = warehouse.status()
    if not running.running:
        print(f"cd2 {command}: the embedded warehouse is not running", file=sys.stderr)
        return None
    warehouse.port = running.port
    return warehouse.dsn()


def _summary(args: argparse.Namespace) -> int:
    from loader.config import ConfigError
    from loader.summary import collect, render
    from loader.warehouse import WarehouseError

    try:
        dsn = _running_dsn(args, "summary")
        if dsn is None:
            return EXIT_FAILED
        print(render(collect(dsn, args.cd1_schema)))
    except (WarehouseError, ConfigError) as exc:
        print(f"cd2 summary: {exc}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


register(Subcommand("load", "load CD2 tables into PostgreSQL", _load_arguments, _load))
register(
    Subcommand("codegen", "regenerate dbt sources, stubs and docs", _codegen_arguments, _codegen)
)
register(Subcommand("summary", "what the warehouse holds, per layer", _summary_arguments, _summary))
register(
    Subcommand(
        "warehouse", "manage the embedded PostgreSQL warehouse", _warehouse_arguments, _warehouse
    )
)


# --------------------------------------------------------------------------- docs


def _docs_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--project-dir", type=Path, default=Path("."), help="dbt project root (default .)"
    )
    p.add_argument("--target-path", type=Path, default=Path("target"), help="dbt target directory")
    p.add_argument(
        "--offline",
        action="store_true",
        help="do not read the database's catalog (descriptions, diagrams and lineage only)",
    )


def _docs(args: argparse.Namespace) -> int:
    from loader.docs import DocsError, generate

    if not (args.project_dir / "dbt_project.yml").exists():
        print(f"cd2 docs: {args.project_dir} has no dbt_project.yml", file=sys.stderr)
        return EXIT_USAGE
    try:
        site = generate(args.project_dir, args.target_path, offline=args.offline)
    except DocsError as exc:
        print(f"cd2 docs: {exc}", file=sys.stderr)
        return EXIT_FAILED
    size = site.path.stat().st_size / 1e6
    catalog = "the database's catalog" if site.with_catalog else "the types the project declares"
    print(f"cd2 docs: wrote {site.path} ({size:.1f} MB, with {catalog})")
    print(f"open it in a browser, or serve it: python3 -m http.server -d {site.path.parent} 8080")
    return EXIT_OK


register(Subcommand("docs", "generate the data dictionary (dbt docs site)", _docs_arguments, _docs))


# --------------------------------------------------------------------------- status


def _status_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dsn", default=None, help="PostgreSQL DSN (default: embedded warehouse)")
    p.add_argument("--format", choices=["text", "json"], default="text", help="output format")
    p.add_argument(
        "--namespace", action="append", default=None, metavar="NS", help="only this namespace"
    )
    p.add_argument(
        "--now",
        default=None,
        metavar="TIME",
        help="measure ages at this ISO 8601 time instead of now (e.g. an emulator's clock)",
    )


def _status(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from loader.config import ConfigError, as_list
    from loader.status import collect, exit_code, render_json, render_text
    from loader.warehouse import WarehouseError, state_dir

    try:
        now = datetime.fromisoformat(args.now) if args.now else datetime.now(UTC)
    except ValueError:
        print(f"cd2 status: --now {args.now!r} is not an ISO 8601 time", file=sys.stderr)
        return EXIT_USAGE
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    try:
        dsn = _running_dsn(args, "status")
        if dsn is None:
            return EXIT_USAGE
        statuses = collect(dsn, now, tuple(as_list(args.namespace) or ()))
    except (WarehouseError, ConfigError) as exc:
        print(f"cd2 status: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if not statuses:
        print("cd2 status: no load recorded in this warehouse (run cd2 load)", file=sys.stderr)
        return EXIT_USAGE
    if args.format == "json":
        print(render_json(statuses, now))
    else:
        print(render_text(statuses, now))
        from loader.config import destination_fingerprint

        pipelines = Path(args.state_dir or state_dir()) / "pipelines" / destination_fingerprint(dsn)
        print(f"dlt's view: dlt pipeline --pipelines-dir {pipelines} cd2_<namespace> info|trace")
    return exit_code(statuses)


register(
    Subcommand(
        "status",
        "per table: last load, watermark, age, errors (exit 1 when stale or failing)",
        _status_arguments,
        _status,
    )
)


# --------------------------------------------------------------------------- entry point


def build_parser() -> argparse.ArgumentParser:
    """The ``cd2`` argument parser with every registered subcommand.

    Returns:
        The parser.
    """
    parser = argparse.ArgumentParser(
        prog="cd2", description="Canvas Data 2 into PostgreSQL (raw layer loader)."
    )
    parser.add_argument("--version", action="version", version=f"cd2 {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    for command in _SUBCOMMANDS.values():
        p = sub.add_parser(command.name, help=command.help, description=command.help)
        _common(p)
        command.add_arguments(p)
        p.set_defaults(handler=command.handler)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``cd2``.

    Args:
        argv: arguments (default ``sys.argv[1:]``).

    Returns:
        The exit code.
    """
    from loader.redaction import configure, redact_text

    args = build_parser().parse_args(argv)
    configure(args.log_level, args.log_format)
    if args.state_dir is not None:
        import os

        os.environ["CD2_STATE_DIR"] = str(args.state_dir)
    try:
        code: int = args.handler(args)
        return code
    except KeyboardInterrupt:
        print("cd2: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - last resort: one line, no traceback, no secrets
        from loader.dap.errors import describe

        logger.debug("unhandled error", exc_info=True)
        print(f"cd2 {args.command}: {redact_text(describe(exc))}", file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
