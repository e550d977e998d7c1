"""A brief built from hostile data, with privacy on and a secret in a collector's URL, end to end.

One ``research brief`` (a subprocess, as an operator runs it) on a client whose imported
posts carry ``<script>``, ``javascript:`` URLs, ``"><img onerror>`` attributes, RTL
overrides, a vertical tab, a formula after a bare CR and a hashtag of 1 MB, whose audience
is named in every form a text can spell a handle, and whose Mastodon posts are collected
from a server on 127.0.0.1 through ``RESEARCH_MASTODON_BASE_URL=http://user:password@...``.

Then: headless Chromium opens the brief and the graph view (no script from data runs, no
request leaves the file, no dialog, no console error), and every byte of every output
(data/, reports/ with its executed notebooks, stdout, stderr) is searched for the secrets
and, in reports and terminal output, for the audience's handles and names. Skipped without
``/usr/bin/chromium`` for the browser part only.
"""

from __future__ import annotations

import csv
import html
import io
import json
import os
import re
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest

from tests.faults.harness import ROOT, research_env
from tests.recorded_server import Recorded, RecordedServer, fixture

DAY = date(2026, 10, 5)
PASSWORD = "s3cret-mastodon-pw"  # noqa: S105 - test secrets
APP_PASSWORD = "abcd-efgh-ijkl-mnop"
CHROMIUM = Path("/usr/bin/chromium")
SCRIPT = "<script>window.__xss=1</script>"
ATTRIBUTE = '"><img src=x onerror="window.__xss=2">'
JS_URL = "javascript:window.__xss=3"
FORMULA = '=HYPERLINK("http://evil.example/","claim your prize")'
RTL = "\u202egnp.exe"
HUGE_TAG = "t" * (1 << 20)
AUDIENCE = [
    ("audience_anna_k", "Anna Karenina"),
    ("vronsky_alexei", "Alexei Vronsky"),
    ("levin_kostya", "Konstantin Levin"),
]
STATUSES = "/api/v1/accounts/109312345678901234/statuses"


def user(uid: int, username: str, name: str) -> dict:
    return {"_type": "snscrape.modules.twitter.User", "username": username, "id": uid, "displayname": name,
            "followersCount": 100 + uid % 1000, "friendsCount": 10, "statusesCount": 50,
            "created": "2020-01-01T00:00:00+00:00", "verified": False}  # fmt: skip


def tweet(tid: int, author: dict, when: datetime, text: str, *, likes: int, reply_to=None, links=()) -> dict:
    """A tweet as ``snscrape --jsonl`` writes it: text HTML-escaped, as Twitter sends it."""
    return {"_type": "snscrape.modules.twitter.Tweet", "url": f"https://twitter.com/{author['username']}/status/{tid}",
            "date": when.isoformat(), "rawContent": html.escape(text, quote=False), "id": tid, "user": author, "replyCount": 0,
            "retweetCount": 1, "likeCount": likes, "quoteCount": 0, "lang": "en",
            "links": [{"url": u} for u in links] or None,
            "inReplyToTweetId": reply_to[0] if reply_to else None,
            "inReplyToUser": {"username": reply_to[1]["username"], "id": reply_to[1]["id"]} if reply_to else None,
            "mentionedUsers": [{"username": reply_to[1]["username"], "id": reply_to[1]["id"]}] if reply_to else None}  # fmt: skip


def hostile_tweets() -> list[dict]:
    brand, rival = user(100, "safetea", "Safe Tea"), user(200, "rivalbrew", "Rival Brew")
    fans = [user(1_000 + i, name, f"{full} {ATTRIBUTE}") for i, (name, full) in enumerate(AUDIENCE)]
    day0 = datetime(2026, 9, 1, 9, tzinfo=UTC)
    payloads = [
        FORMULA,
        f"Tea time {SCRIPT} #chai",
        f"new menu {ATTRIBUTE} see {JS_URL} #chai",
        f"download {RTL} and\vwin #chai",
        'thanks all\r=HYPERLINK("http://evil.example")\n@SUM(A1) #chai',
        f"big #{HUGE_TAG} #chai",
        "shout-out to .@audience_anna_k, ＠vronsky_alexei and twitter.com/levin_kostya/status/1 #chai",
    ]
    tweets = []
    for d in range(28):
        when = day0 + timedelta(days=d)
        text = payloads[d % len(payloads)] if d < 12 else f"Fresh chai {d} #chai"
        tweets.append(
            tweet(
                10_000 + d,
                brand,
                when,
                text,
                likes=900 - d * 10 if d < 12 else 20,
                links=[JS_URL] if d == 1 else (),
            )
        )
        tweets.append(
            tweet(20_000 + d, rival, when + timedelta(hours=2), f"Rival special {d} #chai", likes=15)
        )
        for i, fan in enumerate(fans):
            tweets.append(tweet(30_000 + 10 * d + i, fan, when + timedelta(minutes=20 + i),
                                f"@safetea lovely {SCRIPT} by @{fan['username']} https://x.com/{fan['username']}",
                                likes=2, reply_to=(10_000 + d, brand)))  # fmt: skip
    return tweets


