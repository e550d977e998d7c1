"""Measure the sentiment methods of ``research.analyses.text`` on labelled real data.

Run from the repository root::

    python benchmarks/sentiment.py [--corpus ../shared/corpus] [--json results.json]

Two measurements, both read from the shared corpus (never copied into the repo):

1. **SentiRuEval-2016, telecom** (``sentirueval2016-ru-telecom/``): 2,247 Russian
   tweets with gold sentiment *per operator*. Every (tweet, operator) pair with a
   label is one item; the prediction is the tweet's text-level sentiment
   (``lexicon-ru-v1``), so tweets that praise one operator and blame another
   count against us. Reported: 3-class macro-F1 and the shared task's official
   metric, macro-F1 over the positive and negative classes only. Items split
   by tweet ``id`` parity: odd ids are the *dev* half (the only half whose errors
   were looked at while writing the lexicon), even ids the *held-out* half.
   The halves are not fully independent: news retweets appear in both, so the
   held-out score is somewhat optimistic. A majority-class baseline is given
   for scale.
2. **Emoji distant supervision** (English and Hindi): posts that carry only
   clearly positive (😍 😊 😀 😁 👍 ❤ 🥰 😘 👏) or only clearly negative (😡 😠 😤
   😞 😔 👎 💔 🤬 😒) emoji are labelled by them; the emoji are removed from the text
   before scoring, so the method must find the polarity in the words. Binary:
   a neutral prediction counts as an error. Reported: accuracy and macro-F1
   over positive/negative, with the item count. The corpus holds few such Hindi
   posts (about two dozen, almost all positive), too few to measure Hindi; the
   number is printed for transparency, not as an accuracy claim.

Languages are taken from the datasets (SentiRuEval is Russian; the English and
Hindi items are selected by script and the detector), so the numbers measure
sentiment, not language detection.
"""

from __future__ import annotations

import argparse
import csv
import glob
import json
import re
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from research.analyses.text import detect_languages, score_sentiment  # noqa: E402

OPERATORS = ("beeline", "mts", "megafon", "tele2", "rostelecom", "komstar", "skylink")
GOLD = {"1": "positive", "0": "neutral", "-1": "negative"}
POSITIVE_EMOJI = set("😍😊😀😁👍❤🥰😘👏")
NEGATIVE_EMOJI = set("😡😠😤😞😔👎💔🤬😒")
_EMOJI_STRIP = re.compile(r"[\U0001F000-\U0001FAFF\u2600-\u27BF\ufe0f\u200d]")


def macro_f1(gold: list[str], pred: list[str], labels: tuple[str, ...]) -> float:
    """Mean F1 over ``labels`` (predictions outside them count as errors)."""
    scores = []
    for label in labels:
        tp = sum(g == label and p == label for g, p in zip(gold, pred, strict=True))
        fp = sum(g != label and p == label for g, p in zip(gold, pred, strict=True))
        fn = sum(g == label and p != label for g, p in zip(gold, pred, strict=True))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        scores.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return sum(scores) / len(scores)


def sentirueval_items(corpus: Path) -> pd.DataFrame:
    """One row per (tweet, operator) with a gold label: ``id, operator, text, gold``."""
    root = ET.parse(corpus / "sentirueval2016-ru-telecom" / "tkk_test_etalon.xml").getroot()
    rows = []
    for table in root.iter("table"):
        cols = {c.get("name"): (c.text or "") for c in table.findall("column")}
        for op in OPERATORS:
            if cols.get(op) in GOLD:
                rows.append(
                    {"id": int(cols["id"]), "operator": op, "text": cols["text"], "gold": GOLD[cols[op]]}
                )
    return pd.DataFrame(rows)


def evaluate_sentirueval(corpus: Path) -> dict:
    items = sentirueval_items(corpus)
    pred = score_sentiment(items["text"], pd.Series("ru", index=items.index))["sentiment"].fillna("neutral")
    items = items.assign(pred=pred.astype(str))
    majority = items["gold"].mode()[0]
    out = {"tweets": int(items["id"].nunique()), "items": len(items), "majority_class": majority}
    for name, part in {
        "all": items,
        "dev": items[items["id"] % 2 == 1],
        "held_out": items[items["id"] % 2 == 0],
    }.items():
        gold, pr = part["gold"].tolist(), part["pred"].tolist()
        out[name] = {
            "items": len(part),
            "macro_f1_3class": round(macro_f1(gold, pr, ("positive", "neutral", "negative")), 4),
            "macro_f1_pos_neg": round(macro_f1(gold, pr, ("positive", "negative")), 4),
            "majority_macro_f1_3class": round(
                macro_f1(gold, [majority] * len(gold), ("positive", "neutral", "negative")), 4
            ),
        }
    return out


