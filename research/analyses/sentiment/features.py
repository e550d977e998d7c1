"""Hashed word and character n-gram features of short social texts, with negation and emoji.

A text becomes a bag of hashed features, the way scikit-learn's ``HashingVectorizer`` does it,
but with a hash written here (a polynomial hash of the code points mixed by splitmix64, all in
``uint64`` numpy arithmetic), so the same text gives the same feature indices on every
platform and with every library version: a model is only a weight matrix plus the ``FeatureSpec``.

Per text (``tokens``):

1. lower-cased, NFC, ``ё`` -> ``е``; links -> ``http``, @handles -> ``@user``, digits -> ``0``,
   letters repeated 4+ times cut to 3 (``sooooo`` -> ``sooo``), ``#`` split from the tag;
2. tokens: words (Devanagari vowel signs kept inside words), emoticons (``:)``, ``))``), each
   emoji, and punctuation runs (``!!!``);
3. negation: a negator marks the tokens in its scope with ``¬`` -- the next three tokens up to
   punctuation (``. , ! ? ; :``; emoticons and emoji are tokens too) for English and Russian negators, the two words *before* a Hindi negator
   (``अच्छी नहीं``, ``acha nahi``: Hindi puts the negator after what it negates);
4. in Russian and Hindi posts every Latin-script word (a brand or product name, mostly) is one
   token, ``latn``;
5. emoji polarity: one feature per emoji from a short hand-made list of clearly positive or
   negative ones, shared across languages (``+emoji`` / ``-emoji``).

Features (``hash_features``): word unigrams of the marked tokens, word bigrams of the unmarked
tokens, character 2..5-grams inside words (padded with a space, as scikit-learn's ``char_wb``).
Each occurrence counts 1 and a text's vector is divided by the square root of its number of
occurrences, so long and short posts weigh alike.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from itertools import chain

import numpy as np

__all__ = ["FeatureSpec", "NEGATORS", "hash_features", "tokens"]

_URL = re.compile(r"https?://\S+|www\.\S+")
_MENTION = re.compile(r"(?<![\w@])@\w+")
_DIGITS = re.compile(r"\d+")
_REPEAT = re.compile(r"(\S)\1{3,}")
# Latin-script words inside Russian or Hindi posts are mostly names (brands, songs, places): one token
# for all of them, so "Masala Mornings ужасный сервис" is not read through the names' training history.
_LATIN_WORD = re.compile(r"(?<![@\w:;=])(?!http\b|user\b)[a-z][a-z0-9_']*(?![\w])")
LATIN_AS_ONE = frozenset({"ru", "hi"})
# Words (with Devanagari signs), emoticons and Russian bracket smileys, punctuation runs, any other symbol.
_TOKEN = re.compile(
    r"@user|[\w\u0900-\u0963\u0966-\u097f\u200c\u200d]+(?:['’][a-z]+)?"
    r"|[:;=]-?[)(dp]|:'\(|<3|\){2,}|\({2,}|[!?.]+|[^\w\s]",
    re.IGNORECASE,
)

NEGATORS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    # language: (negators whose scope follows them, negators whose scope precedes them)
    "en": (frozenset("not no never nothing nobody none neither nor without cannot cant dont doesnt didnt "
                     "isnt wasnt arent werent wont wouldnt couldnt shouldnt aint havent hasnt hadnt".split()),
           frozenset()),
    "ru": (frozenset("не нет ни без никогда ничего никто нельзя".split()), frozenset()),
    "hi": (frozenset(), frozenset("नहीं नही न ना मत".split())),
    "hi-Latn": (frozenset("not no never dont cant without".split()),
                frozenset("nahi nahin nhi nai nai mat na".split())),
}  # fmt: skip
_PUNCT = frozenset(".,!?;:।")

# Emoji whose meaning in posts is clearly one-sided; each also stays a feature of its own.
POSITIVE_EMOJI = frozenset("😀😁😂😃😄😊😍😘🥰🤩😎👍👏🙌💪❤💕💖💯🎉🔥✨🙏🤗😋🌹💐")
NEGATIVE_EMOJI = frozenset("😡😠🤬😤😞😔😢😭💔👎😒🙄🤮🤢😩😫😣😖😱😰🤦💩😕😟")


@dataclass(frozen=True)
class FeatureSpec:
    """What a model's features are: saved beside its weights, so scoring rebuilds exactly them."""

    lang: str
    bits: int = 18
    char_ngrams: tuple[int, int] = (2, 5)
    word_bigrams: bool = True
    version: int = 1
    extra: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> FeatureSpec:
        data = dict(data)
        data["char_ngrams"] = tuple(data["char_ngrams"])
        return cls(**data)


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFC", text).lower().replace("ё", "е")
    text = _URL.sub(" http ", text)
    text = _MENTION.sub(" @user ", text)
    text = _DIGITS.sub("0", text)
    return _REPEAT.sub(r"\1\1\1", text).replace("#", " # ").replace("\u2019", "'")


