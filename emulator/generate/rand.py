"""Counter-based, vectorised pseudo-randomness on Arrow arrays.

Every generated value is a pure function of ``(seed, table, column, row slot, version)``: there is
no RNG state to carry, so any chunk of any table can be generated on its own, in any order, and the
same seed always gives the same bytes. The mixer is splitmix64's finaliser, applied with
``pyarrow.compute`` (unsigned multiplication wraps around, as the algorithm needs).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import pyarrow as pa
import pyarrow.compute as pc

_U64 = pa.uint64()
_C1 = pa.scalar(0xBF58476D1CE4E5B9, _U64)
_C2 = pa.scalar(0x94D049BB133111EB, _U64)
_GOLDEN = pa.scalar(0x9E3779B97F4A7C15, _U64)
_VERSION_MUL = pa.scalar(0xD6E8FEB86659FD93, _U64)
_S30 = pa.scalar(30, _U64)
_S27 = pa.scalar(27, _U64)
_S31 = pa.scalar(31, _U64)
_S11 = pa.scalar(11, _U64)
_INV53 = 1.0 / float(1 << 53)


def salt(*parts: object) -> int:
    """A 64-bit salt from any printable parts (seed, table, column, purpose...)."""
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little")


def mix(x: pa.Array) -> pa.Array:
    """splitmix64 finaliser over a uint64 array."""
    x = pc.bit_wise_xor(x, pc.shift_right(x, _S30))
    x = pc.multiply(x, _C1)
    x = pc.bit_wise_xor(x, pc.shift_right(x, _S27))
    x = pc.multiply(x, _C2)
    return pc.bit_wise_xor(x, pc.shift_right(x, _S31))


def hash64(slots: pa.Array, salt_value: int, versions: pa.Array | None = None) -> pa.Array:
    """Per-row 64-bit hashes of ``slots`` (and ``versions``) under ``salt_value``."""
    x = pc.multiply(pc.cast(slots, _U64), _GOLDEN)
    if versions is not None:
        x = pc.bit_wise_xor(x, pc.multiply(pc.cast(versions, _U64), _VERSION_MUL))
    x = pc.add(x, pa.scalar(salt_value, _U64))
    return mix(mix(x))


class Rand:
    """Uniform draws for a fixed set of rows.

    Args:
        slots: row slots (int64), the stable identity of each generated row.
        versions: per-row version (0 = as first generated; a change's step otherwise), or None.
        base_salt: salt identifying the seed and table.
    """

    def __init__(self, slots: pa.Array, versions: pa.Array | None, base_salt: int) -> None:
        self.slots = slots
        self.versions = versions
        self.base_salt = base_salt
        self.n = len(slots)

    def bits(self, purpose: str, versioned: bool = True) -> pa.Array:
        """Raw uint64 hashes for ``purpose``; ``versioned`` mixes in the row version."""
        return hash64(
            self.slots, salt(self.base_salt, purpose), self.versions if versioned else None
        )

    def uniform(self, purpose: str, versioned: bool = True) -> pa.Array:
        """Floats in [0, 1)."""
        top = pc.shift_right(self.bits(purpose, versioned), _S11)
        return pc.multiply(pc.cast(top, pa.float64()), _INV53)

    def integers(self, purpose: str, low: int, high: int, versioned: bool = True) -> pa.Array:
        """Int64 values uniform in [low, high] (inclusive)."""
        if high < low:
            raise ValueError(f"empty integer range [{low}, {high}] for {purpose}")
        span = high - low + 1
        draw = pc.floor(pc.multiply(self.uniform(purpose, versioned), float(span)))
        return pc.add(pc.cast(draw, pa.int64()), low)

    def below(self, purpose: str, n: pa.Array | int, versioned: bool = True) -> pa.Array:
        """Int64 values uniform in [0, n) with a per-row (or scalar) bound ``n`` >= 1."""
        nn = pc.cast(n, pa.float64()) if isinstance(n, pa.Array) else float(n)
        draw = pc.floor(pc.multiply(self.uniform(purpose, versioned), nn))
        return pc.cast(draw, pa.int64())

    def chance(self, purpose: str, p: float, versioned: bool = True) -> pa.Array:
        """Booleans, true with probability ``p``."""
        return pc.less(self.uniform(purpose, versioned), p)

    def choice(
        self,
        purpose: str,
        values: Sequence[object],
        type_: pa.DataType | None = None,
        versioned: bool = True,
    ) -> pa.Array:
        """A value from ``values`` per row (repeat an entry to weight it)."""
        pool = pa.array(list(values), type=type_)
        return pc.take(pool, self.below(purpose, len(pool), versioned))


def null_where(values: pa.Array, mask: pa.Array) -> pa.Array:
    """``values`` with nulls where ``mask`` is true."""
    return pc.if_else(mask, pa.scalar(None, values.type), values)


_HEX_PAIRS = pa.array([f"{i:02x}" for i in range(256)])


def hex_string(bits: pa.Array, nbytes: int = 8) -> pa.Array:
    """Lower-case hex of the low ``nbytes`` bytes of uint64 ``bits``."""
    parts = []
    for i in range(nbytes - 1, -1, -1):
        byte = pc.bit_wise_and(pc.shift_right(bits, pa.scalar(8 * i, _U64)), pa.scalar(255, _U64))
        parts.append(pc.take(_HEX_PAIRS, byte))
    return pc.binary_join_element_wise(*parts, "")


def uuid_string(rand: Rand, purpose: str, versioned: bool = False) -> pa.Array:
    """RFC 4122-shaped (version 4 layout) uuids, deterministic per row."""
    hi = hex_string(rand.bits(purpose + ":hi", versioned))
    lo = hex_string(rand.bits(purpose + ":lo", versioned))
    return pc.binary_join_element_wise(
        pc.utf8_slice_codeunits(hi, 0, 8),
        pc.utf8_slice_codeunits(hi, 8, 12),
        pc.binary_join_element_wise("4", pc.utf8_slice_codeunits(hi, 13, 16), ""),
        pc.binary_join_element_wise("a", pc.utf8_slice_codeunits(lo, 1, 4), ""),
        pc.utf8_slice_codeunits(lo, 4, 16),
        "-",
    )
