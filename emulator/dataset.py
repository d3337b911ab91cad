"""The emulator's data: a simulated clock, a deterministic change history, and record batches.

This is the contract between the data generator (``emulator/generate/``) and the HTTP layer
(``emulator/server.py``). Everything the DAP endpoints return is computed from here; nothing here
knows about HTTP, file formats or jobs.

Record batches use the flat layout of :func:`emulator.schema.arrow_schema`: ``meta.ts`` (UTC
timestamp), ``meta.action`` (``U``/``D``, incremental only), ``key.<pk>``, ``value.<col>``. Nested
objects are Arrow structs, arrays are Arrow lists. For a delete (``meta.action == 'D'``) every
``value.*`` is null. Batches come in key order and hold at most ``batch_rows`` rows; memory does not
grow with the table size.

How change works. Every table starts with ``base_count`` rows (slots ``0..n-1``), all committed
before the emulator's start time. :meth:`Dataset.advance` moves the clock and appends, per table, a
batch of *events* with commit times inside the new interval: updates, soft deletes (``workflow_state
= 'deleted'``), hard deletes, inserts (new slots) and re-inserts of hard-deleted keys. A row's
values are a pure function of ``(seed, table, slot, version)`` where the version is the step of its
last event, so no row is ever stored. ``canvas_logs.web_logs`` is an append-only log whose slots are
in time order; each advance appends the requests of the new interval.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pyarrow as pa
import pyarrow.compute as pc

from emulator.generate.context import START_US, TS, Ctx
from emulator.generate.rand import Rand, null_where, salt
from emulator.generate.tables import count_of, key_of, spec_of
from emulator.generate.world import (
    MICROS_PER_DAY,
    MICROS_PER_HOUR,
    START,
    WEB_LOGS_RETENTION_DAYS,
    World,
)
from emulator.schema import Catalog, SchemaChange, Table, arrow_schema, load_catalog

UPDATE, SOFT_DELETE, HARD_DELETE, INSERT, REINSERT = 1, 2, 3, 4, 5
KIND_NAMES = {
    UPDATE: "update",
    SOFT_DELETE: "soft_delete",
    HARD_DELETE: "hard_delete",
    INSERT: "insert",
    REINSERT: "reinsert",
}

# Tables Canvas hard-deletes rows from (the others only soft-delete; content_tags, for one, go to
# workflow_state 'deleted').
HARD_DELETE_TABLES = frozenset(
    {
        "submission_comments",
        "group_memberships",
        "discussion_entry_participants",
        "conversation_message_participants",
        "assignment_override_students",
        "enrollments",
        "attachment_associations",
        "web_conference_participants",
        "favorites",
    }
)
# Tables that grow between snapshots.
GROWING_TABLES = frozenset(
    {
        "users",
        "courses",
        "submission_comments",
        "discussion_entries",
        "conversation_messages",
        "attachments",
        "wiki_pages",
        "calendar_events",
        "accounts",
        "group_memberships",
    }
)
# Rows that leave (and come back) with a hard-deleted row of another table, as their foreign key to
# it requires: child table -> parent table, the child row having the parent row's slot.
CASCADES: dict[str, str] = {"enrollment_states": "enrollments"}
STATIC_TABLES = frozenset({"Action", "Controller", "roles", "enrollment_terms"})
UPDATE_RATE_PER_HOUR = 0.001
DELETE_RATE_PER_HOUR = 0.0002
INSERT_RATE_PER_HOUR = 0.0005
DUPLICATE_RATE = 0.01
CANVAS_RETENTION_DAYS = 180


class QueryError(Exception):
    """A query the DAP service would refuse."""


class OutOfRange(QueryError):
    """``since`` is older than the table's retention (DAP ``OutOfRange``)."""

    def __init__(self, message: str, since: datetime, until: datetime | None) -> None:
        super().__init__(message)
        self.since = since
        self.until = until


class SnapshotRequired(QueryError):
    """The table was reloaded after ``since``; only a snapshot can continue."""

    def __init__(self, message: str, since: datetime, until: datetime | None) -> None:
        super().__init__(message)
        self.since = since
        self.until = until


class InvalidRange(QueryError):
    """``since``/``until`` make no sense (``until`` <= ``since``, or ``since`` in the future)."""


