"""Words of multilingual posts: Latin, Cyrillic and Devanagari tokens without stop words.

One tokeniser for what posts talk about (content pillars, the words that rose on a spike
day). Links, @handles and #hashtags are removed first (hashtags are read from the
``hashtags`` column, where the platform put them); the rest is lower-cased and split into
runs of Latin letters (accents kept), Cyrillic letters or Devanagari letters with their
vowel signs. Python's ``\\w`` is not enough for Hindi: vowel signs (matras) are not word
characters, so ``चाय`` would break in two. Stop words of English, Russian and Hindi are
dropped, as are Latin and Cyrillic words under three letters (``ok``, ``да``) and numbers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

__all__ = ["STOP_WORDS", "tokens", "post_terms"]

# NOTE: function words and chat filler of the three languages the brief reads; a content word
# that happens to be frequent (chai, coffee) is left to TF-IDF and log-odds, not listed here.
STOP_WORDS: frozenset[str] = frozenset(
    """
    a about above after again against all also am an and any are aren as at be because been before being
    below between both but by can cannot could did didn do does doesn doing don down during each else ever
    every few for from further get gets got had has have having he her here hers herself him himself his how
    i if in into is isn it its itself just let like me more most much my myself no nor not now of off on once
    one only or other our ours ourselves out over own same she should so some still such than that the their
    theirs them themselves then there these they this those through to too under until up upon us very was
    we were what when where which while who whom why will with won would you your yours yourself yourselves
    amp rt via im ive its dont cant thats youre weve theyre lol yes yeah okay oh hey hi thanks thank today
    tonight day days week time just really new now go going come know see try make made get want need
    и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее её мне было
    вот от меня еще ещё нет о из ему теперь когда даже ну вдруг ли если уже или ни быть был него до вас
    нибудь опять уж вам ведь там потом себя ничего ей может они тут где есть надо ней для мы тебя их чем
    была сам чтоб без будто чего раз тоже себе под будет ж тогда кто этот того потому этого какой совсем
    ним здесь этом один почти мой тем чтобы нее кажется сейчас были куда зачем всех никогда можно при
    наконец два об другой хоть после над больше тот через эти нас про всего них какая много разве три эту
    моя впрочем хорошо свою этой перед иногда лучше чуть том нельзя такой им более всегда конечно всю
    между это эта очень вас ваш ваша ваши наш наша наши мы сегодня
    है हैं था थी थे हो होता होती होते का की के को में से पर और या भी तो ही एक यह वह ये वो इस उस इन उन
    ने लिए कर करें करना करते किया गया गई जा रहा रही रहे नहीं न ना क्या कैसे कौन कब कहाँ कहां सी सा से
    मैं हम आप तुम मेरा मेरी मेरे हमारा हमारी हमारे आपका आपकी आपके अपना अपनी अपने जो जब तक अब बहुत
    कुछ सब सभी वाला वाली वाले दिया दी दे लेकिन पे आज
    """.split()
)

_NOISE = re.compile(r"https?://\S+|www\.\S+|(?<![\w@])[@#][^\s#@]+")
# Latin letters (with Latin-1 and Extended-A/B accents), Cyrillic letters, or Devanagari letters
# with their signs (U+0900-U+0963 and U+0971-U+097F: the danda and digits are left out).
_WORD = re.compile(
    r"[a-z\u00df-\u00f6\u00f8-\u00ff\u0100-\u024f]+(?:'[a-z]+)?"
    r"|[\u0430-\u044f\u0451\u0456-\u045f]+"
    r"|[\u0900-\u0963\u0971-\u097f]+"
)
_DEVANAGARI = re.compile(r"[\u0900-\u097f]")


def tokens(text: object, *, drop: Iterable[str] = ()) -> list[str]:
    """Content words of one text, in order (repeats kept).

    ``drop``: more words to leave out (brand names and handles, say).

    Examples
    --------
    >>> tokens("Loved the masala chai at @chaiandco! https://t.co/x #chai")
    ['loved', 'masala', 'chai']
    >>> tokens("Дегустация листового чая и кофе 😍")
    ['дегустация', 'листового', 'чая', 'кофе']
    >>> tokens("दार्जिलिंग की चाय बहुत अच्छी है")
    ['दार्जिलिंग', 'चाय', 'अच्छी']
    """
    if not isinstance(text, str) or not text:
        return []
    drop = frozenset(drop)
    out = []
    for word in _WORD.findall(_NOISE.sub(" ", text.lower())):
        if word in STOP_WORDS or word in drop:
            continue
        if len(word) < 3 and not _DEVANAGARI.match(word):
            continue
        out.append(word.replace("'", ""))
    return out


def post_terms(
    texts: pd.Series, hashtags: pd.Series | None = None, *, drop: Iterable[str] = ()
) -> list[list[str]]:
    """Per post, its distinct content words and its hashtags as ``#tag`` terms (lists aligned with ``texts``).

    Repeated texts (reposts, copy-paste, templates) are tokenised once.

    >>> post_terms(pd.Series(["Chai break, chai!", None]), pd.Series([["Pune"], []]))
    [['chai', 'break', '#pune'], []]
    """
    drop = frozenset(d.lower() for d in drop)
    codes, uniques = pd.factorize(texts.astype("string").fillna(""))
    distinct = [list(dict.fromkeys(tokens(t, drop=drop))) for t in uniques]
    words = [distinct[c] if c >= 0 else [] for c in codes]
    if hashtags is None:
        return words
    out = []
    for ws, tags in zip(words, hashtags.tolist(), strict=True):
        extra = [f"#{t.lower()}" for t in (tags if tags is not None else []) if t and t.lower() not in drop]
        out.append(ws + list(dict.fromkeys(extra)))
    return out