def _is_break(tok: str) -> bool:
    return tok in _PUNCT or tok[0] in "!?."


def _mark(toks: list[str], after: frozenset[str], before: frozenset[str], english: bool) -> list[str]:
    """Mark the words in each negator's scope with ``¬`` (forward three words, or back two)."""
    out: list[str] = []
    scope = 0
    for tok in toks:
        if _is_break(tok):
            scope = 0
        elif scope:
            scope -= 1
            out.append("¬" + tok)
            continue
        if tok in after or (english and tok.endswith("n't")):
            scope = 3
        elif tok in before:
            for j in range(len(out) - 1, max(len(out) - 3, -1), -1):
                if _is_break(out[j]):
                    break
                if out[j][0] != "¬":
                    out[j] = "¬" + out[j]
        out.append(tok)
    return out


def _tokenise(texts: Sequence[str], lang: str) -> list[list[str]]:
    """Marked tokens of each text.

    The texts are normalised as one string (one regex pass instead of one per text), and only
    texts that hold a negator go through the marking loop.
    """
    joined = _normalise(" \x00 ".join(t or "" for t in texts))
    if lang in LATIN_AS_ONE:
        joined = _LATIN_WORD.sub("latn", joined)
    parts = joined.split("\x00")
    after, before = NEGATORS.get(lang, NEGATORS["en"])
    negators = after | before
    english = lang in ("en", "hi-Latn")
    out = [_TOKEN.findall(part) for part in parts]
    for k, toks in enumerate(out):
        if not negators.isdisjoint(toks) or (english and "n't" in parts[k]):
            out[k] = _mark(toks, after, before, english)
    return out


def tokens(text: str, lang: str) -> list[str]:
    """The text's tokens, negated words marked ``¬``.

    >>> tokens("Not good at all!!", "en")
    ['not', '¬good', '¬at', '¬all', '!!']
    >>> tokens("खाना अच्छा नहीं था", "hi")
    ['¬खाना', '¬अच्छा', 'नहीं', 'था']
    >>> tokens("@mts_ru Связь не работает 3 дня!!!! Masala Mornings :d", "ru")
    ['@user', 'связь', 'не', '¬работает', '¬0', '¬дня', '!!!', 'latn', 'latn', ':d']
    """
    return _tokenise([text], lang)[0]


# --- hashing --------------------------------------------------------------------------------------

_U64 = np.uint64
_BASE = 0x100000001B3  # odd, so invertible modulo 2**64
_POWERS: list[np.ndarray] = []  # [BASE**k, BASE**-k] for k < len, grown on demand
_SALT = {name: _U64((k + 1) * 0x9E3779B97F4A7C15 % 2**64) for k, name in
         enumerate(["word", "bigram", "emoji", "c1", "c2", "c3", "c4", "c5", "c6", "c7"])}  # fmt: skip


def _powers(n: int) -> tuple[np.ndarray, np.ndarray]:
    if not _POWERS or len(_POWERS[0]) < n:
        size = max(n, 1 << 20)
        with np.errstate(over="ignore"):
            up = np.cumprod(np.full(size, _BASE, dtype=np.uint64))
            down = np.cumprod(np.full(size, pow(_BASE, -1, 2**64), dtype=np.uint64))
        _POWERS[:] = [np.concatenate([[_U64(1)], up]), np.concatenate([[_U64(1)], down])]
    return _POWERS[0], _POWERS[1]


