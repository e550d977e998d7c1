"""Near-duplicate texts: character shingles, MinHash signatures and LSH, all in numpy.

Two texts are *near-duplicates* when the Jaccard similarity of their sets of character
5-grams ("shingles", after `normalise_texts`) is at least ``similarity``: "Overpriced cup at
Kettle Kings, the tea was cold" and "Overrated cup at Kettle Kings, the tea was lukewarm" are;
two customers asking "Which place is this?" are never compared, because texts shorter than
``min_chars`` are left out (short questions are common phrases, not copies).

The Jaccard similarity is estimated from MinHash signatures (Broder 1997): ``num_perm`` hash
functions, each keeping the smallest hash of a text's shingles; the share of equal positions
estimates the Jaccard similarity. Candidates come from banding (locality-sensitive hashing,
Leskovec, Rajaraman & Ullman, *Mining of Massive Datasets*, ch. 3): signatures cut into ``bands``
of ``num_perm / bands`` rows; texts equal on a whole band land in the same bucket. Each text is
compared with the first text of each of its buckets (never all pairs), and near-duplicate
*families* are the connected components of the verified pairs. Everything is vectorised: a
million texts take seconds, not a Python loop per shingle.

The hashes are fixed arithmetic (no ``hash()``), so results do not depend on the process.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

__all__ = [
    "NearDuplicates",
    "normalise_texts",
    "minhash_signatures",
    "signature_similarity",
    "near_duplicate_families",
]

# Python's \s (what str.isspace() accepts) spelt out: RE2, pyarrow's regex engine, reads \s
# as ASCII only. With it the pattern means the same in both, and pandas runs it in C on
# arrow strings instead of calling Python's re once per text.
_SPACE = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_NORMALISE = rf"https?://[^{_SPACE}]+|[@#][^{_SPACE}]+|[{_SPACE}]+"

SHINGLE = 5  # characters per shingle: long enough that shared shingles mean shared words
_MASK = np.uint64(0xFFFFFFFFFFFFFFFF)


def normalise_texts(texts: pd.Series) -> pd.Series:
    """Texts as they are compared: lower case, links, @handles and #hashtags removed, spaces collapsed.

    Examples
    --------
    >>> normalise_texts(pd.Series(["Flat 50% OFF at @brewbros!  https://t.co/x #chai"])).tolist()
    ['flat 50% off at']
    """
    out = pd.Series(texts, dtype="string").fillna("").str.lower()
    return out.str.replace(_NORMALISE, " ", regex=True).str.replace(" {2,}", " ", regex=True).str.strip()


def _mix(h: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: every input bit reaches every output bit (uint64 arithmetic wraps)."""
    h = h ^ (h >> np.uint64(30))
    h = h * np.uint64(0xBF58476D1CE4E5B9)
    h = h ^ (h >> np.uint64(27))
    h = h * np.uint64(0x94D049BB133111EB)
    return h ^ (h >> np.uint64(31))


