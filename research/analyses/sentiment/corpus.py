"""Readers for the labelled sentiment sets in ``../shared/corpus`` (training and evaluation).

Nothing here is shipped data: the files are read where they lie and never copied. Each reader
returns a frame ``text, label`` (``positive``/``neutral``/``negative``) plus the columns the set
carries (``id``, ``split``, per-brand labels). ``SOURCES`` records where each set comes from, its
licence as stated, and whether a shipped model may be trained on it (the model card quotes it).
"""

from __future__ import annotations

import csv
import re
import xml.etree.ElementTree as ET
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

__all__ = ["SOURCES", "Source", "TELECOM_OPERATORS", "dedupe_key", "read"]

LABELS = ("negative", "neutral", "positive")


@dataclass(frozen=True)
class Source:
    """One labelled set: where it lives, where it came from, and what its terms allow."""

    folder: str
    lang: str
    origin: str  # repository @ commit
    licence: str  # as stated by the source
    trainable: bool  # may a model shipped in the package be trained on it?
    note: str = ""


SOURCES: dict[str, Source] = {
    "semeval": Source("sentiment-train/en-semeval2017-task4a", "en",
                      "cbaziotis/datastories-semeval2017-task4 @ faeee5fd1c2cf38e32179a4676dff53ae01adfa8",
                      "repository MIT (code); no data licence stated", True,
                      "SemEval-2013..2016 Task 4A tweets train; the SemEval-2017 test (gold) is evaluation only"),
    "sentiment140": Source("sentiment-train/en-sentiment140-test", "en",
                           "JonasLopezMesa/Twitter-Sentiments @ c265f6e7c8e2fe8371ed4fad90ba4c3eb449b472",
                           "none stated", False, "tiny 2009 set: out-of-domain evaluation only"),
    "rusentitweet": Source("sentiment-train/ru-rusentitweet", "ru",
                           "sismetanin/rusentitweet @ bb714550c20f29cdab8ed6378bae15f4790f1b6d",
                           "none stated", True, "train split trains; test split is evaluation only"),
    "sentirueval2015": Source("sentiment-train/ru-sentirueval2015-twitter", "ru",
                              "antongolubev5/Russian-Sentiment-Analysis-Evaluation-Datasets @ c4afdeb86017da819fe45be902d859ebd06067ba",
                              "none stated", True, "banks and telecoms, train and test_etalon (2015)"),
    "telecom2016": Source("sentirueval2016-ru-telecom", "ru",
                          "mokoron/sentirueval @ 95b24c09f55a072cc83cb1f05ceac235905bdf01",
                          "none stated", False, "Russian development set: evaluation only, per operator"),
    "sentimix": Source("sentiment-train/hi-sentimix2020-hinglish", "hi-Latn",
                       "bhavesh2799/hcms-semeval20 @ 5af25ff3c688905816a1f5e3385cd8f095a156fb",
                       "repository MIT (code); no data licence stated", True,
                       "train and dev train; test is evaluation only"),
    "umsab": Source("sentiment-train/hi-umsab-sail2015-hinglish", "hi-Latn",
                    "cardiffnlp/xlm-t @ 874214d64d96599eb869a033c22ec2cc57d19256",
                    "Apache-2.0 repository; 'restrictions may apply' to the data", False,
                    "noisy labels and unclear data terms: published comparison only"),
    "iitp": Source("sentiment-train/hi-iitp-product-reviews", "hi",
                   "midas-research/hindi-nli-data @ 913835fac275a4cff646ba46b94c46ab11778560",
                   "research use only; commercial use on request; do not redistribute", False,
                   "research-only terms: evaluation only, never trains a shipped model"),
    "hi_ods": Source("sentiment-train/hi-tweets-mixed-ods", "hi",
                     "yashkataruka/NLP-Project @ e4c6d0ccc7e383bf6b34876ff8bef0feae391685",
                     "none stated (provenance unknown)", True,
                     "the only Devanagari social set a shipped model may use; 15 % held out by text hash"),
}  # fmt: skip

TELECOM_OPERATORS = ("beeline", "mts", "megafon", "tele2", "rostelecom", "komstar", "skylink")
BANKS = ("sberbank", "vtb", "gazprom", "alfabank", "bankmoskvy", "raiffeisen", "uralsib", "rshb")
# How people write the organisations' names (inflected forms match without listing them: entity.py).
ALIASES = {
    "beeline": ["билайн", "beeline", "вымпелком", "bee line"], "mts": ["мтс", "mts"],
    "megafon": ["мегафон", "megafon"], "tele2": ["теле2", "tele2", "теле 2", "tele 2"],
    "rostelecom": ["ростелеком", "rostelecom", "ртк"], "komstar": ["комстар", "komstar"],
    "skylink": ["скайлинк", "skylink", "скай линк"],
    "sberbank": ["сбербанк", "сбер", "sberbank", "sber"], "vtb": ["втб", "vtb"],
    "gazprom": ["газпромбанк", "газпром", "gazprombank", "gazprom"],
    "alfabank": ["альфабанк", "альфа-банк", "альфа банк", "alfabank", "alfa-bank", "альфа"],
    "bankmoskvy": ["банк москвы", "bankmoskvy"], "raiffeisen": ["райффайзен", "райфайзен", "raiffeisen"],
    "uralsib": ["уралсиб", "uralsib"], "rshb": ["россельхозбанк", "рсхб", "rshb"],
}  # fmt: skip
_ENTITY = {"1": "positive", "0": "neutral", "-1": "negative"}
_KEY_NOISE = re.compile(r"https?://\S+|www\.\S+|@\w+|\brt\b|[^\w\s" + "\u0900-\u0963\u0966-\u097f" + "]")


