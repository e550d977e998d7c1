"""The brief as a reader opens it: headless Chromium on the file, offline.

The demo's brief (built once from the session's demo world). A brief built from hostile
posts (``<script>``, ``<img onerror>``, ``javascript:`` links, formulas, RTL overrides), with
privacy on and a secret in a collector's URL, is opened in tests/faults/test_hostile_brief.py.
Skipped without ``/usr/bin/chromium`` (CI installs it in ``.ci/run``).
"""

from __future__ import annotations

import re
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


# Words split across lines inside table cells (a mid-word break), the cell's text for the message.
_BROKEN_WORDS = """() => {
  const out = [];
  for (const cell of document.querySelectorAll('main td, main th')) {
    if (!cell.offsetParent) continue;  // not rendered (closed details)
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const re = /[^\\s\\-–]+/g; let m;  // a line may break at a space or a hyphen, nowhere else
      while ((m = re.exec(node.data)) !== null) {
        const range = document.createRange();
        range.setStart(node, m.index); range.setEnd(node, m.index + m[0].length);
        const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
        if (lines.size > 1) out.push(m[0] + ' in: ' + cell.innerText.slice(0, 60));
      }
    }
  }
  return out;
}"""
_SHOWN_TEXT = """() => {
  const main = document.querySelector('main').cloneNode(true);
  for (const quoted of main.querySelectorAll('q, td.post')) quoted.remove();  // posts say what they say
  return main.innerText;
}"""


@pytest.mark.parametrize("width", [1280, 390])
def test_the_brief_reads_on_a_laptop_and_a_phone(browser, demo_brief, width):
    page = browser.new_page(viewport={"width": width, "height": 900})
    try:
        page.goto((demo_brief / "brief.html").resolve().as_uri(), wait_until="load")
        shot = demo_brief / f"brief-{width}.png"
        page.screenshot(path=str(shot), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways page scroll
        assert page.evaluate(_BROKEN_WORDS) == []  # tables never break a word or a number
        text = page.evaluate(_SHOWN_TEXT)
        headers = page.evaluate("[...document.querySelectorAll('main th')].map(t => t.innerText)")
    finally:
        page.close()
    assert re.findall(r"\b(?:nan|NaN|inf|None|NaT|<NA>)\b", text) == []
    assert re.findall(r"\d\.?\d*e[-+]?\d+\b", text) == []  # no exponent notation (3.29e-17)
    assert [h for h in headers if re.search(r"[a-z]_[a-z]", h)] == []  # no snake_case header
    assert "Traceback" not in text
    width_px, height_px = struct.unpack(">II", shot.read_bytes()[16:24])
    assert width_px == width and height_px < 45_000  # a phone reader scrolls a brief, not a data dump


def test_the_brief_prints_on_a4_with_the_main_part_first(browser, demo_brief):
    page = browser.new_page()
    try:
        page.goto((demo_brief / "brief.html").resolve().as_uri(), wait_until="load")
        pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
        (demo_brief / "brief.pdf").write_bytes(pdf)
        page.evaluate("document.querySelector('section.appendix').remove()")
        main_only = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    finally:
        page.close()
    pages = lambda data: len(re.findall(rb"/MediaBox", data))  # noqa: E731  one per page
    assert pdf[:5] == b"%PDF-" and pages(main_only) <= 24  # the main brief, about 20 pages
    assert pages(pdf) >= pages(main_only)  # the appendix comes after it
    (box,) = set(re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf))
    assert abs(float(box[0]) - 595.3) < 1 and abs(float(box[1]) - 841.9) < 1  # A4, in points