def _shingles(texts: list[str], k: int) -> tuple[np.ndarray, np.ndarray]:
    """Hashes of every k-character window of each text, and the text each belongs to (texts >= k chars)."""
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    if not len(texts) or lengths.sum() == 0:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
    # NOTE: UTF-32 gives one integer per character, so windows are characters, not bytes.
    chars = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    windows = np.maximum(lengths - k + 1, 0)
    owner = np.repeat(np.arange(len(texts)), windows)
    first = np.repeat(starts - np.concatenate([[0], np.cumsum(windows)[:-1]]), windows)
    pos = np.arange(len(owner)) + first  # each window's first character
    h = np.zeros(len(owner), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for m in range(k):
            h = _mix(h ^ chars[pos + m])
    return h, owner


def minhash_signatures(
    texts: list[str], *, num_perm: int = 32, k: int = SHINGLE, seed: int = 1
) -> np.ndarray:
    """MinHash signature of each text's set of ``k``-character shingles: ``(len(texts), num_perm)`` uint64.

    A text shorter than ``k`` characters has no shingles and gets the all-ones signature
    (callers leave such texts out). Equal texts get equal signatures.

    Examples
    --------
    >>> sig = minhash_signatures(["flat fifty percent off today", "flat fifty percent off today!", "hello world"])
    >>> bool((sig[0] == sig[1]).mean() > 0.6), bool((sig[0] == sig[2]).mean() < 0.2)
    (True, True)
    """
    out = np.full((len(texts), num_perm), _MASK, dtype=np.uint64)
    h, owner = _shingles(texts, k)
    if not len(h):
        return out
    firsts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
    rng = np.random.Generator(np.random.PCG64(seed))
    salts = rng.integers(1, 2**63, size=num_perm, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(num_perm):
            out[owner[firsts], j] = np.minimum.reduceat(_mix(h ^ salts[j]), firsts)
    return out


def signature_similarity(sig: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Estimated Jaccard similarity of the texts at rows ``a`` and ``b`` (share of equal MinHash values)."""
    if not len(a):
        return np.zeros(0)
    return (sig[a] == sig[b]).mean(axis=1)


@dataclass(frozen=True)
class NearDuplicates:
    """Near-duplicate families of some texts (`near_duplicate_families`).

    ``family``: one id per text (-1: too short to compare); equal ids are one family.
    ``text``: one code per text, equal for equal normalised texts, indexing ``signatures``
    (one MinHash signature per distinct normalised text).
    """

    family: np.ndarray
    text: np.ndarray
    signatures: np.ndarray

    def similarity(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Estimated Jaccard similarity of the texts at positions ``a`` and ``b``."""
        return signature_similarity(self.signatures, self.text[a], self.text[b])


def near_duplicate_families(
    texts: pd.Series,
    *,
    min_chars: int = 30,
    similarity: float = 0.5,
    num_perm: int = 32,
    bands: int = 16,
) -> NearDuplicates:
    """Which texts are near-duplicates of each other (families), with their MinHash signatures.

    Parameters
    ----------
    texts : Series of str
        Raw texts; they are normalised here (`normalise_texts`).
    min_chars : int
        Texts shorter than this after normalising get family -1 (never compared).
    similarity : float
        Estimated Jaccard similarity of shingle sets at which two texts are linked.
    num_perm, bands : int
        MinHash size and LSH bands (``num_perm`` divisible by ``bands``). 32 / 16 (two rows a band)
        makes texts of similarity 0.5 candidates 99% of the time; the verification step keeps
        only those at ``similarity`` or more.

    Returns
    -------
    NearDuplicates
        ``family`` aligned with ``texts`` (-1: too short): connected components of verified
        near-duplicate pairs, so equal texts always share one, and a family may chain texts
        that are not all similar to each other: check a particular pair with ``similarity``.

    Examples
    --------
    >>> fam = near_duplicate_families(pd.Series([
    ...     "Overpriced cup at the cafe, the tea was cold and the staff ignored us",
    ...     "Overrated cup at the cafe, the tea was cold and the staff ignored us",
    ...     "Which place is this?",
    ...     "A completely different sentence about board games and books"])).family
    >>> bool(fam[0] == fam[1]), int(fam[2]), bool(fam[3] != fam[0])
    (True, -1, True)
    """
    if num_perm % bands:
        raise ValueError(f"num_perm={num_perm} is not divisible by bands={bands}")
    normal = normalise_texts(texts)
    codes, distinct = pd.factorize(normal)
    distinct = pd.Series(distinct, dtype="string")
    long = (distinct.str.len() >= max(min_chars, SHINGLE)).to_numpy(dtype=bool)
    keep = np.flatnonzero(long)
    sig = np.full((len(distinct), num_perm), _MASK, dtype=np.uint64)
    family = np.full(len(distinct), -1, dtype=np.int64)
    if len(keep):
        sig[keep] = minhash_signatures(distinct[keep].tolist(), num_perm=num_perm)
        rows = num_perm // bands
        heads, members = [], []
        with np.errstate(over="ignore"):
            for band in range(bands):
                part = sig[keep, band * rows : (band + 1) * rows]
                key = part[:, 0]
                for r in range(1, rows):
                    key = _mix(key ^ part[:, r])
                bucket, uniques = pd.factorize(key)
                head_of_bucket = np.empty(len(uniques), dtype=np.int64)
                head_of_bucket[bucket[::-1]] = np.arange(len(bucket))[::-1]  # the first text of each bucket
                head = head_of_bucket[bucket]
                linked = head != np.arange(len(keep))
                heads.append(keep[head[linked]])
                members.append(keep[np.flatnonzero(linked)])
        a, b = np.concatenate(heads), np.concatenate(members)
        if len(a):
            pairs = np.unique(np.stack([a, b], axis=1), axis=0)
            a, b = pairs[:, 0], pairs[:, 1]
            ok = signature_similarity(sig, a, b) >= similarity
            a, b = a[ok], b[ok]
        n = len(distinct)
        graph = sp.coo_matrix((np.ones(len(a), dtype=np.int8), (a, b)), shape=(n, n))
        _, labels = connected_components(graph, directed=False)
        family[keep] = labels[keep]
    return NearDuplicates(family=family[codes], text=codes.astype(np.int64), signatures=sig)
