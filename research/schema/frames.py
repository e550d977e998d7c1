"""Canonical DataFrames: building them from rows, conforming and validating them."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from datetime import datetime

import pandas as pd
import pyarrow as pa

from research.errors import SchemaError
from research.schema.columns import _TABLES, PLATFORMS, TIMESTAMP_DTYPE, Column
from research.schema.values import _FLOATY_ID, to_utc

# --- frames ------------------------------------------------------------------------------------


def _frame(table: str, rows: Iterable[Mapping]) -> pd.DataFrame:
    rows = rows if isinstance(rows, list) else list(rows)
    # Column by column (one pass per column) rather than pandas' row-wise record parsing.
    data = {c.name: [row.get(c.name) for row in rows] for c in _TABLES[table]}
    out = {}
    for col in _TABLES[table]:
        values = data.pop(col.name)
        out[col.name] = _coerce(
            pd.Series(values, dtype=object) if values else pd.Series([], dtype=object), col
        )
    return pd.DataFrame(out).reset_index(drop=True)


def conform(df: pd.DataFrame, table: str = "posts") -> pd.DataFrame:
    """Return ``df`` with exactly the table's columns, in order, with canonical dtypes.

    Missing columns are added as NULL (empty lists for list columns). Extra
    columns are dropped. Does not modify ``df``.
    """
    out = {}
    n = len(df)
    for col in _TABLES[table]:
        if col.name in df.columns:
            s = df[col.name]
        elif col.kind == "list":
            s = pd.Series([[] for _ in range(n)], index=df.index, dtype=object)
        else:
            s = pd.Series(pd.NA, index=df.index, dtype=col.dtype)
        out[col.name] = _coerce(s, col)
    return pd.DataFrame(out, index=df.index).reset_index(drop=True)


def _coerce(s: pd.Series, col: Column) -> pd.Series:
    if col.kind == "list":
        # Parquet gives numpy arrays back; the contract is plain lists of str.
        return pd.Series([_as_list(v) for v in s.to_numpy(dtype=object)], index=s.index, dtype=object)
    if col.kind == "timestamp":
        if isinstance(s.dtype, pd.DatetimeTZDtype):
            return s.dt.tz_convert("UTC").astype(TIMESTAMP_DTYPE)
        if s.isna().all():
            return pd.Series(pd.NaT, index=s.index, dtype=TIMESTAMP_DTYPE)
        values = s.to_numpy(dtype=object)
        if all(v is None or (type(v) is datetime and v.tzinfo is not None) for v in values):
            # Aware datetimes (what normalisers produce): one vectorised conversion to UTC.
            stamps = pd.to_datetime(values, utc=True)
            return pd.Series(stamps, index=s.index).astype(TIMESTAMP_DTYPE)
        return pd.Series([to_utc(v, field=col.name) for v in values], index=s.index, dtype=TIMESTAMP_DTYPE)
    if col.kind == "string":
        if s.dtype == object:
            try:
                # Only str and missing values pass; anything else takes the checked path below.
                strings = pa.array(s.to_numpy(dtype=object), type=pa.string(), from_pandas=True)
            except (pa.ArrowTypeError, pa.ArrowInvalid):
                pass
            else:
                return pd.Series(pd.arrays.ArrowStringArray(strings), index=s.index).astype(col.dtype)
        if s.dtype == object and s.map(lambda v: isinstance(v, float) and not math.isnan(v)).any():
            raise SchemaError(
                f"column {col.name!r} holds floats; ids and text must be strings", column=col.name
            )
        return s.astype(col.dtype)
    return s.astype(col.dtype)


def _as_list(value: object) -> list[str]:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return []
    return list(map(str, value))


def posts_frame(rows: Iterable[Mapping]) -> pd.DataFrame:
    """Build a canonical ``posts`` frame from dict rows (missing keys become NULL)."""
    return _frame("posts", rows)


def accounts_frame(rows: Iterable[Mapping]) -> pd.DataFrame:
    """Build a canonical ``accounts`` frame from dict rows (missing keys become NULL)."""
    return _frame("accounts", rows)


def empty_posts() -> pd.DataFrame:
    return posts_frame([])


def empty_accounts() -> pd.DataFrame:
    return accounts_frame([])


# --- validation --------------------------------------------------------------------------------


def violations(df: pd.DataFrame, table: str = "posts", *, limit: int = 20) -> list[str]:
    """List schema violations as sentences naming the column and the row (index label)."""
    problems: list[str] = []
    cols = _TABLES[table]
    missing = [c.name for c in cols if c.name not in df.columns]
    if missing:
        return [f"{table}: missing column(s) {', '.join(missing)}"]

    def bad(col: str, mask: pd.Series, what: str) -> None:
        for row in df.index[mask.to_numpy(dtype=bool, na_value=False)][: max(0, limit - len(problems))]:
            problems.append(f"{table}: column {col!r}, row {row}: {what} (got {df.at[row, col]!r})")

    for col in cols:
        s = df[col.name]
        if str(s.dtype) != str(col.dtype):
            problems.append(f"{table}: column {col.name!r} has dtype {s.dtype}, expected {col.dtype}")
            continue
        if col.key:
            bad(col.name, s.isna(), "key column is NULL")
        if col.kind == "count":
            bad(col.name, s.fillna(0) < 0, "count is negative")
        if col.kind == "list":
            bad(
                col.name,
                ~s.map(lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v)),
                "not a list of strings",
            )
    if "platform" in df.columns and str(df["platform"].dtype) == "string":
        bad(
            "platform",
            ~df["platform"].isin(PLATFORMS) & df["platform"].notna(),
            f"unknown platform (known: {', '.join(PLATFORMS)})",
        )
    id_col = "post_id" if table == "posts" else "account_id"
    if str(df[id_col].dtype) == "string":
        bad(id_col, df[id_col].fillna("").str.match(_FLOATY_ID.pattern), "id mangled into a float")
        dup = df.duplicated(["platform", id_col], keep="first")
        bad(id_col, dup, f"duplicate key (platform, {id_col})")
    if table == "posts" and df["hashtags"].dtype == object:
        bad(
            "hashtags",
            df["hashtags"].map(
                lambda v: isinstance(v, list) and any(h.startswith("#") or h != h.lower() for h in v)
            ),
            "hashtags must be lower-case without '#'",
        )
    return problems[:limit]


def validate(df: pd.DataFrame, table: str = "posts") -> pd.DataFrame:
    """Return ``df`` unchanged if it satisfies the schema, else raise ``SchemaError``.

    The message names the first violation (column and row) and how many there are.
    """
    found = violations(df, table)
    if found:
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        first = found[0]
        col = re.search(r"column '([^']+)'", first)
        raise SchemaError(first + more, column=col.group(1) if col else None)
    return df
