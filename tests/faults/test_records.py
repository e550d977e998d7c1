"""One odd record is set aside, never fatal; a normaliser's bug is never set aside.

Property: take each golden fixture record of each import format and mutate it (random
subtrees replaced by None, numbers huge and odd, strings with lone surrogates and control
characters, lists, empty dicts, deep nesting). Normalising the mutated record, as an import
does (`research.sources.ingest.normalise`), either keeps it with rows of the canonical Arrow
schema or sets it aside with a reason; it never raises. Since TypeError and AttributeError
are not data errors, this holds only if every normaliser turns data of the wrong shape into
a data error (ValueError, KeyError, IndexError, SchemaError, RecordError).

Then the values from the issue, one per record in a batch of good ones: each is set aside
with its line and the others kept.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from research import schema
from research.errors import SchemaError
from research.sources import get_format, ingest
from research.sources.base import Context, Record
from research.sources.ingest import RECORD_ERRORS
from tests.faults.harness import tweet
from tests.golden import FIXTURES

# (format, fixture, options): every golden fixture of every import format.
GOLDEN = [
    ("snscrape-jsonl", "snscrape/other_platforms.jsonl", {}),
    ("twarc2-jsonl", "twitter/twarc2_flat.jsonl", {}),
    ("twarc2-jsonl", "twitter/twarc2_page.json", {}),
    ("twarc2-jsonl", "twitter/twarc2_pages.jsonl", {}),
    ("bluesky-json", "bluesky/author_feed_page1.json", {}),
    ("bluesky-json", "bluesky/search_page1.json", {}),
    ("mastodon-api-json", "mastodon/statuses.json", {}),
    ("reddit-json", "reddit/thread.json", {}),
    ("facebook-scraper-csv", "facebook/facebook_scraper.csv", {}),
    ("telegram-export", "telegram/result.json", {"channel": "ChaiAndCo", "timezone": "Asia/Kolkata"}),
    ("zeeschuimer-ndjson", "zeeschuimer/items.ndjson", {}),
    ("fourcat-ndjson", "fourcat/items.ndjson", {}),
    ("fourcat-csv", "fourcat/export.csv", {}),
    ("generic-csv", "generic/snscrape_flat.csv", {}),
    ("generic-csv", "generic/troll.csv", {"timezone": "UTC"}),
    ("generic-csv", "generic/timeline.csv", {"author": "chaiandco"}),
    ("generic-csv", "generic/fb_insights.csv", {}),
    ("instaloader-json", "instagram/2026-09-23_08-00-00_UTC.json", {}),
    ("instaloader-json", "instagram/2026-09-23_08-00-00_UTC_comments.json", {}),
    ("vk-api-json", "vk/wall_page1.json", {}),
    ("vk-api-json", "vk/comments_140.json", {}),
    ("yt-dlp-json", "youtube/chaiVideo05.info.json", {}),
    ("youtube-api-json", "youtube/api/videos_page1.json", {}),
    ("youtube-api-json", "youtube/api/threads_v05_page1.json", {}),
    ("youtube-api-json", "youtube/api/channels.json", {}),
]
CLOCK = datetime(2030, 1, 1, tzinfo=UTC)


def test_every_import_format_has_records_to_mutate():
    # A format added without a line here would escape the property test below.
    from research import sources

    assert {name for name, _, _ in GOLDEN} == set(sources.FORMATS)


def seeds(fmt_name: str, fixture: str, options: dict) -> list:
    fmt = get_format(fmt_name)
    records = [item.data for item in fmt.read(FIXTURES / fixture, options) if isinstance(item, Record)]
    if fmt_name == "snscrape-jsonl":
        records.append(tweet(1))  # the fixture has no Twitter item
    return records


def paths(value, prefix=()):
    """Every place in a record a subtree can be replaced, the record itself included."""
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from paths(v, (*prefix, i))


def replaced(record, path, value):
    if not path:
        return value
    parent = record
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = value
    return record


def depth(value) -> int:
    """How deep a record nests (without recursing: records may nest thousands deep)."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        if isinstance(node, dict):
            stack += [(v, level + 1) for v in node.values()]
        elif isinstance(node, list):
            stack += [(v, level + 1) for v in node]
    return deepest


def deep(depth: int):
    value: object = "bottom"
    for _ in range(depth):
        value = [value]
    return value