@pytest.fixture(scope="module")
def brief(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile-params")
    workspace = tmp_path_factory.mktemp("hostile-workspace")
    (folder / "tweets.jsonl").write_text(
        "\n".join(json.dumps(t) for t in hostile_tweets()) + "\n", encoding="utf-8"
    )
    pages = [fixture("mastodon", f"account_page{n}.json") for n in (1, 2, 3)]
    last = [p[-1]["id"] for p in pages]
    routes = {
        "/api/v1/accounts/lookup?acct=brewbros": [Recorded(fixture("mastodon", "account_lookup.json"))],
        STATUSES: [Recorded(pages[0], headers={"Link": f'<{{base}}{STATUSES}?max_id={last[0]}>; rel="next"'})],
        f"{STATUSES}?max_id={last[0]}": [Recorded(pages[1], headers={"Link": f'<{{base}}{STATUSES}?max_id={last[1]}>; rel="next"'})],
        f"{STATUSES}?max_id={last[1]}": [Recorded(pages[2])],
        "/api/v1/timelines/tag/chai": [Recorded([])],
    }  # fmt: skip
    with RecordedServer(routes) as server:
        (folder / "hostile.yaml").write_text(
            "client: hostile\ntitle: Safe Tea — hostile data\ntimezone: UTC\n"
            "period: {start: 2026-09-01, end: 2026-09-30}\n"
            "brand: {name: Safe Tea, accounts: [{platform: twitter, handle: safetea}]}\n"
            "competitors: [{name: Rival Brew, accounts: [{platform: twitter, handle: rivalbrew}, "
            "{platform: mastodon, handle: brewbros}]}]\n"
            "hashtags: [chai]\nprivacy: {pseudonymize_audience: true}\n"
            "sources:\n"
            "  - {import: snscrape-jsonl, path: tweets.jsonl, observed_at: 2026-10-01T00:00:00+00:00}\n"
            "  - {collect: mastodon, instance: mastodon.example}\n",
            encoding="utf-8",
        )
        env = research_env(
            RESEARCH_MASTODON_BASE_URL=server.url.replace("http://", f"http://safetea:{PASSWORD}@") + "/",
            BLUESKY_APP_PASSWORD=APP_PASSWORD,
        )
        result = subprocess.run(
            [sys.executable, "-m", "research", "brief", str(folder / "hostile.yaml"), "--workspace", str(workspace),
             "--date", DAY.isoformat()],  # fmt: skip
            capture_output=True, text=True, env=env, cwd=ROOT,
        )  # fmt: skip
        assert server.hits and server.hits[0].headers.get("Authorization", "").startswith("Basic ")
    assert result.returncode == 0, result.stderr[-3000:]
    return workspace, workspace / "reports" / "hostile" / DAY.isoformat(), result


def all_bytes(folder: Path) -> list[tuple[Path, bytes]]:
    return [(p, p.read_bytes()) for p in sorted(folder.rglob("*")) if p.is_file()]


def test_no_secret_in_any_output(brief):
    workspace, _, result = brief
    for secret in (PASSWORD, APP_PASSWORD):
        found = [str(p) for p, data in all_bytes(workspace) if secret.encode() in data]
        assert found == [] and secret not in result.stdout + result.stderr, found
    assert "safetea:" not in json.dumps([p for p in (workspace / "data").rglob("*.jsonl")], default=str)


def test_no_audience_handle_or_name_in_reports_or_terminal_output(brief):
    workspace, report, result = brief
    names = [n for pair in AUDIENCE for n in pair] + ["ann@chaos.social"]
    leaks = {
        str(p.relative_to(report)): [n for n in names if n.lower().encode() in data.lower()]
        for p, data in all_bytes(report)
        if any(n.lower().encode() in data.lower() for n in names)
    }
    assert leaks == {}
    assert not [n for n in names if n in result.stdout + result.stderr]
    assert any(p.suffix == ".ipynb" for p, _ in all_bytes(report))  # the executed notebooks were searched


def test_no_table_cell_runs_as_a_formula_and_every_xlsx_opens(brief):
    _, report, _ = brief
    csv.field_size_limit(1 << 24)
    formulas = ("=", "+", "-", "@", "\t", "\uff1d", "\uff0b", "\uff0d", "\uff20")
    for path in sorted((report / "tables").glob("*.csv")):
        raw = path.read_bytes().decode("utf-8")
        pieces = [cell.lstrip('"') for line in re.split(r"\r\n|\r|\n", raw) for cell in line.split(",")]
        assert [p for p in pieces if p.startswith(formulas)] == [], path.name
        list(csv.reader(io.StringIO(raw, newline="")))
    hyperlinks = [(path.name, cell) for path in sorted((report / "tables").glob("*.csv"))
                  for row in csv.reader(path.open(encoding="utf-8", newline="")) for cell in row if "HYPERLINK" in cell]  # fmt: skip
    assert "top_posts.csv" in {name for name, _ in hyperlinks}
    # Where the hostile text starts a cell or a line of it, it is neutralised; quoted inside a
    # sentence ("… “=HYPERLINK(…)” …") it is text to any spreadsheet.
    assert any(cell.startswith("'=HYPERLINK(") for name, cell in hyperlinks if name == "top_posts.csv")
    assert [c for _, c in hyperlinks if re.search(r"(?:^|[\r\n])=HYPERLINK\(", c)] == [], hyperlinks
    for path in sorted((report / "tables").glob("*.xlsx")):
        openpyxl.load_workbook(path)  # a vertical tab made openpyxl refuse the whole report
    widths = {
        p.name: int.from_bytes(p.read_bytes()[16:20], "big") for p in (report / "figures").glob("*.png")
    }
    assert widths and max(widths.values()) < 3_000, widths  # a 1 MB hashtag made one 8 Mpx wide


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (CI installs chromium in .ci/run)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs the 'playwright' package (dev extra)")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox", "--disable-gpu",
                                     "--disable-background-networking", "--no-first-run"])  # fmt: skip
        yield chromium
        chromium.close()


