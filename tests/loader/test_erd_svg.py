"""The ER diagram pictures (loader.erd_svg) drawn from the generated CD1 properties."""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET
from pathlib import Path

from loader import cd1_coverage, erd_svg

REPO = Path(__file__).resolve().parents[2]
SVG = "{http://www.w3.org/2000/svg}"


def test_picture_has_every_column_and_one_line_per_foreign_key() -> None:
    models = cd1_coverage._models_yml(REPO)
    model = models["submission_fact"]
    refs = cd1_coverage.relationships(model)
    root = ET.fromstring(cd1_coverage.erd_picture("submission_fact", models))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    for column in model["columns"]:
        # the change marker of an incremental mart is not CD1's: the picture leaves it out
        assert (column["name"] in texts) == (column["name"] != cd1_coverage.MARKER_COLUMN)
    assert any(c["name"] == cd1_coverage.MARKER_COLUMN for c in model["columns"])
    for target in {t for _, t in refs}:
        assert texts.count(target) == 1  # each dimension drawn once
    assert len(list(root.iter(f"{SVG}path"))) == len(refs) > 5


def test_data_uri_round_trips() -> None:
    svg = erd_svg.erd_svg(erd_svg.Entity("f", (("bigint", "id", "PK"),)), [], [])
    uri = erd_svg.data_uri(svg)
    assert uri.startswith("data:image/svg+xml;base64,")
    assert base64.b64decode(uri.split(",", 1)[1]).decode() == svg


def test_committed_pictures_and_doc_blocks_match_the_generator() -> None:
    models = cd1_coverage._models_yml(REPO)
    images = (REPO / cd1_coverage.ERD_IMAGES).read_text("utf-8")
    for path in sorted((REPO / cd1_coverage.ERD_DIR).glob("*.svg")):
        picture = cd1_coverage.erd_picture(path.stem, models)
        assert path.read_text("utf-8") == picture
        assert f"{{% docs cd1_erd__{path.stem} %}}" in images
        assert erd_svg.data_uri(picture) in images