TEXT = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["\ud800", "a\udfffb", "\x00", "\x0b", "\u202e", "=1+1", "1e20", "NaN", "Infinity", "yes",
                     "9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00", "2026-13-45", "", " ", "@", "#"]),
)  # fmt: skip
NUMBERS = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, -1, 2**63, 10**30, 1e20, 1e30, 1e300, -1e300, 0.5]),
    st.floats(allow_nan=True, allow_infinity=True),
)
LEAVES = st.one_of(st.none(), st.booleans(), NUMBERS, TEXT)
VALUES = st.one_of(
    LEAVES,
    st.builds(deep, st.sampled_from([3, 50, 1200])),
    st.just({}),
    st.just([]),
    st.lists(LEAVES, max_size=3),
    st.dictionaries(
        st.sampled_from(["id", "text", "user", "date", "created_at", "url", "x"]), LEAVES, max_size=3
    ),
)


def _normalise_one(fmt, ctx, record):
    before = json.dumps(record, default=repr) if depth(record) < 500 else None
    try:  # the normaliser itself: rows, or a data error; never TypeError, AttributeError...
        fmt.normalize(record, ctx)
    except RECORD_ERRORS:
        pass
    batch = ingest.normalise(fmt, ctx, [Record(1, record)])
    assert before is None or json.dumps(record, default=repr) == before, "the normaliser mutated its record"
    assert batch.records + len(batch.rejected) == 1
    assert batch.posts.schema.equals(schema.arrow_schema("posts"))
    assert batch.accounts.schema.equals(schema.arrow_schema("accounts"))
    return batch


@pytest.mark.parametrize(
    ("fmt_name", "fixture", "options"), GOLDEN, ids=[f"{g[0]}:{Path(g[1]).name}" for g in GOLDEN]
)
def test_a_mutated_record_is_kept_or_set_aside_never_fatal(fmt_name, fixture, options):
    fmt = get_format(fmt_name)
    ctx = Context(fmt.source, CLOCK, options)
    # The fixtures' own bad records (kept there to test refusals) are no seeds.
    records = [
        r for r in seeds(fmt_name, fixture, options) if _normalise_one(fmt, ctx, copy.deepcopy(r)).records
    ]
    assert records

    @settings(max_examples=40, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])  # fmt: skip
    @given(data=st.data())
    def mutated(data):
        record = json.loads(json.dumps(data.draw(st.sampled_from(records))))  # a copy (deepcopy: recursion)
        for _ in range(data.draw(st.integers(1, 3))):
            where = data.draw(st.sampled_from(list(paths(record))))
            record = replaced(record, where, data.draw(VALUES))
        _normalise_one(fmt, ctx, record)

    mutated()


def test_type_and_attribute_errors_of_a_normaliser_are_bugs_that_stop_the_import():
    assert TypeError not in RECORD_ERRORS and AttributeError not in RECORD_ERRORS
    fmt = get_format("mastodon-api-json")

    def buggy(record, ctx):
        return record.no_such_method()

    with pytest.raises(AttributeError):
        ingest.normalise(
            type(fmt)(**{**fmt.__dict__, "normalize": buggy}), Context(fmt.source, CLOCK), [Record(1, {})]
        )


ODD = {
    "date 1e20": {"date": 1e20},
    "date 1e300": {"date": 1e300},
    "date in year 10000 in UTC": {"date": "9999-12-31T23:59:59-12:00"},
    "count Infinity": {"likeCount": float("inf")},
    "count 1e30": {"likeCount": 1e30},
    "count 2**64": {"retweetCount": 2**64},
    "lone surrogate": {"rawContent": "tea \ud800 time"},
    "verified yes": {"user": {**tweet(1)["user"], "verified": "yes"}},
    "nested 1,500 deep": {"rawContent": deep(1500)},
}


@pytest.mark.parametrize("case", sorted(ODD))
def test_each_odd_value_of_the_issue_sets_aside_its_record_and_only_it(case, tmp_path):
    from research.store import Store

    lines = [json.dumps(tweet(n)) for n in range(1, 6)]
    odd = tweet(3) | ODD[case]
    try:
        lines[2] = json.dumps(odd)
    except RecursionError:  # the standard library cannot even write it: write it by hand
        lines[2] = json.dumps(tweet(3)).replace(
            '"rawContent": "tweet 3 #chai @brewbros"', '"rawContent": ' + "[" * 1500 + "]" * 1500
        )
    path = tmp_path / "odd.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", errors="surrogatepass")
    report = Store(tmp_path / "ws", "cafe").import_file(path, "snscrape-jsonl")
    assert (report.records, [r.line for r in report.rejected]) == (4, [3])
    assert report.posts_total == 4


def test_a_value_no_column_can_hold_names_the_column():
    values = schema.row_values("posts")
    row = values({"platform": "twitter", "post_id": "1", "text": "a\ud800"})
    with pytest.raises(
        SchemaError, match=r"^text: 'a\\ud800' cannot be stored as string \(UnicodeEncodeError\)$"
    ):
        schema.record_table([row], "posts")
