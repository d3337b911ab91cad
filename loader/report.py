"""Per-table results of a run, live progress, and the final summary.

One :class:`TableResult` per table per run is both what the CLI summarises and the row written
to the ``_dap_sync_log`` table. :class:`Progress` logs each table's rows, megabytes and rate at
most every ``interval`` seconds (INFO), plus phase changes. On a terminal, the CLI runs the load
inside :func:`live_display` instead: a ``rich`` display (on stderr) with one line per running
table (phase, rows, MB, rows/s) and a bar through the tables of the run; the per-table INFO lines
then go to the display instead of the log, and warnings and errors still print, above it.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa

from loader.schema import SYNC_LOG_SCHEMA

logger = logging.getLogger("loader.progress")

OK = "ok"
FAILED = "failed"
RESNAPSHOT = "resnapshot"


def utcnow() -> datetime:
    """The current time, UTC, aware.

    Returns:
        Now.
    """
    return datetime.now(UTC)


@dataclass
class TableResult:
    """The outcome of one table in one run (a ``_dap_sync_log`` row).

    Attributes:
        run_id: id of the ``cd2 load`` run.
        namespace: DAP namespace.
        table: CD2 table name.
        status: ``ok``, ``resnapshot`` (an automatic snapshot replaced an incremental) or
            ``failed``.
        load_kind: ``snapshot`` or ``incremental`` (what was finally loaded or attempted).
        job_id: the DAP job loaded.
        job_seq: the loader's per-table job sequence number used for it.
        snapshot_at: the snapshot's ``at``.
        since: the incremental's ``since``.
        until: the incremental's ``until``.
        schema_version: schema version of the data.
        rows: records loaded.
        bytes: bytes downloaded.
        objects: objects downloaded.
        seconds: wall time of the table.
        started_at: when work on the table began.
        finished_at: when it ended.
        error: one-line cause (failures; for ``resnapshot``, why the snapshot was needed).
        load_id: the dlt load package that carries the job (its row in ``_dlt_loads`` says the
            whole job is stored).
    """

    run_id: str
    namespace: str
    table: str
    status: str = OK
    load_kind: str | None = None
    job_id: str | None = None
    job_seq: int | None = None
    snapshot_at: datetime | None = None
    since: datetime | None = None
    until: datetime | None = None
    schema_version: int | None = None
    rows: int = 0
    bytes: int = 0
    objects: int = 0
    seconds: float = 0.0
    started_at: datetime = field(default_factory=utcnow)
    finished_at: datetime | None = None
    error: str | None = None
    load_id: str | None = None

    @property
    def qualified(self) -> str:
        """``namespace.table``."""
        return f"{self.namespace}.{self.table}"

    def finish(self, status: str | None = None, error: str | None = None) -> None:
        """Stamp the end time (and optionally the status and error).

        Args:
            status: new status.
            error: one-line cause.
        """
        if status is not None:
            self.status = status
        if error is not None:
            self.error = error
        self.finished_at = utcnow()
        self.seconds = round((self.finished_at - self.started_at).total_seconds(), 3)

    def to_row(self) -> dict[str, Any]:
        """The ``_dap_sync_log`` row.

        Returns:
            Column values by name.
        """
        return {
            "run_id": self.run_id,
            "namespace": self.namespace,
            "table_name": self.table,
            "status": self.status,
            "load_kind": self.load_kind,
            "job_id": self.job_id,
            "job_seq": self.job_seq,
            "snapshot_at": self.snapshot_at,
            "since": self.since,
            "until": self.until,
            "schema_version": self.schema_version,
            "rows": self.rows,
            "bytes": self.bytes,
            "objects": self.objects,
            "seconds": self.seconds,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "error": self.error,
            "load_id": self.load_id,
        }

    def to_arrow(self) -> pa.Table:
        """The sync-log row as a one-row Arrow table.

        Returns:
            The table.
        """
        return pa.Table.from_pylist([self.to_row()], schema=SYNC_LOG_SCHEMA)


class LiveDisplay:
    """The terminal display of a run (``rich.progress``): a bar through the run's tables, and one
    line per running table with its phase, rows, megabytes and rate. Thread-safe.

    Args:
        console: the ``rich`` console to draw on (stderr on a terminal).
    """

    def __init__(self, console: Any) -> None:
        from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self._progress = Progress(
            SpinnerColumn(finished_text=" "),
            TextColumn("{task.description}"),
            BarColumn(bar_width=24),
            TextColumn("{task.fields[detail]}"),
            TimeElapsedColumn(),
            console=console,
            refresh_per_second=4,
            redirect_stdout=False,
            redirect_stderr=True,
        )
        self._lock = threading.Lock()
        self._overall = self._progress.add_task("tables", total=None, detail="starting")
        self._tasks: dict[str, Any] = {}
        self._expected = 0
        self._done = 0
        self._failed = 0
        self._rows = 0

    def start(self) -> None:
        """Start drawing."""
        self._progress.start()

    def stop(self) -> None:
        """Draw the last frame and stop (the overall line stays on the terminal)."""
        self._progress.stop()

    def _overall_detail(self) -> str:
        failed = f", {self._failed} failed" if self._failed else ""
        return (
            f"{self._done}/{self._expected} done{failed}, {len(self._tasks)} running, "
            f"{self._rows:,} rows"
        )

    def expect(self, tables: int) -> None:
        """Add tables to the run's total.

        Args:
            tables: how many more tables the run will load.
        """
        with self._lock:
            self._expected += tables
            self._progress.update(
                self._overall, total=self._expected, detail=self._overall_detail()
            )

    def phase(self, key: str, text: str) -> None:
        """Show a table as running, in a phase.

        Args:
            key: ``namespace.table``.
            text: what it is doing (e.g. ``snapshot``).
        """
        with self._lock:
            task = self._tasks.get(key)
            if task is None:
                task = self._tasks[key] = self._progress.add_task(
                    key, total=None, detail=text, phase=text, rows=0, nbytes=0
                )
                self._progress.update(self._overall, detail=self._overall_detail())
            self._progress.update(task, phase=text)
            self._refresh(key)

    def counts(self, key: str, rows: int, nbytes: int, rate: float) -> None:
        """Update a running table's counters.

        Args:
            key: ``namespace.table``.
            rows: rows so far.
            nbytes: bytes so far.
            rate: rows per second so far.
        """
        with self._lock:
            if key not in self._tasks:
                return
            self._progress.update(self._tasks[key], rows=rows, nbytes=nbytes, rate=rate)
            self._refresh(key)

    def _refresh(self, key: str) -> None:
        task = self._tasks[key]
        fields = self._progress.tasks[self._task_index(task)].fields
        rate = fields.get("rate", 0.0)
        detail = (
            f"{fields['phase']}: {fields['rows']:,} rows, {fields['nbytes'] / 1e6:.1f} MB, "
            f"{rate:,.0f} rows/s"
        )
        self._progress.update(task, detail=detail)

    def _task_index(self, task: Any) -> int:
        for i, t in enumerate(self._progress.tasks):
            if t.id == task:
                return i
        raise KeyError(task)

    def finish(self, result: TableResult) -> None:
        """Take a finished table off the display and count it.

        Args:
            result: its result.
        """
        with self._lock:
            task = self._tasks.pop(result.qualified, None)
            if task is not None:
                self._progress.remove_task(task)
            self._done += 1
            self._failed += result.status == FAILED
            self._rows += result.rows
            self._progress.update(
                self._overall, completed=self._done, detail=self._overall_detail()
            )


_display: LiveDisplay | None = None


def _phase(text: str) -> str:
    """A running table's phase for the display, from a phase log message."""
    if text.startswith("job "):
        return "loading"  # "job <id> complete: ...": the rows are being parsed and written
    return text.split()[0] if text else ""


