from datetime import UTC, datetime

import pandas as pd
import pytest

from research import schema
from research.errors import SchemaError


def row(**kw):
    base = {"platform": "twitter", "post_id": "1", "created_at": "2026-08-01T10:00:00+05:30", "text": "hi"}
    return base | kw


def test_frame_has_every_column_with_canonical_dtypes():
    df = schema.posts_frame([row(likes=3, hashtags=["chai"])])
    assert list(df.columns) == schema.POST_COLUMNS
    assert str(df["post_id"].dtype) == "string"
    assert str(df["likes"].dtype) == "Int64"
    assert str(df["created_at"].dtype) == "datetime64[us, UTC]"
    # local offsets are converted to UTC, not dropped
    assert df.loc[0, "created_at"] == pd.Timestamp("2026-08-01T04:30:00Z")
    # a count the source did not give is NULL, not 0
    assert df["reposts"].isna().all() and df.loc[0, "likes"] == 3
    assert df.loc[0, "mentions"] == [] and df.loc[0, "hashtags"] == ["chai"]
    assert schema.violations(df) == []


def test_violations_name_the_column_and_row():
    df = schema.posts_frame([row(), row(post_id="2", platform="tiktock"), row(post_id="1")])
    problems = schema.violations(df)
    assert any("column 'platform', row 1: unknown platform" in p for p in problems)
    assert any("column 'post_id', row 2: duplicate key" in p for p in problems)
    with pytest.raises(SchemaError) as e:
        schema.validate(df)
    assert e.value.column in {"platform", "post_id"}
    assert "more" in str(e.value)


def test_violations_catch_negative_counts_and_bad_hashtags():
    df = schema.posts_frame([row(likes=-1, hashtags=["#Chai"])])
    problems = " ".join(schema.violations(df))
    assert "column 'likes', row 0: count is negative" in problems
    assert "column 'hashtags', row 0" in problems


def test_wrong_dtype_is_a_violation():
    df = schema.posts_frame([row()])
    df["likes"] = df["likes"].astype("float64")
    assert schema.violations(df) == ["posts: column 'likes' has dtype float64, expected Int64"]


@pytest.mark.parametrize("value", [5.70306e17, "5.70306E+17", "570306000000000000.0"])
def test_float_ids_are_refused_with_a_sentence(value):
    with pytest.raises(SchemaError, match="float"):
        schema.as_id(value, field="id")


def test_long_integer_ids_keep_every_digit():
    assert schema.as_id(1288987632328826881) == "1288987632328826881"
    assert schema.as_id(" 1288987632328826881 ") == "1288987632328826881"
    assert schema.as_id(None) is None and schema.as_id("") is None


def test_naive_timestamps_are_refused_unless_the_zone_is_declared():
    with pytest.raises(SchemaError, match="no timezone"):
        schema.to_utc("2017-10-01 19:58")
    assert schema.to_utc("2017-10-01 19:58", assume_tz="Europe/Moscow") == datetime(
        2017, 10, 1, 16, 58, tzinfo=UTC
    )
    assert schema.to_utc("2025-12-05T10:16:59.78349200Z").microsecond == 783492
    assert schema.to_utc(0) == datetime(1970, 1, 1, tzinfo=UTC)


def test_parquet_round_trip_keeps_the_contract(tmp_path):
    df = schema.posts_frame([row(hashtags=["chai", "चाय"], post_id="1288987632328826881", likes=0)])
    df.to_parquet(tmp_path / "p.parquet")
    back = schema.conform(pd.read_parquet(tmp_path / "p.parquet"))
    assert back.loc[0, "hashtags"] == ["chai", "चाय"] and isinstance(back.loc[0, "hashtags"], list)
    assert back.loc[0, "post_id"] == "1288987632328826881"
    assert back.loc[0, "likes"] == 0 and pd.isna(back.loc[0, "views"])
    pd.testing.assert_frame_equal(back, df)


def test_schema_doc_is_generated_from_the_declarations():
    from research.cli import schema_markdown

    doc = schema_markdown()
    for column in schema.POSTS + schema.ACCOUNTS:
        assert f"`{column.name}`" in doc and column.doc in doc
