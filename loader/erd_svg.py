"""ER diagrams as SVG pictures, drawn from the same foreign-key facts as the Mermaid diagrams.

dbt's docs site renders Markdown but not Mermaid, and the static site must work offline (no
Mermaid script from a CDN). So ``loader.cd1_coverage`` draws each CD1 fact's diagram here, as a
plain SVG: the fact table on the left with every column (PK/FK marked), the dimensions its keys
reference on the right (their ``id`` and, when they have one, ``name``), one line from each foreign
key column to its dimension. Pure functions; the output is deterministic, so the generated files
diff cleanly.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from xml.sax.saxutils import escape

ROW = 18
HEADER = 24
PAD = 8
CHAR = 7.4  # width of one character of the 12 px monospace font, in px (with some room)
GAP = 16
GUTTER = 150
MARGIN = 12


@dataclass(frozen=True)
class Entity:
    """A table box of the diagram.

    Attributes:
        name: the table's name.
        columns: (type, name, keys) per row; keys is e.g. ``"PK, FK"`` or ``""``.
    """

    name: str
    columns: tuple[tuple[str, str, str], ...]

    @property
    def width(self) -> float:
        """The box's width in px."""
        type_w = max((len(t) for t, _, _ in self.columns), default=0)
        name_w = max((len(n) for _, n, _ in self.columns), default=0)
        key_w = max((len(k) for _, _, k in self.columns), default=0)
        body = (type_w + name_w + key_w + 4) * CHAR
        return max(body, (len(self.name) + 2) * CHAR) + 2 * PAD

    @property
    def height(self) -> float:
        """The box's height in px."""
        return HEADER + ROW * len(self.columns) + PAD / 2


def _box(entity: Entity, x: float, y: float, fact: bool) -> list[str]:
    w, h = entity.width, entity.height
    fill = "#fdf1d6" if fact else "#e3eefb"
    stroke = "#b9871f" if fact else "#3f6fa6"
    type_w = max((len(t) for t, _, _ in entity.columns), default=0)
    name_w = max((len(n) for _, n, _ in entity.columns), default=0)
    out = [
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" rx="4" '
        f'fill="#ffffff" stroke="{stroke}"/>',
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{HEADER}" rx="4" '
        f'fill="{fill}" stroke="{stroke}"/>',
        f'<text x="{x + w / 2:.1f}" y="{y + HEADER - 7:.1f}" text-anchor="middle" '
        f'font-weight="bold">{escape(entity.name)}</text>',
    ]
    for i, (type_, name, keys) in enumerate(entity.columns):
        ty = y + HEADER + ROW * (i + 1) - 5
        out.append(
            f'<text x="{x + PAD:.1f}" y="{ty:.1f}" fill="#666666">{escape(type_)}</text>'
            f'<text x="{x + PAD + (type_w + 1) * CHAR:.1f}" y="{ty:.1f}">{escape(name)}</text>'
        )
        if keys:
            kx = x + PAD + (type_w + name_w + 2) * CHAR
            out.append(
                f'<text x="{kx:.1f}" y="{ty:.1f}" fill="{stroke}" '
                f'font-weight="bold">{escape(keys)}</text>'
            )
    return out


def erd_svg(fact: Entity, references: list[tuple[str, str]], dimensions: list[Entity]) -> str:
    """One fact table and the dimensions it references, as an SVG document.

    Args:
        fact: the fact table (every column).
        references: (fact column, dimension name) per foreign key, in column order.
        dimensions: the referenced dimensions' boxes (each drawn once, in this order).

    Returns:
        The SVG text.
    """
    fact_x, fact_y = MARGIN, MARGIN
    dim_x = fact_x + fact.width + GUTTER
    positions: dict[str, float] = {}
    y: float = MARGIN
    for dim in dimensions:
        positions[dim.name] = y
        y += dim.height + GAP
    dims_h = y - GAP - MARGIN if dimensions else 0
    height = max(fact.height, dims_h) + 2 * MARGIN
    dim_w = max((d.width for d in dimensions), default=0)
    width = dim_x + dim_w + MARGIN if dimensions else fact_x + fact.width + MARGIN
    body: list[str] = []
    rows = {name: i for i, (_, name, _) in enumerate(fact.columns)}
    for column, target in references:
        if target not in positions or column not in rows:
            continue
        x1 = fact_x + fact.width
        y1 = fact_y + HEADER + ROW * rows[column] + ROW / 2
        y2 = positions[target] + HEADER / 2
        mid = (x1 + dim_x) / 2
        body.append(
            f'<path d="M{x1:.1f},{y1:.1f} C{mid:.1f},{y1:.1f} {mid:.1f},{y2:.1f} '
            f'{dim_x:.1f},{y2:.1f}" fill="none" stroke="#8a8a8a"/>'
            f'<circle cx="{x1:.1f}" cy="{y1:.1f}" r="2.5" fill="#8a8a8a"/>'
        )
    body += _box(fact, fact_x, fact_y, fact=True)
    for dim in dimensions:
        body += _box(dim, dim_x, positions[dim.name], fact=False)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="DejaVu Sans Mono, Menlo, '
        f'Consolas, monospace" font-size="12">\n'
        f"<title>{escape(fact.name)} and the dimensions its keys reference</title>\n"
        f'<rect width="100%" height="100%" fill="#ffffff"/>\n' + "\n".join(body) + "\n</svg>\n"
    )


def data_uri(svg: str) -> str:
    """The SVG as a ``data:`` URI (base64), for an ``<img>`` in a self-contained page.

    Args:
        svg: the SVG text.

    Returns:
        The URI.
    """
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
