"""``MODEL_CARD.md``: what each shipped model was trained on, under what terms, and how it measures.

Written by ``train.train_all`` from the models' JSON files (every figure in it is in them),
so the card and the models cannot disagree.
"""

from __future__ import annotations

import json
from pathlib import Path

from research.analyses.sentiment import corpus
from research.analyses.sentiment.model import CLASSES

__all__ = ["write_card"]

_TITLES = {
    "en": "English",
    "ru": "Russian",
    "hi": "Hindi (Devanagari)",
    "hi-Latn": "Hinglish (romanised Hindi)",
}


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.1f} %"


def _f(x: float | None) -> str:
    return "–" if x is None else f"{x:.3f}"


def _rows(counts: dict) -> str:
    return " / ".join(f"{counts[c]:,}" for c in CLASSES)


def _language(folder: Path, lang: str) -> list[str]:
    meta = json.loads((folder / f"{lang}.json").read_text(encoding="utf-8"))
    size = (folder / f"{lang}.npz").stat().st_size
    spec = meta["features"]
    lines = [
        f"## {_TITLES.get(lang, lang)} — `linear-{lang}-{meta['version']}`",
        "",
        f"Files `{lang}.npz` ({size / 1e6:.1f} MB) and `{lang}.json`. Multinomial logistic regression (L2 "
        f"{meta['l2']:g}, classes weighted equally) over 2^{spec['bits']} hashed features: word unigrams with "
        f"negation marks, word bigrams, character {spec['char_ngrams'][0]}–{spec['char_ngrams'][1]}-grams inside "
        "words, emoji polarity"
        + (", polarity words of `lexicon.py` (swapped under negation)" if spec.get("lexicon") else "")
        + ("; links, @handles and RT dropped" if spec.get("strip_noise") else "")
        + ".",
        "",
        "Trained on (rows negative / neutral / positive, after cleaning):",
        "",
        "| set | source (repository @ commit) | licence as stated | rows |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {s['set']} | {s['origin']} | {s['licence']} | {_rows(s['rows'])} |" for s in meta["sources"]
    ]
    c = meta["cleaning"]
    check = meta["shares"]
    errors = check["error_by_shrink"]
    lines += [
        "",
        f"Cleaning: {c['rows_read']:,} rows read; {c['removed_as_in_evaluation_sets']:,} removed because their "
        f"normalised text occurs in an evaluation set; {c['removed_conflicting_labels']:,} with conflicting labels "
        f"and {c['removed_duplicates']:,} duplicates removed. Training rows {_rows(meta['training_rows'])}.",
        "",
        f"Confusion across groups ({', '.join(check['groups'])}; each predicted by a model trained on the others): "
        f"rows {_rows(meta['calibration_rows'])}, accuracy {_pct(meta['calibration']['accuracy'])}, macro-F1 "
        f"{_f(meta['calibration']['macro_f1'])}; matrix (rows true, columns predicted, negative/neutral/positive) "
        f"`{meta['confusion']}`.",
        "",
        f"Shares (`calibrate.share_check`, {check['samples']:,} held-out groups and brand-like resamples): mean "
        f"absolute error of the negative and positive shares counted {_pct(errors['0.0'])}, fully corrected "
        f"{_pct(errors['1.0'])}; used: **{check['method']}** (λ = {check['shrink']:g}), error {_pct(check['allowance'])}, "
        "which widens the 95 % interval.",
        "",
        f"Held-out evaluation (never trained or tuned on), beside the baseline it replaces (`{meta['baseline']['method']}`):",
        "",
        "| set | n | accuracy | macro-F1 | recall neg / neu / pos | baseline accuracy | baseline macro-F1 | baseline neg recall |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, e in meta["evaluation"].items():
        b = meta["baseline"][name]
        recall = " / ".join(_pct(e["recall"][k]) for k in CLASSES)
        lines.append(f"| {name}: {e['title']} | {e['n']:,} | {_pct(e['accuracy'])} | {_f(e['macro_f1'])} | {recall} "
                     f"| {_pct(b['accuracy'])} | {_f(b['macro_f1'])} | {_pct(b['recall']['negative'])} |")  # fmt: skip
    if "entity_level" in meta:
        e = meta["entity_level"]
        lines += ["", f"Entity level on the telecom set (the clause rule of `entity.py`, one label per tweet and "
                  f"operator): accuracy {_pct(e['accuracy'])}, macro-F1 {_f(e['macro_f1'])}, negative recall "
                  f"{_pct(e['recall']['negative'])}."]  # fmt: skip
    if meta.get("route") == "baseline":
        first = next(iter(meta["evaluation"]))
        lines += ["", f"**Not used by default**: on {first} the baseline scored a higher macro-F1 than this model, so "
                  f"`score_sentiment` scores this language with `{meta['baseline']['method']}` (`train._route`)."]  # fmt: skip
    return [*lines, ""]


def write_card(folder: str | Path, root: str | Path) -> Path:
    """Write ``MODEL_CARD.md`` into ``folder`` from the model files there."""
    folder = Path(folder)
    langs = [lang for lang in ("en", "ru", "hi", "hi-Latn") if (folder / f"{lang}.json").is_file()]
    excluded = [f"- **{name}** ({s.folder}, {s.origin}; licence: {s.licence}): {s.note}."
                for name, s in corpus.SOURCES.items() if not s.trainable]  # fmt: skip
    lines = [
        "# Sentiment models shipped with `research`",
        "",
        "Written by `research train-sentiment` (`make models`) from `shared/corpus/sentiment-train/` and the",
        "SentiRuEval-2016 telecom set; rerunning it on the same files writes the same bytes. Each model labels a",
        "text negative, neutral or positive; `score` = P(positive) − P(negative). Loading needs numpy only.",
        "",
        "Only sets whose terms allow a shipped model, or state none, train. Used for evaluation only:",
        "",
        *excluded,
        "",
        "Routing: `ru` → Russian; `en` → English unless the text reads as romanised Hindi (two or more distinct",
        "common Hindi words, at least a fifth of its words) → Hinglish; `hi` in Devanagari → Hindi, in Latin",
        "script → Hinglish. Other languages are not scored.",
        "",
    ]
    for lang in langs:
        lines += _language(folder, lang)
    lines += [
        "## Limits",
        "",
        "- Per-text labels are right two times in three; shares are what a client should read. They are corrected",
        "  for the confusion measured across groups of the training pool (adjusted classify-and-count, Forman 2008)",
        "  only as far as that correction helped on held-out groups, and their 95 % interval is widened by the",
        "  error measured there. On a client's posts the error rates differ again; `research train-sentiment",
        "  --labels` re-measures them on the client's own labels.",
        "- Sarcasm, comparisons between brands and news headlines are the common errors.",
        "",
    ]
    path = folder / "MODEL_CARD.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
