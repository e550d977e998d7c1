import textwrap
from datetime import date

import pytest

from research.errors import ParamsError
from research.params import load_params

GOOD = """
client: cafe
title: "Café — research"
timezone: Asia/Kolkata
period: {start: 2026-08-01, end: 2026-10-29}
brand:
  name: Chai & Co
  accounts: [{platform: twitter, handle: "@ChaiAndCo"}]
competitors:
  - name: Brew Bros
    accounts: [{platform: twitter, handle: brewbros}, {platform: bluesky, handle: brewbros.bsky.social}]
hashtags: ["#Chai", chai, punefood]
sources:
  - {import: snscrape-jsonl, path: data/x.jsonl}
"""


def write(tmp_path, text):
    path = tmp_path / "client.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_valid_params_load_with_brands_and_resolved_paths(tmp_path):
    params = load_params(write(tmp_path, GOOD))
    assert [b.name for b in params.brands()] == ["Chai & Co", "Brew Bros"]
    assert params.brands()[0].accounts == (("twitter", "chaiandco"),)
    assert params.hashtags == ["chai", "punefood"]
    assert params.period.bounds() == (date(2026, 8, 1), date(2026, 10, 29))
    assert params.resolve(params.source_specs()[0].path) == tmp_path / "data" / "x.jsonl"


def test_last_days_period_ends_yesterday(tmp_path):
    params = load_params(
        write(tmp_path, GOOD.replace("{start: 2026-08-01, end: 2026-10-29}", "{last_days: 90}"))
    )
    assert params.period.bounds(today=date(2026, 11, 26)) == (date(2026, 8, 28), date(2026, 11, 25))


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("platform: bluesky", "platform: tiktock"),
            "competitors[0].accounts[1].platform: 'tiktock' is not a known platform",
        ),
        (("hashtags:", "hashtag:"), "hashtag: unknown key (allowed here: client, title"),
        (
            ("  - name: Brew Bros", "  - nme: Brew Bros"),
            "competitors[0].nme: unknown key (allowed here: name, accounts, aliases)",
        ),
        (
            ("timezone: Asia/Kolkata", "timezone: India/Pune"),
            "timezone: 'India/Pune' is not an IANA timezone",
        ),
        (("client: cafe", "client: Café Chain"), "client: 'Café Chain' is not a slug"),
        (("end: 2026-10-29", "end: 2026-07-01"), "period: end 2026-07-01 is before start 2026-08-01"),
        (
            ("import: snscrape-jsonl", "import: snscrape-json"),
            "sources[0].import: 'snscrape-json' is not a known import format",
        ),
        (("path: data/x.jsonl", "pth: data/x.jsonl"), "sources[0].pth: unknown key"),
        (("title:", "api_token: abc\ntitle:"), "api_token: looks like a secret"),
    ],
)
def test_errors_are_one_sentence_naming_file_and_key(tmp_path, change, expected):
    path = write(tmp_path, GOOD.replace(*change))
    with pytest.raises(ParamsError) as e:
        load_params(path)
    message = str(e.value)
    assert message.startswith(f"{path}: ")
    assert expected in message
    assert "\n" not in message


def test_secret_nested_in_a_source_is_refused(tmp_path):
    path = write(tmp_path, GOOD.replace("path: data/x.jsonl}", "path: data/x.jsonl, cookie: abc}"))
    with pytest.raises(ParamsError, match=r"sources\[0\]\.cookie: looks like a secret.*environment variable"):
        load_params(path)


def test_missing_file_and_bad_yaml(tmp_path):
    with pytest.raises(ParamsError, match="no such params file"):
        load_params(tmp_path / "nope.yaml")
    with pytest.raises(ParamsError, match="not valid YAML at line"):
        load_params(write(tmp_path, "client: [unclosed\n"))


def test_bundled_demo_params_are_valid():
    from research.cli import DEMO_PARAMS

    params = load_params(DEMO_PARAMS)
    assert params.client == "demo" and len(params.competitors) >= 3
    assert len(params.platforms()) >= 2
