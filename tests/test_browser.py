"""The brief as a reader opens it: headless Chromium on the file, offline, web text never run.

Two briefs: the demo's (built once from the session's demo world) and a small client
whose imported tweets carry ``<script>``, ``<img onerror>`` and spreadsheet-formula
payloads, run end to end through ``research brief``. Skipped without ``/usr/bin/chromium``
(CI installs it in ``.ci/run``).
"""

from __future__ import annotations

import csv
import html
import json
import os
import re
import struct
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from research.brief import SECTIONS

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
DAY = date(2026, 11, 3)
SCRIPT = "<script>window.__xss=1</script>"
IMG = '<img src=x onerror="window.__xss=2">'
FORMULA = '=HYPERLINK("http://evil.example/","claim your prize")'

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


# --- a client whose posts attack the brief ------------------------------------------------------


def _tweet(tid: int, user: dict, when: datetime, text: str, *, likes: int, reply_to: tuple | None = None,
           mentions: tuple = (), hashtags: tuple = ()) -> dict:  # fmt: skip
    """One tweet as ``snscrape --jsonl`` writes it (``rawContent`` HTML-escaped, as Twitter sends it)."""
    escaped = html.escape(text, quote=False)
    return {
        "_type": "snscrape.modules.twitter.Tweet",
        "url": f"https://twitter.com/{user['username']}/status/{tid}",
        "date": when.isoformat(),
        "rawContent": escaped,
        "renderedContent": escaped,
        "id": tid,
        "user": user,
        "replyCount": 1,
        "retweetCount": 2,
        "likeCount": likes,
        "quoteCount": 0,
        "conversationId": reply_to[0] if reply_to else tid,
        "lang": "en",
        "source": None,
        "sourceUrl": None,
        "sourceLabel": "Twitter Web App",
        "links": [],
        "media": None,
        "retweetedTweet": None,
        "quotedTweet": None,
        "inReplyToTweetId": reply_to[0] if reply_to else None,
        "inReplyToUser": _ref(reply_to[1]) if reply_to else None,
        "mentionedUsers": [_ref(u) for u in mentions] or None,
        "coordinates": None,
        "place": None,
        "hashtags": list(hashtags) or None,
        "cashtags": None,
        "card": None,
        "viewCount": likes * 40,
        "vibe": None,
        "bookmarkCount": 0,
    }


def _user(uid: int, username: str, name: str, followers: int) -> dict:
    return {
        "_type": "snscrape.modules.twitter.User",
        "username": username,
        "id": uid,
        "displayname": name,
        "rawDescription": "",
        "renderedDescription": "",
        "descriptionLinks": None,
        "verified": False,
        "created": "2020-01-01T00:00:00+00:00",
        "followersCount": followers,
        "friendsCount": 100,
        "statusesCount": 500,
        "favouritesCount": 0,
        "listedCount": 0,
        "mediaCount": 0,
        "location": "",
        "protected": False,
        "link": None,
        "profileImageUrl": None,
        "profileBannerUrl": None,
        "label": None,
    }


def _ref(user: dict) -> dict:
    return {"_type": "snscrape.modules.twitter.UserRef", "username": user["username"], "id": user["id"],
            "displayname": user["displayname"]}  # fmt: skip


