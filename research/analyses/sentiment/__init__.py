"""Sentiment of social posts with compact trained models shipped in the package, offline.

One linear model per language (English, Russian, Hindi in Devanagari, Hinglish in Latin
script) over hashed word and character n-grams with negation and emoji features; loading and
scoring need only numpy. What a client reads are shares, so shares are corrected for each
model's measured confusion, with an interval. Modules:

- ``route``: which model scores a text; ``score`` (the ``score_sentiment`` contract);
- ``features``, ``model``: the features and the model file format (npz + JSON, no pickle);
- ``calibrate``: ``estimate_shares`` (adjusted classify-and-count with a bootstrap interval);
- ``entity``: ``entity_sentiment``, sentiment toward each brand a text names;
- ``labels``: a sample to label, and models adapted to a client's labels;
- ``fit``, ``train``, ``corpus``, ``evaluate``, ``card``: training from the shared corpus,
  held-out evaluation and the model card (``research train-sentiment``, ``make models``);
- ``notes``: the method notes quoted in the brief;
- ``transformer``: the optional Hugging Face path (``research[transformers]``).
"""

from research.analyses.sentiment.calibrate import estimate_shares, estimate_shares_by
from research.analyses.sentiment.entity import brand_spans, entity_sentiment, entity_sentiment_frame
from research.analyses.sentiment.notes import method_note, method_notes
from research.analyses.sentiment.route import NOT_SCORED, route, score

__all__ = [
    "NOT_SCORED",
    "brand_spans",
    "entity_sentiment",
    "entity_sentiment_frame",
    "estimate_shares",
    "estimate_shares_by",
    "method_note",
    "method_notes",
    "route",
    "score",
]
