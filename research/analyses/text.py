"""Language detection and sentiment of short social texts, offline.

Language
    lingua-language-detector (its models ship inside the wheel), restricted to
    the client's languages plus a fallback (English by default): restricting the
    candidates is what makes detection reliable on 5-word posts. Links,
    @handles and ``#`` are removed first; a text with no letters left (emoji
    only, a bare link) gets NA rather than a guess. When a third or more of the
    letters are non-Latin, Latin words (brand names) are dropped before detecting.

Sentiment, by default, comes from the trained models of ``research.analyses.sentiment``
(one linear model per language: en, ru, hi in Devanagari, Hinglish; measured figures in
``METHOD_NOTE`` and the models' ``MODEL_CARD.md``). The methods below are kept as the
documented baselines they replaced (``score_sentiment(..., method="baseline")``; ``score`` in
[-1, 1]; ``positive`` when ``score >= 0.05``, ``negative`` when ``<= -0.05``):

- ``en`` — **VADER** 3.3.2 (Hutto & Gilbert 2014, ``vaderSentiment`` package,
  MIT): a 7,500-entry human-rated lexicon with rules for negation, intensifiers,
  capitals, "but" and punctuation; emoji are scored through their names
  (19 common emoji whose names VADER leaves unrated, e.g. 😡 👍, are read as
  one rated word, listed in ``_EMOJI_WORDS``).
- ``ru`` — **lexicon-ru-v1**: a hand-written lexicon of ~300 Russian stems
  (prefix match, so one stem covers its inflections) with valences -3..+3,
  written from general knowledge of Russian evaluative vocabulary and customer
  complaints (``не работает``, ``нет связи``), not derived from any test set.
  Rules: a negator (не, нет, ни, без) flips and dampens (×-0.74, as VADER) the
  next sentiment word within two tokens; intensifiers (очень, самый, ...)
  multiply by 1.3; after ``но``/``однако`` words weigh 1.5× and before it 0.5×;
  Russian smileys ``))`` / ``((`` and emoticons count ±1.5; emoji and Latin
  words are scored with VADER's valences.
- ``hi`` — **lexicon-hi-v1**: a hand-written lexicon of ~170 Devanagari words
  (inflected forms listed) with the same rules, except that Hindi negators
  (नहीं, न, ना, मत, बिना) follow the word they negate, so they flip the nearest
  sentiment word up to two tokens *before* them (else after). Nukta and
  chandrabindu variants are normalised.
- Any other language, or no language: ``sentiment`` and ``score`` are NA and
  ``method`` is ``"not scored"`` — never a silent neutral.

The summed valence ``s`` becomes ``score = s / sqrt(s² + 15)`` (VADER's
normalisation). Measured accuracy is in ``benchmarks/sentiment.py``.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache

import numpy as np
import pandas as pd

from research.analyses.competitors import brand_mentions
from research.analyses.graph.build import interactions
from research.analyses.metrics import Period, annotate
from research.analyses.sentiment.notes import method_notes, uses_baseline
from research.analyses.sentiment.shares import brand_shares, share_notes
from research.brands import Brand, brand_lookup, brand_of_author

__all__ = [
    "SENTIMENT_METHODS",
    "BASELINE_METHODS",
    "METHOD_NOTE",
    "THRESHOLD",
    "detect_languages",
    "score_sentiment",
    "sentiment_of",
    "mention_sentiment",
    "annotate_texts",
    "brand_shares",
    "share_notes",
]

THRESHOLD = 0.05
# The trained models that score by default, and the baselines they replaced (method="baseline").
SENTIMENT_METHODS: dict[str, str] = {lang: f"linear-{lang}-2" for lang in ("en", "ru", "hi", "hi-Latn")}
BASELINE_METHODS: dict[str, str] = {"en": "vader-3.3.2", "ru": "lexicon-ru-v1", "hi": "lexicon-hi-v1"}
NOT_SCORED = "not scored"
# For the brief's method section: per language, the figures measured on held-out sets (read from the
# shipped models' files, written by `research train-sentiment`), and how shares are corrected.
METHOD_NOTE = method_notes()

_NOISE = re.compile(r"https?://\S+|www\.\S+|(?<!\w)@\w+|\bRT\b")


# --- language -------------------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _detector(codes: tuple[str, ...]):
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    isos = [IsoCode639_1.from_str(c) for c in codes]
    return LanguageDetectorBuilder.from_iso_codes_639_1(*isos).with_preloaded_language_models().build()


def _primary_codes(langs: pd.Series) -> pd.Series:
    """The primary subtag of each language code, lower-cased (``"en-GB"`` -> ``"en"``), NA kept.

    The same as ``.str.split("-").str[0].str.lower()``, in Arrow's C++ rather than per value.
    """
    return langs.astype("string").str.replace(r"(?s)-.*", "", regex=True).str.lower()


def _primary(code: str) -> str:
    return code.strip().replace("_", "-").split("-")[0].lower()


def detect_languages(
    texts: pd.Series, candidates: Iterable[str], *, fallback: str | None = "en"
) -> pd.Series:
    """Language of each text as a BCP-47 primary code among ``candidates`` (+ ``fallback``), or NA.

    Parameters
    ----------
    texts : Series
        Raw post texts.
    candidates : iterable of str
        The client's languages (BCP-47; only the primary subtag is used).
    fallback : str or None
        One more language to allow, so a text in it is not forced into a candidate.

    Returns
    -------
    Series
        ``string`` dtype aligned with ``texts``; NA where the text has no letters
        or the detector cannot decide.

    Examples
    --------
    >>> s = pd.Series(["Очень вкусный чай, спасибо!", "यह चाय बहुत अच्छी है", "Best chai in town", "🙂🙂", None])
    >>> detect_languages(s, ["ru", "hi"]).tolist()
    ['ru', 'hi', 'en', <NA>, <NA>]
    """
    from lingua import IsoCode639_1

    known = {c.name.lower() for c in IsoCode639_1.__dict__.values() if isinstance(c, IsoCode639_1)}
    codes = sorted({_primary(c) for c in [*candidates, *([fallback] if fallback else [])]})
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise ValueError(f"candidates: {', '.join(unknown)} not supported by the language detector")
    # Each distinct text is cleaned and detected once (reposts and templates repeat a lot).
    positions, distinct = pd.factorize(texts.astype("string").fillna(""))
    clean = pd.Series(distinct, dtype="string").str.replace(_NOISE, " ", regex=True).str.replace("#", " ")
    # NOTE: brand and product names are often in Latin script inside Russian or Hindi posts
    # ("Masala Mornings ужасный сервис"); when a third or more of the letters are non-Latin,
    # the Latin words are dropped so they cannot outvote the post's own language.
    letters = clean.str.count(r"[^\W\d_]")
    latin = clean.str.count(r"[A-Za-z]")
    mixed = (letters - latin) >= letters / 3
    clean = clean.where(~mixed | (latin == 0), clean.str.replace(r"[A-Za-z]+", " ", regex=True))
    has_letters = clean.str.contains(r"[^\W\d_]", regex=True).fillna(False).astype(bool)
    unique = pd.unique(clean[has_letters])
    found: dict[str, str | None] = {}
    if len(unique) and codes:
        detected = _detector(tuple(codes)).detect_languages_in_parallel_of(list(unique))
        found = {
            t: lang.iso_code_639_1.name.lower() if lang else None
            for t, lang in zip(unique, detected, strict=True)
        }
    per_text = clean.map(found).where(has_letters).astype("string").to_numpy(dtype=object, na_value=pd.NA)
    return pd.Series(per_text[positions], index=texts.index, dtype="string", name="lang")


# --- lexicons ---------------------------------------------------------------------------------------

# "valence: entries"; an entry ending in "*" is a stem (prefix match), else an exact word.
_RU_LEXICON = """
3: отличн* прекрасн* великолепн* замечательн* восхитит* шикарн* потрясающ* превосходн* идеальн* обожа* супер
3: офигенн* счастлив* браво восторг* любим* люблю
2: лучш* хорош* рад рада радост* радуе* радуют* порадова* спасиб* благодар* нрав* понрав* удобн* выгодн* доволен
2: довольн* молодц* приятн* красив* успех* успешн* интересн* полезн* надежн* качествен* стабильн* вкусн*
2: весел* ура поздравл* рекоменд* класс классн* клев* круто крут* бесплатн* подар* бонус* скидк* помогл*
2: помог помогли удач* чудесн* милый милая милое милые милашк* добр* уважен* уважа* честн* быстро быстр* ок окей спс пасиб*
1: норм нормальн* неплох* улучш* достойн* легко вау ого
-3: ужасн* ужас отвратит* кошмар* худш* мерзк* ненавиж* ненавид* отстой* дерьм* говн* бесит бесят бесишь
-3: мошенни* обман* развод* ворую* воруют воры кидал* жулик* позор* хамств* хамят хамск* идиот* дебил* урод*
-3: сволоч* мраз* твар* пздц ппц задолбал* заебал* охренел* обнагл* наглост* грабеж* грабят
-2: плох* хуже хуж* проблем* сбой сбои сбоя сбоев глюч* глюк* тормоз* медленн* дорого дороже подорож* жалоб*
-2: жаль жалко печал* грустн* грусть обидн* обида разочаров* недовол* неудобн* бесполезн* ошибк* ошибоч*
-2: поломк* сломал* отключ* пропал* исчез* невозможн* раздраж* злюсь злой зла злит мучен* мучают отвратн*
-2: неадекват* грубо груб* штраф* списал* списыва* списан* отказал* отказыва* врут вранье ложь лжец* надоел*
-2: достали достал задрал* фигн* хрень херн* плохо беда бедн* катастроф* авари* сожален* увы отстойн* невыносим*
-2: тупые тупой тупит тупят отвал* лага* лагает виснет зависа* вылета* нервы нервн* жесть бред* кривой криво
-1: странн* сложн* скучн* медленно долго непонятн* вынужден* жалуют* претензи* нехорош*
-3: коррупц* взятк* гавн* уголовн*
-2: арест* обвин* нарушен* наруша* заблокир* мошен*
-1: блокир* иск замороз* санкци* расследован* отсутстви*
-3: ебан* ебуч* сука суки сучар* сран* хуй* хуев* хуе* пизд* нахуй наеб* издевательств* обарзел*
-2: блят* бля блин нихуя жоп*
"""

# Phrases whose words carry no valence on their own (service complaints); matched before tokenising.
_RU_PHRASES = {
    r"\bне\s+работа\w*": -2.0, r"\bне\s+могу\b": -1.5, r"\bнет\s+(?:связи|сети|интернета|сигнала)\b": -2.0,
    r"\bне\s+ловит\b": -2.0, r"\bне\s+дозвон\w*": -2.0, r"\bне\s+отвеча\w*": -1.5, r"\bне\s+груз\w*": -2.0,
    r"\bдобр(?:ый|ого|ое|ой)\s+(?:день|дня|вечер|вечера|утро|утра|времени|ночи)\b": 0.0,  # a greeting
    r"\bне\s+приход\w*": -1.5, r"\bне\s+открыва\w*": -1.5, r"\bне\s+подключ\w*": -1.5, r"\bнет\s+денег\b": -1.0,
}  # fmt: skip
_RU_PHRASE_RX = [(re.compile(p), v) for p, v in _RU_PHRASES.items()]

_HI_LEXICON = """
3: शानदार बेहतरीन उत्कृष्ट लाजवाब अद्भुत कमाल शुभकामनाएं शुभकामनाएँ शुभकामना बधाई मुबारक सर्वश्रेष्ठ
2: अच्छा अच्छी अच्छे बढ़िया उत्तम श्रेष्ठ सुंदर सुन्दर खूबसूरत प्यार प्रेम पसंद खुश खुशी प्रसन्न धन्यवाद
2: शुक्रिया आभार सफल सफलता जीत विजय गर्व सम्मान स्वागत मजेदार मज़ेदार मजा मज़ा मस्त उम्दा सराहनीय प्रशंसा
2: तारीफ ईमानदार ईमानदारी भरोसा सच्चा सच्चे शांति वाह स्वादिष्ट प्रिय आनंद जय जीते जीती ऐतिहासिक
1: मदद सहायता विकास उम्मीद आशा आसान सस्ता सस्ती तेज मुफ्त सही सुरक्षित
-3: घटिया बकवास नफरत घृणा शर्मनाक धोखा धोखाधड़ी भ्रष्टाचार घोटाला हत्या बलात्कार कायर बर्बाद
-2: बुरा बुरी बुरे खराब बेकार गंदा गंदी गन्दा दुख दुःख दुखी दुखद उदास गुस्सा नाराज परेशान परेशानी समस्या
-2: दिक्कत तकलीफ शिकायत झूठ झूठा झूठे भ्रष्ट शर्म निराश निराशा दुर्भाग्य दुर्भाग्यपूर्ण हार असफल विफल
-2: डर भय खतरा हिंसा हमला मौत मृत्यु दर्द पीड़ा अफसोस चोर चोरी लूट निंदा अपमान नुकसान घाटा बीमार
-2: अन्याय जुल्म अत्याचार गुंडागर्दी बदतमीज परेशानियां समस्याएं मुश्किल दंगा धमकी
-1: गलत महंगा महंगी धीमा कमजोर देरी
"""

_NEGATORS = {"ru": {"не", "нет", "ни", "без", "никогда"}, "hi": {"नहीं", "न", "ना", "मत", "बिना"}}
_INTENSIFIERS = {
    "ru": {"очень", "самый", "самая", "самое", "самые", "крайне", "реально", "слишком", "совсем"},
    "hi": {"बहुत", "बेहद", "काफी", "अत्यंत", "सबसे", "एकदम"},
}
_BUT = {"ru": {"но", "однако", "зато"}, "hi": {"लेकिन", "परंतु", "मगर"}}
_EMOTICONS = {":)": 1.5, ":-)": 1.5, ":d": 2.0, ";)": 1.0, ":(": -1.5, ":-(": -1.5, ":'(": -2.0}
_TOKEN = re.compile(
    r"[:;]-?[)(d]|:'\(|\){2,}|\({2,}|[a-zа-я]+|[\u0900-\u0963\u0966-\u097f]+|[^\w\s]", re.IGNORECASE
)


def _norm(text: str) -> str:
    # NFD splits precomposed nukta letters so that both spellings meet after dropping the nukta.
    text = unicodedata.normalize("NFD", text.lower()).replace("\u093c", "").replace("\u0901", "\u0902")
    return unicodedata.normalize("NFC", text).replace("ё", "е")


def _parse(spec: str) -> tuple[dict[str, float], dict[str, float]]:
    words, stems = {}, {}
    for line in spec.strip().splitlines():
        value, entries = line.split(":", 1)
        for entry in entries.split():
            entry = _norm(entry)
            (stems if entry.endswith("*") else words)[entry.rstrip("*")] = float(value)
    return words, stems


# Common emoji whose Unicode names VADER leaves unrated ("pouting face", "thumbs up"): each is
# read as one word VADER does rate, chosen for the emoji's usual meaning in posts.
_EMOJI_WORDS = {
    "😋": "yummy", "🤩": "amazing", "🙄": "annoyed", "😒": "unhappy", "😖": "miserable", "😤": "angry",
    "😡": "angry", "🤬": "furious", "🤢": "disgusting", "🤮": "disgusting", "👍": "good", "👎": "bad",
    "👏": "applause", "🙏": "thanks", "💪": "strong", "💯": "perfect", "🏆": "winner", "💩": "crap", "🤦": "ugh",
}  # fmt: skip


@lru_cache(maxsize=1)
def _vader():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    analyzer.emojis.update(_EMOJI_WORDS)  # our own instance: the package's files are untouched
    return analyzer


@lru_cache(maxsize=1)
def _emoji_valence() -> dict[str, float]:
    """Single-character emoji valence on the lexicon scale: VADER's compound of the emoji's name, × 3."""
    analyzer = _vader()
    out = {}
    for emoji, name in analyzer.emojis.items():
        char = emoji.replace("\ufe0f", "")  # the emoji-presentation selector is not part of the meaning
        compound = analyzer.polarity_scores(name)["compound"] if len(char) == 1 else 0.0
        if compound:
            out[char] = 3.0 * compound
    return out


@lru_cache(maxsize=2)
def _lexicon(lang: str) -> tuple[dict[str, float], dict[str, float]]:
    return _parse(_RU_LEXICON if lang == "ru" else _HI_LEXICON)


def _valence(token: str, words: dict[str, float], stems: dict[str, float]) -> float:
    if token in words:
        return words[token]
    for end in range(len(token), 2, -1):  # longest stem first
        if token[:end] in stems:
            return stems[token[:end]]
    if token.isascii() and token.isalpha():
        return _vader().lexicon.get(token, 0.0)  # code-mixed English words
    if token.startswith("))"):
        return 1.5
    if token.startswith("(("):
        return -1.5
    return _EMOTICONS.get(token, 0.0)


def sentiment_of(text: str, lang: str) -> float:
    """Score one text in [-1, 1] with the lexicon method of ``lang`` (``"ru"`` or ``"hi"``).

    >>> sentiment_of("Очень хороший сервис, спасибо!", "ru") > 0.5
    True
    >>> sentiment_of("Связь не работает, ужас", "ru") < -0.5
    True
    >>> sentiment_of("यह चाय अच्छी नहीं है", "hi") < 0
    True
    """
    words, stems = _lexicon(lang)
    text = _norm(_NOISE.sub(" ", text))
    total = 0.0
    if lang == "ru":
        for pattern, value in _RU_PHRASE_RX:
            text, hits = pattern.subn(" ", text)
            total += value * hits
    emoji = _emoji_valence()
    total += sum(emoji.get(ch, 0.0) for ch in text if not ch.isascii() and ch in emoji)
    tokens = _TOKEN.findall(text)
    values = [_valence(t, words, stems) for t in tokens]
    negators, intensifiers = _NEGATORS[lang], _INTENSIFIERS[lang]
    for i, tok in enumerate(tokens):
        if tok in intensifiers and i + 1 < len(tokens):
            values[i + 1] *= 1.3
        if tok in negators:
            # Hindi negators follow what they negate (SOV); Russian ones precede it.
            order = [i - 1, i - 2, i + 1, i + 2] if lang == "hi" else [i + 1, i + 2]
            target = next((j for j in order if 0 <= j < len(tokens) and values[j]), None)
            if target is not None:
                values[target] *= -0.74
    but = next((i for i, t in enumerate(tokens) if t in _BUT[lang]), None)
    if but is not None:
        values = [v * (0.5 if i < but else 1.5) for i, v in enumerate(values)]
    total += sum(values)
    return total / math.sqrt(total * total + 15.0)


def _vader_score(text: str) -> float:
    return _vader().polarity_scores(_NOISE.sub(" ", text))["compound"]


def score_sentiment(texts: pd.Series, langs: pd.Series, *, method: str = "model") -> pd.DataFrame:
    """Sentiment of each text with the trained model of its language, or the baseline (module docstring).

    Parameters
    ----------
    texts : Series
        Raw texts.
    langs : Series
        BCP-47 codes aligned with ``texts`` (e.g. from ``detect_languages``); NA allowed.
    method : {"model", "baseline"}
        The trained models (``research.analyses.sentiment.score``) or VADER and the lexicons.

    Returns
    -------
    DataFrame
        Aligned with ``texts``: ``sentiment`` (``positive``/``neutral``/``negative``,
        NA where not scored), ``score`` (Float64 in [-1, 1], NA where not scored),
        ``method`` (the method's name, or ``"not scored"``).

    Examples
    --------
    >>> out = score_sentiment(pd.Series(["I love it 😍", "Ужасная связь", "Hola"]), pd.Series(["en", "ru", "es"]))
    >>> out["sentiment"].tolist(), out["method"].tolist()
    (['positive', 'negative', <NA>], ['linear-en-2', 'linear-ru-2', 'not scored'])
    """
    if method == "model":
        from research.analyses.sentiment import route, score

        out = score(texts, langs)
        # A language whose baseline measured better than its model on the held-out set (train._route) keeps it.
        baseline = route(texts, langs).isin([lang for lang in SENTIMENT_METHODS if uses_baseline(lang)])
        baseline = baseline.fillna(False).to_numpy(dtype=bool)
        if baseline.any():
            out[baseline] = score_sentiment(texts[baseline], langs[baseline], method="baseline")
        return out
    primary = _primary_codes(langs)
    method = primary.map(BASELINE_METHODS).fillna(NOT_SCORED).astype("string")
    text = texts.astype("string").fillna("")
    scores = pd.Series(pd.NA, index=texts.index, dtype="Float64")
    for lang in BASELINE_METHODS:
        mask = (primary == lang).fillna(False).astype(bool)
        if not mask.any():
            continue
        unique = pd.unique(text[mask])  # retweets and copy-paste make many duplicates
        scorer = _vader_score if lang == "en" else (lambda t, lang=lang: sentiment_of(t, lang))
        table = {t: scorer(t) for t in unique}
        scores[mask] = text[mask].map(table).astype("Float64")
    sentiment = pd.Series(pd.NA, index=texts.index, dtype="string")
    sentiment[scores.notna()] = "neutral"
    sentiment[(scores >= THRESHOLD).fillna(False)] = "positive"
    sentiment[(scores <= -THRESHOLD).fillna(False)] = "negative"
    return pd.DataFrame({"sentiment": sentiment, "score": scores, "method": method}, index=texts.index)


def annotate_texts(
    posts: pd.DataFrame,
    accounts: pd.DataFrame | None,
    brands: Sequence[Brand],
    *,
    languages: Iterable[str],
    aliases: Mapping[str, Iterable[str]] | None = None,
) -> pd.DataFrame:
    """Language of every post and sentiment of the audience's posts about a brand.

    The language is the platform's ``lang`` where given, else ``detect_languages`` among
    ``languages``. Sentiment is scored for the posts the brief reads it from: audience
    (non-brand) posts, not reposts, that @mention, name (``aliases`` included), reply to or
    quote a brand. Scoring every text would cost more than every other analysis together
    on a million posts.

    Returns
    -------
    DataFrame
        Aligned with ``posts`` (same index): ``lang`` (given or detected, NA if neither),
        ``sentiment`` (``positive``/``neutral``/``negative``, NA where not scored),
        ``sentiment_score`` (Float64) and ``sentiment_method`` (NA where not about a brand).
    """
    languages = tuple(languages)
    given = _primary_codes(posts["lang"])
    missing = given.isna().to_numpy(dtype=bool)
    lang = given.copy()
    if missing.any():
        lang[missing] = detect_languages(posts.loc[missing, "text"], languages or ("en",))
    about = _about_brands(posts, accounts, brands, aliases)
    out = pd.DataFrame(
        {
            "lang": lang.astype("string"),
            "sentiment": pd.Series(pd.NA, index=posts.index, dtype="string"),
            "sentiment_score": pd.Series(pd.NA, index=posts.index, dtype="Float64"),
            "sentiment_method": pd.Series(pd.NA, index=posts.index, dtype="string"),
        },
        index=posts.index,
    )
    if about.any():
        scored = score_sentiment(posts.loc[about, "text"], lang[about])
        out.loc[about, "sentiment"] = scored["sentiment"]
        out.loc[about, "sentiment_score"] = scored["score"]
        out.loc[about, "sentiment_method"] = scored["method"]
    return out


def _about_brands(
    posts: pd.DataFrame,
    accounts: pd.DataFrame | None,
    brands: Sequence[Brand],
    aliases: Mapping[str, Iterable[str]] | None,
) -> np.ndarray:
    """Audience posts, not reposts, that mention, name, reply to or quote a brand (bool array)."""
    by_brand = brand_of_author(posts, brands).notna().to_numpy(dtype=bool)
    audience = ~by_brand & posts["repost_of_post_id"].isna().to_numpy(dtype=bool)
    # Only the audience's posts can be about a brand, and only the brands' posts are needed to
    # resolve a reply or quote to them: in a market stream that is a quarter of the posts.
    rows = np.flatnonzero(audience | by_brand)
    sub = posts.iloc[rows]
    named = brand_mentions(sub, brands, aliases=aliases).any(axis=1).to_numpy(dtype=bool)
    inter = interactions(sub, accounts, kinds=("reply", "quote"))
    brand_keys = {f"{p}:{h}" for (p, h) in brand_lookup(brands)}
    linked = inter.loc[inter["target"].isin(list(brand_keys)), ["platform", "post_id"]]
    to_brand = pd.MultiIndex.from_frame(sub[["platform", "post_id"]].astype("string")).isin(
        pd.MultiIndex.from_frame(linked.astype("string"))
    )
    about = np.zeros(len(posts), dtype=bool)
    about[rows] = audience[rows] & (named | to_brand)
    return about


def mention_sentiment(
    posts: pd.DataFrame,
    brands: Sequence[Brand],
    period: Period,
    *,
    languages: Iterable[str],
    freq: str = "period",
    aliases: Mapping[str, Iterable[str]] | None = None,
) -> pd.DataFrame:
    """Sentiment of the audience's posts that mention each brand, per period, week or day.

    A mention is an audience (non-brand) post in the period, not a repost, that
    @mentions one of the brand's handles or names it (``research.analyses.competitors.brand_mentions``).
    Its sentiment is the post's ``sentiment`` column when ``posts`` has one (``annotate_texts``
    made it: the run's posts do), else it is scored here, in the post's ``lang`` when given, else
    the language ``detect_languages`` finds among ``languages``.

    Parameters
    ----------
    freq : {"period", "week", "day"}
        Bucket of the ``when`` column: the period start, the local Monday of the week,
        or the local date.

    Returns
    -------
    DataFrame
        ``brand, when, mentions, scored, positive, neutral, negative, negative_share``
        (of scored mentions; NULL when none was scored), ``mean_score``. Mentions in
        languages without a method count in ``mentions`` but not in ``scored``. For the whole
        period (``freq="period"``) ``negative_share`` is the corrected share with its 95 %
        interval (``negative_low``, ``negative_high``; ``brand_shares``), ``negative_counted``
        the share of labels and ``share_method`` how the share was made.
    """
    if freq not in ("period", "week", "day"):
        raise ValueError(f"freq: {freq!r} is not one of period, week, day")
    ann = annotate(posts, None, brands, period.timezone)
    keep = period.contains(ann) & ann["brand"].isna() & ann["repost_of_post_id"].isna()
    columns = ["platform", "mentions", "text", "lang", "local_date"]
    ann = ann.loc[keep, columns + [c for c in ("sentiment", "sentiment_score") if c in ann]]
    hits = brand_mentions(ann, brands, aliases=aliases)
    ann = ann.loc[hits.any(axis=1)]
    if "sentiment" in ann:
        scored = pd.DataFrame({"sentiment": ann["sentiment"], "score": ann["sentiment_score"],
                               "method": posts.loc[ann.index, "sentiment_method"] if "sentiment_method" in posts
                               else pd.Series(pd.NA, index=ann.index, dtype="string")})  # fmt: skip
    else:
        given = _primary_codes(ann["lang"])
        langs = given.fillna(detect_languages(ann["text"], tuple(languages))) if given.isna().any() else given
        scored = score_sentiment(ann["text"], langs)
    local = pd.to_datetime(ann["local_date"])
    when = {"period": pd.Series(pd.Timestamp(period.start), index=ann.index), "day": local,
            "week": local - pd.to_timedelta(local.dt.day_of_week, unit="D")}[freq]  # fmt: skip
    frames = []
    for b in brands:
        mask = hits.loc[ann.index, b.name]
        frames.append(pd.DataFrame({"brand": b.name, "when": when[mask].dt.date, "sentiment": scored.loc[mask, "sentiment"],
                                    "score": scored.loc[mask, "score"], "sentiment_method": scored.loc[mask, "method"],
                                    "lang": ann.loc[mask, "lang"]}))  # fmt: skip
    long = (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame(columns=["brand", "when", "sentiment", "score", "sentiment_method", "lang"])
    )
    counts = pd.crosstab([long["brand"], long["when"]], long["sentiment"]).reindex(
        columns=["positive", "neutral", "negative"], fill_value=0
    )
    out = long.groupby(["brand", "when"]).agg(mentions=("brand", "size"), mean_score=("score", "mean"))
    out = out.join(counts).fillna({"positive": 0, "neutral": 0, "negative": 0}).reset_index()
    out[["positive", "neutral", "negative"]] = out[["positive", "neutral", "negative"]].astype("int64")
    out["scored"] = out[["positive", "neutral", "negative"]].sum(axis=1)
    out["negative_share"] = (out["negative"] / out["scored"].where(out["scored"] > 0)).astype("Float64")
    columns = [
        "brand",
        "when",
        "mentions",
        "scored",
        "positive",
        "neutral",
        "negative",
        "negative_share",
        "mean_score",
    ]
    out = out[columns].astype({"brand": "string", "mean_score": "Float64"})
    if freq != "period":  # weeks and days: counted shares (too few mentions each for the correction)
        return out
    # The period's share is what a client quotes: corrected for each model's measured confusion
    # where that helped on held-out data, with a 95 % interval (analyses.sentiment.shares).
    shares = brand_shares(long).set_index("brand")
    out["negative_counted"] = out["negative_share"]
    for column in ("negative_share", "negative_low", "negative_high"):
        out[column] = out["brand"].map(shares[column]).astype("Float64") if len(shares) else pd.NA
    out["negative_share"] = out["negative_share"].where(out["scored"] > 0)
    out["share_method"] = out["brand"].map(shares["method"]).astype("string") if len(shares) else pd.NA
    return out