@contextmanager
def live_display(enabled: bool = True) -> Iterator[LiveDisplay | None]:
    """Show the live display on the terminal (stderr) while the block runs.

    Log handlers that write to stderr are pointed at the display's stderr proxy meanwhile, so
    log lines print above the display instead of tearing it.

    Args:
        enabled: False: do nothing (plain log lines, as when stderr is not a terminal).

    Yields:
        The display, or None when not enabled.
    """
    global _display
    if not enabled:
        yield None
        return
    from rich.console import Console

    original = sys.stderr
    display = LiveDisplay(Console(file=original))
    display.start()
    handlers = [
        h
        for name in (None, "dlt")
        for h in logging.getLogger(name).handlers
        if isinstance(h, logging.StreamHandler) and h.stream is original
    ]
    for handler in handlers:
        handler.setStream(sys.stderr)  # rich's proxy while the display runs
    _display = display
    try:
        yield display
    finally:
        _display = None
        for handler in handlers:
            handler.setStream(original)
        display.stop()


class Progress:
    """Thread-safe progress of the tables of a run, logged at most every ``interval`` seconds.

    Args:
        interval: seconds between progress lines per table.
    """

    def __init__(self, interval: float = 5.0, display: LiveDisplay | None = None) -> None:
        self.interval = interval
        self.display = display if display is not None else _display
        self._lock = threading.Lock()
        self._state: dict[str, dict[str, float]] = {}

    def expect(self, tables: int) -> None:
        """Announce how many tables a namespace of the run will load (the display's total).

        Args:
            tables: the number of tables.
        """
        if self.display is not None:
            self.display.expect(tables)

    def _entry(self, key: str) -> dict[str, float]:
        entry = self._state.get(key)
        if entry is None:
            now = time.monotonic()
            entry = {"rows": 0, "bytes": 0, "start": now, "logged": now}
            self._state[key] = entry
        return entry

    def event(
        self, result: TableResult, message: str, *args: Any, level: int = logging.INFO
    ) -> None:
        """Log a phase change of a table.

        Args:
            result: the table's result.
            message: %-style message (after the table name).
            *args: message arguments.
            level: log level.
        """
        if self.display is not None:
            if result.finished_at is not None:
                self.display.finish(result)
            else:
                self.display.phase(result.qualified, _phase(message % args))
            if level < logging.WARNING:
                return  # the display shows it
        logger.log(
            level,
            "%s: " + message,
            result.qualified,
            *args,
            extra={"table": result.qualified, "event": "phase"},
        )

    def add(self, result: TableResult, rows: int = 0, nbytes: int = 0) -> None:
        """Count rows parsed or bytes downloaded; log a progress line when due.

        Args:
            result: the table's result.
            rows: rows to add.
            nbytes: bytes to add.
        """
        with self._lock:
            entry = self._entry(result.qualified)
            entry["rows"] += rows
            entry["bytes"] += nbytes
            now = time.monotonic()
            if self.display is not None:
                elapsed = max(1e-6, now - entry["start"])
                self.display.counts(
                    result.qualified,
                    int(entry["rows"]),
                    int(entry["bytes"]),
                    entry["rows"] / elapsed,
                )
                return
            if now - entry["logged"] < self.interval:
                return
            entry["logged"] = now
            total_rows, total_bytes = int(entry["rows"]), int(entry["bytes"])
            elapsed = max(1e-6, now - entry["start"])
        rate = total_rows / elapsed
        logger.info(
            "%s: %s rows, %.1f MB, %s rows/s",
            result.qualified,
            f"{total_rows:,}",
            total_bytes / 1e6,
            f"{rate:,.0f}",
            extra={
                "table": result.qualified,
                "rows": total_rows,
                "bytes": total_bytes,
                "rate": round(rate),
                "event": "progress",
            },
        )