def _emoji_label(text: str) -> str | None:
    pos, neg = bool(POSITIVE_EMOJI & set(text)), bool(NEGATIVE_EMOJI & set(text))
    return "positive" if pos and not neg else "negative" if neg and not pos else None


def _corpus_texts(corpus: Path) -> list[str]:
    texts = []
    for path in glob.glob(str(corpus / "snscrape-jsonl" / "*.jsonl")):
        with open(path, encoding="utf-8") as f:
            texts += [json.loads(line).get("content") or "" for line in f if line.strip()]
    with open(
        corpus / "bluesky-feed-raw-json" / "bluesky_posts_2025-08-07_11-51-51.json", encoding="utf-8"
    ) as f:
        texts += [item["post"]["record"].get("text", "") for item in json.load(f)]
    with open(corpus / "indian-politician-tweets-hindi" / "tweets.csv", encoding="utf-8") as f:
        texts += [row["text"] for row in csv.DictReader(f)]
    with open(
        corpus / "netball-teams-competitor" / "somethingAboutRiddlesAndFruit.csv", encoding="utf-8-sig"
    ) as f:
        texts += [row["content"] for row in csv.DictReader(f)]
    return texts


def evaluate_emoji(corpus: Path) -> dict:
    texts = pd.Series(sorted(set(_corpus_texts(corpus))), dtype="string")
    labels = texts.map(_emoji_label)
    items = pd.DataFrame(
        {"text": texts[labels.notna()].str.replace(_EMOJI_STRIP, " ", regex=True), "gold": labels.dropna()}
    )
    items["lang"] = detect_languages(items["text"], ["en", "hi"], fallback=None)
    # Hindi means Devanagari here: romanised Hindi is not scored by the Hindi lexicon.
    items.loc[
        (items["lang"] == "hi") & ~items["text"].str.contains(r"[\u0900-\u097F]", regex=True), "lang"
    ] = pd.NA
    items["pred"] = score_sentiment(items["text"], items["lang"])["sentiment"].fillna("neutral").astype(str)
    out = {}
    for lang in ("en", "hi"):
        part = items[items["lang"] == lang]
        gold, pred = part["gold"].tolist(), part["pred"].tolist()
        out[lang] = {
            "items": len(part),
            "positive": gold.count("positive"),
            "negative": gold.count("negative"),
            "accuracy": round(sum(g == p for g, p in zip(gold, pred, strict=True)) / len(part), 4)
            if len(part)
            else None,
            "macro_f1_pos_neg": round(macro_f1(gold, pred, ("positive", "negative")), 4)
            if len(part)
            else None,
        }
    return out


def speed(n: int = 100_000) -> dict:
    texts = pd.Series(
        ["Очень плохая связь, МТС опять", "I love this chai 😍", "यह चाय बहुत अच्छी है"] * (n // 3),
        dtype="string",
    )
    texts = texts + " " + pd.Series(range(len(texts))).astype("string")  # defeat the duplicate cache
    start = time.perf_counter()
    langs = detect_languages(texts, ["en", "ru", "hi"])
    detected = time.perf_counter()
    score_sentiment(texts, langs)
    return {
        "texts": len(texts),
        "detect_seconds": round(detected - start, 2),
        "score_seconds": round(time.perf_counter() - detected, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
    parser.add_argument("--corpus", type=Path, default=default, help="the shared corpus folder")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument("--no-speed", action="store_true", help="skip the 100k-text timing run")
    args = parser.parse_args(argv)
    if not args.corpus.is_dir():
        parser.error(f"--corpus: {args.corpus} is not a folder (the shared corpus is needed)")
    results = {
        "sentirueval2016_ru_telecom": evaluate_sentirueval(args.corpus),
        "emoji_distant": evaluate_emoji(args.corpus),
    }
    if not args.no_speed:
        results["speed_100k"] = speed()
    text = json.dumps(results, indent=2, ensure_ascii=False)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
