"""The canonical tables: ``posts`` and ``accounts``, declared once.

Every importer and collector produces rows of these tables; every analysis reads
them. Column lists, dtypes and ``docs/schema.md`` are all derived from the
declarations below, never retyped.

Conventions that the rest of the package relies on:

- ids are strings, always (an 18-digit id that went through a float has lost its
  last digits, so floats are refused, not converted);
- timestamps are tz-aware UTC; a naive timestamp is refused unless the caller
  declares its zone;
- counts are nullable ``Int64``: NULL means "this source does not provide it",
  0 means zero;
- list columns hold Python lists of strings (empty list, never NULL).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache, lru_cache
from typing import Literal, get_args
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from research.errors import SchemaError

__all__ = [
    "Platform",
    "PLATFORMS",
    "MEDIA_TYPES",
    "Column",
    "POSTS",
    "ACCOUNTS",
    "POST_COLUMNS",
    "ACCOUNT_COLUMNS",
    "COUNT_COLUMNS",
    "posts_frame",
    "accounts_frame",
    "empty_posts",
    "empty_accounts",
    "conform",
    "from_arrow",
    "arrow_schema",
    "canonical_table",
    "rows_table",
    "row_values",
    "values_table",
    "frame_table",
    "violations",
    "validate",
    "as_id",
    "account_keys",
    "to_utc",
    "schema_markdown",
]

Platform = Literal[
    "twitter", "bluesky", "mastodon", "telegram", "reddit", "facebook",
    "instagram", "vk", "youtube", "tiktok", "threads", "weibo",
]  # fmt: skip
PLATFORMS: tuple[str, ...] = get_args(Platform)

MEDIA_TYPES = ("text", "photo", "video", "gif", "link", "poll", "album", "audio", "document", "other")

Kind = Literal["string", "timestamp", "count", "list", "bool"]

# NOTE: microsecond resolution: what Parquet and the platforms carry; avoids the
# 2262 overflow of nanoseconds and keeps round trips exact.
TIMESTAMP_DTYPE = pd.DatetimeTZDtype("us", "UTC")
_DTYPES: dict[str, object] = {
    "string": pd.StringDtype(),
    "timestamp": TIMESTAMP_DTYPE,
    "count": pd.Int64Dtype(),
    "list": np.dtype(object),
    "bool": pd.BooleanDtype(),
}


@dataclass(frozen=True)
class Column:
    """One column of a canonical table."""

    name: str
    kind: Kind
    doc: str
    key: bool = False  # part of the table's primary key: never NULL

    @property
    def dtype(self) -> object:
        return _DTYPES[self.kind]


POSTS: tuple[Column, ...] = (
    Column("platform", "string", "Platform the post lives on: one of PLATFORMS.", key=True),
    Column("post_id", "string", "Platform id of the post, always a string (never a float).", key=True),
    Column("url", "string", "Permalink where known."),
    Column("author_id", "string", "Author's platform id (user id, DID, channel id)."),
    Column("author_handle", "string", "Author's handle without '@', lower-cased."),
    Column("author_name", "string", "Author's display name as the platform gives it."),
    Column("created_at", "timestamp", "When the post was published, UTC."),
    Column("text", "string", "Full text as posted (untrusted: escape before display)."),
    Column("lang", "string", "BCP-47 language code, platform-given or detected; NULL if unknown."),
    Column("hashtags", "list", "Hashtags in the post, lower-cased, without '#'."),
    Column("mentions", "list", "Handles mentioned in the post, lower-cased, without '@'."),
    Column("urls", "list", "Expanded links in the post."),
    Column("media_type", "string", "text, photo, video, gif, link, poll, album, audio, document or other."),
    Column("likes", "count", "Likes/favourites/reactions at collected_at; NULL if not provided."),
    Column("reposts", "count", "Reposts/retweets/shares/boosts at collected_at; NULL if not provided."),
    Column("replies", "count", "Replies/comments at collected_at; NULL if not provided."),
    Column("quotes", "count", "Quote posts at collected_at; NULL if not provided."),
    Column("views", "count", "Views/impressions at collected_at; NULL if not provided."),
    Column("saves", "count", "Bookmarks/saves at collected_at; NULL if not provided."),
    Column("reply_to_post_id", "string", "Id of the post this one replies to."),
    Column("reply_to_author_id", "string", "Author id of the post this one replies to."),
    Column("repost_of_post_id", "string", "Id of the post this one reposts (retweet, boost, share)."),
    Column("repost_of_author_id", "string", "Author id of the reposted post."),
    Column("quote_of_post_id", "string", "Id of the post this one quotes."),
    Column("quote_of_author_id", "string", "Author id of the quoted post."),
    Column("source", "string", "Importer or collector name and version that produced the row."),
    Column("collected_at", "timestamp", "When the counts were observed, UTC."),
)

ACCOUNTS: tuple[Column, ...] = (
    Column("platform", "string", "Platform of the account: one of PLATFORMS.", key=True),
    Column("account_id", "string", "Platform id of the account, always a string.", key=True),
    Column("handle", "string", "Handle without '@', lower-cased."),
    Column("name", "string", "Display name."),
    Column("followers", "count", "Followers/subscribers at collected_at; NULL if not provided."),
    Column("following", "count", "Accounts followed at collected_at; NULL if not provided."),
    Column("posts_count", "count", "Posts published by the account at collected_at; NULL if not provided."),
    Column("created_at", "timestamp", "When the account was created, UTC."),
    Column("verified", "bool", "Platform verification mark; NULL if not provided."),
    Column("description", "string", "Profile description (untrusted text)."),
    Column("location", "string", "Free-text location from the profile."),
    Column("source", "string", "Importer or collector name and version that produced the row."),
    Column("collected_at", "timestamp", "When the profile was observed, UTC."),
)

POST_COLUMNS: list[str] = [c.name for c in POSTS]
ACCOUNT_COLUMNS: list[str] = [c.name for c in ACCOUNTS]
COUNT_COLUMNS: list[str] = [c.name for c in POSTS if c.kind == "count"]
_TABLES = {"posts": POSTS, "accounts": ACCOUNTS}


# --- scalar coercion used by importers --------------------------------------------------------

_INT_ID = re.compile(r"^-?\d+$")
# Python parses at most 6 fractional digits; Bluesky writes up to 9.
_EXTRA_FRACTION = re.compile(r"(\.\d{6})\d+")
_FLOATY_ID = re.compile(r"^-?\d+(\.\d+)?[eE][+-]?\d+$|^-?\d+\.0+$")


def account_keys(platform: pd.Series, handle: pd.Series, account_id: pd.Series | None = None) -> pd.Series:
    """The one key of an account: ``"<platform>:<handle>"``, else ``"<platform>:id:<account id>"``.

    Handles are compared lower-case without '@', so one person is one key whichever way a
    source wrote the handle; NA where neither a handle nor an id is known.

    Examples
    --------
    >>> account_keys(pd.Series(["twitter", "twitter"]), pd.Series(["@Ann", None]), pd.Series(["7", "9"])).tolist()
    ['twitter:ann', 'twitter:id:9']
    """
    platform = platform.astype("string")
    keys = platform + ":" + handle.astype("string").str.lower().str.lstrip("@")
    if account_id is None:
        return keys
    return keys.fillna(platform + ":id:" + account_id.astype("string"))


def as_id(value: object, *, field: str = "id") -> str | None:
    """Return an id as a string, or None for a missing one.

    Refuses floats: an 18-digit id stored as a float (``5.70306e+17`` or
    ``570306000000000000.0``) has lost its last digits and would silently join
    the wrong rows.

    >>> as_id(1234567890123456789)
    '1234567890123456789'
    >>> as_id("at://did:plc:abc/app.bsky.feed.post/3k")
    'at://did:plc:abc/app.bsky.feed.post/3k'
    """
    kind = type(value)
    if kind is str and value and not (value[0].isspace() or value[-1].isspace() or _FLOATY_ID.match(value)):
        return value  # the common case (nothing to strip, not a float), answered before the checks below
    if kind is int:
        return str(value)
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    if isinstance(value, bool):
        raise SchemaError(f"{field}: {value!r} is a boolean, not an id", column=field)
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        raise SchemaError(
            f"{field}: {value!r} is a number with a decimal point or exponent; ids must be "
            "stored as text or integers (long ids lose their last digits as floats)",
            column=field,
        )
    text = str(value).strip()
    if not text:
        return None
    if _FLOATY_ID.match(text):
        raise SchemaError(
            f"{field}: {text!r} looks like an id mangled into a float (e.g. by Excel); "
            "its last digits are lost, so it is refused; export ids as text",
            column=field,
        )
    return text


def to_utc(value: object, *, field: str = "created_at", assume_tz: str | None = None) -> datetime | None:
    """Parse a timestamp into a tz-aware UTC ``datetime``.

    Accepts ``datetime``, ISO 8601 strings (``Z`` or offsets) and Unix seconds.
    A naive value is refused unless ``assume_tz`` declares its zone.

    >>> to_utc("2021-09-07T10:00:00+10:00").isoformat()
    '2021-09-07T00:00:00+00:00'
    """
    if type(value) is str:
        # The common case first: an ISO 8601 string with its offset, which Python >= 3.11
        # reads as _parse_iso does (``Z``, more than 6 fractional digits); failures go below.
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            pass
        else:
            if parsed.tzinfo is not None:
                return parsed.astimezone(UTC)
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.fromtimestamp(float(value), tz=UTC)
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        parsed = _parse_iso(text)
        if isinstance(parsed, str):
            raise SchemaError(f"{field}: {parsed!r} is not an ISO 8601 timestamp", column=field)
        value = parsed
    if not isinstance(value, datetime):
        raise SchemaError(f"{field}: {value!r} is not a timestamp", column=field)
    if value.tzinfo is None:
        if assume_tz is None:
            raise SchemaError(
                f"{field}: {value.isoformat()!r} has no timezone; declare the zone the source "
                "uses (e.g. --timezone UTC) instead of guessing",
                column=field,
            )
        value = value.replace(tzinfo=ZoneInfo(assume_tz))
    return value.astimezone(UTC)


@lru_cache(maxsize=1 << 16)
def _parse_iso(text: str) -> datetime | str:
    """``datetime.fromisoformat`` after the fixes ``to_utc`` applies; the fixed text if it fails.

    Cached: importers see the same stamps again and again (profiles' creation times,
    collection times), and a datetime is immutable, so sharing one is safe.
    """
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    if "." in text and _EXTRA_FRACTION.search(text):
        text = _EXTRA_FRACTION.sub(_six_digits, text)
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return text


def _six_digits(match: re.Match) -> str:
    return match.group(1)


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
    """A function giving a dict row's values in the table's column order (None for a missing key)."""
    names = tuple(c.name for c in _TABLES[table])
    return lambda row: tuple(map(row.get, names))


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


def schema_markdown() -> str:
    """The schema as Markdown tables: the source of ``docs/schema.md``."""
    lines = [
        "# Canonical schema",
        "",
        "Generated from `research/schema.py` by `make docs` (`research schema > docs/schema.md`); do not edit by hand.",
        "",
        "NULL in a count means the source does not provide it; 0 means zero. Ids are strings. "
        "Timestamps are tz-aware UTC. List columns hold lists of strings.",
    ]
    for table, cols in _TABLES.items():
        keys = ", ".join(c.name for c in cols if c.key)
        lines += ["", f"## `{table}` (key: {keys})", "", "| column | type | meaning |", "|---|---|---|"]
        for c in cols:
            lines.append(f"| `{c.name}` | {c.kind} (`{c.dtype}`) | {c.doc} |")
    lines += ["", f"Known platforms: {', '.join(f'`{p}`' for p in PLATFORMS)}.", ""]
    return "\n".join(lines)