@dataclass
class RunReport:
    """All table results of a ``cd2 load`` run.

    Attributes:
        run_id: the run's id.
        results: per-table results, in completion order.
        errors: run-level failures (not tied to one table), one line each.
    """

    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    results: list[TableResult] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, result: TableResult) -> None:
        """Record a finished table.

        Args:
            result: the result.
        """
        with self._lock:
            self.results.append(result)

    @property
    def failed(self) -> list[TableResult]:
        """Tables that failed."""
        return [r for r in self.results if r.status == FAILED]

    @property
    def ok(self) -> bool:
        """Whether every table succeeded and the run had no run-level error."""
        return not self.failed and not self.errors

    def failure_lines(self) -> list[str]:
        """One line per failure: ``<ns.table>: <cause>``, then run-level errors.

        Returns:
            The lines.
        """
        return [f"{r.qualified}: {r.error}" for r in self.failed] + list(self.errors)

    def summary(self) -> str:
        """A plain-text table of the results (for stdout at the end of a run).

        Returns:
            The table.
        """
        header = ("table", "status", "kind", "rows", "MB", "seconds", "rows/s")
        lines = [header]
        for r in sorted(self.results, key=lambda r: r.qualified):
            rate = r.rows / r.seconds if r.seconds else 0.0
            lines.append(
                (
                    r.qualified,
                    r.status,
                    r.load_kind or "-",
                    f"{r.rows:,}",
                    f"{r.bytes / 1e6:.1f}",
                    f"{r.seconds:.1f}",
                    f"{rate:,.0f}",
                )
            )
        total_rows = sum(r.rows for r in self.results)
        total_bytes = sum(r.bytes for r in self.results)
        lines.append(("total", "", "", f"{total_rows:,}", f"{total_bytes / 1e6:.1f}", "", ""))
        widths = [max(len(str(row[i])) for row in lines) for i in range(len(header))]
        out = []
        for i, row in enumerate(lines):
            cells = [
                str(c).ljust(widths[j]) if j < 3 else str(c).rjust(widths[j])
                for j, c in enumerate(row)
            ]
            out.append("  ".join(cells).rstrip())
            if i == 0:
                out.append("  ".join("-" * w for w in widths))
        return "\n".join(out)
