"""Which model scores a text, and scoring a column of texts (``score``).

Routing, from the post's language code (platform-given or detected) and its script:

- ``ru`` -> the Russian model; ``en`` -> the English model;
- ``hi`` with at least a third of its letters in Devanagari (handles and links aside) -> the
  Hindi (Devanagari) model (Latin brand names inside Hindi posts do not move it);
- ``hi`` in Latin script, ``hi-Latn``, and ``en`` whose words include at least two distinct
  common Hindi words (``hai``, ``nahi``, ``kya``, ``bhi``... see ``HINGLISH_WORDS``) making up at
  least a fifth of its words -> the Hinglish model. The language detector sees romanised
  Hindi as English, and this rule sends 0.3 % of the SemEval-2017 English test tweets
  to the Hinglish model while catching most SentiMix Hinglish tweets (the benchmark prints both);
- anything else: not scored (NA), never a silent neutral.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from research.analyses.sentiment.model import CLASSES, LinearModel, load, shipped

__all__ = ["HINGLISH_WORDS", "NOT_SCORED", "model_for", "route", "score"]

NOT_SCORED = "not scored"
# Frequent Hindi function words and fillers in Latin spelling that are not English words
# ("the", "to", "me", "main", "ho" are left out on purpose).
HINGLISH_WORDS = frozenset(
    "hai hain hay nahi nahin nhi nai kya kyu kyun kyon bhi aur ko se ka ki ke mein mai tha thi "
    "hoga hogi raha rahe rahi karo karna karne kiya kuch kuchh bahut bohot bahot acha accha achha achchha "
    "yaar bhai ji toh tu tum tumhe aap apna apne hum humne humko wala wali sab abhi kab kaise kaisa "
    "kitna jab yeh ye woh wo uska unka usne pe diya liya gaya gayi hua hui agar lekin magar phir fir "
    "sirf matlab desh log logo logon sahi galat".split()
)
_WORD = re.compile(r"[a-z]+")


def _primary(langs: pd.Series) -> pd.Series:
    return langs.astype("string").str.replace(r"(?s)-.*", "", regex=True).str.lower()


def is_hinglish(text: str) -> bool:
    """Romanised Hindi by the rule in the module docstring.

    >>> is_hinglish("yaar ye phone bahut acha hai"), is_hinglish("I love this phone, it is great")
    (True, False)
    """
    words = _WORD.findall(text.lower())
    hits = [w for w in words if w in HINGLISH_WORDS]
    return len(set(hits)) >= 2 and len(hits) >= 0.2 * len(words)


def route(texts: pd.Series, langs: pd.Series) -> pd.Series:
    """The model name (``en``, ``ru``, ``hi``, ``hi-Latn``) for each text, NA where none applies."""
    text = texts.astype("string").fillna("")
    full = langs.astype("string").str.lower()
    primary = _primary(langs)
    out = pd.Series(pd.NA, index=texts.index, dtype="string")
    out[(primary == "ru").fillna(False)] = "ru"
    out[(primary == "en").fillna(False)] = "en"
    hindi = (primary == "hi").fillna(False)
    # as detect_languages: a third of the letters in Devanagari (handles and links aside) makes it Devanagari
    bare = text.str.replace(r"https?://\S+|www\.\S+|@\w+", " ", regex=True)
    devanagari = (3 * bare.str.count(r"[\u0900-\u097f]") >= bare.str.count(r"[A-Za-z]")) & bare.str.contains(
        r"[\u0900-\u097f]"
    )
    out[hindi & devanagari] = "hi"
    out[hindi & ~devanagari] = "hi-Latn"
    out[(full == "hi-latn").fillna(False)] = "hi-Latn"
    english = (out == "en").fillna(False)
    if english.any():
        out[english & text.map(is_hinglish).astype(bool)] = "hi-Latn"
    return out


def model_for(name: str, folder: str | Path | None = None) -> LinearModel:
    """The model of a language (``"ru"``) or a method name (``"linear-ru-2"``).

    With ``folder`` (a client's adapted models, ``research train-sentiment --labels``), its
    model is used when it has one for that language, else the shipped one.
    """
    if name.startswith("linear-"):
        name = name.removeprefix("linear-").rsplit("-", 1)[0]
    if folder is not None and (Path(folder) / f"{name}.json").is_file():
        path = Path(folder).resolve() / f"{name}.json"
        return _client_model(str(path.parent), name, path.stat().st_mtime_ns)
    return shipped(name)


@lru_cache(maxsize=16)
def _client_model(folder: str, name: str, mtime: int) -> LinearModel:
    return load(folder, name)  # mtime is part of the key: a re-adapted model is reloaded


def score(texts: pd.Series, langs: pd.Series, *, models: str | Path | None = None) -> pd.DataFrame:
    """Sentiment of each text with the trained model of its language (routing: module docstring).

    Parameters
    ----------
    texts, langs : Series
        Raw texts and BCP-47 codes (e.g. from ``research.analyses.text.detect_languages``), aligned.
    models : path, optional
        Folder of client-adapted models; languages it lacks use the shipped models.

    Returns
    -------
    DataFrame
        Aligned with ``texts``: ``sentiment`` (``positive``/``neutral``/``negative``, NA where
        not scored), ``score`` (Float64, P(positive) - P(negative), in [-1, 1]), ``method``
        (``linear-<lang>-<version>`` or ``"not scored"``).

    Examples
    --------
    >>> out = score(pd.Series(["I love it 😍", "Ужасная связь", "Hola"]), pd.Series(["en", "ru", "es"]))
    >>> out["sentiment"].tolist(), out["method"].tolist()
    (['positive', 'negative', <NA>], ['linear-en-2', 'linear-ru-2', 'not scored'])
    """
    names = route(texts, langs)
    text = texts.astype("string").fillna("")
    sentiment = pd.Series(pd.NA, index=texts.index, dtype="string")
    value = np.full(len(texts), np.nan)
    method = pd.Series(NOT_SCORED, index=texts.index, dtype="string")
    for name in pd.unique(names.dropna()):
        mask = (names == name).fillna(False).to_numpy(dtype=bool)
        model = model_for(str(name), models)
        codes, unique = pd.factorize(text[mask])  # reposts repeat: each distinct text once
        p = model.proba(list(unique))
        sentiment[mask] = np.asarray(CLASSES, dtype=object)[p.argmax(axis=1)][codes]
        value[mask] = (p[:, 2] - p[:, 0])[codes]
        method[mask] = model.method
    out = pd.DataFrame({"sentiment": sentiment, "score": pd.array(value, dtype="Float64"), "method": method})
    out.index = texts.index
    out.loc[out["sentiment"].isna(), "score"] = pd.NA
    return out
