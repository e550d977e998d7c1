"""Format recognition: every fixture and every corpus file is recognised as its format."""

from __future__ import annotations

import pytest

from research.errors import FormatError
from research.sources import FORMATS, detect_format
from tests.golden import CORPUS, FIXTURES

FIXTURE_FORMATS = {
    "twitter/twarc2_pages.jsonl": "twarc2-jsonl",
    "twitter/twarc2_flat.jsonl": "twarc2-jsonl",
    "twitter/twarc2_page.json": "twarc2-jsonl",
    "snscrape/other_platforms.jsonl": "snscrape-jsonl",
    "telegram/result.json": "telegram-export",
    "reddit/thread.json": "reddit-json",
    "facebook/facebook_scraper.csv": "facebook-scraper-csv",
    "zeeschuimer/items.ndjson": "zeeschuimer-ndjson",
    "fourcat/items.ndjson": "fourcat-ndjson",
    "fourcat/export.csv": "fourcat-csv",
    "generic/snscrape_flat.csv": "generic-csv",
    "generic/troll.csv": "generic-csv",
    "generic/timeline.csv": "generic-csv",
    "generic/fb_insights.csv": "generic-csv",
    "generic/mapped.csv": "generic-csv",
}
CORPUS_FORMATS = {
    "snscrape-jsonl/ssr_2020-07-30_text-query-tweets.jsonl": "snscrape-jsonl",
    "snscrape-jsonl/covid_2021-02-19_multilingual.jsonl": "snscrape-jsonl",
    "snscrape-jsonl/covid_2021-03-19_multilingual.jsonl": "snscrape-jsonl",
    "twarc2-api-v2-jsonl/twarc-network/blm_2021-06-26_tweets.jsonl": "twarc2-jsonl",
    "twarc2-api-v2-jsonl/2sets.jsonl": "twarc2-jsonl",
    "twarc2-api-v2-jsonl/flat.jsonl": "twarc2-jsonl",
    "twarc2-api-v2-jsonl/users.jsonl": "twarc2-jsonl",
    "twarc2-api-v2-jsonl/counts.jsonl": "twarc2-jsonl",
    "twarc2-api-v2-jsonl/tweets_compliance.jsonl": "twarc2-jsonl",
    "twarc2-api-v2-jsonl/streaming_output_with_error.jsonl": "twarc2-jsonl",
    "twarc2-api-v2-jsonl/twitwi/payload-v2.json": "twarc2-jsonl",
    "twarc2-api-v2-jsonl/twitwi/alternative-payload-v2.json": "twarc2-jsonl",
    "reddit-thread-raw-json/austinfood_1g1dspf_best_special_in_austin.json": "reddit-json",
    "facebook-scraper-straitstimes/the_straits_times_fb.csv": "facebook-scraper-csv",
    "facebook-brand-page-metrics-uci/dataset_Facebook.csv": "generic-csv",
    "facebook-brand-page-metrics-uci/dataset_Facebook_rsw0-semicolon-renamed-headers.csv": "generic-csv",
    "netball-teams-competitor/somethingAboutRiddlesAndFruit_teamTweets.csv": "generic-csv",
    "netball-teams-competitor/somethingAboutRiddlesAndFruit.csv": "generic-csv",
    "indian-politician-tweets-hindi/tweets.csv": "generic-csv",
    "russian-troll-tweets-sample/tweets/10_gop.csv": "generic-csv",
}


@pytest.mark.parametrize("name", sorted(FIXTURE_FORMATS))
def test_fixture_recognised(name):
    assert detect_format(FIXTURES / name).name == FIXTURE_FORMATS[name]


@pytest.mark.parametrize("name", sorted(CORPUS_FORMATS))
def test_corpus_recognised(name):
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not present (it is not part of a fresh clone)")
    assert detect_format(CORPUS / name).name == CORPUS_FORMATS[name]


def test_unknown_file_lists_known_formats(tmp_path):
    path = tmp_path / "notes.md"
    path.write_text("# Meeting notes\n\nNothing tabular here.\n")
    with pytest.raises(FormatError) as caught:
        detect_format(path)
    message = str(caught.value)
    assert "not recognised" in message and "--format" in message
    assert all(name in message for name in FORMATS)


def test_empty_file_is_one_sentence(tmp_path):
    path = tmp_path / "empty.json"
    path.write_bytes(b"")
    with pytest.raises(FormatError, match="empty"):
        detect_format(path)


def test_every_format_has_a_reads_text():
    for fmt in FORMATS.values():
        assert fmt.reads and len(fmt.reads) < 160, fmt.name


@pytest.mark.parametrize(
    "module", ["twitter", "snscrape", "telegram", "reddit", "facebook", "zeeschuimer", "fourcat", "generic"]
)
def test_importer_doctests(module):
    # Run here, on the registered modules: collecting them again as files would register twice.
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(f"research.sources.{module}"))
    assert result.failed == 0
