"""Generic column values by type and name, used wherever a table spec has no override."""

from __future__ import annotations

import re

import pyarrow as pa
import pyarrow.compute as pc

from emulator.generate.context import START_US, TS, Ctx, column_is_structural
from emulator.generate.rand import null_where, uuid_string
from emulator.schema import ENUM_SENTINEL, Column, arrow_type

OVERSIZED = "__cd2_oversized_truncated__"

FIRST_NAMES = (
    "Ada",
    "Grace",
    "Alan",
    "Maya",
    "Liam",
    "Noah",
    "Olivia",
    "Emma",
    "Sofía",
    "José",
    "Zoë",
    "Björn",
    "Chloé",
    "Mateo",
    "Aisha",
    "Wei",
    "Yuki",
    "Priya",
    "Oluwaseun",
    "Siobhán",
    "Łukasz",
    "Nguyễn",
    "Иван",
    "Μαρία",
    "محمد",
    "李",
    "Kai",
    "Ana",
    "Jean-Luc",
    "O'Brien",
)
LAST_NAMES = (
    "Lovelace",
    "Hopper",
    "Turing",
    "Smith",
    "García",
    "Müller",
    "Nakamura",
    "Okafor",
    "Kowalski",
    "Dubois",
    "Rossi",
    "Andersson",
    "Chen",
    "Patel",
    "O'Connor",
    "van der Berg",
    "Ivanova",
    "Papadopoulos",
    "Haddad",
    "Kim",
    "Nguyen",
    "Silva",
    "Søren",
    "D'Angelo",
    "Ní Bhriain",
)
SUBJECTS = (
    "Biology",
    "Chemistry",
    "Physics",
    "History",
    "Economics",
    "Psychology",
    "Statistics",
    "Philosophy",
    "Computer Science",
    "Linguistics",
    "Nursing",
    "Music Theory",
    "Calculus",
    "Organic Chemistry",
    "Data Science",
    "Art History",
    "Mechanical Engineering",
    "Français",
    "Deutsch für Anfänger",
    "日本語",
    "Ethics & Society",
)
WORDS = (
    "introduction",
    "lab",
    "report",
    "essay",
    "project",
    "review",
    "quiz",
    "midterm",
    "final",
    "reading",
    "discussion",
    "reflection",
    "homework",
    "problem set",
    "case study",
    "exam",
    "portfolio",
    "draft",
    "peer review",
    "presentation",
    "module",
    "week",
    "unit",
    "chapter",
)
# Values real CD2 text columns contain and loaders get wrong.
NASTY = (
    "tab\there",
    "line one\nline two",
    "windows\r\nline",
    'say "hello"',
    "it's",
    "back\\slash",
    "\\N is not null",
    "comma, separated",
    "  padded  ",
    "ünïcødé ✓ 学生 🎓",
    "<p>html &amp; más</p>",
    "",
    "semi;colon|pipe",
    "trailing backslash\\",
    OVERSIZED,
)
SENTENCES = (
    "Please read chapter 3 before class.",
    "Great work — see my comments inline.",
    "Submit a PDF of no more than five pages.",
    "Discuss the results with your group.",
    "Remember: late work loses 10% per day.",
    "See the rubric for details.",
    "Welcome to the course! Introduce yourself below.",
    "The lab report is due Friday.",
)
LOCALES = ("en", "en-GB", "es", "fr", "de", "ja", "zh-Hans", "pt-BR", "ar")
TIME_ZONES = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "Europe/London",
    "Australia/Sydney",
    "Asia/Tokyo",
    "UTC",
)
MIME = (
    "application/pdf",
    "image/png",
    "image/jpeg",
    "text/plain",
    "video/mp4",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
)

_VARCHAR = re.compile(r"^varchar\((\d+)\)$")
_LIVE_STATES = (
    "active",
    "available",
    "published",
    "registered",
    "accepted",
    "complete",
    "processed",
    "graded",
    "read",
    "on",
    "scored",
    "completed",
)


def live_state(values: tuple[str, ...]) -> str:
    """The most common non-deleted state of a workflow enum."""
    for v in _LIVE_STATES:
        if v in values:
            return v
    return next(v for v in values if v != "deleted")


