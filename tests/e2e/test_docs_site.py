"""The data dictionary in a real browser: ``cd2 docs`` builds dbt's static docs site, headless
Chromium (Debian's ``chromium``, driven by Playwright over the DevTools protocol; ``make browser``
installs it) opens the one HTML file, searches for ``submission_fact``, opens it and finds its
columns with their descriptions and its ER diagram rendered as a picture.

The site is generated offline (``--offline``: no database, no catalog), which is what it takes to
check the descriptions, the diagrams and the search; the screenshot is kept in
``test-artifacts/docs-submission_fact.png`` (the diagram) and
``docs-submission_fact-columns.png`` (the columns).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.e2e.conftest import ParsedProject

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [  # Playwright adds --headless
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _cd1_columns(model: str) -> list[tuple[str, str, str]]:
    data = yaml.safe_load((REPO / "models/marts/cd1/_cd1__models.yml").read_text("utf-8"))
    (entry,) = [m for m in data["models"] if m["name"] == model]
    return [(c["name"], c["data_type"], c["description"]) for c in entry["columns"]]


@pytest.fixture(scope="module")
def docs_site(parsed_project: ParsedProject) -> Path:
    """``cd2 docs --offline`` on the session's parsed project."""
    target = parsed_project.target
    cd2 = Path(sys.executable).parent / "cd2"
    result = subprocess.run(
        [str(cd2), "docs", "--offline", "--target-path", str(target)],
        cwd=REPO,
        env=parsed_project.env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    site = target / "static_index.html"
    assert f"wrote {site}" in result.stdout
    return site


def test_submission_fact_page_in_chromium(docs_site: Path, tmp_path: Path) -> None:
    if not Path(CHROMIUM).exists():
        message = "chromium is not installed: run `make browser` (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "docs-submission_fact.png"
    columns_shot = ARTIFACTS / "docs-submission_fact-columns.png"
    for path in (screenshot, columns_shot):
        path.unlink(missing_ok=True)
    with sync_playwright() as playwright:
        # a fresh profile directory (Playwright passes it as --user-data-dir)
        browser = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 1100},
        )
        try:
            page = browser.new_page()
            page.goto(docs_site.as_uri(), timeout=120_000)
            search = page.locator("#search")
            search.wait_for(timeout=120_000)
            search.fill("submission_fact")
            result = page.locator(".search-result[href$='/model.cd2_warehouse.submission_fact']")
            result.first.click(timeout=60_000)
            page.wait_for_url("**/model.cd2_warehouse.submission_fact", timeout=60_000)
            page.locator("h1", has_text="submission_fact").first.wait_for(timeout=60_000)

            # the diagram: an <img> whose SVG actually decoded
            diagram = page.locator("img[alt='ER diagram of submission_fact']")
            diagram.wait_for(timeout=60_000)
            size = diagram.evaluate(
                "img => img.decode().then(() => [img.naturalWidth, img.naturalHeight])"
            )
            assert size[0] > 0 and size[1] > 0, size

            # every column of the model, each with its description
            rows = page.evaluate(
                "Array.from(document.querySelectorAll('table tr')).map("
                "r => Array.from(r.querySelectorAll('td')).map(c => c.innerText.trim()))"
            )
            shown = {r[0]: (r[1], r[2]) for r in rows if len(r) >= 3}
            expected = _cd1_columns("submission_fact")
            assert len(expected) > 10
            for name, data_type, description in expected:
                assert name in shown, f"column {name} not on the page"
                # the type the contract declares (the offline site's catalog), the description
                assert shown[name] == (data_type, " ".join(description.split())), name

            diagram.scroll_into_view_if_needed()
            page.screenshot(path=str(screenshot))
            page.locator("table").first.scroll_into_view_if_needed()
            page.screenshot(path=str(columns_shot))
        finally:
            browser.close()
    for path in (screenshot, columns_shot):
        assert path.stat().st_size > 10_000
        print(f"screenshot: {path}")
