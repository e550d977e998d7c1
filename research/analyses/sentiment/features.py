"""Hashed word and character n-gram features of short social texts, with negation, emoji and lexicon.

A text becomes a bag of hashed features, the way scikit-learn's ``HashingVectorizer`` does it,
but with a hash written here (a polynomial hash of the code points mixed by splitmix64, all in
``uint64`` numpy arithmetic), so the same text gives the same feature indices on every
platform and with every library version: a model is only a weight matrix plus the ``FeatureSpec``.

Per text (``tokens``):

1. lower-cased, NFC, ``ё`` -> ``е``; links -> ``http``, @handles -> ``@user``, digits -> ``0``,
   letters repeated 4+ times cut to 3 (``sooooo`` -> ``sooo``), ``#`` split from the tag; Hindi
   also without nukta and with chandrabindu as anusvara (``fold_hindi``: ``बढ़िया`` = ``बढिया``);
2. tokens: words (Devanagari vowel signs kept inside words), emoticons (``:)``, ``))``), each
   emoji, and punctuation runs (``!!!``);
3. negation marks a token (``¬``) when a negator stands among the three tokens before it (English,
   Russian: ``not good``, ``не работает``) or among the two after it (Hindi puts the negator after
   what it negates: ``अच्छा नहीं है``, ``acha nahi``), with no punctuation (``. , ! ? ; : ।``) between;
4. in Russian and Hindi posts every Latin-script word (a brand or product name, mostly) is one
   token, ``latn``.

Features of a token: its word (marked or not: ``¬good`` is another feature than ``good``), its
character 2..5-grams (of `` tok ``, padded with a space as scikit-learn's ``char_wb``; negation
does not change them), emoji polarity (one feature for the clearly positive emoji of a short list,
one for the negative), and, where the spec asks for it, lexicon polarity (``+lex``/``-lex`` from
``lexicon.py``, swapped inside a negation's scope). Plus word bigrams of neighbouring tokens.
Each occurrence counts 1 and a text's vector is divided by the square root of its number of
occurrences, so long and short posts weigh alike.

Speed: every feature but the bigrams depends on the token alone, so each distinct token is hashed
once and kept in a table per spec (``_Table``); a text costs a regex pass, one dictionary look-up
per token and a few numpy operations per token, not per character n-gram. ``LinearModel`` goes one
step further and keeps each token's summed weights (``token_sums``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import numpy as np

from research.analyses.sentiment.lexicon import fold_hindi, polarity

__all__ = ["FeatureSpec", "NEGATORS", "encode", "fold_hindi", "hash_features", "table", "tokens"]

_URL = re.compile(r"https?://\S+|www\.\S+")
_MENTION = re.compile(r"@(?<![\w@]@)\w+")  # starts with its literal: the regex engine skips to each "@"
_DIGITS = re.compile(r"\d+")
_REPEAT = re.compile(r"(.)\1\1\1+")
# Latin-script words inside Russian or Hindi posts are mostly names (brands, songs, places): one token
# for all of them, so "Masala Mornings ужасный сервис" is not read through the names' training history.
_LATIN_WORD = re.compile(r"[a-z][a-z0-9_']*")
LATIN_AS_ONE = frozenset({"ru", "hi"})
_LATIN = "latn"
_SEPARATOR = "\x00"  # between texts in the one string a batch is tokenised as
# Separator, words (with Devanagari signs), emoticons and Russian bracket smileys, punctuation runs,
# any other symbol. The text is lower-cased first, so no IGNORECASE (which slows the regex down).
_TOKEN = re.compile(
    r"[\w\u0900-\u0963\u0966-\u097f\u200c\u200d]+(?:['’][a-z]+)?|\x00|@user"
    r"|[:;=]-?[)(dp]|:'\(|\){2,}|\({2,}|[!?.]+|[^\w\s]"
)  # NOTE: no "<3": the v2 models were trained with digits read as 0 first, so "<3" was "<", "0"

NEGATORS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    # language: (negators whose scope follows them, negators whose scope precedes them)
    "en": (frozenset("not no never nothing nobody none neither nor without cannot cant dont doesnt didnt "
                     "isnt wasnt arent werent wont wouldnt couldnt shouldnt aint havent hasnt hadnt".split()),
           frozenset()),
    "ru": (frozenset("не нет ни без никогда ничего никто нельзя".split()), frozenset()),
    "hi": (frozenset("बिना बगैर".split()), frozenset("नहीं नही न ना मत".split())),
    "hi-Latn": (frozenset("not no never dont cant without bina".split()),
                frozenset("nahi nahin nhi nai mat na".split())),
}  # fmt: skip
_PUNCT = frozenset(".,!?;:।")
_AFTER_SCOPE, _BEFORE_SCOPE = 3, 2

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
    version: int = 2
    lexicon: bool = False
    strip_noise: bool = (
        False  # drop links, @handles and "RT" (where the training set's classes differ by them)
    )
    extra: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> FeatureSpec:
        data = dict(data)
        data["char_ngrams"] = tuple(data["char_ngrams"])
        return cls(**data)

    @property
    def key(self) -> tuple:
        return (self.lang, self.bits, self.char_ngrams, self.word_bigrams, self.version, self.lexicon,
                self.strip_noise)  # fmt: skip


_RT = re.compile(r"(?<!\w)rt(?!\w)")


def _normalise(text: str, lang: str, strip_noise: bool = False) -> str:
    if lang == "hi":
        text = fold_hindi(text.lower())
    else:
        if not unicodedata.is_normalized("NFC", text):
            text = unicodedata.normalize("NFC", text)
        text = text.lower()
    text = _URL.sub(" " if strip_noise else " http ", text.replace("ё", "е"))
    text = _MENTION.sub(" " if strip_noise else " @user ", text)
    if strip_noise:
        text = _RT.sub(" ", text)
    return _REPEAT.sub(r"\1\1\1", text).replace("#", " # ").replace("\u2019", "'")


def _token_stream(texts: Sequence[str], lang: str, strip_noise: bool = False) -> list[str]:
    """Every token of every text, one separator token before each text (one regex pass in all)."""
    # spaces around each separator: a link or a repeated letter at the end of a text never runs into the next
    if not len(texts):
        return []
    joiner = f" {_SEPARATOR} "
    joined = joiner + joiner.join(t or "" for t in texts)
    if joined.count(_SEPARATOR) != len(texts):  # a text holds the separator itself
        joined = joiner + joiner.join((t or "").replace(_SEPARATOR, " ") for t in texts)
    return _TOKEN.findall(_normalise(joined, lang, strip_noise))


# --- hashing --------------------------------------------------------------------------------------

_U64 = np.uint64
_BASE = 0x100000001B3  # odd, so invertible modulo 2**64
_SALT = {name: _U64((k + 1) * 0x9E3779B97F4A7C15 % 2**64) for k, name in
         enumerate(["word", "bigram", "emoji", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "neg", "lex"])}  # fmt: skip


def _mix(h: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: every input bit moves every output bit."""
    h = h ^ (h >> _U64(30))
    h = h * _U64(0xBF58476D1CE4E5B9)
    h = h ^ (h >> _U64(27))
    h = h * _U64(0x94D049BB133111EB)
    return h ^ (h >> _U64(31))