def person_name(ctx: Ctx, slots: pa.Array, purpose: str) -> pa.Array:
    """``First Last`` names for person slots (stable across updates)."""
    from emulator.generate.rand import Rand

    r = Rand(slots, None, ctx.rand.base_salt ^ 0x5EED)
    first = r.choice(purpose + ":first", FIRST_NAMES, versioned=False)
    last = r.choice(purpose + ":last", LAST_NAMES, versioned=False)
    return pc.binary_join_element_wise(first, last, " ")


def text_value(ctx: Ctx, col: Column, versioned: bool) -> pa.Array:
    """Free text: sentences, with a share of nasty strings."""
    r = ctx.rand
    base = r.choice(col.name + ":sent", SENTENCES, versioned=versioned)
    word = r.choice(col.name + ":word", WORDS, versioned=versioned)
    base = pc.binary_join_element_wise(base, word, " ")
    nasty = r.choice(col.name + ":nasty", NASTY, versioned=versioned)
    return pc.if_else(r.chance(col.name + ":is-nasty", 0.06, versioned), nasty, base)


def short_text(ctx: Ctx, col: Column, versioned: bool) -> pa.Array:
    """A short title-like value for name/title columns."""
    r = ctx.rand
    words = r.choice(col.name + ":w1", WORDS, versioned=versioned)
    subj = r.choice(col.name + ":w2", SUBJECTS, versioned=versioned)
    num = pc.cast(r.integers(col.name + ":n", 1, 99, versioned), pa.string())
    out = pc.binary_join_element_wise(subj, words, num, " ")
    nasty = r.choice(col.name + ":nasty", NASTY[:11], versioned=versioned)
    return pc.if_else(
        r.chance(col.name + ":is-nasty", 0.03, versioned),
        pc.binary_join_element_wise(out, nasty, " "),
        out,
    )


def _string(ctx: Ctx, col: Column, versioned: bool) -> pa.Array:
    name = col.name
    r = ctx.rand
    ids = pc.cast(ctx.slots, pa.string())
    tname = ctx.table.name
    if name in ("uuid", "lti_context_id", "user_uuid") or name.endswith("_uuid"):
        return uuid_string(r, name, versioned=False)
    if col.type == "uuid":
        return uuid_string(r, name, versioned=False)
    if col.type == "inet" or name.endswith("_ip"):
        octets = [
            pc.cast(r.integers(f"{name}:o{i}", 1, 254, versioned), pa.string()) for i in range(4)
        ]
        return pc.binary_join_element_wise("10", octets[1], octets[2], octets[3], ".")
    if name in ("sis_source_id", "integration_id", "sis_user_id") or name.startswith("sis_"):
        return pc.binary_join_element_wise(f"SIS-{tname}-", ids, "")
    if name == "md5":
        from emulator.generate.rand import hex_string

        return pc.binary_join_element_wise(
            hex_string(r.bits("md5a", False)), hex_string(r.bits("md5b", False)), ""
        )
    if name in ("locale", "default_locale"):
        return r.choice(name, LOCALES, versioned=versioned)
    if "time_zone" in name:
        return r.choice(name, TIME_ZONES, versioned=versioned)
    if name == "content_type":
        return r.choice(name, MIME, versioned=False)
    if "url" in name or name in ("host", "domain", "redirect_uri"):
        return pc.binary_join_element_wise(f"https://canvas.example.edu/{tname}/", ids, "")
    if name in ("email", "path", "unique_id"):
        return pc.binary_join_element_wise("user", ids, "@example.edu", "")
    if name in (
        "name",
        "title",
        "display_name",
        "short_name",
        "subject",
        "label",
        "filename",
        "full_name",
        "sortable_name",
        "course_code",
        "term_code",
    ):
        return short_text(ctx, col, versioned)
    if col.type == "text" or any(k in name for k in ("description", "body", "message", "comment")):
        return text_value(ctx, col, versioned)
    return pc.binary_join_element_wise(r.choice(name, WORDS, versioned=versioned), ids, "-")


def _fit(arr: pa.Array, col: Column) -> pa.Array:
    m = _VARCHAR.match(col.type)
    if m and arr.type == pa.string():
        return pc.utf8_slice_codeunits(arr, 0, int(m.group(1)))
    return arr


