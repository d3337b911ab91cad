"""Every column the data dictionary lists carries a description: raw sources and current state
(from the CD2 schema, generated), CD1 (CD1 4.2.1 plus the mapping notes), intermediate and
Analytics models (hand-written)."""

from __future__ import annotations

from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]


def test_every_documented_column_has_a_description() -> None:
    missing = []
    files = sorted((REPO / "models").rglob("_*.yml"))
    assert len(files) > 5
    columns = 0
    for path in files:
        data = yaml.safe_load(path.read_text("utf-8")) or {}
        entries = list(data.get("models") or [])
        entries += [t for source in data.get("sources") or [] for t in source.get("tables") or []]
        for entry in entries:
            for column in entry.get("columns") or []:
                columns += 1
                if not str(column.get("description") or "").strip():
                    missing.append(f"{path.relative_to(REPO)}: {entry['name']}.{column['name']}")
    assert columns > 3000
    assert not missing, "\n".join(missing[:20])
