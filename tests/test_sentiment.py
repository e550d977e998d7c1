"""Trained sentiment models, corrected shares, entity rule, client labels (research.analyses.sentiment)."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from research.analyses.sentiment import entity_sentiment, estimate_shares, route, score
from research.analyses.sentiment.calibrate import adjusted_shares, share_check
from research.analyses.sentiment.entity import brand_spans
from research.analyses.sentiment.features import FeatureSpec, hash_features, tokens
from research.analyses.sentiment.fit import balanced_weights, design, fit
from research.analyses.sentiment.labels import sample_for_labelling
from research.analyses.sentiment.model import CLASSES, MODELS_DIR, LinearModel, load
from research.analyses.sentiment.shares import brand_shares, share_notes
from research.analyses.text import score_sentiment
from research.cli import main

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"

# --- the shipped models ---------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "ru", "hi", "hi-Latn"])
def test_shipped_model_loads_with_its_card_facts(lang):
    model = load(MODELS_DIR, lang)
    assert model.weights.shape == (2**model.spec.bits, 3) and model.method == f"linear-{lang}-2"
    assert (MODELS_DIR / f"{lang}.npz").stat().st_size < 5_000_000
    # the confusion measured on held-out rows ships with the model and has every class
    assert model.confusion.shape == (3, 3) and (model.confusion.sum(axis=1) > 50).all()
    assert model.info["evaluation"] and model.info["baseline"]
    assert f"linear-{lang}-2" in (MODELS_DIR / "MODEL_CARD.md").read_text(encoding="utf-8")


def test_model_files_are_package_data():
    data = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = data["tool"]["setuptools"]["package-data"]["research"]
    for suffix in ("npz", "json", "md"):
        assert f"analyses/sentiment/models/*.{suffix}" in patterns


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("I love this place, best coffee in town 😍", "en", "positive"),
        ("Worst service ever, cold food and rude staff 😡", "en", "negative"),
        ("Отличный сервис, спасибо огромное!", "ru", "positive"),
        ("Связь опять не работает, ужас, сколько можно", "ru", "negative"),
        ("यह चाय बहुत अच्छी है, धन्यवाद", "hi", "positive"),
        ("बहुत घटिया सेवा, पैसे बर्बाद", "hi", "negative"),
        ("yaar ye chai bahut achhi hai, maza aa gaya", "hi", "positive"),
        ("bahut bekar service hai, bilkul bakwas 😡", "hi", "negative"),
    ],
)
def test_obvious_texts_per_language(text, lang, expected):
    out = score(pd.Series([text]), pd.Series([lang]))
    assert out["sentiment"].iloc[0] == expected


def test_score_contract_aligned_with_input():
    out = score(pd.Series(["Great!", "Me encanta", None, "Ужасно"], index=[7, 3, 9, 1]),
                pd.Series(["en", "es", "en", None], index=[7, 3, 9, 1]))  # fmt: skip
    assert out.index.tolist() == [7, 3, 9, 1]
    assert out["method"].tolist() == ["linear-en-2", "not scored", "linear-en-2", "not scored"]
    assert out["sentiment"].isna().tolist() == [False, True, False, True]
    assert str(out["score"].dtype) == "Float64" and out["score"].isna().tolist() == [False, True, False, True]
    assert ((out["score"].dropna() >= -1) & (out["score"].dropna() <= 1)).all()


def test_routing_by_script_and_hinglish_words():
    texts = pd.Series(
        ["यह अच्छा है", "ye bahut acha hai yaar", "this is very good", "kya baat hai bhai, mast", "Привет"]
    )
    langs = pd.Series(["hi", "hi", "en", "en", "ru"])
    assert route(texts, langs).tolist() == ["hi", "hi-Latn", "en", "hi-Latn", "ru"]
    assert route(pd.Series(["accha"]), pd.Series(["hi-Latn"])).tolist() == ["hi-Latn"]


def test_fast_scoring_is_the_sum_of_the_features():
    # LinearModel.logits sums weights per distinct token; it must equal W[features] summed per text.
    texts = ["Not good at all!! http://x.co/a", "", "see @user_1 rt #great :) 😍", "a\x00b",
             "खाना अच्छा नहीं था, बहुत खराब", "Связь не работает, ужас", "aaaa"] * 3  # fmt: skip
    for lang in ("en", "hi", "ru"):
        spec = FeatureSpec(lang, bits=14, lexicon=lang != "en", strip_noise=lang == "hi")
        rng = np.random.default_rng(1)
        model = LinearModel(lang, "t", spec, rng.normal(size=(2**14, 3)).astype(np.float32),
                            np.array([0.1, -0.2, 0.3]), np.eye(3))  # fmt: skip
        row, col, scale = hash_features(texts, spec)
        expected = np.stack([np.bincount(row, model.weights[col, k].astype(float), minlength=len(texts))
                             for k in range(3)], axis=1) * scale[:, None] + model.bias  # fmt: skip
        assert np.allclose(model.logits(texts), expected) and np.allclose(
            model.logits(texts[::-1]), expected[::-1]
        )
        assert row.max() == len(texts) - 1 and (scale[[1, 8, 15]] == 1.0).all()  # empty texts: no features


def test_negation_scope_per_language():
    assert tokens("खाना अच्छा नहीं था", "hi") == ["¬खाना", "¬अच्छा", "नहीं", "था"]  # Hindi: before the negator
    assert tokens("सेवा अच्छी नहीं है, बहुत खराब", "hi")[:4] == ["¬सेवा", "¬अच्छी", "नहीं", "है"]
    assert tokens("बढ़िया", "hi") == tokens("बढिया", "hi")  # nukta spelled or not
    assert tokens("Связь не работает. Ужас", "ru") == ["связь", "не", "¬работает", ".", "ужас"]
    assert tokens("I don't like it", "en") == ["i", "don't", "¬like", "¬it"]
    assert tokens("Masala Mornings बहुत अच्छा", "hi") == ["latn", "latn", "बहुत", "अच्छा"]
    assert tokens("12,5 x2 <3 ३ दिन", "en") == ["0", ",", "0", "x0", "<", "0", "0", "दिन"]  # digits read as 0


def test_feature_hashes_are_pinned():
    # The shipped weights are indexed by these numbers: a change to tokens or hashing breaks them.
    row, col, scale = hash_features(["Not bad :)"], FeatureSpec("en", bits=18))
    assert tokens("Not bad :)", "en") == [
        "not",
        "¬bad",
        "¬:)",
    ]  # a scope runs to punctuation, emoticons included
    assert row.tolist() == [0] * len(col) and scale[0] == pytest.approx(1 / np.sqrt(len(col)))
    assert sorted(col.tolist())[:6] == [1588, 7872, 14525, 33698, 40524, 46022] and len(col) == 31


# Written for this test (never training data): everyday posts a brief reads about cafés, banks,
# telecoms and delivery, in Devanagari. Complaints, praise, and neutral questions and statements.
DEVANAGARI_CHECKS = [
    *[(t, "negative") for t in [
        "बहुत खराब सेवा", "बहुत घटिया सेवा, पैसे बर्बाद", "कॉफी ठंडी थी और स्टाफ ने बदतमीजी की",
        "दो दिन से इंटरनेट नहीं चल रहा, बहुत परेशान हूँ", "बैंक वालों ने मेरे खाते से गलत पैसे काट लिए",
        "खाना अच्छा नहीं था", "नेटवर्क बिल्कुल बेकार है, कॉल बार बार कट जाती है",
        "ऑर्डर एक घंटा देर से आया और चाय बासी थी", "कस्टमर केयर कोई जवाब नहीं देता, बहुत निराश हूँ",
        "इस ऐप से पैसे भेजना बहुत मुश्किल है, हर बार फेल हो जाता है"]],
    *[(t, "positive") for t in [
        "बहुत अच्छी सेवा, धन्यवाद", "यह चाय बहुत अच्छी है", "कॉफी शानदार थी, स्टाफ भी बहुत विनम्र है",
        "बैंक के कर्मचारियों ने तुरंत मदद की, बहुत बढ़िया अनुभव", "नया प्लान सस्ता और नेटवर्क तेज है, मज़ा आ गया",
        "डिलीवरी समय पर आई, खाना स्वादिष्ट था", "कस्टमर केयर ने मेरी समस्या जल्दी हल कर दी, शुक्रिया",
        "सबसे अच्छा कैफ़े, ज़रूर जाइए"]],
    *[(t, "neutral") for t in [
        "क्या आपकी दुकान रविवार को खुली रहती है?", "नया सिम कार्ड कैसे मिलेगा?", "बैंक की शाखा कितने बजे खुलती है?",
        "मेनू में कौन कौन सी चाय हैं?", "कल से नया रिचार्ज प्लान शुरू होगा", "मैं आज शाम कैफ़े जाऊँगा",
        "क्या इस कार्ड से ऑनलाइन भुगतान हो सकता है?"]],
]  # fmt: skip


def _devanagari_results(method: str) -> pd.DataFrame:
    texts = pd.Series([t for t, _ in DEVANAGARI_CHECKS])
    langs = pd.Series("hi", index=texts.index)
    if method == "model":
        got = score(texts, langs)["sentiment"]
    else:  # what the brief gets: score_sentiment's default ("model") or the lexicon ("baseline")
        got = score_sentiment(texts, langs, method=method)["sentiment"]
    return pd.DataFrame({"text": texts, "expected": [e for _, e in DEVANAGARI_CHECKS], "got": got})


def test_devanagari_model_on_everyday_posts():
    out = _devanagari_results("model")
    wrong = out[out["expected"] != out["got"]]
    # measured with linear-hi-2: 21 of 25 right (three complaints and one praise read as neutral)
    assert len(wrong) <= 5, wrong.to_dict("records")
    assert not (
        (out["expected"] == "negative") & (out["got"] == "positive")
    ).any()  # no complaint read as praise
    assert not ((out["expected"] == "positive") & (out["got"] == "negative")).any()
    first_two = out["got"].iloc[:2].tolist()
    assert first_two == ["negative", "negative"]  # "बहुत खराब सेवा", "बहुत घटिया सेवा, पैसे बर्बाद"


def test_score_sentiment_routes_devanagari_to_what_measured_better():
    from research.analyses.sentiment.notes import uses_baseline

    out = score_sentiment(pd.Series(["बहुत खराब सेवा", "Great coffee"]), pd.Series(["hi", "en"]))
    expected = "lexicon-hi-v1" if uses_baseline("hi") else "linear-hi-2"
    assert out["method"].tolist() == [expected, "linear-en-2"] and out["sentiment"].iloc[0] == "negative"
    meta = load(MODELS_DIR, "hi").info
    first = next(iter(meta["evaluation"]))
    assert (
        first == "iitp-dev-test"
    )  # the decision is taken on the reviews, the set least like the training rows
    assert uses_baseline("hi") == (
        meta["baseline"][first]["macro_f1"] > meta["evaluation"][first]["macro_f1"]
    )


# --- training and the file format -------------------------------------------------------------------

_TINY = [("great product, love it", "positive"), ("awesome, thank you so much", "positive"),
         ("love love love this", "positive"), ("best day ever", "positive"),
         ("terrible, broken again", "negative"), ("awful service, hate it", "negative"),
         ("worst ever, never again", "negative"), ("so bad and so slow", "negative"),
         ("the shop opens at nine", "neutral"), ("new store on main street", "neutral"),
         ("the meeting is on monday", "neutral"), ("price list for october", "neutral")]  # fmt: skip


def _tiny_model() -> LinearModel:
    spec = FeatureSpec("en", bits=12)
    y = np.array([CLASSES.index(label) for _, label in _TINY])
    w, b = fit(design([t for t, _ in _TINY], spec), y, l2=1e-3, sample_weight=balanced_weights(y))
    return LinearModel("en", "test", spec, w, b, np.eye(3) * 10, {"note": "tiny"})


def test_training_is_reproducible_and_files_round_trip(tmp_path):
    first, second = _tiny_model().save(tmp_path / "a"), _tiny_model().save(tmp_path / "b")
    for suffix in (".json", ".npz"):
        assert first.with_suffix(suffix).read_bytes() == second.with_suffix(suffix).read_bytes()
    loaded = load(tmp_path / "a", "en")
    texts = ["love it, great", "broken and awful", "opens on monday"]
    assert [CLASSES[k] for k in loaded.predict(texts)] == ["positive", "negative", "neutral"]
    assert np.allclose(loaded.proba(texts), _tiny_model().proba(texts), atol=2e-3)  # float16 weights on disk


# --- corrected shares -------------------------------------------------------------------------------


def test_corrected_shares_recover_a_known_prevalence():
    rng = np.random.default_rng(7)
    confusion = np.array([[550, 400, 50], [60, 880, 60], [20, 300, 680]])  # rows: true neg, neu, pos
    truth = np.array([0.38, 0.42, 0.20])
    true_labels = rng.choice(3, size=4000, p=truth)
    rates = confusion / confusion.sum(axis=1, keepdims=True)
    predicted = np.array([rng.choice(3, p=rates[t]) for t in true_labels])
    out = estimate_shares(pd.Series(np.asarray(CLASSES)[predicted]), confusion)
    counted_error = np.abs(out["counted"].to_numpy() - truth).sum()
    corrected_error = np.abs(out["share"].to_numpy() - truth).sum()
    assert corrected_error < counted_error / 4  # counted is off by ~0.3 in total, corrected by a few points
    assert out.loc["negative", "counted"] < 0.30 and abs(out.loc["negative", "share"] - 0.38) < 0.03
    assert (out["low"] <= truth + 1e-9).all() and (truth <= out["high"] + 1e-9).all()
    assert out["share"].sum() == pytest.approx(1.0) and (out["n"] == 4000).all()


def test_corrected_shares_stay_in_the_simplex_and_handle_no_labels():
    cm = np.array([[50, 40, 10], [5, 90, 5], [2, 18, 80]])
    p = adjusted_shares(np.array([0.0, 0.98, 0.02]), cm)
    assert (p >= 0).all() and p.sum() == pytest.approx(1.0)
    empty = estimate_shares(pd.Series([None, None], dtype="string"), cm)
    assert empty["share"].isna().all() and (empty["n"] == 0).all()
    shipped = estimate_shares(["negative", "neutral", "positive"] * 10, "ru")
    assert shipped["share"].sum() == pytest.approx(1.0)


def _synthetic_groups(confusions: list[np.ndarray], mixes: list[list[float]], n: int = 3000):
    rng = np.random.default_rng(3)
    y_true, y_pred, groups = [], [], []
    for g, (cm, mix) in enumerate(zip(confusions, mixes, strict=True)):
        t = rng.choice(3, size=n, p=mix)
        rates = cm / cm.sum(axis=1, keepdims=True)
        y_true.append(t)
        y_pred.append(np.array([rng.choice(3, p=rates[k]) for k in t]))
        groups.append(np.full(n, f"g{g}"))
    return np.concatenate(y_true), np.concatenate(y_pred), np.concatenate(groups)


def test_share_check_keeps_a_correction_that_carries_over_and_drops_one_that_does_not():
    same = np.array([[550, 400, 50], [60, 880, 60], [20, 300, 680]])
    mixes = [[0.5, 0.3, 0.2], [0.2, 0.5, 0.3], [0.3, 0.3, 0.4]]
    carried = share_check(*_synthetic_groups([same] * 3, mixes))
    assert carried["shrink"] == 1.0 and carried["method"] == "calibrated"
    assert carried["error_by_shrink"]["1.0"] < carried["error_by_shrink"]["0.0"] / 2
    # each group errs its own way: the others' confusion misleads, and counting is kept
    unlike = [np.eye(3) * 100 + 1, np.array([[20, 79, 1], [1, 98, 1], [1, 79, 20]]),
              np.array([[10, 10, 80], [5, 90, 5], [80, 10, 10]])]  # fmt: skip
    dropped = share_check(*_synthetic_groups(unlike, mixes))
    assert dropped["shrink"] < 1.0 and dropped["error_by_shrink"]["0.0"] < dropped["error_by_shrink"]["1.0"]
    assert dropped["allowance"] == pytest.approx(dropped["error_by_shrink"][str(dropped["shrink"])])


def test_estimate_shares_widens_by_the_allowance_and_may_count():
    cm = np.array([[60, 30, 10], [5, 90, 5], [2, 18, 80]])
    labels = ["negative"] * 32 + ["neutral"] * 45 + ["positive"] * 23
    full = estimate_shares(labels, cm)
    counted = estimate_shares(labels, cm, shrink=0.0, allowance=0.05)
    assert (counted["method"] == "counted").all() and (full["method"] == "calibrated").all()
    assert counted.loc["negative", "share"] == pytest.approx(0.32)
    assert counted.loc["negative", "high"] - counted.loc["negative", "low"] > 0.1 + (
        full.loc["negative", "high"] - full.loc["negative", "low"]) / 4  # fmt: skip


def test_brand_shares_per_brand_with_interval_and_method():
    rows = pd.DataFrame({
        "brand": ["A"] * 40 + ["B"] * 40 + ["C"] * 3,
        "sentiment": (["negative"] * 20 + ["neutral"] * 10 + ["positive"] * 10) * 2 + [None] * 3,
        "sentiment_method": ["linear-en-2"] * 40 + ["linear-ru-2"] * 20 + ["lexicon-hi-v1"] * 20 + ["not scored"] * 3,
    })  # fmt: skip
    out = brand_shares(rows).set_index("brand")
    assert list(out.index) == ["A", "B", "C"] and out.loc["C", "method"] == "none scored"
    assert out.loc["A", "mentions"] == 40 and out.loc["A", "scored"] == 40 and out.loc["C", "scored"] == 0
    assert out.loc["A", "negative_counted"] == pytest.approx(0.5) and out.loc[
        "A", "positive_counted"
    ] == pytest.approx(0.25)
    for b in ("A", "B"):
        for c in ("negative", "positive"):
            assert out.loc[b, f"{c}_low"] <= out.loc[b, f"{c}_share"] <= out.loc[b, f"{c}_high"]
            assert 0 <= out.loc[b, f"{c}_low"] and out.loc[b, f"{c}_high"] <= 1
    assert "counted" in out.loc["B", "method"]  # the word-list half of B has no correction
    notes = share_notes()
    assert set(notes) == {"en", "ru", "hi", "hi-Latn"}
    assert all("of the time" in note and "macro" not in note.lower() for note in notes.values())
    assert "12,284" in notes["en"]


def test_text_version_follows_the_model_files(tmp_path, monkeypatch):
    import shutil

    from research.analyses.sentiment import model as model_module
    from research.run import texts

    def clear():
        model_module.shipped_digest.cache_clear()
        texts.text_version.cache_clear()

    folder = tmp_path / "models"
    shutil.copytree(MODELS_DIR, folder)
    monkeypatch.setattr(model_module, "MODELS_DIR", folder)
    try:
        clear()
        before = texts.text_version()
        (folder / "ru.npz").write_bytes((folder / "ru.npz").read_bytes() + b"\0")
        clear()
        assert texts.text_version() != before
    finally:
        monkeypatch.undo()
        clear()


# --- entity-level sentiment -------------------------------------------------------------------------


def test_brand_spans_match_inflected_names_and_handles():
    text = "Ушёл от Билайна к МТСу, а @Megafon_ru молчит. Теле2 лучше"
    spans = brand_spans(
        text, {"Билайн": ["beeline"], "МТС": ["mts"], "Мегафон": ["megafon"], "Теле2": ["tele2"]}
    )
    assert [(text[s:e], b) for s, e, b in spans] == [
        ("Билайна", "Билайн"), ("МТСу", "МТС"), ("@Megafon_ru", "Мегафон"), ("Теле2", "Теле2")]  # fmt: skip
    assert brand_spans("Chai & Co is great", ["Chai & Co", "Co"]) == [(0, 9, "Chai & Co")]


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        (
            "МТС молодцы, всё работает отлично, а Билайн опять без связи, ужас",
            "ru",
            {"МТС": "positive", "Билайн": "negative"},
        ),
        (
            "У Билайна связь ужасная, постоянно пропадает. Перешёл на Мегафон, доволен, спасибо!",
            "ru",
            {"Билайн": "negative", "Мегафон": "positive"},
        ),
        (
            "Brew Bros was awful and rude, but Chai & Co is lovely, thank you!",
            "en",
            {"Brew Bros": "negative", "Chai & Co": "positive"},
        ),
        ("Love Chai & Co, best chai ever!", "en", {"Chai & Co": "positive"}),
    ],
)
def test_entity_rule_on_written_sentences(text, lang, expected):
    brands = ["МТС", "Билайн", "Мегафон", "Brew Bros", "Chai & Co"]
    assert entity_sentiment(text, brands, lang) == expected


# --- the client's labels ----------------------------------------------------------------------------


def _labels_csv(path: Path) -> Path:
    rows = ["text,label"]
    good = [
        "the masala chai here is lovely",
        "lovely staff and lovely chai",
        "chai was lovely today",
        "such a lovely cup",
        "lovely place to sit",
        "lovely cardamom flavour",
    ]
    # the client's own slang: "tapri" means a roadside stall and is neutral, "kadak" praise, "thanda" a complaint
    slang = [("kadak chai at the new branch", "positive"), ("thanda chai again, third time", "negative"),
             ("tapri on fc road opens at 7", "neutral")]  # fmt: skip
    for k in range(8):
        rows += [f'"{good[k % 6]} {k}",positive', f'"my order was thanda and late {k}",negative',
                 f'"branch {k} opens at {k + 7} on weekdays",neutral']  # fmt: skip
        rows += [f'"{t} {k}",{label}' for t, label in slang]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_cli_train_sentiment_with_client_labels(tmp_path, capsys):
    csv = _labels_csv(tmp_path / "labels.csv")
    assert main(["train-sentiment", "--labels", str(csv), "--lang", "en", "--client", "chai",
                 "--workspace", str(tmp_path)]) == 0  # fmt: skip
    printed = capsys.readouterr().out
    assert "en: 48 labelled rows" in printed and "held out 12" in printed and "adapted" in printed
    folder = tmp_path / "data" / "models" / "chai"
    meta = json.loads((folder / "en.json").read_text(encoding="utf-8"))
    assert meta["version"] == "2-client" and meta["adapted"]["held_out"] == 12
    assert meta["adapted"]["adapted"]["accuracy"] >= meta["adapted"]["shipped"]["accuracy"]
    assert not (MODELS_DIR / "chai").exists()  # never into the package
    out = score(pd.Series(["my chai was thanda and late again"]), pd.Series(["en"]), models=folder)
    assert out["method"].iloc[0] == "linear-en-2-client" and out["sentiment"].iloc[0] == "negative"


def test_cli_train_sentiment_refuses_bad_labels(tmp_path, capsys):
    csv = tmp_path / "bad.csv"
    csv.write_text("text,label\nfine,positive\nmeh,maybe\n", encoding="utf-8")
    assert main(["train-sentiment", "--labels", str(csv), "--lang", "en", "--out", str(tmp_path / "m")]) == 2
    assert "bad.csv:3: label 'maybe' is not positive, neutral or negative" in capsys.readouterr().err


def test_sample_for_labelling_is_stratified_and_weighted():
    texts = pd.Series([f"love it {k}" for k in range(50)] + [f"awful {k}" for k in range(10)] + ["ok"])
    sample = sample_for_labelling(texts, pd.Series("en", index=texts.index), 8, seed=1)
    counts = sample["predicted"].value_counts()
    assert counts["negative"] == counts["positive"] >= 2  # the rare class is not swamped
    assert list(sample.columns) == ["text", "lang", "predicted", "label", "weight"]
    assert (sample["label"] == "").all()
    # each row stands for the posts of its stratum: the weights add up to all the distinct texts
    assert sample["weight"].sum() == pytest.approx(texts.nunique())


# --- the real corpus (skipped without it) ----------------------------------------------------------

needs_corpus = pytest.mark.skipif(
    not (CORPUS / "sentiment-train").is_dir() or not (CORPUS / "sentirueval2016-ru-telecom").is_dir(),
    reason="shared corpus (../shared/corpus/sentiment-train, sentirueval2016-ru-telecom) not available",
)


@needs_corpus
def test_telecom_operators_measured_and_shares_estimated():
    from research.analyses.sentiment.evaluate import eval_set, figures, telecom_labels

    items = eval_set("telecom2016", CORPUS)
    assert len(items) == 2460
    text_level, entity_level = telecom_labels(items)
    f = figures(items["label"], text_level)
    # measured 2026-12 with linear-ru-2: 0.599 / 0.75; floors catch a regression, not the target
    assert f["macro_f1"] > 0.58 and f["recall"]["negative"] > 0.65
    check = load(MODELS_DIR, "ru").info["shares"]
    covered, counted, estimated = [], [], []
    for _, part in items.groupby("brand"):
        if len(part) < 100:
            continue
        est = estimate_shares(entity_level[part.index], "ru")
        for c in ("negative", "positive"):
            true = (part["label"] == c).mean()
            covered.append(est.loc[c, "low"] <= true <= est.loc[c, "high"])
            counted.append(abs(est.loc[c, "counted"] - true))
            estimated.append(abs(est.loc[c, "share"] - true))
    assert len(covered) >= 6 and np.mean(covered) >= 0.8  # the interval allows for the measured error
    # NOTE: across RuSentiTweet, bank and telecom tweets the correction did worse than counting
    # (share_check), so Russian shares are counts, and here no worse than the counts.
    if check["method"] == "counted":
        assert np.allclose(counted, estimated)
    assert np.mean(estimated) < 0.08


@needs_corpus
def test_training_rows_exclude_evaluation_texts_and_research_only_sets():
    from research.analyses.sentiment import corpus
    from research.analyses.sentiment.evaluate import eval_set
    from research.analyses.sentiment.train import TRAINING, training_rows

    assert all(corpus.SOURCES[name].trainable for rows in TRAINING.values() for name, _ in rows)
    assert not corpus.SOURCES["iitp"].trainable and not corpus.SOURCES["telecom2016"].trainable
    rows, report = training_rows(CORPUS, "hi")
    held = set(corpus.dedupe_key(eval_set("hi-ods-heldout", CORPUS)["text"]))
    assert not held & set(corpus.dedupe_key(rows["text"]))
    assert set(rows["source"]) == {"hi_ods", "lexicon-hi-features"} and report["rows_read"] > 5000
    assert set(rows.loc[rows["source"] == "hi_ods", "group"]) == {"fold0", "fold1", "fold2"}
    ru, _ = training_rows(CORPUS, "ru")
    clauses = ru[ru["source"] == "sentirueval2015-entities"]
    assert len(clauses) > 500 and set(clauses["label"]) == {"negative", "neutral", "positive"}


# --- the optional transformer path ------------------------------------------------------------------


def test_transformer_path_scores_with_a_tiny_local_model(tmp_path, monkeypatch):
    pytest.importorskip("torch", reason="torch not installed (optional extra research[transformers])")
    transformers = pytest.importorskip(
        "transformers", reason="transformers not installed (research[transformers])"
    )
    from research.analyses.sentiment.transformer import TransformerScorer

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "good", "bad", "chai", "the", "is"]
    (tmp_path / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    tokenizer = transformers.BertTokenizerFast(vocab_file=str(tmp_path / "vocab.txt"))
    config = transformers.BertConfig(vocab_size=len(vocab), hidden_size=16, num_hidden_layers=1,
                                     num_attention_heads=2, intermediate_size=32, num_labels=3,
                                     id2label={0: "negative", 1: "neutral", 2: "positive"},
                                     label2id={"negative": 0, "neutral": 1, "positive": 2})  # fmt: skip
    model = transformers.BertForSequenceClassification(config)
    folder = tmp_path / "tiny-bert"
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    scorer = TransformerScorer(folder)
    out = scorer.score(pd.Series(["the chai is good", "bad", "the chai is good"], index=[4, 5, 6]))
    assert out.index.tolist() == [4, 5, 6] and set(out["sentiment"]) <= set(CLASSES)
    assert out["method"].iloc[0] == "transformer-tiny-bert" and out["score"].iloc[0] == out["score"].iloc[2]
    p = scorer.proba(["good"])
    assert p.shape == (1, 3) and p.sum() == pytest.approx(1.0, abs=1e-5)