def _timestamp(ctx: Ctx, col: Column, versioned: bool) -> pa.Array:
    name = col.name
    if name == "created_at":
        return pc.cast(ctx.created_us(), TS)
    created = (
        pc.cast(ctx.get("created_at"), pa.int64()) if ctx.has("created_at") else ctx.created_us()
    )
    if name == "updated_at":
        span = pc.subtract(START_US, created)
        frac = ctx.rand.uniform("updated_at", versioned=False)
        base = pc.add(
            created, pc.cast(pc.floor(pc.multiply(pc.cast(span, pa.float64()), frac)), pa.int64())
        )
        return pc.cast(pc.if_else(ctx.is_changed, ctx.event_us, base), TS)
    if name == "deleted_at":
        if (
            ctx.has("workflow_state")
            and ctx.table.column("workflow_state").enum
            and "deleted" in (ctx.table.column("workflow_state").enum or ())
        ):
            return null_where(pc.cast(ctx.meta_ts(), TS), pc.invert(ctx.soft_deleted()))
        return pc.cast(pa.nulls(ctx.n, pa.int64()), TS)
    out = ctx.days_after(created, -5, 150, name, versioned)
    return out


def _integer(ctx: Ctx, col: Column, versioned: bool) -> pa.Array:
    name = col.name
    r = ctx.rand
    if "quota" in name:
        return pc.multiply(r.integers(name, 1, 20, versioned), 524_288_000)
    if name == "size":
        return r.integers(name, 100, 50_000_000, versioned)
    if name in ("position", "depth", "attempt", "current_position"):
        return r.integers(name, 1, 12, versioned)
    if "count" in name or name.endswith("_number"):
        return r.integers(name, 0, 40, versioned)
    if "micros" in name:
        return r.integers(name, 2_000, 3_000_000, versioned)
    return r.integers(name, 0, 100, versioned)


def _enum(ctx: Ctx, col: Column, versioned: bool) -> pa.Array:
    values = tuple(col.enum or ())
    r = ctx.rand
    if col.name == "workflow_state" and values:
        live = live_state(values)
        others = tuple(v for v in values if v not in ("deleted", live)) or (live,)
        choice = pc.if_else(
            r.chance("ws:other", 0.12, versioned),
            r.choice("ws:pick", others, versioned=versioned),
            pa.scalar(live),
        )
        if "deleted" in values:
            return pc.if_else(ctx.soft_deleted(), pa.scalar("deleted"), choice)
        return choice
    out = r.choice(col.name, values or ("unknown",), versioned=versioned)
    if col.nullable:
        out = pc.if_else(
            r.chance(col.name + ":sentinel", 0.005, versioned), pa.scalar(ENUM_SENTINEL), out
        )
    return out


def _foreign_key(ctx: Ctx, col: Column) -> pa.Array:
    from emulator.generate.tables import count_of, key_of, polymorphic_target

    if col.discriminator and ctx.has(col.discriminator):
        kinds = ctx.get(col.discriminator)
        out = pa.nulls(ctx.n, pa.int64())
        for ns, tbl in col.references:
            cls = polymorphic_target(tbl)
            n = count_of(ctx.world, ns, tbl)
            if cls is None or n <= 0:
                continue
            picked = key_of(ctx.world, ns, tbl, ctx.rand.below(f"{col.name}:{tbl}", n, False))
            out = pc.if_else(pc.equal(kinds, cls), picked, out)
        # fall back to the first resolvable target when the discriminator named a stub class
        ns, tbl = col.references[0]
        n = max(1, count_of(ctx.world, ns, tbl))
        fallback = key_of(ctx.world, ns, tbl, ctx.rand.below(f"{col.name}:any", n, False))
        return pc.coalesce(out, fallback)
    ns, tbl = col.references[0]
    n = count_of(ctx.world, ns, tbl)
    if n <= 0:  # a stub table (sis_batches, media_objects, ...): opaque ids, mostly null
        ids = ctx.rand.integers(col.name, 1, 5000, versioned=False)
        if not col.nullable:  # CD2 marks it required (content_shares.content_export_id)
            return ids
        return null_where(ids, ctx.rand.chance(col.name + ":null", 0.8, versioned=False))
    picked = key_of(ctx.world, ns, tbl, ctx.rand.below(col.name, n, versioned=False))
    if col.nullable and not col.name.startswith(("user_id", "course_id", "context_id")):
        picked = null_where(picked, ctx.rand.chance(col.name + ":null", 0.25, versioned=False))
    return picked


