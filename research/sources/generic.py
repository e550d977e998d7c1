"""Generic CSV/XLSX tables: any spreadsheet of posts, with a column mapping or a known layout.

Reading: ``.xlsx``/``.xlsm`` (first sheet) or delimited text. For text the encoding is
sniffed (UTF-8 with or without BOM, UTF-16 with BOM, else Windows-1252; the ``encoding``
option overrides) and so is the delimiter (``,`` ``;`` tab ``|``). Each data row is one
record: a dict of strings keyed by header, numbered by the physical line it starts on.

Which column is what: the ``mapping`` option (canonical column -> file column; on the
command line ``--map text=content``) wins; otherwise a known layout is recognised from the
header, otherwise common column names are matched (``text``/``content``/``body``,
``date``/``created_at``/``timestamp``, ``likes``/``likeCount``...). Known layouts:

- ``snscrape-csv``: snscrape JSONL flattened with pandas (``url, date, content, id, ...,
  username``; ``hashtags``/``outlinks`` as Python list reprs) -> twitter.
- ``ira-troll-csv``: FiveThirtyEight's Russian troll tweets (``content, publish_date,
  language, ...``), original or split per author -> twitter. No tweet ids; ``publish_date``
  has no zone (so ``--timezone`` is required), ``M/D/YYYY`` dates in the original; the
  ``followers``/``following``/``updates`` columns give ``accounts`` rows.
- ``twitter-timeline-csv``: ``id, created_at, Type, text`` exports (Type ``Self``/``Retweet``)
  -> twitter, with day-first ``D/M/YY`` dates and no author column (give ``author``).
- ``facebook-insights-csv``: Facebook page-insights post metrics (the UCI "Facebook
  metrics" set, long or short headers) -> facebook: no text, id or date, only counts.

Options: ``mapping``, ``platform`` (when neither layout nor URLs say it), ``timezone``
(zone of naive timestamps: refused without it), ``date_format`` (``strptime`` format for
slashed dates; without it ``D/M`` vs ``M/D`` is decided from values over 12 and an
ambiguous one is refused), ``author`` (handle of the account when the file is one
account's and has no author column), ``encoding``, ``sheet``.

Decisions a user must know:

- Ids: an id written as a float (``5.70306E+17``, Excel's doing) is refused with a
  sentence, never imported with wrong digits. A row without an id gets
  ``derived:<hash>``, a stable hash of author, time and text (all values of the row when
  none of those exist), so re-importing the same file keeps one row per post; two rows
  with the same author, minute and text collapse into one.
- Times: tz-aware values are converted to UTC; naive ones need ``timezone``. A Twitter
  row whose id is a snowflake (2010-11 onwards) takes its exact time from the id when the
  file gives only a date or a naive time without ``timezone``.
- Authors: without an author id column the handle stands in as ``author_id``.
- Counts present in the file are used; missing columns stay NULL, never 0.
"""

from __future__ import annotations

import ast
import csv
import hashlib
import html
import io
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from research.schema import PLATFORMS, POST_COLUMNS, as_id, to_utc
from research.sources.base import (
    Context,
    Format,
    Record,
    Rejected,
    Rows,
    Sample,
    count,
    handle,
    hashtags_in,
    mentions_in,
    urls_in,
)

__all__ = ["FORMAT", "read_table", "normalize", "parse_list", "parse_time"]

_EXCEL = (".xlsx", ".xlsm")
_TEXT = (".csv", ".tsv", ".tab", ".txt")
_DELIMITERS = ",;\t|"
_MAPPABLE = [c for c in POST_COLUMNS if c not in ("platform", "source", "collected_at")]
_EXTRA = ("followers", "following", "posts_count")  # account columns a post table may carry