def _column(h: np.ndarray, bits: int) -> np.ndarray:
    return (h >> _U64(64 - bits)).astype(np.int64)


def _codes(strings: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Code points of `` s0 s1 ... `` (each string padded by spaces) and each string's start and length."""
    c = np.frombuffer((" " + " ".join(strings) + " ").encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    lengths = np.fromiter(map(len, strings), dtype=np.int64, count=len(strings))
    starts = 1 + np.concatenate([[0], np.cumsum(lengths + 1)[:-1]]).astype(np.int64)
    return c, starts, lengths


def _string_hashes(c: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Polynomial hash (base ``_BASE``) of each ``c[start:start+length]``, position-independent."""
    h = np.zeros(len(starts), dtype=np.uint64)
    longest = int(lengths.max()) if len(lengths) else 0
    with np.errstate(over="ignore"):
        for k in range(longest - 1, -1, -1):  # Horner from the last character: one pass per position
            inside = lengths > k
            h[inside] = h[inside] * _U64(_BASE) + c[starts[inside] + k]
    return h


class _Table:
    """What every distinct token of one ``FeatureSpec`` contributes, computed once per token.

    ``index`` maps a token to its row; per row: ``word``/``word_neg`` (the word feature, plain or
    marked), ``pre`` (the mixed plain hash, for bigrams), char n-gram columns in CSR form
    (``char_ptr``, ``char_col``), ``emoji`` and ``lex`` columns (-1: none; ``lex_neg`` the marked
    one), ``count`` (features of the token), and flags ``after``/``before`` (negators),
    ``brk`` (punctuation or separator) and ``sep``.
    """

    LIMIT = 500_000  # distinct tokens kept (about 150 MB with their n-grams); past it the table starts again

    def __init__(self, spec: FeatureSpec):
        self.spec = spec
        self.generation = 0
        self._reset()

    def _reset(self) -> None:
        self.index: dict[str, int] = {}
        self.arrays: dict[str, np.ndarray] = {}
        self.char_col = np.zeros(0, dtype=np.int64)
        self.generation += 1
        self._rows([_SEPARATOR, _LATIN])

    def __len__(self) -> int:
        """Rows (distinct tokens, Latin names in Russian and Hindi posts counting as one)."""
        return len(self.arrays["sep"]) if self.arrays else 0

    def ids(self, toks: list[str]) -> np.ndarray:
        """Row of each token, adding the tokens not seen before."""
        new = set(toks).difference(self.index)
        if new:
            if len(self.index) + len(new) > self.LIMIT:
                self._reset()
                new = set(toks).difference(self.index)
            self.add(sorted(new))
        return np.fromiter(map(self.index.__getitem__, toks), dtype=np.int64, count=len(toks))

    def add(self, new: list[str]) -> None:
        spec = self.spec
        # digits -> 0 (step 1 of the module docstring), done once per distinct token: "12" and "5" are "0"
        numbered = {t: _DIGITS.sub("0", t) for t in new if _DIGITS.search(t)}
        numbered = {t: c for t, c in numbered.items() if c != t}
        if numbered:
            canonical = sorted(set(numbered.values()) - self.index.keys())
            if canonical:
                self.add(canonical)
            self.index.update((t, self.index[c]) for t, c in numbered.items())
            new = [t for t in new if t not in numbered]
        if spec.lang in LATIN_AS_ONE:  # Latin words are all one token there (``_LATIN``)
            names = [t for t in new if t != "http" and _LATIN_WORD.fullmatch(t)]
            if names:
                self.index.update(dict.fromkeys(names, self.index[_LATIN]))
                taken = set(names)
                new = [t for t in new if t not in taken]
        if new:
            self._rows(new)

    def _rows(self, new: list[str]) -> None:
        spec = self.spec
        base = len(self.arrays["sep"]) if self.arrays else 0
        self.index.update(zip(new, range(base, base + len(new)), strict=True))
        after, before = NEGATORS.get(spec.lang, NEGATORS["en"])
        english = spec.lang in ("en", "hi-Latn")
        c, starts, lengths = _codes(new)
        sep = np.array([t == _SEPARATOR for t in new], dtype=bool)
        with np.errstate(over="ignore"):
            plain = _string_hashes(c, starts, lengths)
            part = {
                "word": _column(_mix(plain + _SALT["word"]), spec.bits),
                "word_neg": _column(_mix(plain + _SALT["neg"]), spec.bits),
                "pre": _mix(plain),
                "after": np.array([t in after or (english and t.endswith("n't")) for t in new], dtype=bool),
                "before": np.array([t in before for t in new], dtype=bool),
                "brk": np.array([t in _PUNCT or t[0] in "!?." for t in new], dtype=bool) | sep,
                "sep": sep,
            }
            emoji = np.array([1 if t in POSITIVE_EMOJI else 2 if t in NEGATIVE_EMOJI else 0 for t in new])
            emoji_cols = _column(_mix(np.array([_SALT["emoji"] + _U64(s) for s in (1, 2)])), spec.bits)
            part["emoji"] = np.where(emoji > 0, emoji_cols[np.maximum(emoji, 1) - 1], -1)
            if spec.lexicon:
                sign = np.array([polarity(t, spec.lang) for t in new], dtype=np.int64)
            else:
                sign = np.zeros(len(new), dtype=np.int64)
            # +lex, -lex; inside a negation's scope they swap ("अच्छा नहीं" counts as -lex)
            lex_cols = _column(_mix(np.array([_SALT["lex"] + _U64(s) for s in (1, 2)])), spec.bits)
            part["lex"] = np.where(sign > 0, lex_cols[0], np.where(sign < 0, lex_cols[1], -1))
            part["lex_neg"] = np.where(sign > 0, lex_cols[1], np.where(sign < 0, lex_cols[0], -1))
            char_rows, char_cols = self._char_ngrams(c, starts, lengths)
        char_rows[sep[char_rows]] = -1  # the separator has no features
        keep = char_rows >= 0
        char_rows, char_cols = char_rows[keep], char_cols[keep]
        order = np.argsort(char_rows, kind="stable")
        n_char = np.bincount(char_rows, minlength=len(new))
        part["count"] = np.where(sep, 0, 1 + n_char + (part["emoji"] >= 0) + (part["lex"] >= 0))
        part["n_char"] = n_char
        previous_cols = len(self.char_col)
        self.char_col = np.concatenate([self.char_col, char_cols[order]])
        part["char_ptr"] = previous_cols + np.concatenate([[0], np.cumsum(n_char)[:-1]]).astype(np.int64)
        for key, value in part.items():
            self.arrays[key] = np.concatenate([self.arrays[key], value]) if key in self.arrays else value

    def _char_ngrams(self, c: np.ndarray, starts: np.ndarray, lengths: np.ndarray):
        """``(row, column)`` of the character n-grams of `` tok `` for each new token."""
        lo, hi = self.spec.char_ngrams
        if not hi or not len(starts):
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        # position p of c belongs to the token whose padded form `` tok `` starts at or before it
        padded_start = starts - 1
        owner = np.repeat(np.arange(len(starts)), lengths + 1)  # each token's leading space and letters
        owner = np.concatenate([owner, [len(starts) - 1]])  # the final space closes the last token
        end_of = padded_start + lengths + 2  # one past the trailing space of each padded token
        rows, cols = [], []
        h = c.copy()
        with np.errstate(over="ignore"):
            for n in range(1, hi + 1):
                if n > 1:
                    h = h[:-1] * _U64(_BASE) + c[n - 1 :]
                if n < lo:
                    continue
                p = np.arange(len(h))
                ok = p + n <= end_of[owner[: len(h)]]  # inside its own padded token
                rows.append(owner[: len(h)][ok])
                cols.append(_column(_mix(h[ok] + _SALT[f"c{n}"]), self.spec.bits))
        return np.concatenate(rows), np.concatenate(cols)


_TABLES: dict[tuple, _Table] = {}


def table(spec: FeatureSpec) -> _Table:
    """The token table of ``spec`` (one per process)."""
    key = spec.key
    if key not in _TABLES:
        _TABLES[key] = _Table(spec)
    return _TABLES[key]


def _marks(a: dict[str, np.ndarray], ids: np.ndarray) -> np.ndarray:
    """Which tokens of the stream ``ids`` are in a negator's scope (module docstring, step 3)."""
    n = len(ids)
    pos = np.arange(n)
    brk = a["brk"][ids]
    marked = np.zeros(n, dtype=bool)
    after = a["after"][ids]
    if after.any():
        last_neg = np.maximum.accumulate(np.where(after, pos, -1))
        last_neg = np.concatenate([[-1], last_neg[:-1]])  # the nearest negator strictly before
        last_brk = np.maximum.accumulate(np.where(brk, pos, -1))  # the nearest break at or before
        marked |= (last_neg >= 0) & (pos - last_neg <= _AFTER_SCOPE) & (last_brk < last_neg)
    before = a["before"][ids]
    if before.any():
        far = 2 * n + 2 * _BEFORE_SCOPE  # "none": farther than any scope
        next_neg = np.minimum.accumulate(np.where(before, pos, far)[::-1])[::-1]  # at or after
        next_neg = np.concatenate([next_neg[1:], [far]])  # strictly after
        next_brk = np.minimum.accumulate(np.where(brk, pos, far)[::-1])[::-1]  # the nearest break at or after
        marked |= (next_neg - pos <= _BEFORE_SCOPE) & (next_brk >= next_neg)
    return marked & ~brk


def encode(texts: Sequence[str], spec: FeatureSpec) -> tuple[_Table, np.ndarray, np.ndarray, np.ndarray]:
    """``(table, ids, row, marked)``: each token of ``texts`` as a table row, its text and its negation mark."""
    t = table(spec)
    ids = t.ids(_token_stream(texts, spec.lang, spec.strip_noise))
    a = t.arrays
    marked = _marks(a, ids)
    sep = a["sep"][ids]
    row = np.cumsum(sep) - 1
    if int(sep.sum()) != len(texts):
        raise AssertionError(f"{int(sep.sum())} texts found in a batch of {len(texts)}")
    keep = ~sep
    return t, ids[keep], row[keep], marked[keep]


def bigram_columns(t: _Table, ids: np.ndarray, row: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(row, column)`` of the word bigrams: neighbouring tokens of one text, unmarked."""
    if not t.spec.word_bigrams or len(ids) < 2:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    same = row[1:] == row[:-1]
    pre = t.arrays["pre"][ids]
    with np.errstate(over="ignore"):
        h = _mix(pre[:-1][same] * _U64(_BASE) + pre[1:][same] + _SALT["bigram"])
    return row[:-1][same], _column(h, t.spec.bits)


def tokens(text: str, lang: str) -> list[str]:
    """The text's tokens, those in a negation's scope marked ``¬``.

    >>> tokens("Not good at all!!", "en")
    ['not', '¬good', '¬at', '¬all', '!!']
    >>> tokens("खाना अच्छा नहीं था", "hi")
    ['¬खाना', '¬अच्छा', 'नहीं', 'था']
    >>> tokens("@mts_ru Связь не работает 3 дня!!!! Masala Mornings :d", "ru")
    ['@user', 'связь', 'не', '¬работает', '¬0', '¬дня', '!!!', 'latn', 'latn', ':d']
    """
    stream = _token_stream([text], lang)
    t = table(FeatureSpec(lang, char_ngrams=(0, 0), word_bigrams=False))
    ids = t.ids(stream)
    marked = _marks(t.arrays, ids)
    names = LATIN_AS_ONE if lang in LATIN_AS_ONE else ()
    stream = [_DIGITS.sub("0", tok) for tok in stream]
    stream = [_LATIN if names and tok != "http" and _LATIN_WORD.fullmatch(tok) else tok for tok in stream]
    return [("¬" + tok) if m else tok for tok, m in zip(stream[1:], marked[1:], strict=True)]


def hash_features(texts: Sequence[str], spec: FeatureSpec) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Hashed features of ``texts``: ``(row, column, scale)``.

    ``row[k]`` is the text of occurrence ``k`` and ``column[k]`` its feature index in
    ``[0, 2**spec.bits)``; ``scale[i]`` is ``1/sqrt(occurrences of text i)``. A linear model's
    logits are ``bincount(row, W[column]) * scale``.
    """
    t, ids, row, marked = encode(list(texts), spec)
    a = t.arrays
    rows = [row]
    cols = [np.where(marked, a["word_neg"][ids], a["word"][ids])]
    n_char = a["n_char"][ids]
    total = int(n_char.sum())
    if total:
        first = np.repeat(a["char_ptr"][ids], n_char)
        offset = np.arange(total) - np.repeat(np.cumsum(n_char) - n_char, n_char)
        rows.append(np.repeat(row, n_char))
        cols.append(t.char_col[first + offset])
    for chosen in (a["emoji"][ids], np.where(marked, a["lex_neg"][ids], a["lex"][ids])):
        hit = chosen >= 0
        rows.append(row[hit])
        cols.append(chosen[hit])
    brow, bcol = bigram_columns(t, ids, row)
    rows.append(brow)
    cols.append(bcol)
    row_all, col_all = np.concatenate(rows), np.concatenate(cols)
    occurrences = np.bincount(row_all, minlength=len(texts))
    scale = 1.0 / np.sqrt(np.maximum(occurrences, 1))
    return row_all, col_all, scale
