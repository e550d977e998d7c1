"""The brief as a reader opens it: headless Chromium on the file, offline.

The demo's brief (built once from the session's demo world). A brief built from hostile
posts (``<script>``, ``<img onerror>``, ``javascript:`` links, formulas, RTL overrides), with
privacy on and a secret in a collector's URL, is opened in tests/faults/test_hostile_brief.py.
Skipped without ``/usr/bin/chromium`` (CI installs it in ``.ci/run``).
"""

from __future__ import annotations

import struct
from pathlib import Path
from types import SimpleNamespace

import pytest

from research.brief import SECTIONS

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed (CI installs chromium in .ci/run)"
)


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs the 'playwright' package (dev extra)")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--disable-sync"],
        )  # fmt: skip
        yield chromium
        chromium.close()


def open_brief(browser, brief: Path):
    """Open ``brief`` from a file:// URL, recording console messages, errors, requests and dialogs."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    seen = SimpleNamespace(console=[], errors=[], requests=[], dialogs=[], url=brief.resolve().as_uri())
    page.on("console", lambda m: seen.console.append((m.type, m.text)))
    page.on("pageerror", lambda e: seen.errors.append(str(e)))
    page.on("request", lambda r: seen.requests.append(r.url))
    page.on("dialog", lambda d: (seen.dialogs.append(d.message), d.dismiss()))
    page.goto(seen.url, wait_until="load")
    page.wait_for_load_state("networkidle")
    return page, seen


def assert_quiet_and_offline(seen) -> None:
    assert [text for kind, text in seen.console if kind == "error"] == []
    assert seen.errors == []
    assert seen.dialogs == []
    assert [u for u in seen.requests if u != seen.url and not u.startswith("data:")] == []
    assert seen.url in seen.requests


# --- the demo brief ----------------------------------------------------------------------------


def test_demo_brief_opens_offline_without_errors(browser, demo_brief):
    # demo_brief (tests/conftest.py) is the report folder of the session's demo brief.
    page, seen = open_brief(browser, demo_brief / "brief.html")
    try:
        assert_quiet_and_offline(seen)
        for sid, title in SECTIONS:
            heading = page.locator(f"section#{sid} > h2")
            assert heading.is_visible(), sid
            assert title in heading.inner_text()
        shot = demo_brief / "brief.png"
        page.screenshot(path=str(shot), full_page=True)
    finally:
        page.close()
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert width == 1280 and height > 3 * 900  # the whole page, not the first screen
    assert len(data) > 100_000  # charts and tables, not a blank page