# canonical -> header names people use (compared lower-case without punctuation)
_ALIASES: dict[str, tuple[str, ...]] = {
    "post_id": ("id", "postid", "tweetid", "statusid", "messageid", "idstr"),
    "url": ("url", "link", "permalink", "posturl", "tweeturl"),
    "author_id": ("authorid", "userid", "ownerid", "fromid"),
    "author_handle": ("username", "screenname", "handle", "authorhandle", "userscreenname", "author", "user"),
    "author_name": ("authorname", "displayname", "name", "fullname", "authorfullname"),
    "created_at": (
        "createdat",
        "date",
        "datetime",
        "timestamp",
        "time",
        "publishdate",
        "publishedat",
        "created",
    ),
    "text": ("text", "content", "body", "message", "fulltext", "caption", "posttext", "tweet"),
    "lang": ("lang", "language"),
    "hashtags": ("hashtags",),
    "mentions": ("mentions", "mentionedusers"),
    "urls": ("urls", "outlinks", "links"),
    "media_type": ("mediatype", "type"),
    "likes": ("likes", "likecount", "favoritecount", "favouritecount", "like", "reactions"),
    "reposts": ("reposts", "retweets", "retweetcount", "shares", "sharecount", "share"),
    "replies": ("replies", "replycount", "comments", "commentcount", "comment"),
    "quotes": ("quotes", "quotecount"),
    "views": ("views", "viewcount", "impressions", "impressioncount", "plays"),
    "reply_to_post_id": ("inreplytostatusid", "inreplytotweetid", "replytoid", "parentid"),
    "followers": ("followers", "followerscount"),
    "following": ("following", "friendscount", "followingcount"),
    "posts_count": ("updates", "statusescount", "tweetcount"),
}
_LANGUAGES = {
    "english": "en", "russian": "ru", "ukrainian": "uk", "italian": "it", "arabic": "ar",
    "german": "de", "french": "fr", "spanish": "es", "bulgarian": "bg", "uzbek": "uz",
    "hindi": "hi", "portuguese": "pt", "japanese": "ja", "serbian": "sr", "macedonian": "mk",
    "belarusian": "be", "turkish": "tr", "dutch": "nl", "polish": "pl", "romanian": "ro",
    "farsi (persian)": "fa", "vietnamese": "vi", "kazakh": "kk", "chinese": "zh", "swedish": "sv",
}  # fmt: skip
_MEDIA = {"photo": "photo", "image": "photo", "status": "text", "text": "text", "link": "link",
          "video": "video", "gif": "gif", "poll": "poll", "album": "album", "carousel": "album"}  # fmt: skip
_DOMAINS = {"twitter.com": "twitter", "x.com": "twitter", "facebook.com": "facebook", "fb.com": "facebook",
            "instagram.com": "instagram", "t.me": "telegram", "reddit.com": "reddit", "tiktok.com": "tiktok",
            "vk.com": "vk", "youtube.com": "youtube", "youtu.be": "youtube", "bsky.app": "bluesky",
            "threads.net": "threads", "weibo.com": "weibo"}  # fmt: skip
_SNOWFLAKE_MIN = 29_700_859_247_000_000  # first snowflake ids (Nov 2010)


@dataclass(frozen=True)
class ColumnLayout:
    name: str
    platform: str | None
    columns: tuple[tuple[str, str], ...]  # (canonical, file column)
    day_first: bool | None = None  # how to read D/M vs M/D dates; None: decide per value

    def get(self, row: Mapping[str, str], canonical: str) -> str | None:
        for name, column in self.columns:
            if name == canonical:
                value = row.get(column)
                return value.strip() if isinstance(value, str) and value.strip() else None
        return None

    def has(self, canonical: str) -> bool:
        return any(name == canonical for name, _ in self.columns)


# --- reading -----------------------------------------------------------------------------------


def read_table(path: Path, options: Mapping[str, Any] | None = None) -> Iterator[Record | Rejected]:
    """Rows of a CSV/TSV or XLSX file as dicts of strings (see the module docstring)."""
    options = options or {}
    if Path(path).suffix.lower() in _EXCEL:
        yield from _read_xlsx(Path(path), options)
        return
    text = _decode(Path(path).read_bytes(), options.get("encoding"))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    header: list[str] | None = None
    start = 1
    try:
        for values in reader:
            if header is None:
                header = [h.strip() for h in values]
            elif any(v.strip() for v in values):
                if len(values) != len(header):
                    yield Rejected(
                        start,
                        f"has {len(values)} fields, the header has {len(header)}",
                        ",".join(values)[:200],
                    )
                else:
                    yield Record(start, dict(zip(header, values, strict=True)))
            start = reader.line_num + 1
    except csv.Error as e:
        yield Rejected(start, f"unreadable CSV ({e})")


def _decode(raw: bytes, encoding: str | None) -> str:
    if encoding:
        return raw.decode(encoding)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")  # Excel's "CSV" on Windows


