"""Measure the shipped sentiment models on held-out labelled sets, beside the baselines they replace.

Run from the repository root (``make eval-sentiment``)::

    python benchmarks/sentiment.py [--corpus ../shared/corpus] [--json results.json] [--no-speed]

Per language and set (none of them trained or tuned on; ``research.analyses.sentiment.train``
removes their texts from the training rows): n, accuracy, macro-F1, recall per class and the
confusion matrix (rows true, columns predicted: negative, neutral, positive), for the model and
for the baseline (VADER for English and Hinglish, the hand lexicons for Russian and Hindi).
The Russian telecom set is scored per (tweet, operator), at text level and with the entity rule.

Shares: per telecom operator and per set, the true share of negative and positive items, the
share counted from predicted labels, and the share corrected for the model's shipped confusion
(``estimate_shares``), with the mean absolute error of each. Routing: how many SemEval English
tweets the Hinglish rule takes, and how many SentiMix tweets it catches after language detection.
Speed (one core, texts/s, after a warm-up) and load time per model are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core: the figure a client's laptop sees per process

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from research.analyses.sentiment import estimate_shares, route, score  # noqa: E402
from research.analyses.sentiment.evaluate import (  # noqa: E402
    BASELINES,
    EVAL_SETS,
    baseline_labels,
    eval_set,
    figures,
    telecom_labels,
)
from research.analyses.sentiment.model import CLASSES, MODELS_DIR, load  # noqa: E402

LANGS = ("en", "ru", "hi", "hi-Latn")


def _scored(texts: pd.Series, lang: str) -> pd.Series:
    # the set's language is given, so this measures sentiment, not language detection
    return score(texts, pd.Series("hi-Latn" if lang == "hi-Latn" else lang, index=texts.index))["sentiment"]


def evaluate(corpus: Path) -> dict:
    out: dict = {}
    for lang in LANGS:
        out[lang] = {}
        for name, title in EVAL_SETS[lang]:
            items = eval_set(name, corpus)
            entry = {"title": title}
            if name == "telecom2016":
                text_level, entity_level = telecom_labels(items)
                entry["model"] = figures(items["label"], text_level)
                entry["model_entity_level"] = figures(items["label"], entity_level)
                entry["shares_per_operator"] = operator_shares(items, entity_level, lang)
            else:
                pred = _scored(items["text"], lang)
                entry["model"] = figures(items["label"], pred)
                entry["shares"] = shares(items["label"], pred, lang)
                entry["shares_brandlike"] = brandlike_shares(items["label"], pred, lang)
            entry["baseline"] = {
                "method": BASELINES[lang],
                **figures(items["label"], baseline_labels(items["text"], lang)),
            }
            out[lang][name] = entry
    return out


def shares(gold: pd.Series, pred: pd.Series, lang: str) -> dict:
    est = estimate_shares(pred, lang)
    true = gold.value_counts(normalize=True).reindex(CLASSES, fill_value=0)
    return {c: {"true": round(float(true[c]), 4), "counted": round(float(est.loc[c, "counted"]), 4),
                "corrected": round(float(est.loc[c, "share"]), 4), "low": round(float(est.loc[c, "low"]), 4),
                "high": round(float(est.loc[c, "high"]), 4)} for c in ("negative", "positive")}  # fmt: skip


def brandlike_shares(
    gold: pd.Series, pred: pd.Series, lang: str, *, samples: int = 30, size: int = 300
) -> dict:
    """Shares on brand-like resamples of a set: each draws ``size`` posts with another mix of the classes."""
    rng = np.random.default_rng(0)
    codes = gold.map({c: i for i, c in enumerate(CLASSES)}).to_numpy(dtype=int)
    base = np.bincount(codes, minlength=3) / len(codes)
    rows = {}
    for k in range(samples):
        weight = (rng.dirichlet(np.ones(3)) / np.maximum(base, 1e-9))[codes]
        idx = rng.choice(len(codes), size=min(size, len(codes)), p=weight / weight.sum())
        rows[f"sample{k}"] = {"n": len(idx), **shares(gold.iloc[idx], pred.iloc[idx], lang)}
    return _summary(rows)


def _summary(rows: dict) -> dict:
    errors = {kind: float(np.mean([abs(r[c][kind] - r[c]["true"]) for r in rows.values() for c in ("negative", "positive")]))
              for kind in ("counted", "corrected")}  # fmt: skip
    covered = np.mean(
        [r[c]["low"] <= r[c]["true"] <= r[c]["high"] for r in rows.values() for c in ("negative", "positive")]
    )
    width = np.mean([r[c]["high"] - r[c]["low"] for r in rows.values() for c in ("negative", "positive")])
    return {"groups": rows, "mean_abs_error": {k: round(v, 4) for k, v in errors.items()},
            "interval_covers_truth": round(float(covered), 3), "mean_interval_width": round(float(width), 4)}  # fmt: skip


def operator_shares(items: pd.DataFrame, pred: pd.Series, lang: str) -> dict:
    rows = {}
    for brand, part in items.groupby("brand"):
        if len(part) >= 30:
            rows[brand] = {"n": len(part), **shares(part["label"], pred[part.index], lang)}
    out = _summary(rows)
    out["operators"] = out.pop("groups")
    return out


def routing(corpus: Path) -> dict:
    from research.analyses.text import detect_languages

    semeval = eval_set("semeval2017-test", corpus)
    mix = eval_set("sentimix-test", corpus)
    en_routed = route(semeval["text"], pd.Series("en", index=semeval.index))
    detected = detect_languages(mix["text"], ["en", "ru", "hi"])
    mix_routed = route(mix["text"], detected)
    return {
        "semeval_en_sent_to_hinglish": round(float((en_routed == "hi-Latn").mean()), 4),
        "sentimix_detected_as": detected.value_counts(dropna=False).to_dict(),
        "sentimix_routed_to_hinglish": round(float((mix_routed == "hi-Latn").mean()), 4),
    }


def speed(corpus: Path, n: int = 100_000) -> dict:
    out = {}
    for lang in LANGS:
        start = time.perf_counter()
        model = load(MODELS_DIR, lang)
        loaded = time.perf_counter() - start
        texts = eval_set(EVAL_SETS[lang][0][0], corpus)["text"].tolist()
        batch = [f"{texts[i % len(texts)]} {i}" for i in range(n)]  # all distinct: no duplicate help
        model.proba(batch[:2000])  # warm-up
        start = time.perf_counter()
        model.proba(batch)
        seconds = time.perf_counter() - start
        out[lang] = {"load_seconds": round(loaded, 3), "texts_per_second": round(n / seconds),
                     "model_mb": round((MODELS_DIR / f"{lang}.npz").stat().st_size / 1e6, 2),
                     "mean_chars": round(float(np.mean([len(t) for t in batch]))),}  # fmt: skip
    return out


def _row(label: str, f: dict) -> str:
    r = f["recall"]
    return (f"  {label:<22} n={f['n']:>6}  acc {f['accuracy']:.3f}  macro-F1 {f['macro_f1']:.3f}  "
            f"recall neg/neu/pos {r['negative']:.2f}/{r['neutral']:.2f}/{r['positive']:.2f}  confusion {f['confusion']}")  # fmt: skip


def _summary_line(what: str, s: dict) -> str:
    return (f"  shares, {what}: mean absolute error counted {s['mean_abs_error']['counted']:.1%}, estimated "
            f"{s['mean_abs_error']['corrected']:.1%}; the 95 % interval (mean width {s['mean_interval_width']:.1%}) "
            f"covers the truth in {s['interval_covers_truth']:.0%} of cases")  # fmt: skip


def table(results: dict) -> str:
    """One line per language and set: the figures of the final report."""
    lines = ["| language | set | n | accuracy | macro-F1 | negative recall | baseline macro-F1 (neg recall) | texts/s | model MB |",
             "|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for lang in LANGS:
        speed = results.get("speed", {}).get(lang, {})
        for name, entry in results["evaluation"][lang].items():
            m, b = entry["model"], entry["baseline"]
            lines.append(f"| {lang} | {name} | {m['n']:,} | {m['accuracy']:.3f} | {m['macro_f1']:.3f} | "
                         f"{m['recall']['negative']:.2f} | {b['method']} {b['macro_f1']:.3f} ({b['recall']['negative']:.2f}) | "
                         f"{speed.get('texts_per_second', 0):,} | {speed.get('model_mb', '')} |")  # fmt: skip
    return "\n".join(lines)


def report(results: dict) -> str:
    lines = []
    for lang in LANGS:
        for name, entry in results["evaluation"][lang].items():
            lines.append(f"{lang} — {name}: {entry['title']}")
            lines.append(_row("model", entry["model"]))
            if "model_entity_level" in entry:
                lines.append(_row("model, entity rule", entry["model_entity_level"]))
            lines.append(_row(f"baseline {entry['baseline']['method']}", entry["baseline"]))
            for c, s in entry.get("shares", {}).items():
                lines.append(f"  {c} share of the whole set: true {s['true']:.1%}  counted {s['counted']:.1%}  "
                             f"estimated {s['corrected']:.1%} [{s['low']:.1%}, {s['high']:.1%}]")  # fmt: skip
            if "shares_per_operator" in entry:
                ops = entry["shares_per_operator"]
                for brand, s in ops["operators"].items():
                    lines.append(f"  {brand:<11} n={s['n']:>4}  negative: true {s['negative']['true']:.1%} counted "
                                 f"{s['negative']['counted']:.1%} estimated {s['negative']['corrected']:.1%}   "
                                 f"positive: true {s['positive']['true']:.1%} counted {s['positive']['counted']:.1%} "
                                 f"estimated {s['positive']['corrected']:.1%}")  # fmt: skip
                lines.append(_summary_line("per operator", ops))
            if "shares_brandlike" in entry:
                lines.append(_summary_line("30 brand-like resamples of 300", entry["shares_brandlike"]))
    r = results["routing"]
    lines.append(f"routing: {r['semeval_en_sent_to_hinglish']:.1%} of SemEval English tweets go to the Hinglish model; "
                 f"{r['sentimix_routed_to_hinglish']:.1%} of SentiMix tweets do after detection {r['sentimix_detected_as']}")  # fmt: skip
    for lang, s in results.get("speed", {}).items():
        lines.append(f"speed {lang}: {s['texts_per_second']:,} texts/s on one core ({s['mean_chars']} chars a text), "
                     f"load {s['load_seconds']:.2f} s, model {s['model_mb']} MB")  # fmt: skip
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
    parser.add_argument("--corpus", type=Path, default=default, help="the shared corpus folder")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument("--no-speed", action="store_true", help="skip the 100k-text timing runs")
    args = parser.parse_args(argv)
    if not (args.corpus / "sentiment-train").is_dir():
        parser.error(f"--corpus: {args.corpus} has no sentiment-train/ (the shared corpus is needed)")
    results = {"evaluation": evaluate(args.corpus), "routing": routing(args.corpus)}
    if not args.no_speed:
        results["speed"] = speed(args.corpus)
    print(report(results))
    print(table(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