def dedupe_key(texts: pd.Series) -> pd.Series:
    """Normalised text used to find the same post in two sets: lower-cased, no links, mentions, RT or punctuation."""
    s = texts.astype("string").str.lower().str.replace(_KEY_NOISE.pattern, " ", regex=True)
    return s.str.split().str.join(" ").fillna("")


def _semeval(root: Path) -> pd.DataFrame:
    frames = []
    for path in sorted((root / "downloaded").glob("*.tsv")):
        rows = [line.rstrip("\r\n").split("\t") for line in path.read_text(encoding="utf-8").splitlines()]
        frames.append(pd.DataFrame({"id": [r[0] for r in rows], "label": [r[1] for r in rows],
                                    "text": [r[2] for r in rows], "split": "train", "file": path.name}))  # fmt: skip
    gold = root / "gold" / "SemEval2017-task4-test.subtask-A.english.txt"
    rows = [line.rstrip("\r\n").split("\t") for line in gold.read_text(encoding="utf-8").splitlines()]
    frames.append(pd.DataFrame({"id": [r[0] for r in rows], "label": [r[1] for r in rows],
                                "text": [r[2] for r in rows], "split": "test", "file": gold.name}))  # fmt: skip
    out = pd.concat(frames, ignore_index=True)
    # 2013train carries literal \u2019-style escapes; quoted texts in 2016test are unwrapped.
    text = out["text"].str.replace(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), regex=True)
    text = text.where(
        ~(text.str.startswith('"') & text.str.endswith('"')), text.str[1:-1].str.replace('""', '"')
    )
    return out.assign(text=text.str.replace("&amp;", "&").str.replace("&lt;", "<").str.replace("&gt;", ">"))