def _delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    counts = {d: first.count(d) for d in _DELIMITERS}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _read_xlsx(path: Path, options: Mapping[str, Any]) -> Iterator[Record | Rejected]:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = book[options["sheet"]] if options.get("sheet") else book.worksheets[0]
        header: list[str] | None = None
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [_cell(v) for v in values]
            if header is None:
                if any(cells):
                    header = [c.strip() for c in cells]
                continue
            if any(c.strip() for c in cells):
                yield Record(
                    number, dict(zip(header, cells + [""] * (len(header) - len(cells)), strict=False))
                )
    finally:
        book.close()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        # NOTE: Excel keeps every number as a double: a big "id" already lost its last digits,
        # so it stays in float form (5.70306e+17) for as_id to refuse, not rounded to an int.
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


# --- layouts -----------------------------------------------------------------------------------


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


@lru_cache(maxsize=64)
def _layout(
    header: tuple[str, ...], mapping: tuple[tuple[str, str], ...], platform: str | None
) -> ColumnLayout:
    cols = set(header)
    for canonical, column in mapping:
        if canonical not in _MAPPABLE and canonical not in _EXTRA:
            raise ValueError(
                f"mapping: {canonical!r} is not a canonical column (known: {', '.join(_MAPPABLE)})"
            )
        if column not in cols:
            raise ValueError(f"mapping: column {column!r} is not in the file (columns: {', '.join(header)})")
    if mapping:
        return ColumnLayout("mapped", platform, mapping)
    if {"url", "date", "content", "id", "username"} <= cols:
        return ColumnLayout("snscrape-csv", "twitter", _named(header, {
            "post_id": "id", "url": "url", "created_at": "date", "text": "content", "lang": "lang",
            "author_handle": "username", "likes": "likeCount", "reposts": "retweetCount",
            "replies": "replyCount", "quotes": "quoteCount", "hashtags": "hashtags", "urls": "outlinks",
        }))  # fmt: skip
    if {"content", "publish_date", "language"} <= cols:
        author = "author" if "author" in cols else "author_id"
        return ColumnLayout("ira-troll-csv", "twitter", _named(header, {
            "text": "content", "created_at": "publish_date", "lang": "language", "author_handle": author,
            "author_id": "external_author_id" if "external_author_id" in cols else author,
            "followers": "followers", "following": "following", "posts_count": "updates",
        }), day_first=False)  # fmt: skip
    if {"id", "created_at", "Type", "text"} <= cols:
        return ColumnLayout("twitter-timeline-csv", "twitter", _named(header, {
            "post_id": "id", "created_at": "created_at", "text": "text",
        }), day_first=True)  # fmt: skip
    if {"Type", "Paid", "comment", "like", "share"} <= cols:
        views = (
            "Lifetime Post Total Impressions" if "Lifetime Post Total Impressions" in cols else "T_Impression"
        )
        return ColumnLayout("facebook-insights-csv", "facebook", _named(header, {
            "media_type": "Type", "likes": "like", "replies": "comment", "reposts": "share", "views": views,
        }))  # fmt: skip
    found: dict[str, str] = {}
    by_key = {_key(h): h for h in reversed(header)}  # first header wins on a clash
    for canonical, names in _ALIASES.items():
        for name in names:
            if name in by_key and by_key[name] not in found.values():
                found[canonical] = by_key[name]
                break
    if "post_id" not in found and not {"text", "created_at"} <= found.keys():
        raise ValueError(
            f"columns not recognised (found: {', '.join(header)}); map them, e.g. "
            "--map text=COLUMN --map created_at=COLUMN --map post_id=COLUMN"
        )
    return ColumnLayout("named-columns", platform, tuple(found.items()))


