"""The text step of a run: languages and sentiment, derived once and kept beside the processed tables.

``prepare_texts`` runs in the pipeline after the data is gathered and before any notebook: it
annotates the posts of the analysis period and the one before it (`research.analyses.text.annotate_texts`)
and writes ``data/processed/<client>/text.parquet`` through the store. Notebooks only read it:
``attach_texts`` joins it to the posts when a run is opened, and annotates in memory (never on
disk) whatever it lacks, so an interactive session without ``research brief`` gets the same values.

A row is reused while the post's text and the annotating code are unchanged (``version``).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pandas as pd

from research.analyses import text as text_analysis
from research.analyses.metrics import Period, collected
from research.analyses.sentiment.model import shipped_digest
from research.brands import Brand
from research.params import Params
from research.store import Store

__all__ = ["COLUMNS", "prepare_texts", "attach_texts"]

COLUMNS = ("lang_detected", "sentiment", "sentiment_score", "sentiment_method")
_KEY = ["platform", "post_id"]


@lru_cache(maxsize=1)
def text_version() -> str:
    """What the derived values depend on: the text analysis code, the sentiment models (their code and
    files) and the libraries' versions."""
    digest = hashlib.sha256(Path(text_analysis.__file__).read_bytes())
    digest.update(shipped_digest().encode())
    for package in ("vaderSentiment", "lingua-language-detector"):
        try:
            digest.update(f"{package}={version(package)}".encode())
        except PackageNotFoundError:
            pass
    return digest.hexdigest()[:16]


def _window(posts: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Posts of the analysis period and the one before it: what the analyses read text from."""
    return posts.loc[(period.contains(posts) | period.previous.contains(posts)).to_numpy(dtype=bool)]


def _fingerprints(posts: pd.DataFrame) -> pd.Series:
    return pd.Series(
        pd.util.hash_pandas_object(posts["text"].astype("string").fillna(""), index=False).to_numpy(),
        index=posts.index,
    ).astype("uint64")


def _annotate(
    posts: pd.DataFrame, accounts: pd.DataFrame, brands: list[Brand], params: Params
) -> pd.DataFrame:
    """The text table rows of ``posts``: key, fingerprint, version and the derived columns."""
    found = text_analysis.annotate_texts(
        posts, accounts, brands, languages=params.languages or ["en"], aliases=params.aliases()
    )
    return pd.DataFrame(
        {
            "platform": posts["platform"].astype("string"),
            "post_id": posts["post_id"].astype("string"),
            "fingerprint": _fingerprints(posts),
            "version": text_version(),
            "lang_detected": found["lang"],
            "sentiment": found["sentiment"],
            "sentiment_score": found["sentiment_score"],
            "sentiment_method": found["sentiment_method"],
        }
    ).reset_index(drop=True)


def _split(posts: pd.DataFrame, table: pd.DataFrame | None) -> tuple[pd.DataFrame, pd.Series]:
    """The rows of ``table`` still valid for ``posts`` (indexed like them), and which posts lack one."""
    if (
        table is None
        or not len(table)
        or not {*_KEY, "fingerprint", "version", *COLUMNS} <= set(table.columns)
    ):
        # None yet, or one an older version wrote in another shape: made again.
        return pd.DataFrame(columns=list(COLUMNS)), pd.Series(True, index=posts.index)
    valid = table.loc[table["version"] == text_version()].drop_duplicates(_KEY, keep="last")
    keys = posts[_KEY].astype("string").assign(fingerprint=_fingerprints(posts), row=posts.index)
    joined = keys.merge(valid, on=[*_KEY, "fingerprint"], how="left")
    hit = joined["version"].notna().to_numpy(dtype=bool)
    found = joined.loc[hit].set_index("row")[list(COLUMNS)]
    return found, pd.Series(~hit, index=posts.index)


def prepare_texts(params: Params, store: Store) -> int:
    """Annotate the posts the analyses will read that the stored text table lacks; return how many."""
    posts, accounts = collected(store.posts()), store.accounts()
    window = _window(posts, params.analysis_period())
    stored = store.texts()
    _, missing = _split(window, stored)
    if not missing.any():
        return 0
    fresh = _annotate(window.loc[missing.to_numpy()], accounts, params.brands(), params)
    valid = stored is not None and {*_KEY, "fingerprint", "version", *COLUMNS} <= set(stored.columns)
    keep = [stored.loc[stored["version"] == text_version()]] if valid else []
    table = pd.concat([*keep, fresh], ignore_index=True).drop_duplicates(_KEY, keep="last")
    store.write_texts(table.reset_index(drop=True))
    return len(fresh)


def attach_texts(
    posts: pd.DataFrame, accounts: pd.DataFrame, params: Params, table: pd.DataFrame | None
) -> pd.DataFrame:
    """``posts`` with the text columns (``COLUMNS``) for the analysis window; NA elsewhere.

    Rows the stored ``table`` lacks are annotated here, in memory.
    """
    window = _window(posts, params.analysis_period())
    found, missing = _split(window, table)
    if missing.any():
        fresh = _annotate(window.loc[missing.to_numpy()], accounts, params.brands(), params)
        fresh.index = window.index[missing.to_numpy()]
        found = pd.concat([found, fresh[list(COLUMNS)]]) if len(found) else fresh[list(COLUMNS)]
    out = posts.copy(deep=False)
    dtypes = {
        "lang_detected": "string",
        "sentiment": "string",
        "sentiment_score": "Float64",
        "sentiment_method": "string",
    }
    for column in COLUMNS:
        values = pd.Series(pd.NA, index=posts.index, dtype=dtypes[column])
        if len(found):
            values.loc[found.index] = found[column].astype(dtypes[column])
        out[column] = values
    return out
