"""Generic CSV/XLSX: mapping, recognised layouts, sniffing, refused ids and times."""

from __future__ import annotations

import pytest

from research.sources import detect_format
from research.sources.generic import parse_time
from tests.golden import FIXTURES, check_fixture, normalise_file

HERE = FIXTURES / "generic"
MAPPING = {
    "post_id": "Beitrag",
    "created_at": "Zeitpunkt",
    "author_name": "Kanal",
    "author_handle": "Nutzer",
    "text": "Text",
    "likes": "Gefällt",
    "replies": "Kommentare",
    "url": "Link",
}
CASES = {
    "snscrape_flat.csv": {},
    "troll.csv": {"timezone": "UTC"},
    "troll_538.csv": {"timezone": "America/New_York"},
    "timeline.csv": {"author": "chaiandco"},
    "fb_insights.csv": {},
    "mapped.csv": {"mapping": MAPPING, "timezone": "Europe/Berlin"},
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden(name):
    check_fixture("generic-csv", HERE / name, CASES[name])


@pytest.mark.parametrize("name", sorted(CASES))
def test_recognised(name):
    assert detect_format(HERE / name).name == "generic-csv"


def test_naive_times_need_a_timezone():
    result = normalise_file("generic-csv", HERE / "troll.csv")
    assert result["records"] == 0 and len(result["rejected"]) == 3
    assert "--timezone" in result["rejected"][0]["reason"]


def test_excel_mangled_id_is_refused_and_snowflake_gives_the_time():
    result = normalise_file("generic-csv", HERE / "timeline.csv", {"author": "chaiandco"})
    assert "mangled into a float" in result["rejected"][0]["reason"] and result["rejected"][0]["line"] == 4
    first = result["posts"][0]
    assert first["created_at"].isoformat() == "2021-09-12T10:27:52.825000+00:00"  # from the id, on 12/9/21
    assert first["author_handle"] == "chaiandco"


def test_ids_are_stable_across_imports_and_derived_when_missing():
    one = normalise_file("generic-csv", HERE / "troll.csv", {"timezone": "UTC"})["posts"]
    two = normalise_file("generic-csv", HERE / "troll.csv", {"timezone": "UTC"})["posts"]
    assert [p["post_id"] for p in one] == [p["post_id"] for p in two]
    assert all(p["post_id"].startswith("derived:") for p in one)


def test_semicolon_cp1252_and_mapping():
    posts = normalise_file("generic-csv", HERE / "mapped.csv", CASES["mapped.csv"])["posts"]
    assert posts[0]["text"].startswith("Neuer Chai für März")
    assert posts[0]["platform"] == "instagram"  # from the URLs
    assert posts[0]["created_at"].isoformat() == "2024-03-01T08:00:00+00:00"


def test_unknown_columns_and_bad_mapping_say_what_to_do():
    reason = normalise_file("generic-csv", HERE / "mapped.csv")["rejected"][0]["reason"]
    assert "columns not recognised" in reason and "--map" in reason
    bad = normalise_file("generic-csv", HERE / "mapped.csv", {"mapping": {"text": "Nope"}})["rejected"][0][
        "reason"
    ]
    assert "'Nope' is not in the file" in bad


def test_insights_counts_missing_stay_null():
    posts = normalise_file("generic-csv", HERE / "fb_insights.csv")["posts"]
    assert [p["likes"] for p in posts] == [120, None, 300]
    assert [p["reposts"] for p in posts] == [14, 3, None]


def test_xlsx_with_float_ids_refused(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["id", "date", "text", "url", "likes"])
    sheet.append(
        ["1437000000000000001", "2021-09-12T09:05:00+00:00", "text id kept", "https://x.com/a/status/1", 3]
    )
    sheet.append([1.437e18, "2021-09-12T09:06:00+00:00", "float id", "https://x.com/a/status/2", 4])
    path = tmp_path / "posts.xlsx"
    book.save(path)
    assert detect_format(path).name == "generic-csv"
    result = normalise_file("generic-csv", path)
    assert [p["post_id"] for p in result["posts"]] == ["1437000000000000001"]
    assert result["posts"][0]["likes"] == 3
    assert result["rejected"][0]["line"] == 3 and "mangled" in result["rejected"][0]["reason"]


@pytest.mark.parametrize(
    ("value", "kwargs", "expected"),
    [
        ("13/2/17 10:00", {"timezone": "UTC"}, "2017-02-13T10:00:00+00:00"),
        ("2/13/17 10:00", {"timezone": "UTC"}, "2017-02-13T10:00:00+00:00"),
        ("3/4/17", {"timezone": "UTC", "day_first": True}, "2017-04-03T00:00:00+00:00"),
        (
            "03.04.2017 10:00",
            {"timezone": "UTC", "date_format": "%d.%m.%Y %H:%M"},
            "2017-04-03T10:00:00+00:00",
        ),
        ("1717800000000", {}, "2024-06-07T22:40:00+00:00"),
    ],
)
def test_parse_time(value, kwargs, expected):
    assert parse_time(value, **kwargs).isoformat() == expected


def test_ambiguous_date_is_refused():
    with pytest.raises(ValueError, match="ambiguous"):
        parse_time("3/4/17", timezone="UTC")
