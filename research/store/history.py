"""Every observation of an account's counts: the account history table.

``accounts.parquet`` keeps one row per account, the latest observation; follower growth needs
them all. ``data/processed/<client>/account_history.parquet`` keeps one row per account and
observation time (``platform, account_id, handle, collected_at, followers, following,
posts_count, source``), so repeated imports and collections give follower, following and
post-count series.

Like the other processed tables it is a pure function of the raw runs: ``History.add`` derives
the observations of each normalised batch (rows that carry an observation time and at least
one count), ``merge`` keeps one row per ``(platform, account_id, collected_at)`` (the later
row on a tie, as the accounts table does), so an import's incremental merge and
``Store.renormalise`` give the same table. A store made before this table existed starts it
from the latest observations in ``accounts.parquet``; ``research renormalise`` recovers the
earlier ones from the raw runs.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from research import schema
from research.schema.columns import TIMESTAMP_DTYPE

__all__ = ["HISTORY_FILE", "HISTORY_COLUMNS", "History", "history_rows", "merge", "read", "read_table"]

HISTORY_FILE = "account_history.parquet"
HISTORY_COLUMNS = ["platform", "account_id", "handle", "collected_at", "followers", "following", "posts_count",
                   "source"]  # fmt: skip
_KEY = ["platform", "account_id", "collected_at"]
_COMPACT_ROWS = 200_000  # merge what is gathered past this many rows: accounts repeat batch after batch


def _empty() -> pa.Table:
    return schema.rows_table([], "accounts").select(HISTORY_COLUMNS)


def history_rows(accounts: pa.Table) -> pa.Table:
    """The observations in a batch of canonical account rows: with a time and at least one count.

    Account rows seen on posts without a profile (no counts) or without an observation time
    (an owner named on a YouTube video) observe nothing and are left out.
    """
    if accounts.num_rows == 0:
        return _empty()
    counted = pc.or_(
        pc.or_(pc.is_valid(accounts["followers"]), pc.is_valid(accounts["following"])),
        pc.is_valid(accounts["posts_count"]),
    )
    keep = pc.and_(counted, pc.is_valid(accounts["collected_at"]))
    return accounts.filter(keep).select(HISTORY_COLUMNS)


def merge(tables: Iterable[pa.Table]) -> pa.Table:
    """One row per ``(platform, account_id, collected_at)``, the later row on a tie, in key order."""
    parts = [t.select(HISTORY_COLUMNS).cast(_empty().schema) for t in tables]
    table = pa.concat_tables([_empty(), *parts])
    if table.num_rows == 0:
        return table
    position = pa.array(np.arange(table.num_rows, dtype=np.int64))
    keys = pa.table(
        {"k0": table["platform"], "k1": table["account_id"], "at": table["collected_at"], "pos": position}
    )
    last = keys.group_by(["k0", "k1", "at"], use_threads=False).aggregate([("pos", "max")])["pos_max"]
    kept = table.take(last)
    order = pc.sort_indices(kept, sort_keys=[(k, "ascending") for k in _KEY])
    return kept.take(order)


class History:
    """The observations of an import, gathered batch by batch (``add``) and merged when they pile up."""

    def __init__(self) -> None:
        self.tables: list[pa.Table] = []
        self.rows = 0

    def add(self, accounts: pa.Table) -> None:
        rows = history_rows(accounts)
        self.tables.append(rows)
        self.rows += rows.num_rows
        if self.rows >= _COMPACT_ROWS:
            self.tables = [merge(self.tables)]
            self.rows = 0

    def table(self) -> pa.Table:
        """The observations gathered, one row per key."""
        return merge(self.tables)

    def onto(self, stored: pa.Table) -> pa.Table:
        """The stored history with these observations merged in."""
        return merge([stored, *self.tables])


def read_table(path: Path, accounts_path: Path | None = None) -> pa.Table:
    """The stored history as Arrow; without one, the observations in the accounts table (``accounts_path``)."""
    if path.exists():
        return pq.read_table(path).select(HISTORY_COLUMNS)
    if accounts_path is not None and accounts_path.exists():
        return merge([history_rows(schema.canonical_table(pq.read_table(accounts_path), "accounts"))])
    return _empty()


def read(path: Path, accounts_path: Path | None = None) -> pd.DataFrame:
    """The account history as a frame (``HISTORY_COLUMNS``, canonical dtypes); empty when there is none."""
    table = read_table(path, accounts_path)
    df = table.to_pandas(types_mapper={pa.string(): pd.StringDtype(), pa.int64(): pd.Int64Dtype()}.get)
    df["collected_at"] = df["collected_at"].astype(TIMESTAMP_DTYPE)
    return df[HISTORY_COLUMNS]