def to_us(ts: datetime) -> int:
    """Microseconds since the epoch of a tz-aware datetime."""
    if ts.tzinfo is None:
        raise ValueError("naive datetime")
    delta = ts - datetime(1970, 1, 1, tzinfo=ts.tzinfo)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_us(us: int) -> datetime:
    """Tz-aware UTC datetime from epoch microseconds."""
    return START + timedelta(microseconds=us - START_US)


@dataclass
class TableState:
    """Change history of one (non-log) table."""

    base_count: int
    count: int
    ev_us: list[int] = field(default_factory=list)
    ev_slot: list[int] = field(default_factory=list)
    ev_kind: list[int] = field(default_factory=list)
    ev_step: list[int] = field(default_factory=list)
    latest: dict[int, int] = field(default_factory=dict)  # slot -> event index
    changed_sorted: list[int] = field(default_factory=list)
    reloaded_us: int | None = None
    added: dict[str, int] = field(default_factory=dict)  # column -> step it was added at
    relaxed: dict[str, int] = field(default_factory=dict)  # column -> step it became optional


@dataclass
class LogSegment:
    """A run of web_logs slots spread evenly over [start_us, end_us)."""

    first: int
    n: int
    start_us: int
    end_us: int

    def ts_of(self, slot: int) -> int:
        """Commit time of a slot in this segment: evenly spread, jittered inside its own bin, so
        times strictly increase with the slot."""
        k = slot - self.first
        lo = self.start_us + k * (self.end_us - self.start_us) // self.n
        hi = self.start_us + (k + 1) * (self.end_us - self.start_us) // self.n
        width = max(1, hi - lo)
        return lo + ((slot * 2654435761 + 97) % 1_000_003) * width // 1_000_003

    def first_slot_at_or_after(self, us: int) -> int:
        """The first slot of this segment with ts >= us (``first + n`` if none)."""
        slots = range(self.first, self.first + self.n)
        return self.first + bisect.bisect_left(slots, us, key=self.ts_of)


