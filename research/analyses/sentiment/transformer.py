"""Optional: score with a local Hugging Face sequence-classification model (``research[transformers]``).

The model folder is given by path and read with ``local_files_only=True`` under
``HF_HUB_OFFLINE=1``: nothing is ever downloaded at run time. The folder's ``config.json``
must name its labels (``id2label``) so that each maps to negative, neutral or positive (names
containing ``neg``/``neu``/``pos``, or ``LABEL_0..2`` read in that order).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from research.analyses.sentiment.model import CLASSES
from research.errors import InputError

__all__ = ["TransformerScorer"]


def _class_order(id2label: dict) -> list[int]:
    """Column of each of CLASSES in the model's output."""
    names = {int(k): str(v).lower() for k, v in id2label.items()}
    if len(names) != 3:
        raise InputError(f"the model has {len(names)} labels; 3 (negative, neutral, positive) are needed")
    order = []
    for cls in CLASSES:
        hits = [k for k, v in names.items() if v.startswith(cls[:3])]
        order.append(hits[0] if len(hits) == 1 else CLASSES.index(cls))
    return order


class TransformerScorer:
    """``score``-compatible scoring with a local transformer model folder."""

    def __init__(self, path: str | Path, *, batch_size: int = 32, max_length: int = 128):
        os.environ["HF_HUB_OFFLINE"] = "1"
        try:
            import torch
            from transformers import AutoModelForSequenceClassification, AutoTokenizer
        except ImportError as e:
            raise InputError("the transformer path needs: pip install 'research[transformers]'") from e
        path = Path(path)
        if not (path / "config.json").is_file():
            raise InputError("is not a model folder (no config.json)", path=path)
        self._torch = torch
        self.tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
        self.model = AutoModelForSequenceClassification.from_pretrained(path, local_files_only=True).eval()
        self.order = _class_order(self.model.config.id2label)
        self.method = f"transformer-{path.name}"
        self.batch_size, self.max_length = batch_size, max_length

    def proba(self, texts: list[str]) -> np.ndarray:
        """P(negative), P(neutral), P(positive) per text."""
        out = []
        with self._torch.no_grad():
            for start in range(0, len(texts), self.batch_size):
                batch = self.tokenizer(texts[start : start + self.batch_size], padding=True, truncation=True,
                                       max_length=self.max_length, return_tensors="pt")  # fmt: skip
                logits = self.model(**batch).logits
                out.append(self._torch.softmax(logits, dim=-1).numpy()[:, self.order])
        return np.concatenate(out) if out else np.zeros((0, 3))

    def score(self, texts: pd.Series) -> pd.DataFrame:
        """The ``score_sentiment`` columns for ``texts`` (every text is scored: the model is multilingual or not, by choice)."""
        text = texts.astype("string").fillna("")
        codes, unique = pd.factorize(text)
        p = self.proba([str(t) for t in unique])
        labels = np.asarray(CLASSES, dtype=object)[p.argmax(axis=1)][codes]
        return pd.DataFrame({"sentiment": pd.array(labels, dtype="string"),
                             "score": pd.array((p[:, 2] - p[:, 0])[codes], dtype="Float64"),
                             "method": pd.Series(self.method, index=texts.index, dtype="string")},
                            index=texts.index)  # fmt: skip