def _hostile_tweets() -> list[dict]:
    """A month of a brand, a rival and their audience; the brand's best posts carry the payloads."""
    brand = _user(100, "safetea", "Safe Tea", 5_000)
    rival = _user(200, "rivalbrew", "Rival Brew", 4_000)
    fans = [_user(1_000 + i, f"fan{i}", f"Fan {i}", 50 + i) for i in range(12)]
    fans[3]["displayname"] = IMG  # a hostile display name too
    day0 = datetime(2026, 8, 1, tzinfo=UTC)
    tweets = []
    for d in range(31):
        morning = day0 + timedelta(days=d, hours=9)
        own = 10_000 + d
        tweets.append(
            _tweet(
                own, brand, morning, f"Fresh chai of the day #{d} #chai", likes=10 + d % 7, hashtags=("chai",)
            )
        )
        tweets.append(_tweet(20_000 + d, rival, morning + timedelta(hours=3), f"Rival brew special {d} #chai",
                             likes=8 + d % 5, hashtags=("chai",)))  # fmt: skip
        for i, fan in enumerate(fans):
            if (d + i) % 3 == 0:
                when = morning + timedelta(minutes=30 + i)
                tweets.append(_tweet(40_000 + 100 * d + i, fan, when, "@safetea lovely chai, see you @rivalbrew",
                                     likes=1, reply_to=(own, brand), mentions=(brand, rival)))  # fmt: skip
    # The brand's three best posts (so they top its "top posts" table) carry the payloads.
    for k, text in enumerate((f"Tea time {SCRIPT} #chai", f"{IMG} new menu #chai", FORMULA)):
        tweets.append(_tweet(30_000 + k, brand, day0 + timedelta(days=9 + k, hours=18), text,
                             likes=900 - 100 * k, hashtags=("chai",) if "#chai" in text else ()))  # fmt: skip
        tweets.append(_tweet(50_000 + k, fans[k], day0 + timedelta(days=9 + k, hours=19), f"@safetea {text}",
                             likes=3, reply_to=(30_000 + k, brand), mentions=(brand,)))  # fmt: skip
    return sorted(tweets, key=lambda t: t["date"])


@pytest.fixture(scope="module")
def hostile_brief(tmp_path_factory):
    """``research brief`` on a client whose imported posts carry script, img and formula payloads."""
    folder = tmp_path_factory.mktemp("hostile-params")
    workspace = tmp_path_factory.mktemp("hostile-workspace")
    lines = [json.dumps(t, ensure_ascii=True) for t in _hostile_tweets()]
    (folder / "tweets.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "hostile.yaml").write_text(
        "client: hostile\n"
        "title: Safe Tea — escaping check\n"
        "timezone: UTC\n"
        "period: {start: 2026-08-01, end: 2026-08-31}\n"
        "brand: {name: Safe Tea, accounts: [{platform: twitter, handle: safetea}]}\n"
        "competitors: [{name: Rival Brew, accounts: [{platform: twitter, handle: rivalbrew}]}]\n"
        "hashtags: [chai]\n"
        "sources: [{import: snscrape-jsonl, path: tweets.jsonl, observed_at: 2026-09-01T00:00:00+00:00}]\n",
        encoding="utf-8",
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "research", "brief", str(folder / "hostile.yaml")]
        + ["--workspace", str(workspace), "--date", DAY.isoformat()],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return workspace / "reports" / "hostile" / DAY.isoformat() / "brief.html"


def test_web_text_is_never_run(browser, hostile_brief):
    page, seen = open_brief(browser, hostile_brief)
    try:
        assert_quiet_and_offline(seen)
        assert page.evaluate("typeof window.__xss") == "undefined"
        assert page.locator('img[src="x"]').count() == 0
        assert not page.evaluate("[...document.scripts].some(s => s.text.includes('__xss'))")
    finally:
        page.close()


def test_web_text_is_shown_as_written(browser, hostile_brief):
    page, _ = open_brief(browser, hostile_brief)
    try:
        text = page.evaluate("document.body.innerText")
        # Exactly what the poster typed: neither run nor shown as "&lt;script&gt;" (Twitter and
        # snscrape send text HTML-escaped; the importer must unescape it once, the brief escape it once).
        assert "&lt;" not in text and "&amp;" not in text
        assert SCRIPT in text and IMG in text
        # Brand posts are shown in the top-posts table of the Content section.
        top = page.locator("#table-top_posts").inner_text()
        assert SCRIPT in top and IMG in top and FORMULA in top
    finally:
        page.close()


def test_formulas_in_web_text_are_neutralised_in_csv_tables(hostile_brief):
    cells = [
        (path.name, cell)
        for path in sorted((hostile_brief.parent / "tables").glob("*.csv"))
        for row in csv.reader(path.open(encoding="utf-8", newline=""))
        for cell in row
        if "HYPERLINK" in cell
    ]
    assert cells, "the formula post should appear in at least one table"
    assert all(cell.startswith("'=HYPERLINK(") for _, cell in cells), cells
    assert "top_posts.csv" in {name for name, _ in cells}