class Dataset:
    """A deterministic synthetic Canvas institution with a simulated clock.

    Args:
        seed: any integer; the same seed and the same calls give the same data, byte for byte.
        scale: ``tiny``, ``small``, ``medium``, ``large``, ``xlarge`` or a number of courses.
        rows: ``{"submissions": N}`` sizes the institution so submissions has exactly N rows.
        batch_rows: maximum rows per yielded record batch.
    """

    def __init__(
        self,
        seed: int = 1,
        scale: str | float = "small",
        rows: dict[str, int] | None = None,
        batch_rows: int = 65536,
    ) -> None:
        self.seed = seed
        self.scale = scale
        self.world = World.build(scale, rows)
        self.batch_rows = batch_rows
        self.catalog: Catalog = load_catalog()
        self._reference = load_catalog()
        self._clock_us = START_US
        self.step = 0
        self.states: dict[tuple[str, str], TableState] = {}
        for t in self.catalog.all_tables():
            if t.name == "web_logs":
                continue
            n = count_of(self.world, t.namespace, t.name)
            self.states[(t.namespace, t.name)] = TableState(base_count=n, count=n)
        per_day = self.world.web_logs_per_day
        n_base = per_day * WEB_LOGS_RETENTION_DAYS
        self.log_segments = [
            LogSegment(0, n_base, START_US - WEB_LOGS_RETENTION_DAYS * MICROS_PER_DAY, START_US)
        ]
        self.history: list[dict[str, object]] = []
        # Extra table names a namespace lists (hostile names: "bad/name", ".."), each serving
        # the schema and data of a real table: (namespace, alias) -> real table name.
        self.aliases: dict[tuple[str, str], str] = {}
        # Late delivery (set_late): this share of changes reaches incremental queries this late.
        self.late_rate = 0.0
        self.late_us = 0

    # ------------------------------------------------------------------ catalog
    @property
    def clock(self) -> datetime:
        """The simulated now (tz-aware UTC)."""
        return from_us(self._clock_us)

    def list_tables(self, namespace: str) -> list[str]:
        """Table names of a namespace.

        Raises:
            KeyError: unknown namespace.
        """
        aliases = [alias for (ns, alias) in self.aliases if ns == namespace]
        return list(self.catalog.tables[namespace]) + aliases

    def real_name(self, namespace: str, name: str) -> str:
        """The real table behind a name (itself, unless it is an alias)."""
        return self.aliases.get((namespace, name), name)

    def add_alias(self, namespace: str, name: str, alias: str) -> None:
        """List ``alias`` in ``namespace`` as one more table with the schema and data of
        ``name`` (to serve table names a client must refuse, such as ``bad/name`` or ``..``).

        Raises:
            KeyError: unknown table. ValueError: the alias is already a table name.
        """
        self.table(namespace, name)
        if alias in self.catalog.tables[namespace] or (namespace, alias) in self.aliases:
            raise ValueError(f"{namespace} already lists a table {alias!r}")
        self.aliases[(namespace, alias)] = self.real_name(namespace, name)
        self.history.append({"op": "alias", "table": f"{namespace}.{name}", "alias": alias})

    def remove_alias(self, namespace: str, alias: str) -> None:
        """Stop listing an alias (:meth:`add_alias`).

        Raises:
            KeyError: no such alias.
        """
        del self.aliases[(namespace, alias)]
        self.history.append({"op": "unalias", "namespace": namespace, "alias": alias})

    def table(self, namespace: str, name: str) -> Table:
        """Current definition of a table.

        Raises:
            KeyError: unknown namespace or table.
        """
        return self.catalog.table(namespace, self.real_name(namespace, name))

    def version_token(self, namespace: str, name: str) -> str:
        """Changes whenever the table's data or schema may have changed."""
        name = self.real_name(namespace, name)
        t = self.table(namespace, name)
        st = self.states.get((namespace, name))
        reload = st.reloaded_us if st else None
        late = f"{self.late_rate}:{self.late_us}"
        data = f"{self.seed}:{self.scale}:{self.world.submissions}"
        return f"{data}:{t.version}:{self.step}:{reload}:{late}"

    # ------------------------------------------------------------------ scenario controls
    def bump_schema(
        self,
        namespace: str,
        name: str,
        kind: str,
        column: str | None = None,
        type_: str | None = None,
    ) -> Table:
        """Raise a table's schema version (see :class:`SchemaChange` for the kinds).

        Columns added carry values only in rows changed after the change, as in the real service.
        A dropped column is missing from every file served after the change (and from the ground
        truth); a retyped column is served, in every file after the change, as the generated
        values cast to the new type.

        Raises:
            KeyError: unknown table or column. ValueError: the change does not apply.
        """
        table = self.table(namespace, name)
        st = self.states.get((namespace, name))
        if kind == "add_column":
            column = column or f"added_in_v{table.version + 1}"
        elif kind == "relax_required":
            if column is None:
                column = next((c.name for c in table.values if not c.nullable), None)
                if column is None:
                    raise ValueError(f"{namespace}.{name} has no required value column")
        elif kind in ("drop_column", "change_type"):
            if column is None:
                raise ValueError(f"{kind} needs a column")
        else:
            raise ValueError(f"unknown schema change kind {kind!r}")
        new = self.catalog.apply(namespace, name, SchemaChange(kind, column, type_))
        if st is not None and kind in ("add_column", "relax_required"):
            (st.added if kind == "add_column" else st.relaxed)[column] = self.step + 1
        elif st is not None and kind == "drop_column":
            st.added.pop(column, None)
            st.relaxed.pop(column, None)
        self.history.append(
            {
                "op": "schema",
                "table": f"{namespace}.{name}",
                "kind": kind,
                "column": column,
                "type": type_,
                "version": new.version,
            }
        )
        return new

    def set_late(self, rate: float, hours: float) -> None:
        """Deliver a share of changes late: from now on, incremental queries (not web_logs, not
        snapshots) see each change of a table, chosen at random (deterministic per seed, table
        and change) with probability ``rate``, only ``hours`` after it happened, with its own
        ``meta_ts``. An older version can so arrive after a newer one of its key was delivered
        (a late-arriving record), as DAP's at-least-once, eventually consistent feeds may. Rate 0
        turns it off. A change whose delivery time is still ahead of the clock waits for an
        ``advance``.

        Raises:
            ValueError: rate outside [0, 1] or negative hours.
        """
        if not 0 <= rate <= 1 or hours < 0:
            raise ValueError(
                f"late delivery needs 0 <= rate <= 1 and hours >= 0, got {rate}, {hours}"
            )
        self.late_rate = float(rate)
        self.late_us = int(hours * 3600 * 1_000_000)
        self.history.append({"op": "late", "rate": rate, "hours": hours})

    def _is_late(self, ns: str, name: str, event: int) -> bool:
        if self.late_rate <= 0 or self.late_us <= 0:
            return False
        return salt(self.seed, ns, name, "late", event) % 1_000_000 < self.late_rate * 1_000_000

    def mark_reloaded(self, namespace: str, name: str) -> None:
        """Mark a table reloaded now: incremental queries from before now need a new snapshot."""
        name = self.real_name(namespace, name)
        self.table(namespace, name)
        st = self.states.get((namespace, name))
        if st is None:
            raise ValueError(f"{namespace}.{name} cannot be reloaded")
        st.reloaded_us = self._clock_us
        self.history.append({"op": "reload", "table": f"{namespace}.{name}"})

    def empty_table(self, namespace: str, name: str) -> int:
        """Hard-delete every live row of a table, one millisecond after the clock's present.

        The deletes are events of a step of their own at the current clock, and the clock moves
        on by a millisecond, so an incremental query from the last ``until`` delivers them as
        deletes and a snapshot (or the ground truth) from now on is empty. Later ``advance`` steps
        change the table as before (a re-insert brings one key back, growing tables insert).
        Only this table changes: rows of other tables that refer to it stay.

        Returns:
            How many rows were deleted.

        Raises:
            KeyError: unknown table. ValueError: a log table (web_logs) cannot be emptied.
        """
        self.table(namespace, name)
        st = self.states.get((namespace, name))
        if st is None:
            raise ValueError(f"{namespace}.{name} cannot be emptied")
        self.step += 1
        at = self._clock_us
        deleted = 0
        for slot in range(st.count):
            last = st.latest.get(slot)
            if last is not None and st.ev_kind[last] == HARD_DELETE:
                continue
            st.latest[slot] = len(st.ev_us)
            st.ev_us.append(at)
            st.ev_slot.append(slot)
            st.ev_kind.append(HARD_DELETE)
            st.ev_step.append(self.step)
            deleted += 1
        st.changed_sorted = sorted(st.latest)
        self._clock_us = at + 1000
        self.history.append(
            {"op": "empty", "table": f"{namespace}.{name}", "clock": self.clock.isoformat()}
        )
        return deleted

    def advance(self, hours: float) -> dict[str, dict[str, int]]:
        """Move the clock forward and generate the changes of the new interval.

        Returns:
            Counts per ``namespace.table`` per change kind.

        Raises:
            ValueError: ``hours`` is not positive.
        """
        if not hours > 0:
            raise ValueError("hours must be positive")
        self.step += 1
        start = self._clock_us
        end = start + int(round(hours * MICROS_PER_HOUR))
        changed: dict[str, dict[str, int]] = {}
        removed: dict[tuple[str, str], list[tuple[int, int, int]]] = {}  # (kind, slot, time)
        tables = [key for key in self.states if key[1] not in CASCADES]
        tables += [key for key in self.states if key[1] in CASCADES]  # after their parents
        for ns, name in tables:
            st = self.states[(ns, name)]
            if name in STATIC_TABLES or st.base_count == 0:
                continue
            first = len(st.ev_us)
            forced = removed.get((ns, CASCADES[name]), []) if name in CASCADES else []
            counts = self._advance_table(ns, name, st, start, end, hours, forced)
            removed[(ns, name)] = [
                (st.ev_kind[i], st.ev_slot[i], st.ev_us[i])
                for i in range(first, len(st.ev_us))
                if st.ev_kind[i] in (HARD_DELETE, REINSERT)
            ]
            if counts:
                changed[f"{ns}.{name}"] = counts
        summary = {
            key: changed[key] for key in (f"{ns}.{n}" for ns, n in self.states) if key in changed
        }
        n_new = max(1, math.ceil(self.world.web_logs_per_day * hours / 24))
        last = self.log_segments[-1]
        self.log_segments.append(LogSegment(last.first + last.n, n_new, start, end))
        summary["canvas_logs.web_logs"] = {"insert": n_new}
        self._clock_us = end
        self.history.append({"op": "advance", "hours": hours, "clock": self.clock.isoformat()})
        return summary

    def _deletable(self, name: str, n: int) -> tuple[int, Callable[[int], int]]:
        """How many rows of a table hard deletes pick from, and the slot of the i-th of them.

        Enrollments: only observers' (the last enrollment of each course). Nothing in the
        emulator names an observer enrollment but its enrollment state, which goes with it
        (CASCADES), whereas a student's scores, submissions, quiz submissions and posts would
        outlive a hard-deleted enrollment and name a user no longer enrolled in the course: the
        demo data stays referentially whole, and its CD1 relationship tests give no false warnings.
        """
        if name == "enrollments":
            e = self.world.enrollments_per_course
            return max(1, n // e), lambda i: i * e + e - 1
        return n, lambda i: i

    def _advance_table(
        self,
        ns: str,
        name: str,
        st: TableState,
        start: int,
        end: int,
        hours: float,
        forced: Sequence[tuple[int, int, int]] = (),
    ) -> dict[str, int]:
        """Plan and record one table's events of the interval [start, end).

        ``forced`` are (kind, slot, time) events a parent's hard deletes and re-inserts impose on a
        cascaded table (CASCADES); no other event of the step touches those slots.
        """
        table = self._reference.table(ns, name)
        ws = table.column("workflow_state") if table.has("workflow_state") else None
        soft_ok = ws is not None and "deleted" in (ws.enum or ())
        n = st.count
        plan: list[tuple[int, int]] = []  # (kind, count)
        plan.append((UPDATE, math.ceil(n * UPDATE_RATE_PER_HOUR * hours)))
        if soft_ok:
            plan.append((SOFT_DELETE, math.ceil(n * DELETE_RATE_PER_HOUR * hours)))
        if name in HARD_DELETE_TABLES:
            plan.append((HARD_DELETE, math.ceil(n * DELETE_RATE_PER_HOUR * hours)))
        if name in GROWING_TABLES:
            plan.append((INSERT, math.ceil(n * INSERT_RATE_PER_HOUR * hours)))
        slots: list[int] = []
        kinds: list[int] = []
        for kind, k in plan:
            if k <= 0:
                continue
            if kind == INSERT:
                new = list(range(st.count, st.count + k))
                st.count += k
                slots += new
                kinds += [INSERT] * k
                continue
            r = Rand(
                pa.array(range(k), pa.int64()),
                None,
                salt(self.seed, ns, name, "events", self.step, kind),
            )
            n_pick, slot_of = self._deletable(name, n) if kind == HARD_DELETE else (n, int)
            picked = [slot_of(i) for i in r.below("slot", n_pick, versioned=False).to_pylist()]
            for s in dict.fromkeys(picked):
                last = st.latest.get(s)
                if last is not None and st.ev_kind[last] == HARD_DELETE:
                    continue
                slots.append(s)
                kinds.append(kind)
        # re-insert one key deleted in an earlier step, and delete-then-re-insert one key now
        deleted = [s for s, i in st.latest.items() if st.ev_kind[i] == HARD_DELETE]
        if deleted and name not in CASCADES:
            slots.append(min(deleted))
            kinds.append(REINSERT)
        if name in HARD_DELETE_TABLES and n > 1:
            n_pick, slot_of = self._deletable(name, n)
            victim = slot_of((self.step * 7919 + self.seed) % n_pick)
            if victim not in slots:
                slots += [victim, victim]
                kinds += [HARD_DELETE, REINSERT]
        # a slot that is deleted or re-inserted in this step has no other event in it
        removal = {s for s, k in zip(slots, kinds, strict=True) if k in (HARD_DELETE, REINSERT)}
        removal |= {s for _, s, _ in forced}
        keep = [
            i
            for i, (s, k) in enumerate(zip(slots, kinds, strict=True))
            if k in (HARD_DELETE, REINSERT, INSERT) or s not in removal
        ]
        if forced:
            keep = [i for i in keep if slots[i] not in removal]
        slots = [slots[i] for i in keep]
        kinds = [kinds[i] for i in keep]
        if not slots and not forced:
            return {}
        r = Rand(
            pa.array(range(len(slots)), pa.int64()),
            None,
            salt(self.seed, ns, name, "times", self.step),
        )
        offsets = r.below("t", end - start, versioned=False).to_pylist()
        times = [start + o for o in offsets]
        for kind, s, t in forced:
            slots.append(s)
            kinds.append(kind)
            times.append(t)
        # a delete must precede its re-insert in the same step
        for i in range(1, len(slots)):
            if kinds[i] == REINSERT and kinds[i - 1] == HARD_DELETE and slots[i] == slots[i - 1]:
                lo, hi = sorted((times[i - 1], times[i]))
                times[i - 1], times[i] = lo, max(hi, lo + 1)
        order = sorted(range(len(slots)), key=lambda i: (times[i], i))
        counts: dict[str, int] = {}
        for i in order:
            idx = len(st.ev_us)
            st.ev_us.append(times[i])
            st.ev_slot.append(slots[i])
            st.ev_kind.append(kinds[i])
            st.ev_step.append(self.step)
            st.latest[slots[i]] = idx
            counts[KIND_NAMES[kinds[i]]] = counts.get(KIND_NAMES[kinds[i]], 0) + 1
        st.changed_sorted = sorted(st.latest)
        return counts

    # ------------------------------------------------------------------ row generation
    def _rows(
        self,
        ns: str,
        name: str,
        slots: Sequence[int] | pa.Array,
        versions: Sequence[int],
        event_us: Sequence[int | None],
        kinds: Sequence[int],
        incremental: bool,
    ) -> pa.RecordBatch:
        """Generate a batch for the given slots (all live: not hard-deleted)."""
        table = self.table(ns, name)
        st = self.states.get((ns, name))
        base_count = st.base_count if st else 0
        slot_arr = slots if isinstance(slots, pa.Array) else pa.array(slots, pa.int64())
        ver_arr = pa.array(versions, pa.int64())
        ev_arr = pa.array(event_us, pa.int64())
        soft = pc.equal(pa.array(kinds, pa.int8()), SOFT_DELETE)
        gen_table = self._reference.table(ns, name)
        if st and st.added:
            from dataclasses import replace

            gen_table = replace(
                gen_table, values=gen_table.values + tuple(table.column(c) for c in st.added)
            )
        ctx = Ctx(self.world, self.seed, gen_table, base_count, slot_arr, ver_arr, ev_arr, soft)
        spec = spec_of(ns, name)
        if spec is not None:
            spec(ctx)
        if name == "web_logs":
            ctx.overrides["timestamp"] = lambda: pc.cast(pa.array(event_us, pa.int64()), TS)
            ctx.overrides["id"] = lambda: _web_log_ids(ctx)
        else:
            ctx.overrides.setdefault(table.key.name, lambda: key_of(self.world, ns, name, slot_arr))
        schema = arrow_schema(table, incremental)
        arrays: list[pa.Array] = [ctx.meta_ts()]
        if incremental:
            arrays.append(pa.array(["U"] * len(slot_arr), pa.string()))
        arrays.append(pc.cast(ctx.get(table.key.name), schema.field(len(arrays)).type))
        for col in table.values:
            arr = ctx.get(col.name)
            if st and col.name in st.added:
                arr = null_where(arr, pc.less(ver_arr, st.added[col.name]))
            if st and col.name in st.relaxed:
                drop = pc.and_(
                    pc.greater_equal(ver_arr, st.relaxed[col.name]),
                    ctx.rand.chance("relaxed:" + col.name, 0.3),
                )
                arr = null_where(arr, drop)
            arrays.append(pc.cast(arr, schema.field(len(arrays)).type))
        ctx.close()
        return pa.RecordBatch.from_arrays(arrays, schema=schema)

    def _deletes(self, ns: str, name: str, slots: list[int], event_us: list[int]) -> pa.RecordBatch:
        table = self.table(ns, name)
        schema = arrow_schema(table, True)
        n = len(slots)
        arrays: list[pa.Array] = [
            pc.cast(pa.array(event_us, pa.int64()), TS),
            pa.array(["D"] * n, pa.string()),
            pc.cast(
                key_of(self.world, ns, name, pa.array(slots, pa.int64())), schema.field(2).type
            ),
        ]
        arrays += [pa.nulls(n, schema.field(i).type) for i in range(3, len(schema))]
        return pa.RecordBatch.from_arrays(arrays, schema=schema)

    # ------------------------------------------------------------------ queries
    def snapshot(self, namespace: str, name: str) -> tuple[datetime, Iterator[pa.RecordBatch]]:
        """Live rows at the clock.

        Returns:
            ``(at, batches)``; ``at`` is the clock, the next incremental's ``since``.

        Raises:
            KeyError: unknown table.
        """
        name = self.real_name(namespace, name)
        self.table(namespace, name)
        return self.clock, self._snapshot(namespace, name, duplicates=name == "web_logs")

    def ground_truth(self, namespace: str, name: str) -> Iterator[pa.RecordBatch]:
        """The exact current state of a table at the clock (snapshot layout, no duplicates)."""
        name = self.real_name(namespace, name)
        self.table(namespace, name)
        return self._snapshot(namespace, name, duplicates=False)

    def _snapshot(self, ns: str, name: str, duplicates: bool) -> Iterator[pa.RecordBatch]:
        if name == "web_logs":
            lo = self._log_slot_at_or_after(
                self._clock_us - WEB_LOGS_RETENTION_DAYS * MICROS_PER_DAY
            )
            yield from self._log_range(ns, name, lo, self._log_count(), False, duplicates)
            return
        st = self.states[(ns, name)]
        step = self.batch_rows
        for a in range(0, st.count, step):
            b = min(st.count, a + step)
            i0 = bisect.bisect_left(st.changed_sorted, a)
            i1 = bisect.bisect_left(st.changed_sorted, b)
            changed = st.changed_sorted[i0:i1]
            slots: list[int] = []
            versions: list[int] = []
            evs: list[int | None] = []
            kinds: list[int] = []
            ci = 0
            for s in range(a, min(b, st.base_count)) if not changed else range(a, b):
                if ci < len(changed) and changed[ci] == s:
                    ci += 1
                    e = st.latest[s]
                    if st.ev_kind[e] == HARD_DELETE:
                        continue
                    slots.append(s)
                    versions.append(st.ev_step[e])
                    evs.append(st.ev_us[e])
                    kinds.append(st.ev_kind[e])
                elif s < st.base_count:
                    slots.append(s)
                    versions.append(0)
                    evs.append(None)
                    kinds.append(0)
            if slots:
                yield self._rows(ns, name, slots, versions, evs, kinds, incremental=False)

    def incremental(
        self, namespace: str, name: str, since: datetime, until: datetime | None
    ) -> tuple[datetime, Iterator[pa.RecordBatch]]:
        """Latest version of every key changed in ``[since, until)``, deletes included.

        Validates before returning. ``until`` defaults to (and is capped at) the clock. The result
        contains about 1% duplicate records, as the real service is at-least-once.

        Returns:
            ``(until, batches)`` with the effective ``until``.

        Raises:
            KeyError: unknown table. OutOfRange: ``since`` older than the retention.
            SnapshotRequired: the table was reloaded after ``since``. InvalidRange: bad window.
        """
        name = self.real_name(namespace, name)
        self.table(namespace, name)
        since_us = to_us(since)
        until_us = self._clock_us if until is None else min(to_us(until), self._clock_us)
        if since_us > self._clock_us:
            raise InvalidRange(
                f"since {since.isoformat()} is after the latest data ({self.clock.isoformat()})"
            )
        if until is not None and until_us <= since_us:
            raise InvalidRange("until must be after since")
        retention = WEB_LOGS_RETENTION_DAYS if name == "web_logs" else CANVAS_RETENTION_DAYS
        if since_us < self._clock_us - retention * MICROS_PER_DAY:
            raise OutOfRange(
                f"since is older than the {retention}-day history kept for "
                f"{namespace}.{name}; request a snapshot",
                since,
                from_us(until_us),
            )
        st = self.states.get((namespace, name))
        if st is not None and st.reloaded_us is not None and since_us < st.reloaded_us:
            raise SnapshotRequired(
                f"{namespace}.{name} was reloaded; request a snapshot", since, from_us(until_us)
            )
        return from_us(until_us), self._incremental(namespace, name, since_us, until_us)

    def _incremental(
        self, ns: str, name: str, since_us: int, until_us: int
    ) -> Iterator[pa.RecordBatch]:
        if name == "web_logs":
            lo = self._log_slot_at_or_after(since_us)
            hi = self._log_slot_at_or_after(until_us)
            yield from self._log_range(ns, name, lo, hi, True, True)
            return
        st = self.states[(ns, name)]
        i0 = bisect.bisect_left(st.ev_us, since_us - self.late_us)
        i1 = bisect.bisect_left(st.ev_us, until_us)
        window: dict[int, int] = {}
        for i in range(i0, i1):
            # a change is delivered when it happened, or late_us later (set_late); in event
            # order, so the newest change delivered in this window is the version sent
            delivered = st.ev_us[i] + (self.late_us if self._is_late(ns, name, i) else 0)
            if since_us <= delivered < until_us:
                window[st.ev_slot[i]] = i
        base_hits: list[int] = []
        if since_us < START_US:
            base_hits = self._base_slots_since(ns, name, st, since_us, window)
        keys = sorted(set(window) | set(base_hits))
        dup_salt = salt(self.seed, ns, name, "dup", since_us, until_us)
        dups: list[int] = []
        if keys:
            r = Rand(pa.array(keys, pa.int64()), None, dup_salt)
            dups = pc.filter(
                pa.array(keys, pa.int64()), r.chance("dup", DUPLICATE_RATE, versioned=False)
            ).to_pylist()
        for part in (keys, dups):
            for a in range(0, len(part), self.batch_rows):
                chunk = part[a : a + self.batch_rows]
                yield from self._emit(ns, name, st, chunk, window)

    def _emit(
        self, ns: str, name: str, st: TableState, chunk: list[int], window: dict[int, int]
    ) -> Iterator[pa.RecordBatch]:
        live_slots: list[int] = []
        versions: list[int] = []
        evs: list[int | None] = []
        kinds: list[int] = []
        del_slots: list[int] = []
        del_us: list[int] = []
        for s in chunk:
            e = window.get(s)
            if e is None:
                live_slots.append(s)
                versions.append(0)
                evs.append(None)
                kinds.append(0)
            elif st.ev_kind[e] == HARD_DELETE:
                del_slots.append(s)
                del_us.append(st.ev_us[e])
            else:
                live_slots.append(s)
                versions.append(st.ev_step[e])
                evs.append(st.ev_us[e])
                kinds.append(st.ev_kind[e])
        if live_slots:
            yield self._rows(ns, name, live_slots, versions, evs, kinds, incremental=True)
        if del_slots:
            yield self._deletes(ns, name, del_slots, del_us)

    def _base_slots_since(
        self, ns: str, name: str, st: TableState, since_us: int, window: dict[int, int]
    ) -> list[int]:
        """Original rows committed at or after ``since`` (only when since predates the start)."""
        out: list[int] = []
        for a in range(0, st.base_count, self.batch_rows):
            b = min(st.base_count, a + self.batch_rows)
            slots = pa.array(range(a, b), pa.int64())
            n = b - a
            batch = self._rows(ns, name, slots, [0] * n, [None] * n, [0] * n, incremental=False)
            ts = pc.cast(batch.column(0), pa.int64())
            hit = pc.filter(slots, pc.greater_equal(ts, since_us)).to_pylist()
            out += [s for s in hit if s not in window]
        return out

    # ------------------------------------------------------------------ web_logs
    def _log_count(self) -> int:
        last = self.log_segments[-1]
        return last.first + last.n

    def _log_slot_at_or_after(self, us: int) -> int:
        for seg in self.log_segments:
            if us < seg.end_us:
                return seg.first_slot_at_or_after(us)
        return self._log_count()

    def _log_range(
        self, ns: str, name: str, lo: int, hi: int, incremental: bool, duplicates: bool
    ) -> Iterator[pa.RecordBatch]:
        dups: list[int] = []
        for a in range(lo, hi, self.batch_rows):
            b = min(hi, a + self.batch_rows)
            slots = list(range(a, b))
            ts = [self._log_ts(s) for s in slots]
            yield self._rows(ns, name, slots, [0] * len(slots), ts, [0] * len(slots), incremental)
            if duplicates:
                r = Rand(pa.array(slots, pa.int64()), None, salt(self.seed, "web_logs-dup", lo, hi))
                dups += pc.filter(
                    pa.array(slots, pa.int64()),
                    r.chance("dup", DUPLICATE_RATE / 2, versioned=False),
                ).to_pylist()
        for a in range(0, len(dups), self.batch_rows):
            chunk = dups[a : a + self.batch_rows]
            yield self._rows(
                ns,
                name,
                chunk,
                [0] * len(chunk),
                [self._log_ts(s) for s in chunk],
                [0] * len(chunk),
                incremental,
            )

    def _log_ts(self, slot: int) -> int:
        firsts = [s.first for s in self.log_segments]
        seg = self.log_segments[bisect.bisect_right(firsts, slot) - 1]
        return seg.ts_of(slot)


def _web_log_ids(ctx: Ctx) -> pa.Array:
    from emulator.generate.rand import uuid_string

    return uuid_string(ctx.rand, "web-log-id", versioned=False)


__all__ = [
    "Dataset",
    "QueryError",
    "OutOfRange",
    "SnapshotRequired",
    "InvalidRange",
    "Catalog",
    "Table",
]
