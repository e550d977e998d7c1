"""The interaction graph of real files, checked against an independent count from the raw JSON.

The files are imported with the project's own importers (``Store.import_file``) and the
graph built from the canonical tables; the expected nodes and edges are computed here
from the raw twarc2 pages and the raw Reddit listing with plain loops, following the
definitions in ``research.analyses.graph.interactions`` (target = author of the referenced post;
a mention of the post's own reply/repost/quote target is not counted again; self-loops
and unknown accounts dropped). The corpus is read in place and never copied.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path

import networkx as nx
import pytest

from research.analyses.graph import KINDS, interaction_graph
from research.analyses.graph.communities import detect_communities, set_communities
from research.brief.graph_export import write_gexf
from research.store import Store

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
SPECS = Path(__file__).resolve().parents[1].parent / "shared" / "specs"
TWARC = "twarc2-api-v2-jsonl/twarc-network/blm_2021-06-26_tweets.jsonl"
REDDIT = "reddit-thread-raw-json/austinfood_1g1dspf_best_special_in_austin.json"

pytestmark = pytest.mark.skipif(
    not CORPUS.is_dir(), reason=f"real-data corpus not found at {CORPUS} (it sits beside the project in CI)"
)


def imported(tmp_path: Path, relative: str):
    store = Store(tmp_path, "corpus")
    store.import_file(CORPUS / relative, observed_at=datetime(2024, 1, 1, tzinfo=UTC))
    return store.posts(), store.accounts()


class Expected:
    """Interactions counted by hand: ``edges[kind][(source, target)] = count``."""

    def __init__(self, platform: str):
        self.platform = platform
        self.edges: dict[str, Counter] = defaultdict(Counter)

    def add(self, source: str | None, kind: str, target: str | None) -> None:
        if source and target and source != target:
            self.edges[kind][(source, target)] += 1

    def post(self, source: str | None, links: dict[str, str | None], mentions: list[str]) -> None:
        for kind, target in links.items():
            self.add(source, kind, target)
        for handle in dict.fromkeys(m.lower() for m in mentions):
            target = f"{self.platform}:{handle}"
            if target not in links.values():
                self.add(source, "mention", target)

    def nodes(self) -> set[str]:
        return {n for counter in self.edges.values() for pair in counter for n in pair}

    def check(self, G: nx.DiGraph) -> None:
        assert set(G) == self.nodes()
        union = {pair for counter in self.edges.values() for pair in counter}
        assert set(G.edges) == union
        for kind in KINDS:
            got = {(u, v): d[kind] for u, v, d in G.edges(data=True) if d[kind]}
            assert got == dict(self.edges[kind]), kind
        assert all(d["weight"] == sum(d[k] for k in KINDS) for *_, d in G.edges(data=True))


def twarc_expected() -> Expected:
    pages = [json.loads(line) for line in (CORPUS / TWARC).open(encoding="utf-8") if line.strip()]
    users = {u["id"]: u["username"].lower() for p in pages for u in p.get("includes", {}).get("users", [])}
    tweets = {}
    for page in pages:
        for tweet in [*page["data"], *page.get("includes", {}).get("tweets", [])]:
            if tweet.get("text") is not None and tweet.get("created_at"):
                tweets.setdefault(tweet["id"], tweet)
    by_name = {name: uid for uid, name in users.items()}

    def key(user_id: str | None) -> str | None:
        if user_id is None:
            return None
        return f"twitter:{users[user_id]}" if user_id in users else f"twitter:id:{user_id}"

    def author_of(tweet_id: str) -> str | None:
        return tweets[tweet_id]["author_id"] if tweet_id in tweets else None

    expected = Expected("twitter")
    for tweet in tweets.values():
        refs = {r["type"]: r["id"] for r in tweet.get("referenced_tweets", [])}
        reply = tweet.get("in_reply_to_user_id") or (
            author_of(refs["replied_to"]) if "replied_to" in refs else None
        )
        repost = None
        if "retweeted" in refs:
            repost = author_of(refs["retweeted"])
            named = re.match(r"RT @(\w+):", tweet["text"])
            if repost is None and named:  # the original was not expanded: "RT @name:" names its author
                repost = by_name.get(named.group(1).lower())
        quote = author_of(refs["quoted"]) if "quoted" in refs else None
        links = {"reply": key(reply), "repost": key(repost), "quote": key(quote)}
        mentions = [m["username"] for m in tweet.get("entities", {}).get("mentions", [])]
        expected.post(key(tweet["author_id"]), links, mentions)
    return expected


def reddit_expected() -> Expected:
    listing = json.loads((CORPUS / REDDIT).read_text(encoding="utf-8"))
    things = []

    def walk(children):
        for child in children:
            if child["kind"] in ("t3", "t1"):
                things.append(child["data"])
                replies = child["data"].get("replies")
                if replies:
                    walk(replies["data"]["children"])

    for part in listing:
        walk(part["data"]["children"])
    author = {
        t["name"]: (None if t["author"] in ("[deleted]", "[removed]") else t["author"].lower())
        for t in things
    }
    key = lambda handle: f"reddit:{handle}" if handle else None  # noqa: E731
    expected = Expected("reddit")
    for t in things:
        text = t.get("body") or f"{t.get('title', '')}\n\n{t.get('selftext', '')}"
        mentions = re.findall(r"(?<![\w/])/?u/([A-Za-z0-9_-]{3,20})", text)
        links = {"reply": key(author.get(t.get("parent_id"))), "repost": None, "quote": None}
        expected.post(key(author[t["name"]]), links, mentions)
    return expected


def test_twarc_network_file(tmp_path):
    posts, accounts = imported(tmp_path, TWARC)
    G = interaction_graph(posts, accounts)
    expected = twarc_expected()
    expected.check(G)
    # The README says 367 of the 500 tweets are retweets; 21 of them retweet the author's own
    # tweet, which is no interaction between accounts.
    pages = [json.loads(line) for line in (CORPUS / TWARC).open(encoding="utf-8")]
    originals = {t["id"]: t["author_id"] for p in pages for t in p["includes"]["tweets"]}
    retweets = [
        (t, r["id"])
        for p in pages
        for t in p["data"]
        for r in t.get("referenced_tweets", [])
        if r["type"] == "retweeted"
    ]
    own = sum(originals[ref] == t["author_id"] for t, ref in retweets)
    assert (len(retweets), own) == (367, 21)
    assert sum(d["repost"] for *_, d in G.edges(data=True)) == 367 - 21
    assert len(G) > 401 and G.number_of_edges() > 400


def test_reddit_thread(tmp_path):
    posts, accounts = imported(tmp_path, REDDIT)
    G = interaction_graph(posts, accounts)
    expected = reddit_expected()
    expected.check(G)
    # Reddit has no reposts or quotes
    assert {k for k, c in expected.edges.items() if c} <= {"reply", "mention"}
    assert sum(expected.edges["reply"].values()) > 150
    assert len(G) <= 104  # distinct comment authors, "[deleted]" not an account


def test_gexf_of_a_real_file_validates_and_opens(tmp_path):
    etree = pytest.importorskip("lxml.etree", reason="validating GEXF needs lxml")
    xsd = SPECS / "gexf-1.2draft" / "gexf.xsd"
    if not xsd.is_file():
        pytest.skip(f"GEXF schema not found at {xsd}")
    posts, accounts = imported(tmp_path, TWARC)
    G = interaction_graph(posts, accounts)
    set_communities(G, detect_communities(G))
    path = write_gexf(G, tmp_path / "blm.gexf")
    schema = etree.XMLSchema(etree.parse(str(xsd)))
    assert schema.validate(etree.parse(str(path))), schema.error_log
    back = nx.read_gexf(path)
    assert back.number_of_nodes() == len(G) and back.number_of_edges() == G.number_of_edges()
    assert sum(d["repost"] for *_, d in back.edges(data=True)) == sum(
        d["repost"] for *_, d in G.edges(data=True)
    )
