"""Brand names found the way people write them: inflected, aliased, as whole words."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pandas as pd
import pytest

from research.analyses.competitors import brand_mentions
from research.analyses.names import names_in
from research.brands import Brand
from research.sources.base import mentions_in
from tests.golden import CORPUS

TELECOM = CORPUS / "sentirueval2016-ru-telecom" / "tkk_test_etalon.xml"
# What an analyst would write in params for each operator: the name, aliases and accounts.
OPERATORS = {
    "beeline": ("Билайн", ["Beeline", "Вымпелком", "Vimpelcom"], ["beeline_rus", "beeline"]),
    "mts": ("МТС", ["MTS"], ["ru_mts", "mts", "mts_support"]),
    "megafon": ("Мегафон", ["Megafon", "мгф"], ["megafonru", "megafonhelp"]),
    "tele2": ("Теле2", ["Tele2", "Теле 2", "Tele 2"], ["tele2russia", "tele2"]),
    "rostelecom": ("Ростелеком", ["Rostelecom"], ["rostelecom_news", "rostelecom"]),
}


@pytest.mark.parametrize(
    ("text", "name", "found"),
    [
        ("Опять у МТСа нет связи", "МТС", True),
        ("Звонил в МТС-у, бесполезно", "МТС", True),
        ("Перешёл с Билайна на Мегафон", "Билайн", True),
        ("Спасибо Сбербанку за кэшбэк", "Сбербанк", True),
        ("новости газеты", "Газета", True),
        ("Мегафоновский тариф", "Мегафон", False),  # another word, not the name
        ("Costa’s flat white", "Costa", True),
        ("teahubby is not Tea Hub", "Tea Hub", True),
        ("teahubby", "Tea Hub", False),
        ("जियो का नेटवर्क", "जियो", True),
        ("smartsbank", "Sbank", False),
    ],
)
def test_names_are_found_inflected_and_only_as_whole_words(text, name, found):
    assert names_in(pd.Series([text]), [name]).tolist() == [found]


@pytest.fixture(scope="module")
def telecom():
    if not TELECOM.is_file():
        pytest.skip(f"{TELECOM} is absent (a fresh clone has no ../shared/corpus)")
    rows = [
        {c.get("name"): c.text or "" for c in t.findall("column")}
        for t in ET.parse(TELECOM).getroot().iter("table")
    ]
    return pd.DataFrame(rows)


def test_brand_mention_recall_on_russian_telecom_tweets(telecom):
    """Gold columns say which operators each of 2,247 tweets is about; we must find them."""
    posts = pd.DataFrame(
        {
            "platform": "twitter",
            "text": telecom["text"],
            "mentions": telecom["text"].map(lambda t: mentions_in(t, "twitter")),
        }
    )
    brands = [
        Brand(name, "competitor", tuple(("twitter", h) for h in handles))
        for name, _, handles in OPERATORS.values()
    ]
    aliases = {name: names for name, names, _ in OPERATORS.values()}
    hits = brand_mentions(posts, brands, aliases=aliases)
    exact = {name: telecom["text"].str.contains(name, regex=False) for name, _, _ in OPERATORS.values()}
    for operator, (name, _, _) in OPERATORS.items():
        gold = telecom[operator].isin(["-1", "0", "1"])
        recall = (hits[name] & gold).sum() / gold.sum()
        precision = (hits[name] & gold).sum() / hits[name].sum()
        # Measured: recall 0.94-0.98, precision 1.00 (the exact name alone: 0.39-0.94).
        assert recall >= 0.9 and precision >= 0.95, (operator, recall, precision)
        assert recall > (exact[name] & gold).sum() / gold.sum()