def _sentiment140(root: Path) -> pd.DataFrame:
    with open(root / "testdata.manual.2009.06.14.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    names = {"0": "negative", "2": "neutral", "4": "positive"}
    return pd.DataFrame({"id": [r[1] for r in rows], "label": [names[r[0]] for r in rows],
                         "query": [r[3] for r in rows], "text": [r[5] for r in rows], "split": "test"})  # fmt: skip


def _rusentitweet(root: Path) -> pd.DataFrame:
    frames = [pd.read_csv(root / f"rusentitweet_{split}.csv", dtype=str, keep_default_na=False).assign(split=split)
              for split in ("train", "test")]  # fmt: skip
    return pd.concat(frames, ignore_index=True)


def _pma_rows(path: Path) -> list[dict[str, str]]:
    root = ET.parse(path).getroot()
    return [{c.get("name"): (c.text or "") for c in t.findall("column")} for t in root.iter("table")]


def _entity_frame(rows: list[dict[str, str]], entities: tuple[str, ...]) -> pd.DataFrame:
    """Per-entity labels plus a tweet-level label: all neutral, only +1/0, only -1/0; mixed or spam dropped."""
    out = []
    for r in rows:
        values = {e: (r.get(e) or "NULL").strip() for e in entities}
        given = [v for v in values.values() if v != "NULL"]
        if not given or any(v not in _ENTITY for v in given):
            label = None  # `--` (spam) or `+-` (mixed): no tweet-level label
        elif "1" in given and "-1" in given:
            label = None
        else:
            label = "positive" if "1" in given else "negative" if "-1" in given else "neutral"
        out.append({"id": r.get("id", ""), "text": r.get("text", ""), "label": label,
                    **{e: _ENTITY.get(values[e]) for e in entities}})  # fmt: skip
    return pd.DataFrame(out)


def _sentirueval2015(root: Path) -> pd.DataFrame:
    frames = []
    for domain, entities in (("banks", BANKS), ("telecoms", TELECOM_OPERATORS)):
        for split in ("train", "test_etalon"):
            rows = _pma_rows(root / f"SentiRuEval-2015-{domain}" / f"{split}.xml")
            # per-entity labels kept (columns named after the organisations): training reads each entity's clause
            frames.append(_entity_frame(rows, entities).assign(split="train", domain=domain))
    return pd.concat(frames, ignore_index=True)


def _telecom2016(root: Path) -> pd.DataFrame:
    return _entity_frame(_pma_rows(root / "tkk_test_etalon.xml"), TELECOM_OPERATORS).assign(split="test")


def _conll(path: Path) -> pd.DataFrame:
    rows = []
    for block in path.read_text(encoding="utf-8").replace("\r\n", "\n").strip().split("\n\n"):
        lines = block.strip("\n").split("\n")
        meta = lines[0].split("\t")
        tokens = " ".join(line.split("\t")[0] for line in lines[1:])
        rows.append({"id": meta[1], "label": meta[2] if len(meta) > 2 else None, "text": _detokenise(tokens)})
    return pd.DataFrame(rows)


def _detokenise(text: str) -> str:
    """Undo SentiMix's tokenisation of links, mentions and hashtags (``@ name`` -> ``@name``)."""
    text = re.sub(r"https? // t\s?\.?\s?co / (\w+)", r"https://t.co/\1", text)
    text = re.sub(r"([@#]) (\w)", r"\1\2", text)
    return re.sub(r" ([.,!?…’'])", r"\1", text)


def _sentimix(root: Path) -> pd.DataFrame:
    train = _conll(root / "train_14k_split_conll.txt").assign(split="train")
    dev = _conll(root / "dev_3k_split_conll.txt").assign(split="dev")
    test = _conll(root / "Hindi_test_unalbelled_conll_updated.txt").drop(columns="label")
    gold = pd.read_csv(root / "test_labels_hinglish.txt", dtype=str).rename(
        columns={"Uid": "id", "Sentiment": "label"}
    )
    test = test.merge(gold, on="id", how="inner").assign(split="test")
    return pd.concat([train, dev, test], ignore_index=True)


def _umsab(root: Path) -> pd.DataFrame:
    frames = []
    for split in ("train", "val", "test"):
        texts = (root / f"{split}_text.txt").read_text(encoding="utf-8").split("\n")
        labels = (root / f"{split}_labels.txt").read_text(encoding="utf-8").split()
        texts = texts[: len(labels)]
        frames.append(
            pd.DataFrame({"text": texts, "label": [LABELS[int(x)] for x in labels], "split": split})
        )
    return pd.concat(frames, ignore_index=True)


def _iitp(root: Path) -> pd.DataFrame:
    frames = []
    for split in ("train", "dev", "test"):
        part = pd.read_csv(root / f"PR_{split}_data.tsv", sep="\t", quoting=csv.QUOTE_NONE, dtype=str)
        frames.append(
            pd.DataFrame({"text": part["Sentence"], "label": part["Sentiment_Label"], "split": split})
        )
    return pd.concat(frames, ignore_index=True)


_ODS = {
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
}


def _ods_text(element: ET.Element) -> str:
    parts = [element.text or ""]
    for child in element:
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "s":
            parts.append(" " * int(child.get(f"{{{_ODS['text']}}}c", "1")))
        elif tag in ("line-break", "tab"):
            parts.append("\n" if tag == "line-break" else "\t")
        else:
            parts.append(_ods_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _hi_ods(root: Path) -> pd.DataFrame:
    with zipfile.ZipFile(root / "Dataset.ods") as z:
        content = ET.fromstring(z.read("content.xml"))
    rows = []
    for row in content.iter(f"{{{_ODS['table']}}}table-row"):
        cells = []
        for cell in row.findall(f"{{{_ODS['table']}}}table-cell"):
            text = "\n".join(_ods_text(p) for p in cell.findall(f"{{{_ODS['text']}}}p"))
            repeat = int(cell.get(f"{{{_ODS['table']}}}number-columns-repeated", "1"))
            cells.extend([text] * min(repeat, 3))
        if len(cells) >= 2 and cells[0].strip():
            rows.append((cells[0], cells[1].strip().lower()))
    frame = pd.DataFrame(rows[1:], columns=["text", "label"])  # the first row is the header
    # NOTE: no split ships with this set; 15 % is held out by a hash of the normalised text, so
    # duplicates (1,233 in the file) always fall on the same side.
    key = dedupe_key(frame["text"])
    held = key.map(lambda k: zlib.crc32(k.encode("utf-8")) % 100 < 15).astype(bool)
    return frame.assign(split=pd.Series(held, index=frame.index).map({True: "test", False: "train"}))


_READERS = {"semeval": _semeval, "sentiment140": _sentiment140, "rusentitweet": _rusentitweet,
            "sentirueval2015": _sentirueval2015, "telecom2016": _telecom2016, "sentimix": _sentimix,
            "umsab": _umsab, "iitp": _iitp, "hi_ods": _hi_ods}  # fmt: skip


def read(name: str, corpus: str | Path) -> pd.DataFrame:
    """The set ``name`` (a key of ``SOURCES``) read from ``corpus`` (the ``shared/corpus`` folder).

    Returns ``text, label, split`` and the set's own columns, with labels outside the three
    classes (``speech``, ``skip``, ``conflict``, mixed per-entity rows) as NA.
    """
    frame = _READERS[name](Path(corpus) / SOURCES[name].folder)
    frame["label"] = frame["label"].where(frame["label"].isin(LABELS)).astype("string")
    frame["text"] = frame["text"].astype("string").fillna("")
    return frame.assign(source=name).reset_index(drop=True)
