"""A trained linear sentiment model: hashed features, a weight matrix, and what it was measured at.

On disk a model is two files in one folder, ``<name>.npz`` (weights and bias, compressed) and
``<name>.json`` (the feature spec, classes, version, the confusion matrix measured on held-out
data, metrics and provenance). Loading needs numpy only: no pickle, no scikit-learn, so a model
file outlives library upgrades.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from research.analyses.sentiment.features import FeatureSpec, bigram_columns, encode
from research.errors import InputError

__all__ = ["CLASSES", "LinearModel", "MODELS_DIR", "load", "shipped", "shipped_digest"]

CLASSES = ("negative", "neutral", "positive")
MODELS_DIR = Path(__file__).resolve().parent / "models"
_CHUNK = 16_384  # texts per batch: the feature arrays of a batch stay in a few tens of MB


@dataclass
class LinearModel:
    """Multinomial logistic regression over hashed features (``features.FeatureSpec``)."""

    name: str  # the file stem and the language it serves: en, ru, hi, hi-Latn
    version: str
    spec: FeatureSpec
    weights: np.ndarray  # (2**bits, 3) float32, columns in CLASSES order
    bias: np.ndarray  # (3,)
    confusion: np.ndarray  # (3, 3) counts on held-out data: rows true class, columns predicted
    info: dict = field(default_factory=dict)  # metrics, sources, training rows: the model card's facts
    _sums: tuple | None = field(default=None, repr=False, compare=False)  # token_sums' cache

    @property
    def method(self) -> str:
        """The name reported in ``method`` columns: ``linear-<lang>-<version>``."""
        return f"linear-{self.name}-{self.version}"

    def token_sums(self, table) -> np.ndarray:
        """Each token's summed weights, ``(2 * tokens, 3)``: row ``2u`` plain, ``2u + 1`` in a negation's scope.

        Every feature of a token but the bigrams depends on the token alone (``features``), so
        its weights are summed once per distinct token and kept until the table starts again.
        """
        cache = self._sums
        if cache is None or cache[0] is not table or cache[1] != table.generation:
            cache = self._sums = (table, table.generation, np.zeros((0, len(CLASSES))))
        sums = cache[2]
        have, size = len(sums) // 2, len(table)
        if have == size:
            return sums
        a, w = table.arrays, self.weights
        new = np.arange(have, size)
        n_char = a["n_char"][new]
        first, last = a["char_ptr"][have], a["char_ptr"][size - 1] + n_char[-1]
        chars = np.zeros((len(new), len(CLASSES)))
        owner = np.repeat(np.arange(len(new)), n_char)
        picked = w[table.char_col[first:last]]
        for k in range(len(CLASSES)):
            chars[:, k] = np.bincount(owner, picked[:, k], minlength=len(new))

        def optional(cols: np.ndarray) -> np.ndarray:
            return np.where((cols >= 0)[:, None], w[np.maximum(cols, 0)], 0.0)

        base = chars + optional(a["emoji"][new])
        plain = base + w[a["word"][new]] + optional(a["lex"][new])
        marked = base + w[a["word_neg"][new]] + optional(a["lex_neg"][new])
        sep = a["sep"][new]
        plain[sep] = marked[sep] = 0.0
        both = np.empty((2 * len(new), len(CLASSES)))
        both[0::2], both[1::2] = plain, marked
        sums = np.concatenate([sums, both])
        self._sums = (table, table.generation, sums)
        return sums

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        """Class scores before the softmax, ``(n, 3)``: what ``hash_features`` and the weights give, summed per token."""
        texts = list(texts)
        out = np.empty((len(texts), len(CLASSES)), dtype=np.float64)
        for start in range(0, len(texts), _CHUNK):
            part = texts[start : start + _CHUNK]
            n = len(part)
            table, ids, row, marked = encode(part, self.spec)
            per_token = self.token_sums(table)[2 * ids + marked]
            brow, bcol = bigram_columns(table, ids, row)
            per_bigram = self.weights[bcol]
            block = out[start : start + n]
            for k in range(len(CLASSES)):
                block[:, k] = np.bincount(row, per_token[:, k], minlength=n) + np.bincount(
                    brow, per_bigram[:, k], minlength=n
                )
            occurrences = np.bincount(row, table.arrays["count"][ids], minlength=n) + np.bincount(
                brow, minlength=n
            )
            block *= (1.0 / np.sqrt(np.maximum(occurrences, 1)))[:, None]
        return out + self.bias

    def proba(self, texts: Sequence[str]) -> np.ndarray:
        """P(negative), P(neutral), P(positive) of each text, shape (n, 3)."""
        z = self.logits(list(texts))
        z -= z.max(axis=1, keepdims=True)
        np.exp(z, out=z)
        return z / z.sum(axis=1, keepdims=True)

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        """The most probable class of each text, as an index into ``CLASSES``."""
        return self.logits(list(texts)).argmax(axis=1)

    def save(self, folder: str | Path) -> Path:
        """Write ``<name>.npz`` and ``<name>.json`` into ``folder``; returns the JSON path.

        The files are byte-identical for identical models (no timestamps inside).
        """
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        meta = {"name": self.name, "version": self.version, "classes": list(CLASSES),
                "features": self.spec.to_json(), "confusion": self.confusion.astype(int).tolist(), **self.info}  # fmt: skip
        # float16 halves the file; the scores move by < 1e-3 (weights are small, |w| < 10)
        _write_npz(folder / f"{self.name}.npz", weights=self.weights.astype(np.float16), bias=self.bias)
        path = folder / f"{self.name}.json"
        path.write_text(
            json.dumps(meta, indent=1, ensure_ascii=False, sort_keys=False) + "\n", encoding="utf-8"
        )
        return path


def _write_npz(path: Path, **arrays: np.ndarray) -> None:
    """``np.savez_compressed`` with fixed zip timestamps, so a rerun writes the same bytes."""
    import io
    import zipfile

    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for key, value in arrays.items():
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.ascontiguousarray(value), allow_pickle=False)
            info = zipfile.ZipInfo(f"{key}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, buffer.getvalue())


def load(folder: str | Path, name: str) -> LinearModel:
    """The model ``name`` (``en``, ``ru``, ``hi``, ``hi-Latn``) stored in ``folder``."""
    folder = Path(folder)
    path = folder / f"{name}.json"
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
        with np.load(folder / f"{name}.npz", allow_pickle=False) as arrays:
            weights, bias = arrays["weights"].astype(np.float32), arrays["bias"].astype(np.float64)
    except (OSError, ValueError, KeyError) as e:
        raise InputError(f"cannot read sentiment model {name!r} ({e})", path=path) from e
    if meta.get("classes") != list(CLASSES):
        raise InputError(f"classes {meta.get('classes')} are not {list(CLASSES)}", path=path)
    spec = FeatureSpec.from_json(meta.pop("features"))
    if weights.shape != (2**spec.bits, len(CLASSES)):
        raise InputError(f"weights of shape {weights.shape} do not match {spec.bits} feature bits", path=path)
    confusion = np.asarray(meta.pop("confusion"), dtype=np.float64)
    name, version = meta.pop("name"), meta.pop("version")
    meta.pop("classes")
    return LinearModel(name, version, spec, weights, bias, confusion, meta)


@lru_cache(maxsize=16)
def shipped(name: str, folder: str | None = None) -> LinearModel:
    """A model from the package's ``models/`` folder (or ``folder``), loaded once per process."""
    return load(folder or MODELS_DIR, name)


@lru_cache(maxsize=1)
def shipped_digest() -> str:
    """A hash of what the shipped models' labels depend on: this package's code and its model files.

    A stored label made before a retrained model (or a change to the features) is not reused
    (``research.run.texts.text_version`` includes it).
    """
    import hashlib

    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent
    files = (
        sorted(package.glob("*.py")) + sorted(MODELS_DIR.glob("*.json")) + sorted(MODELS_DIR.glob("*.npz"))
    )
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