def _mix(h: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: every input bit moves every output bit."""
    h = h ^ (h >> _U64(30))
    h = h * _U64(0xBF58476D1CE4E5B9)
    h = h ^ (h >> _U64(27))
    h = h * _U64(0x94D049BB133111EB)
    return h ^ (h >> _U64(31))


def _string_hashes(c: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Polynomial hash of each ``c[start:end]``, independent of where it lies."""
    up, down = _powers(len(c))
    prefix = np.concatenate([[_U64(0)], np.cumsum(c * up[: len(c)], dtype=np.uint64)])
    return (prefix[ends] - prefix[starts]) * down[starts]


def _emoji_hashes() -> tuple[np.ndarray, np.ndarray]:
    pos, neg = sorted(POSITIVE_EMOJI), sorted(NEGATIVE_EMOJI)
    both = np.array([ord(e) for e in pos + neg], dtype=np.uint64)
    h = _string_hashes(both, np.arange(len(both)), np.arange(1, len(both) + 1))
    return h[: len(pos)], h[len(pos) :]


def hash_features(texts: Sequence[str], spec: FeatureSpec) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Hashed features of ``texts``: ``(row, column, scale)``.

    ``row[k]`` is the text of occurrence ``k`` and ``column[k]`` its feature index in
    ``[0, 2**spec.bits)``; ``scale[i]`` is ``1/sqrt(occurrences of text i)``. A linear model's
    logits are ``bincount(row, W[column]) * scale``.
    """
    per_text = _tokenise(texts, spec.lang)
    toks = list(chain.from_iterable(per_text))
    counts = np.fromiter(map(len, per_text), dtype=np.int64, count=len(per_text))
    rows_tok = np.repeat(np.arange(len(per_text)), counts)
    # " tok0 tok1 ... tokN ": every token is padded by spaces, as char_wb pads words
    c = np.frombuffer((" " + " ".join(toks) + " ").encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    lengths = np.fromiter(map(len, toks), dtype=np.int64, count=len(toks))
    starts = 1 + np.concatenate([[0], np.cumsum(lengths + 1)[:-1]]) if len(toks) else np.zeros(0, np.int64)
    ends = starts + lengths
    with np.errstate(over="ignore"):
        marked = c[starts] == ord("¬") if len(toks) else np.zeros(0, bool)
        whole = _string_hashes(c, starts, ends)
        plain = np.where(marked, _string_hashes(c, starts + marked, ends), whole)
        hashes = [_mix(whole + _SALT["word"])]
        rows = [rows_tok]
        if spec.word_bigrams and len(toks) > 1:
            same = rows_tok[1:] == rows_tok[:-1]
            hashes.append(_mix(_mix(plain[:-1][same]) + plain[1:][same] + _SALT["bigram"]))
            rows.append(rows_tok[:-1][same])
        pos, neg = _emoji_hashes()
        for sign, table in ((1, pos), (2, neg)):
            hit = np.isin(plain, table)
            hashes.append(np.full(int(hit.sum()), _mix(np.array([_SALT["emoji"] + _U64(sign)]))[0]))
            rows.append(rows_tok[hit])
        lo, hi = spec.char_ngrams
        if hi and len(toks):
            cc = np.where(c == ord("¬"), _U64(32), c)
            space = cc == 32
            # text of each position: a token's own row, and for the space before it, the same
            pos_row = np.repeat(np.concatenate([rows_tok, rows_tok[-1:]]), np.concatenate([lengths + 1, [1]]))
            blanks = np.concatenate([[0], np.cumsum(space)])
            h = cc.copy()
            up, _ = _powers(hi + 1)
            for n in range(1, hi + 1):
                if n > 1:
                    h = h[:-1] + cc[n - 1 :] * up[n - 1]
                if n < lo:
                    continue
                size = len(h)
                ok = ~(space[:size] & space[n - 1 : n - 1 + size])
                if n > 2:
                    ok &= blanks[n - 1 : n - 1 + size] == blanks[1 : 1 + size]
                hashes.append(_mix(h[ok] + _SALT[f"c{n}"]))
                rows.append(pos_row[: len(h)][ok])
        shift = _U64(64 - spec.bits)
        columns = (np.concatenate(hashes) >> shift).view(np.int64)  # < 2**bits: the same numbers
    row = np.concatenate(rows)
    occurrences = np.bincount(row, minlength=len(texts))
    scale = 1.0 / np.sqrt(np.maximum(occurrences, 1))
    return row, columns, scale