OWN_DOWNLOAD = "data:text/csv;charset=utf-8;base64,"  # the brief's own table downloads


@pytest.mark.parametrize("page_name", ["brief.html", "graph.html"])
def test_hostile_text_runs_no_script_and_makes_no_request(brief, browser, page_name):
    _, report, _ = brief
    path = report / page_name
    page = browser.new_page()
    seen = {"requests": [], "dialogs": [], "errors": [], "console": []}
    page.on("request", lambda r: seen["requests"].append(r.url))
    page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.on("console", lambda m: seen["console"].append(m.text) if m.type == "error" else None)
    try:
        page.goto(path.resolve().as_uri(), wait_until="load")
        page.wait_for_load_state("networkidle")
        for link in page.locator("a").all()[:200]:  # no link from data points anywhere but http(s)
            href = link.get_attribute("href") or ""
            if link.get_attribute("download") and href.startswith(OWN_DOWNLOAD):
                continue  # the brief's own table download, built from the (formula-safe) CSV file
            assert not href.lower().lstrip().startswith(("javascript:", "data:", "vbscript:")), href
        assert page.evaluate("typeof window.__xss") == "undefined"
        assert page.locator('img[src="x"]').count() == 0
        text = page.evaluate("document.body.innerText")
        top = page.locator("#table-top_posts").inner_text() if page_name == "brief.html" else ""
    finally:
        page.close()
    assert seen["dialogs"] == [] and seen["errors"] == [] and seen["console"] == []
    assert [u for u in seen["requests"] if u != path.resolve().as_uri() and not u.startswith("data:")] == []
    if page_name == "brief.html":
        # Exactly what the poster typed: neither run nor shown as "&lt;script&gt;" (Twitter and
        # snscrape send text HTML-escaped; the importer unescapes it once, the brief escapes it once).
        assert "&lt;" not in text and "&amp;" not in text
        assert SCRIPT in text and ATTRIBUTE in text and RTL in text
        assert SCRIPT in top and ATTRIBUTE in top and FORMULA in top  # the brand's top posts, shown
        assert os.path.getsize(path) < 5_000_000  # the 1 MB hashtag is cut in the brief
