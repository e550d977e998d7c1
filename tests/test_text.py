"""Language detection and sentiment (research.analyses.text)."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

import pandas as pd
import pytest

from research.analyses.metrics import Period
from research.analyses.text import BASELINE_METHODS, detect_languages, score_sentiment, sentiment_of

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"


def test_detect_languages_restricted_with_fallback():
    texts = pd.Series(
        ["Очень вкусный чай, спасибо!", "यह चाय बहुत अच्छी है", "Best chai in town, see you at 7", "😍😍 https://t.co/x",
         None, "@chaiandco 123 🙂"],
        index=[10, 11, 12, 13, 14, 15],
    )  # fmt: skip
    langs = detect_languages(texts, ["ru", "hi-IN"])
    assert langs.index.tolist() == [10, 11, 12, 13, 14, 15]
    assert langs.tolist()[:3] == ["ru", "hi", "en"]
    assert langs.iloc[3:].isna().all()  # no letters left: no guess
    forced = detect_languages(texts, ["ru", "hi"], fallback=None).iloc[2]
    assert pd.isna(forced) or forced in ("ru", "hi")  # English is not a candidate without the fallback
    with pytest.raises(ValueError, match="xx"):
        detect_languages(texts, ["xx"])


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("I love this chai, best in town!", "en", "positive"),
        ("Worst service ever, cold tea and rude staff", "en", "negative"),
        ("The shop opens at 9", "en", "neutral"),
        ("Order arrived 👎", "en", "negative"),
        ("Отличный сервис, спасибо!", "ru", "positive"),
        ("Связь опять не работает, ужас", "ru", "negative"),
        ("Совсем не плохо", "ru", "positive"),  # negation flips
        ("Нет проблем с доставкой", "ru", "positive"),
        ("Магазин открывается в девять", "ru", "neutral"),
        ("Добрый день, подскажите тариф", "ru", "neutral"),  # a greeting is not praise
        ("Приехал курьер )))", "ru", "positive"),  # Russian smiley
        ("Заказ пришёл 😡", "ru", "negative"),  # emoji-aware
        ("यह चाय बहुत अच्छी है", "hi", "positive"),
        ("यह चाय अच्छी नहीं है", "hi", "negative"),  # Hindi negator follows the word
        ("सेवा बहुत खराब है", "hi", "negative"),
        ("कोई समस्या नहीं", "hi", "positive"),
        ("दुकान नौ बजे खुलती है", "hi", "neutral"),
        ("डिलीवरी आ गई 😍", "hi", "positive"),
    ],
)
def test_baseline_sentiment_per_language(text, lang, expected):
    # VADER and the lexicons stay as the documented baselines of the trained models (tests/test_sentiment.py)
    out = score_sentiment(pd.Series([text]), pd.Series([lang]), method="baseline")
    assert out["sentiment"].iloc[0] == expected
    assert out["method"].iloc[0] == BASELINE_METHODS[lang]


def test_unscored_languages_say_so():
    out = score_sentiment(
        pd.Series(["Me encanta", "???", None], index=[5, 6, 7]),
        pd.Series(["es", None, "en"], index=[5, 6, 7]),
    )
    assert out.index.tolist() == [5, 6, 7]
    assert out["method"].tolist() == ["not scored", "not scored", "linear-en-2"]
    assert out["sentiment"].isna().tolist() == [True, True, False] and out["score"].isna().tolist() == [
        True,
        True,
        False,
    ]
    assert str(out["score"].dtype) == "Float64"


def test_scores_bounded_and_monotone():
    assert -1 <= sentiment_of("ужас ужас ужас ужас ужас кошмар", "ru") < sentiment_of("ужас", "ru") < 0
    assert 0 < sentiment_of("хорошо", "ru") < sentiment_of("очень хорошо", "ru") <= 1


def test_mention_sentiment_finds_negative_stretch():
    from datetime import date, datetime, timedelta

    from research.analyses.text import mention_sentiment
    from research.brands import Brand
    from research.schema import posts_frame

    brands = [Brand("Chai & Co", "client", (("twitter", "chaiandco"),)),
              Brand("Masala Mornings", "competitor", (("twitter", "masalamornings"),))]  # fmt: skip
    good = [
        "@masalamornings lovely chai, thank you!",
        "@masalamornings बहुत अच्छी चाय",
        "Masala Mornings опять отличный чай",
    ]
    bad = [
        "@masalamornings cold chai, worst service 😡",
        "@masalamornings बहुत खराब सेवा",
        "Masala Mornings ужасный сервис",
    ]
    rows = []
    for day in range(30):
        stretch = 14 <= day <= 20
        for k in range(3):
            text = (bad if stretch else good)[k]
            rows.append({"platform": "twitter", "post_id": f"{day}-{k}", "author_id": f"fan{k}",
                         "author_handle": f"fan{k}", "mentions": ["masalamornings"] if "@" in text else [],
                         "created_at": datetime(2026, 9, 1, 6, tzinfo=UTC) + timedelta(days=day), "text": text})  # fmt: skip
    rows.append({"platform": "twitter", "post_id": "own", "author_id": "mm", "author_handle": "masalamornings",
                 "created_at": datetime(2026, 9, 2, tzinfo=UTC), "text": "Masala Mornings is awful? No!"})  # fmt: skip
    posts = posts_frame(rows)
    daily = mention_sentiment(
        posts,
        brands,
        Period(date(2026, 9, 1), date(2026, 9, 30), "Asia/Kolkata"),
        languages=["en", "hi", "ru"],
        freq="day",
    )
    mm = daily[daily["brand"] == "Masala Mornings"].set_index("when")
    assert mm["mentions"].sum() == 90  # the brand's own post is not a mention
    negative_days = mm.index[mm["negative_share"] > 0.5]
    assert list(negative_days) == [date(2026, 9, 1) + timedelta(days=d) for d in range(14, 21)]
    whole = mention_sentiment(
        posts,
        brands,
        Period(date(2026, 9, 1), date(2026, 9, 30), "Asia/Kolkata"),
        languages=["en", "hi", "ru"],
    )
    assert whole.set_index("brand").loc["Masala Mornings", "negative"] == 21
    assert "Chai & Co" not in set(whole["brand"])


def test_demo_negative_stretch(demo):
    from datetime import date

    from research.analyses.text import mention_sentiment

    truth = demo.truth
    stretch = truth["negative_stretch"]
    period = truth["period"]
    # Without the reply brigade (truth 13): its complaints about Kettle Kings are planted apart.
    posts = demo.posts.loc[~demo.posts["author_handle"].isin(truth["brigade"]["members"])]
    daily = mention_sentiment(posts, demo.brands, Period(date.fromisoformat(period["start"]),
                              date.fromisoformat(period["end"]), truth["timezone"]), languages=["en", "hi", "ru"], freq="day")  # fmt: skip
    brand = daily[daily["brand"] == stretch["brand"]]
    inside = brand["when"].between(date.fromisoformat(stretch["start"]), date.fromisoformat(stretch["end"]))
    share_in = brand.loc[inside, "negative"].sum() / brand.loc[inside, "scored"].sum()
    share_out = brand.loc[~inside, "negative"].sum() / brand.loc[~inside, "scored"].sum()
    assert share_in == pytest.approx(stretch["negative_share_in_stretch"], abs=0.12)
    assert share_out < 0.1
    others = daily[daily["brand"] != stretch["brand"]]
    during = others["when"].between(date.fromisoformat(stretch["start"]), date.fromisoformat(stretch["end"]))
    share = lambda rows: rows["negative"].sum() / rows["scored"].sum()  # noqa: E731
    assert share(others[during]) < share(others[~during]) + 0.05 < share_in  # only the planted brand rises