def generic(ctx: Ctx, col: Column) -> pa.Array:
    """Values for ``col`` when the table spec does not override it."""
    versioned = not column_is_structural(col)
    if col.references:
        out: pa.Array = _foreign_key(ctx, col)
        return pc.cast(out, arrow_type(col))
    if col.type == "object":
        return _object(ctx, col, versioned)
    if col.is_array:
        return _array(ctx, col, versioned)
    t = col.type
    r = ctx.rand
    if t == "timestamp":
        out = _timestamp(ctx, col, versioned)
        if col.name in ("created_at", "updated_at", "deleted_at") or not col.nullable:
            return out
        return null_where(out, r.chance("null:" + col.name, 0.2, versioned))
    if t == "enum":
        out = _enum(ctx, col, versioned)
    elif t in ("bigint", "integer", "smallint"):
        out = pc.cast(_integer(ctx, col, versioned), arrow_type(col))
    elif t in ("double precision", "decimal"):
        out = pc.round(pc.multiply(r.uniform(col.name, versioned), 100.0), 2)
    elif t == "boolean":
        out = r.chance(col.name, 0.3, versioned)
    elif t == "date":
        days = pc.add(r.integers(col.name, -400, 200, versioned), START_US // 86_400_000_000)
        out = pc.cast(pc.cast(days, pa.int32()), pa.date32())
    elif t.startswith("decimal"):
        typ = arrow_type(col)
        assert isinstance(typ, pa.Decimal128Type)
        hi = 10 ** (typ.precision - typ.scale) - 1
        vals = pc.round(pc.multiply(r.uniform(col.name, versioned), float(min(hi, 100))), typ.scale)
        out = pc.cast(vals, typ)
    else:
        out = _fit(_string(ctx, col, versioned), col)
    if col.nullable and col.name != "workflow_state":
        out = null_where(out, r.chance("null:" + col.name, 0.12, versioned))
    return out


def _object(ctx: Ctx, col: Column, versioned: bool) -> pa.Array:
    r = ctx.rand
    children = []
    for f in col.fields:
        purpose = f"{col.name}.{f.name}"
        if f.is_array:
            children.append(_small_list(ctx, purpose, f, versioned))
            continue
        if f.type in ("integer",):
            v: pa.Array = pc.cast(r.integers(purpose, 0, 3, versioned), pa.int32())
        elif f.type == "bigint":
            v = r.integers(purpose, 1, 1000, versioned)
        elif f.type == "boolean":
            v = r.chance(purpose, 0.5, versioned)
        elif f.type == "double precision":
            v = pc.round(pc.multiply(r.uniform(purpose, versioned), 10.0), 1)
        else:
            v = text_value(ctx, f, versioned)
        children.append(null_where(v, r.chance("null:" + purpose, 0.25, versioned)))
    struct = pa.StructArray.from_arrays(children, fields=list(arrow_type(col)))
    if col.nullable:
        mask = r.chance("null:" + col.name, 0.2, versioned)
        struct = pa.StructArray.from_arrays(children, fields=list(arrow_type(col)), mask=mask)
    return struct


def _small_list(ctx: Ctx, purpose: str, col: Column, versioned: bool) -> pa.Array:
    """Lists of 0..2 elements, each element a pure function of the row."""
    r = ctx.rand
    lengths = r.integers(purpose + ":len", 0, 2, versioned).to_pylist()
    elems = []
    for i in range(2):
        if col.base_type in ("bigint", "integer"):
            e: pa.Array = r.integers(f"{purpose}:{i}", 1, 500, versioned)
        elif col.enum:
            e = r.choice(f"{purpose}:{i}", col.enum, versioned=versioned)
        else:
            e = r.choice(f"{purpose}:{i}", WORDS, versioned=versioned)
        elems.append(e.to_pylist())
    rows = [[elems[j][i] for j in range(n)] for i, n in enumerate(lengths)]
    return pa.array(rows, type=arrow_type(col))


def _array(ctx: Ctx, col: Column, versioned: bool) -> pa.Array:
    return _small_list(ctx, col.name, col, versioned)
