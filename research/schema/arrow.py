"""Canonical Arrow tables: the fast path from normalised rows to Parquet and back."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from functools import cache

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from research.schema.columns import _TABLES, TIMESTAMP_DTYPE, Column
from research.schema.frames import _frame, conform

_ARROW_TYPES = {
    "string": (pa.string(), pa.large_string()),
    "timestamp": (pa.timestamp("us", tz="UTC"),),
    "count": (pa.int64(),),
    "list": (pa.list_(pa.string()), pa.large_list(pa.string())),
    "bool": (pa.bool_(),),
}
_PANDAS_TYPES = {pa.string(): pd.StringDtype(), pa.large_string(): pd.StringDtype(), pa.int64(): pd.Int64Dtype(),
                 pa.bool_(): pd.BooleanDtype()}  # fmt: skip


def from_arrow(data: pa.Table, table: str = "posts") -> pd.DataFrame:
    """A canonical frame from an Arrow table (a Parquet file this package wrote), without row loops.

    Tables whose columns are exactly the canonical ones with the canonical Arrow types
    are converted column-wise in C++; anything else goes through ``conform``, so the
    result is the same either way.
    """
    cols = _TABLES[table]
    if not _fits(data, table):
        return conform(data.to_pandas(), table)
    lists = [c.name for c in cols if c.kind == "list"]
    df = data.drop_columns(lists).to_pandas(types_mapper=_PANDAS_TYPES.get)
    for name in lists:
        df[name] = pd.Series(data.column(name).to_pylist(), index=df.index, dtype=object)
    for c in cols:
        if c.kind == "timestamp":
            df[c.name] = df[c.name].astype(TIMESTAMP_DTYPE)
    return df[[c.name for c in cols]]


def canonical_table(data: pa.Table, table: str = "posts") -> pa.Table:
    """An Arrow table (a Parquet file this package wrote, say) as the canonical one: ``from_arrow``, in Arrow."""
    if _fits(data, table):
        return data.cast(arrow_schema(table))
    return frame_table(from_arrow(data, table), table)


def _fits(data: pa.Table, table: str) -> bool:
    """Whether ``data`` has the canonical columns and Arrow types, and no NULL lists or list items."""
    cols = _TABLES[table]
    if data.column_names != [c.name for c in cols] or not all(
        data.schema.field(c.name).type in _ARROW_TYPES[c.kind] for c in cols
    ):
        return False
    # A NULL list or a NULL inside a list needs conform's handling (``[]``, ``"None"``).
    lists = [c.name for c in cols if c.kind == "list"]
    return not any(
        data.column(name).null_count or pc.list_flatten(data.column(name)).null_count for name in lists
    )


def arrow_schema(table: str = "posts") -> pa.Schema:
    """The Arrow schema of a canonical table, with the pandas metadata ``DataFrame.to_parquet`` writes."""
    return _arrow_schema(table)


@cache
def _arrow_schema(table: str) -> pa.Schema:
    # From a one-row canonical frame, so pandas describes every column as it does for real data.
    sample = {
        "string": "x",
        "timestamp": datetime(2000, 1, 1, tzinfo=UTC),
        "count": 1,
        "list": ["x"],
        "bool": True,
    }
    return pa.Schema.from_pandas(
        _frame(table, [{c.name: sample[c.kind] for c in _TABLES[table]}]), preserve_index=False
    )


def frame_table(df: pd.DataFrame, table: str = "posts") -> pa.Table:
    """A frame as a canonical Arrow table (``conform``-ed first)."""
    return pa.Table.from_pandas(conform(df, table), schema=arrow_schema(table), preserve_index=False)


def rows_table(rows: list[Mapping], table: str = "posts") -> pa.Table:
    """The canonical Arrow table of dict rows: ``frame_table`` of ``posts_frame(rows)``, faster."""
    return values_table(list(map(row_values(table), rows)), table)


def row_values(table: str = "posts") -> Callable[[Mapping], tuple]:
    """A function giving a dict row's values in the table's column order (None for a missing key).

    A key that is not a column (a misspelt one would silently become NULL, "not provided")
    is a bug in the normaliser: ``UnknownColumn``, which an import never sets aside as bad data.

    >>> row_values("accounts")({"platform": "x", "acount_id": "1"})
    Traceback (most recent call last):
    ...
    research.schema.arrow.UnknownColumn: accounts rows have no column 'acount_id'
    """
    names = tuple(c.name for c in _TABLES[table])
    known = frozenset(names)

    def values(row: Mapping) -> tuple:
        if not row.keys() <= known:
            raise UnknownColumn(f"{table} rows have no column {sorted(set(row) - known)[0]!r}")
        return tuple(map(row.get, names))

    return values


class UnknownColumn(Exception):
    """A normaliser produced a row with a key that is not a column: a bug, never bad data."""


def values_table(rows: list[tuple], table: str = "posts") -> pa.Table:
    """The canonical Arrow table of rows given as ``row_values`` tuples.

    Columns whose values ``_coerce`` would keep as they are (str; int, bool, aware datetime,
    list of str, or None), which is what normalisers produce, go straight to Arrow; if a
    column holds anything else, the rows take the pandas path, which coerces or refuses.
    """
    # NOTE: rows are tuples, read once each here, not dicts read once per column: a batch's
    # rows are spread over memory, and 27 passes over them cost more than building them.
    schema, cols = arrow_schema(table), _TABLES[table]
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(cols)
    arrays = []
    for col, values in zip(cols, columns, strict=True):
        array = _plain_array(values, col, schema.field(col.name).type)
        if array is None:
            names = [c.name for c in cols]
            return frame_table(_frame(table, [dict(zip(names, row, strict=True)) for row in rows]), table)
        arrays.append(array)
    return pa.Table.from_arrays(arrays, schema=schema)


_PLAIN_TYPES = {"count": {int}, "bool": {bool}, "timestamp": {datetime}, "list": {list}}


def _plain_array(values: tuple, col: Column, arrow_type: pa.DataType) -> pa.Array | None:
    """``values`` as an Arrow array, or None if they need ``_coerce``."""
    if col.kind != "string":
        types = set(map(type, values))
        types.discard(type(None))
        if not types <= _PLAIN_TYPES[col.kind]:
            return None
        if col.kind == "list":
            if not all(type(x) is str for v in values if v for x in v):
                return None  # _coerce turns other items into str
            if None in values:
                values = [[] if v is None else v for v in values]  # as _coerce does
        if col.kind == "timestamp" and any(v is not None and v.tzinfo is None for v in values):
            return None  # naive: _coerce refuses them, with the column's name
    try:
        if col.kind == "timestamp":
            # NOTE: pyarrow converts aware datetimes to UTC either way, but ten times faster
            # for a type without a zone; the zone is then only a label (a free cast).
            return pa.array(values, pa.timestamp(arrow_type.unit)).cast(arrow_type)
        # Strings: str, bytes and None pass, as in _coerce's fast path; NaN and the like
        # (from_pandas) are left to _coerce, which is slower but rarely needed.
        return pa.array(values, arrow_type)
    except (pa.ArrowException, OverflowError):
        return None