def _named(header: tuple[str, ...], wanted: dict[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple((canonical, column) for canonical, column in wanted.items() if column in header)


# --- normalising -------------------------------------------------------------------------------


def normalize(row: Mapping[str, str], ctx: Context) -> Rows:
    """Canonical rows of one table row."""
    if not isinstance(row, dict):
        raise ValueError("not a table row")
    mapping = tuple(sorted((ctx.options.get("mapping") or {}).items()))
    header = tuple(k.lstrip("\ufeff") for k in row)
    row = {k.lstrip("\ufeff"): v for k, v in row.items()}
    layout = _layout(header, mapping, ctx.options.get("platform"))
    _check_zone(ctx.options.get("timezone"))
    get = lambda name: layout.get(row, name)  # noqa: E731
    text = get("text")
    if layout.platform == "twitter" and text:
        text = html.unescape(text)  # known Twitter layouts keep the API's &amp; &lt; &gt; escaping
    platform = layout.platform or _platform_of(get("url"))
    if platform not in PLATFORMS:
        raise ValueError(
            f"platform unknown for this row; give the `platform` option (one of {', '.join(PLATFORMS)})"
        )
    author = handle(get("author_handle") or ctx.options.get("author"))
    post_id = as_id(get("post_id"), field="post_id")
    created = _created(
        get("created_at"), post_id, platform, layout, ctx.options, _column(layout, "created_at")
    )
    if post_id is None:
        post_id = _derived_id(row, author, created, text)
    hashtags = parse_list(get("hashtags")) if layout.has("hashtags") else hashtags_in(text)
    mentions = parse_list(get("mentions")) if layout.has("mentions") else mentions_in(text)
    urls = parse_list(get("urls")) if layout.has("urls") else urls_in(text)
    media = get("media_type")
    post = {
        "platform": platform,
        "post_id": post_id,
        "url": get("url"),
        # NOTE: without an author id column the handle stands in, so authors still link up.
        "author_id": as_id(get("author_id"), field="author_id") or author,
        "author_handle": author,
        "author_name": get("author_name"),
        "created_at": created,
        "text": text,
        "lang": _lang(get("lang")),
        "hashtags": [h.lstrip("#").lower() for h in hashtags],
        "mentions": [m for m in (handle(x) for x in mentions) if m],
        "urls": urls,
        "media_type": _MEDIA.get(media.lower(), "other") if media else ("link" if urls else None),
        "source": ctx.source,
        "collected_at": ctx.collected_at,
    }
    for name in ("likes", "reposts", "replies", "quotes", "views", "saves"):
        post[name] = _count(get(name), name)
    for name in _MAPPABLE[_MAPPABLE.index("reply_to_post_id") :]:
        post[name] = as_id(get(name), field=name)
    rows = Rows(posts=[post])
    if any(layout.has(n) for n in _EXTRA) and post["author_id"]:
        rows.accounts.append(
            {
                "platform": platform,
                "account_id": post["author_id"],
                "handle": author,
                "followers": _count(get("followers"), "followers"),
                "following": _count(get("following"), "following"),
                "posts_count": _count(get("posts_count"), "posts_count"),
                "source": ctx.source,
                "collected_at": ctx.collected_at,
            }
        )
    return rows


@lru_cache(maxsize=16)
def _check_zone(zone: str | None) -> None:
    if zone is None:
        return
    try:
        ZoneInfo(zone)
    except (KeyError, ValueError):
        raise ValueError(
            f"timezone {zone!r} is not a known IANA zone name (e.g. UTC, Europe/Moscow)"
        ) from None


def _count(value: str | None, name: str) -> int | None:
    if value is None:
        return None
    try:
        return count(value.replace(",", "").replace("\u202f", "").replace(" ", ""))
    except ValueError:
        raise ValueError(f"{name}: {value!r} is not a count") from None


def _lang(value: str | None) -> str | None:
    if not value:
        return None
    low = value.strip().lower()
    if low in _LANGUAGES:
        return _LANGUAGES[low]
    if re.fullmatch(r"[a-z]{2,3}(-[a-z0-9]{2,8})*", low) and low not in ("und", "zxx", "qme", "qht"):
        return low
    return None


def _platform_of(url: str | None) -> str | None:
    match = re.match(r"^https?://(?:www\.|m\.|mobile\.)?([^/:]+)", url or "")
    return _DOMAINS.get(match.group(1).lower()) if match else None


def _derived_id(
    row: Mapping[str, str], author: str | None, created: datetime | None, text: str | None
) -> str:
    parts = [author or "", created.isoformat() if created else "", text or ""]
    if not any(parts):  # nothing identifies the post but the whole row
        parts = [f"{k}={v}" for k, v in row.items()]
    return "derived:" + hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:20]


def _column(layout: ColumnLayout, canonical: str) -> str:
    return next((column for name, column in layout.columns if name == canonical), canonical)


def _created(
    value: str | None, post_id: str | None, platform: str, layout: ColumnLayout, options: Mapping, column: str
) -> datetime | None:
    zone = options.get("timezone")
    snowflake = _snowflake_time(post_id) if platform == "twitter" else None
    if snowflake is not None and (
        value is None or (zone is None and not _has_zone(value)) or _date_only(value)
    ):
        return snowflake  # NOTE: exact, and needs no zone; the file's date is only a day or naive
    return parse_time(
        value, timezone=zone, date_format=options.get("date_format"), day_first=layout.day_first, field=column
    )


def _snowflake_time(post_id: str | None) -> datetime | None:
    if not post_id or not post_id.isdigit() or int(post_id) < _SNOWFLAKE_MIN:
        return None
    return datetime.fromtimestamp(((int(post_id) >> 22) + 1288834974657) / 1000, tz=UTC)


def _has_zone(value: str) -> bool:
    return bool(re.search(r"(Z|[+-]\d\d:?\d\d)$", value.strip())) or value.strip().isdigit()


def _date_only(value: str) -> bool:
    return not re.search(r"\d:\d", value)


_SLASHED = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{2}|\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")


def parse_time(
    value: str | None,
    *,
    timezone: str | None = None,
    date_format: str | None = None,
    day_first: bool | None = None,
    field: str = "created_at",
) -> datetime | None:
    """A table's timestamp as UTC: ISO 8601, Unix seconds/milliseconds, or ``D/M/Y``/``M/D/Y``.

    >>> parse_time("14/2/17 10:30", timezone="Asia/Kolkata").isoformat()
    '2017-02-14T05:00:00+00:00'
    >>> parse_time("1700000000").isoformat()
    '2023-11-14T22:13:20+00:00'
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    if re.fullmatch(r"\d{9,13}(\.\d+)?", text):
        number = float(text)
        return datetime.fromtimestamp(number / 1000 if number > 1e11 else number, tz=UTC)
    if date_format:
        try:
            parsed = datetime.strptime(text, date_format)
        except ValueError:
            raise ValueError(f"{field}: {text!r} does not match date_format {date_format!r}") from None
        return to_utc(parsed, field=field, assume_tz=timezone)
    match = _SLASHED.match(text)
    if match:
        a, b, year, hour, minute, second = match.groups()
        a, b = int(a), int(b)
        first = day_first if day_first is not None else (True if a > 12 else False if b > 12 else None)
        if first is None:
            raise ValueError(
                f"{field}: {text!r} is ambiguous (day/month or month/day?); "
                "give the date_format option, e.g. %d/%m/%Y %H:%M"
            )
        day, month = (a, b) if first else (b, a)
        full_year = int(year) + (2000 if len(year) == 2 else 0)
        naive = datetime(full_year, month, day, int(hour or 0), int(minute or 0), int(second or 0))
        return to_utc(naive, field=field, assume_tz=timezone)
    return to_utc(text, field=field, assume_tz=timezone)


def parse_list(value: str | None) -> list[str]:
    """A list cell: a Python or JSON list repr, or values separated by commas/whitespace.

    >>> parse_list("['SSNTrade', 'netball']"), parse_list("chai, masala"), parse_list(None)
    (['SSNTrade', 'netball'], ['chai', 'masala'], [])
    """
    if value is None or not value.strip() or value.strip().lower() in ("nan", "none", "[]"):
        return []
    text = value.strip()
    if text.startswith("["):
        try:
            items = json.loads(text)
        except ValueError:
            try:
                items = ast.literal_eval(text)  # literals only: never runs code
            except (ValueError, SyntaxError):
                items = None
        if isinstance(items, list):
            return [str(i) for i in items if i is not None and str(i).strip()]
    return [p for p in re.split(r"[,\s]+", text.strip("[]")) if p]


# --- recognition -------------------------------------------------------------------------------


def _sniff(sample: Sample) -> bool:
    suffix = sample.path.suffix.lower()
    if suffix in _EXCEL:
        return sample.head.startswith(b"PK\x03\x04")
    if suffix not in _TEXT:
        return False
    lines = _decode(sample.head, None).splitlines()
    if not lines or lines[0].lstrip().startswith(("{", "[", "#")):
        return False
    return lines[0].count(_delimiter(lines[0])) >= 1


FORMAT = Format(
    name="generic-csv",
    platforms=("any",),
    reads="CSV/TSV/XLSX with --map CANONICAL=COLUMN, or a known layout (snscrape-flattened, "
    "IRA troll tweets, id/created_at/Type/text, Facebook insights)",
    version="1",
    sniff=_sniff,
    read=read_table,
    normalize=normalize,
)
