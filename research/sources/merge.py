"""Keeping one row per key, in Arrow: the latest observation of each post and account."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from research import schema

__all__ = ["Gathered", "latest", "COMPACT_ROWS"]

COMPACT_ROWS = 200_000  # rows gathered before trying to keep one per key


class Gathered:
    """A table gathered batch by batch, kept to one row per key on the way while that pays.

    Accounts repeat from batch to batch (each tweet carries its author's profile): applying
    ``latest`` to what is gathered every so often keeps them to a few thousand rows instead of
    one per tweet. ``latest`` of the result is ``latest`` of all the rows: rows are only dropped
    for a later observation of their key, and what was gathered stays before what comes next.
    """

    def __init__(self, kind: str):
        self.kind = kind
        self.tables: list[pa.Table] = [schema.rows_table([], kind)]
        self.rows = 0  # gathered since the last compaction
        self.compact = True  # false once a compaction did not halve the rows

    def add(self, table: pa.Table) -> None:
        self.tables.append(table)
        self.rows += table.num_rows
        if self.compact and self.rows >= COMPACT_ROWS:
            before = sum(t.num_rows for t in self.tables)
            self.tables = [latest(pa.concat_tables(self.tables), self.kind)]
            self.rows = 0
            self.compact = 2 * self.tables[0].num_rows <= before

    def table(self) -> pa.Table:
        return pa.concat_tables(self.tables)


def latest(table: pa.Table, kind: str = "posts") -> pa.Table:
    """One row per key: the latest observation (latest ``collected_at``, NULL oldest; ties: the later row).

    For posts, a collected observation always wins over a ``context`` one (a post stored only
    because another referenced it), so a post collected anywhere is never counted as context.

    Sorted by creation time (NULL last) then key, so equal inputs give equal files.
    """
    key = ["platform", "post_id" if kind == "posts" else "account_id"]
    n = table.num_rows
    if n == 0:
        return table
    position = pa.array(np.arange(n, dtype=np.int64))
    observed = pc.fill_null(table["collected_at"].cast(pa.int64()), np.iinfo(np.int64).min)  # NULL: oldest
    collected = (
        pc.invert(pc.fill_null(table["context"], False))
        if "context" in table.column_names
        else pa.array(np.ones(n, dtype=bool))
    )
    order = pc.sort_indices(
        pa.table({"k0": table[key[0]], "k1": table[key[1]], "c": collected, "at": observed, "pos": position}),
        sort_keys=[("k0", "ascending"), ("k1", "ascending"), ("c", "ascending"), ("at", "ascending"),
                   ("pos", "ascending")],
    )  # fmt: skip
    # In key order, a row is the latest of its key when the next row has another key.
    last = np.ones(n, dtype=bool)
    if n > 1:
        same = np.ones(n - 1, dtype=bool)
        for name in key:
            column = table[name].take(order).combine_chunks()
            a, b = column.slice(0, n - 1), column.slice(1)
            equal = pc.fill_null(pc.equal(a, b), False)
            both_null = pc.and_(pc.is_null(a), pc.is_null(b))  # pandas' duplicated treats NA as equal
            same &= pc.or_(equal, both_null).to_numpy(zero_copy_only=False)
        last[:-1] = ~same
    kept = order.filter(pa.array(last))
    # NOTE: the order is found on the three columns it depends on and the whole table is
    # taken once: taking all columns (lists of strings) costs more than sorting.
    final = pc.sort_indices(  # NULL last
        pa.table(
            {
                "at": table["created_at"].take(kept),
                "k0": table[key[0]].take(kept),
                "k1": table[key[1]].take(kept),
            }
        ),
        sort_keys=[("at", "ascending"), ("k0", "ascending"), ("k1", "ascending")],
    )
    return table.take(kept.take(final))
