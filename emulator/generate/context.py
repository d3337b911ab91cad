"""Row generation context: lazily evaluated columns, per-table overrides, generic defaults."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from emulator.generate.rand import Rand, null_where, salt
from emulator.generate.world import MICROS_PER_DAY, START, World
from emulator.schema import Column, Table

START_US = int(START.timestamp() * 1_000_000)
TS = pa.timestamp("us", tz="UTC")

Thunk = Callable[[], pa.Array]


class Ctx:
    """Everything needed to generate a set of rows of one table.

    Args:
        world: the institution's shape.
        seed: dataset seed.
        table: the table definition (current schema version).
        base_count: number of rows the table had at the start (slots beyond it were inserted).
        slots: int64 row slots to generate.
        versions: int64 per-row version (0 = original, otherwise the step of the last change).
        event_us: int64 microseconds of the last change (null for original rows).
        soft: bool per row, true when the last change was a soft delete.
    """

    def __init__(
        self,
        world: World,
        seed: int,
        table: Table,
        base_count: int,
        slots: pa.Array,
        versions: pa.Array,
        event_us: pa.Array,
        soft: pa.Array,
    ) -> None:
        self.world = world
        self.seed = seed
        self.table = table
        self.base_count = base_count
        self.slots = slots
        self.versions = versions
        self.event_us = event_us
        self.soft_event = soft
        self.n = len(slots)
        self.rand = Rand(slots, versions, salt(seed, table.namespace, table.name))
        self.overrides: dict[str, Thunk] = {}
        self._memo: dict[str, pa.Array] = {}
        inserted = pc.greater_equal(slots, base_count)
        if base_count > 0:
            pick = self.rand.below("structural-slot", base_count, versioned=False)
            self.sslots: pa.Array = pc.if_else(inserted, pick, slots)
        else:
            self.sslots = slots
        self.is_changed = pc.greater(versions, 0)

    # ------------------------------------------------------------------ access
    def get(self, name: str) -> pa.Array:
        """The final array for column ``name`` (override, or generic by type and name)."""
        if name not in self._memo:
            if name in self.overrides:
                arr = self.overrides[name]()
            else:
                from emulator.generate.values import generic

                arr = generic(self, self.table.column(name))
            col = self.table.column(name) if self.table.has(name) else None
            if col is not None and col.type == "timestamp" and arr.type != TS:
                arr = pc.cast(arr, pa.int64()).cast(TS)
            self._memo[name] = arr
        return self._memo[name]

    def close(self) -> None:
        """Drop the column thunks and memo (they close over this context: a reference cycle)."""
        self.overrides.clear()
        self._memo.clear()

    def has(self, name: str) -> bool:
        """Whether the table has a column ``name``."""
        return self.table.has(name)

    # ------------------------------------------------------------------ helpers
    def const(self, value: Any, type_: pa.DataType | None = None) -> pa.Array:
        """A constant column."""
        return pa.array([value] * self.n, type=type_)

    def div(self, a: pa.Array, b: int) -> pa.Array:
        """Integer division of non-negative ``a`` by ``b``."""
        return pc.divide(a, b)

    def mod(self, a: pa.Array, b: int) -> pa.Array:
        """``a mod b`` for non-negative ``a``."""
        return pc.remainder(a, b)

    def ids(self, slots: pa.Array) -> pa.Array:
        """Plain ids (``slot + 1``)."""
        return pc.add(slots, 1)

    def user_ids(self, user_slots: pa.Array) -> pa.Array:
        """User ids for user slots (cross-shard users get global ids)."""
        return self.world.user_key(user_slots)

    def maybe_null(self, arr: pa.Array, p: float, purpose: str, versioned: bool = True) -> pa.Array:
        """``arr`` with a fraction ``p`` of nulls."""
        return null_where(arr, self.rand.chance("null:" + purpose, p, versioned))

    def days_after(
        self, base: pa.Array, lo: float, hi: float, purpose: str, versioned: bool = True
    ) -> pa.Array:
        """Timestamps ``base`` + uniform(lo, hi) days (``base`` timestamp or int64 micros)."""
        base_us = pc.cast(base, pa.int64()) if base.type == TS else base
        offset = pc.multiply(
            self.rand.uniform(purpose, versioned), float((hi - lo) * MICROS_PER_DAY)
        )
        offset = pc.add(pc.cast(pc.floor(offset), pa.int64()), int(lo * MICROS_PER_DAY))
        offset = pc.multiply(pc.divide(offset, 1_000_000), 1_000_000)  # whole seconds
        return pc.cast(pc.add(base_us, offset), TS)

    def created_us(self) -> pa.Array:
        """Original creation time in micros: 1..700 days before the emulator's start."""
        days = pc.multiply(self.rand.uniform("created_at", versioned=False), 700.0)
        us = pc.subtract(
            START_US,
            pc.cast(pc.floor(pc.multiply(pc.add(days, 1.0), float(MICROS_PER_DAY))), pa.int64()),
        )
        return pc.multiply(pc.divide(us, 1_000_000), 1_000_000)

    def soft_deleted(self) -> pa.Array:
        """Rows in the soft-deleted state: the last change was a soft delete, or (for original
        rows) 2% deleted before the emulator started."""
        born_deleted = pc.and_(
            pc.invert(self.is_changed), self.rand.chance("born-deleted", 0.02, versioned=False)
        )
        return pc.or_(self.soft_event, born_deleted)

    def meta_ts(self) -> pa.Array:
        """The record's commit time: the change time, else ``updated_at``/``created_at``."""
        base: pa.Array | None = None
        for name in ("updated_at", "created_at", "timestamp"):
            if self.has(name):
                base = pc.cast(self.get(name), pa.int64())
                break
        if base is None or base.null_count:
            fallback = pc.subtract(
                START_US,
                pc.multiply(
                    self.rand.integers("meta-ts", 1, 400 * 86_400, versioned=False), 1_000_000
                ),
            )
            base = fallback if base is None else pc.coalesce(base, fallback)
        return pc.cast(pc.if_else(self.is_changed, self.event_us, base), TS)


def column_is_structural(col: Column) -> bool:
    """Columns that never change when a row is updated (keys, foreign keys, types, creation)."""
    return (
        bool(col.references)
        or col.name in {"created_at", "context_type", "type"}
        or (col.name.endswith("_type") and col.type == "enum")
    )
