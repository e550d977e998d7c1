"""Thin and odd data is the normal case: every notebook runs on small degenerate worlds.

Hypothesis builds small markets (no posts, no audience, one account, no edges, nothing in the
previous period, a brand with no posts, a platform without engagement counts, posts with no
author, time or text) and every numbered notebook's code runs on each, in this process
(`research.run.inprocess`: the same calls the brief makes); the brief is then rendered. No cell
may raise, and no text the brief shows may say ``nan``, ``inf``, ``None`` or show a traceback.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from research.brief import render_brief
from research.params import load_params
from research.run.inprocess import run_notebooks
from research.schema import accounts_frame, posts_frame
from research.store import Store, atomic_write_parquet

PERIOD = (date(2026, 9, 1), date(2026, 9, 30))
BRANDS = {"chaiandco": "Chai & Co", "brewbros": "Brew Bros", "teahub": "Tea Hub"}
FANS = ["fan1", "fan2", "fan3", "fan4"]
TEXTS = ["", "Love the chai at @chaiandco #chai", "Ужасный сервис @brewbros", "यह चाय बहुत अच्छी है",
         "Giveaway! Win a mug #contest", "Which place is this?", "🙂", "Brew Bros is awful", "RT @teahub: hi"]  # fmt: skip
BAD = re.compile(r"\b(nan|NaN|inf|None|NaT|<NA>)\b|Traceback")

when = st.one_of(
    st.none(),
    st.integers(min_value=-60, max_value=40).map(
        lambda d: datetime(2026, 9, 1, 10, tzinfo=UTC) + timedelta(days=d, hours=d % 7)
    ),
)
count = st.one_of(st.none(), st.integers(min_value=0, max_value=500))


@st.composite
def post(draw, number: int) -> dict:
    author = draw(st.sampled_from([*BRANDS, *FANS, None]))
    kind = draw(st.sampled_from(["post", "reply", "repost", "quote", "mention"]))
    target = draw(st.sampled_from([*BRANDS, *FANS]))
    row = {
        "platform": draw(st.sampled_from(["twitter", "twitter", "bluesky"])),
        "post_id": str(number),
        "author_id": None if author is None else f"id-{author}",
        "author_handle": author,
        "created_at": draw(when),
        "text": draw(st.one_of(st.none(), st.sampled_from(TEXTS))),
        "lang": draw(st.sampled_from([None, "en", "ru", "hi"])),
        "hashtags": draw(st.lists(st.sampled_from(["chai", "contest", "chai", "pune"]), max_size=2)),
        "mentions": [target] if kind == "mention" else [],
        "media_type": draw(st.sampled_from(["text", "photo", "video", None])),
        "likes": draw(count),
        "reposts": draw(count),
        "replies": draw(count),
        "collected_at": datetime(2026, 10, 2, tzinfo=UTC),
        "source": "test/1",
    }
    if kind in ("reply", "repost", "quote"):
        link = {"reply": "reply_to", "repost": "repost_of", "quote": "quote_of"}[kind]
        row[f"{link}_post_id"] = str(draw(st.integers(min_value=0, max_value=40)))
        row[f"{link}_author_id"] = f"id-{target}"
    return row


@st.composite
def world(draw) -> dict:
    n = draw(st.integers(min_value=0, max_value=25))
    posts = [draw(post(i)) for i in range(n)]
    competitors = draw(st.lists(st.sampled_from(["brewbros", "teahub"]), min_size=0, max_size=2, unique=True))
    followers = draw(st.booleans())
    accounts = [
        {"platform": "twitter", "account_id": f"id-{h}", "handle": h, "followers": draw(count),
         "collected_at": datetime(2026, 10, 2, tzinfo=UTC), "source": "test/1"}
        for h in [*BRANDS, *FANS] if followers
    ]  # fmt: skip
    return {"posts": posts, "accounts": accounts, "competitors": competitors}


def _brief(tmp: Path, w: dict) -> str:
    client = "thin"
    brand = lambda h: {"name": BRANDS[h], "accounts": [{"platform": "twitter", "handle": h}]}  # noqa: E731
    params = {
        "client": client, "title": "Thin market", "timezone": "Asia/Kolkata",
        "period": {"start": PERIOD[0].isoformat(), "end": PERIOD[1].isoformat()},
        "brand": brand("chaiandco"), "competitors": [brand(h) for h in w["competitors"]],
        "hashtags": ["chai"], "languages": ["en", "ru", "hi"],
    }  # fmt: skip
    path = tmp / "params" / f"{client}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(params), encoding="utf-8")
    store = Store(tmp, client)
    atomic_write_parquet(posts_frame(w["posts"]), store.posts_path)
    atomic_write_parquet(accounts_frame(w["accounts"]), store.accounts_path)
    report = tmp / "reports" / client / "2026-10-02"
    run_notebooks({"params_path": str(path), "workspace": str(tmp), "report_dir": str(report),
                   "report_date": "2026-10-02"})  # fmt: skip
    return render_brief(report, load_params(path)).read_text(encoding="utf-8")


def _shown_text(html: str) -> str:
    """What a reader sees: tags, scripts, styles and data URIs removed."""
    html = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", html)
    html = re.sub(r'data:[^"\')\s]+', " ", html)
    return re.sub(r"<[^>]+>", " ", html)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(w=world())
def test_every_notebook_runs_on_a_degenerate_world(tmp_path_factory, w):
    tmp = tmp_path_factory.mktemp("thin")
    text = _shown_text(_brief(tmp, w))
    bad = BAD.findall(text)
    assert not bad, f"the brief shows {sorted(set(map(str, bad)))}"


@pytest.mark.parametrize(
    "name",
    ["no posts", "no audience", "only the previous period", "no edges", "no engagement counts", "no authors"],
)
def test_named_degenerate_worlds(tmp_path, name):
    at = datetime(2026, 9, 10, 9, tzinfo=UTC)
    own = lambda i, **kw: {"platform": "twitter", "post_id": str(i), "author_id": "id-chaiandco",  # noqa: E731
                           "author_handle": "chaiandco", "created_at": at + timedelta(hours=i),
                           "text": "Fresh chai #chai", "likes": 3, "collected_at": at, **kw}  # fmt: skip
    worlds = {
        "no posts": [],
        "no audience": [own(i) for i in range(5)],
        "only the previous period": [own(i, created_at=at - timedelta(days=40)) for i in range(5)],
        "no edges": [own(i) for i in range(3)] + [own(9, author_handle="fan1", author_id="id-fan1")],
        "no engagement counts": [own(i, likes=None) for i in range(4)],
        "no authors": [own(i, author_handle=None, author_id=None) for i in range(4)],
    }
    html = _brief(tmp_path, {"posts": worlds[name], "accounts": [], "competitors": ["brewbros"]})
    shown = " ".join(_shown_text(html).split())
    bad = BAD.findall(shown)
    assert not bad, f"the brief shows {sorted(set(map(str, bad)))}"
    if name in ("no posts", "only the previous period"):  # every empty table says why, in its own words
        assert "No brand has own posts in the period, so there are no posts to rank." in shown
        assert "has no own posts in the period, so there is no baseline" in shown  # no plan from nothing
