"""The shapes every importer and collector shares.

An import format is three functions:

- ``sniff(sample) -> bool``: does this file look like the format? (for ``--format auto``)
- ``read(path, options) -> Iterator[Record | Rejected]``: the file's raw records, exactly as
  they are in the file, each with its line (or item) number; unreadable ones come out as
  ``Rejected`` so one bad line never stops an import;
- ``normalize(record, context) -> Rows``: a pure function from one raw record to canonical
  rows. It never mutates the record and depends only on it and the context (which comes
  from the stored provenance), so old raw files can be re-normalised at any time.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

try:  # NOTE: orjson parses social-media JSON 2-4x faster; the standard library stays the reference.
    import orjson
except ImportError:  # pragma: no cover - orjson is a dependency; this keeps a bare install working
    orjson = None

__all__ = [
    "Record",
    "Rejected",
    "Rows",
    "Context",
    "Sample",
    "Format",
    "loads",
    "read_jsonl",
    "read_json_items",
    "HASHTAG_RE",
    "MENTION_RE",
    "URL_RE",
    "hashtags_in",
    "mentions_in",
    "urls_in",
    "handle",
    "count",
]

SAMPLE_BYTES = 64 * 1024
_JSON_SPACE = b" \t\r\n"  # what JSON calls whitespace (bytes.strip() would also drop \x0b, \x0c)


@dataclass(frozen=True)
class Record:
    """One raw record as read from a file; ``line`` is 1-based (or the item index in a JSON array).

    ``raw`` is the record's JSON text exactly as it was in the file, when the reader has it:
    the store then keeps those bytes in the raw run instead of serialising ``data`` again.
    """

    line: int
    data: Any
    raw: bytes | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class Rejected:
    """A record that could not be used, set aside with where it was and why."""

    line: int
    reason: str
    text: str = ""


@dataclass
class Rows:
    """Canonical rows produced from one raw record (a record may yield several posts:
    a retweet carries the original, a Reddit listing carries a comment tree)."""

    posts: list[dict] = field(default_factory=list)
    accounts: list[dict] = field(default_factory=list)

    def extend(self, other: Rows) -> None:
        self.posts.extend(other.posts)
        self.accounts.extend(other.accounts)


@dataclass(frozen=True)
class Context:
    """What a normaliser may know besides the record: all of it comes from stored provenance."""

    source: str  # "<format>/<version>", written into the ``source`` column
    collected_at: datetime  # when the counts were observed (UTC)
    options: Mapping[str, Any] = field(default_factory=dict)  # e.g. CSV column mapping, timezone


@dataclass(frozen=True)
class Sample:
    """The start of a file, for format recognition."""

    path: Path
    head: bytes

    @property
    def text(self) -> str:
        return self.head.decode("utf-8-sig", errors="replace")

    def first_json(self) -> Any:
        """The first JSON value of a JSON-lines file, or None if the first line is not JSON."""
        first = self.text.lstrip().split("\n", 1)[0]
        try:
            return json.loads(first)
        except ValueError:
            return None

    @classmethod
    def of(cls, path: Path) -> Sample:
        with open(path, "rb") as f:
            return cls(path, f.read(SAMPLE_BYTES))


@dataclass(frozen=True)
class Format:
    """An import format, registered in ``research.sources.FORMATS``."""

    name: str  # as used on the command line and in params: "snscrape-jsonl"
    platforms: tuple[str, ...]
    reads: str  # one line for `research formats`
    version: str  # bump when normalised output changes
    sniff: Callable[[Sample], bool]
    read: Callable[[Path, Mapping[str, Any]], Iterator[Record | Rejected]]
    normalize: Callable[[Any, Context], Rows]
    status: str = "works"

    @property
    def source(self) -> str:
        return f"{self.name}/{self.version}"


# --- readers -------------------------------------------------------------------------------------


def loads(data: bytes | str) -> tuple[Any, bool]:
    """Parse one JSON text; return the value and whether ``data`` is strict UTF-8 JSON.

    orjson reads strict JSON (UTF-8, no ``NaN``, integers within 64 bits); whatever it
    refuses is read by the standard library, which decides what is valid and words the
    error, so results never depend on which parser ran. When the second value is True,
    ``data`` can be stored verbatim as the record's JSON text.
    """
    if orjson is not None:
        try:
            return orjson.loads(data), True
        except orjson.JSONDecodeError:
            pass
    return json.loads(data), False


def read_jsonl(path: Path, options: Mapping[str, Any] | None = None) -> Iterator[Record | Rejected]:
    """Yield each non-blank line of a JSON-lines file as a Record, or Rejected if not JSON."""
    with open(path, "rb", buffering=1 << 20) as f:
        for number, raw in enumerate(f, start=1):
            line = raw.strip()
            if not line:
                continue
            if number == 1 and line.startswith(b"\xef\xbb\xbf"):
                line = line[3:]
            try:
                data, verbatim = loads(line)
            except ValueError as e:
                yield Rejected(number, f"not valid JSON ({e.msg} at column {e.colno})", _snippet(line))
                continue
            yield Record(number, data, line if verbatim else None)


def read_json_items(path: Path, options: Mapping[str, Any] | None = None) -> Iterator[Record | Rejected]:
    """Yield the items of a JSON document that is an array (or JSON lines, as a fallback).

    Items are numbered from 1 in array order.
    """
    lines = _array_lines(path)
    if lines is not None:
        yield from lines
        return
    text = Path(path).read_text(encoding="utf-8-sig")
    try:
        doc = json.loads(text)
    except ValueError:
        yield from read_jsonl(path, options)
        return
    items = doc if isinstance(doc, list) else [doc]
    for number, item in enumerate(items, start=1):
        yield Record(number, item)


def _array_lines(path: Path) -> list[Record] | None:
    """The items of a JSON array written one item per line (``[``, ``item,`` ..., ``item``, ``]``).

    Each line is parsed on its own, which keeps the item's exact bytes. When every line
    between the brackets is one JSON value and all but the last end with a comma, the
    file *is* the array of those values, so this gives exactly what parsing the whole
    document gives; any other layout (pretty-printed items, several per line) returns
    None and the caller parses the document.
    """
    if orjson is None:
        return None
    items: list[Record] = []
    with open(path, "rb", buffering=1 << 20) as f:
        lines = (line.strip(_JSON_SPACE) for line in f)
        lines = (line for line in lines if line)
        first = next(lines, b"")
        if first.startswith(b"\xef\xbb\xbf"):
            first = first[3:].strip(_JSON_SPACE)
        if first != b"[":
            return None
        closed, pending = False, None  # pending: the previous line, an item once we know what follows it
        for line in lines:
            if closed:
                return None  # something after the closing bracket
            if pending is not None:
                last = line == b"]"
                if pending.endswith(b",") == last:
                    return None  # items are separated by commas, and the last has none
                text = pending if last else pending[:-1].rstrip(_JSON_SPACE)
                try:
                    items.append(Record(len(items) + 1, orjson.loads(text), text))
                except orjson.JSONDecodeError:
                    return None
            closed, pending = line == b"]", None if line == b"]" else line
        if not closed:
            return None
    return items


def _snippet(raw: bytes | str, limit: int = 200) -> str:
    text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
    return text if len(text) <= limit else text[:limit] + "…"


# --- text helpers shared by normalisers -----------------------------------------------------------

# Hashtags in any script: a letter, mark or digit run after '#', as platforms tokenise them.
HASHTAG_RE = re.compile(r"(?<![\w&])#([^\W_][\w\u0900-\u097F\u200c\u200d]*)", re.UNICODE)
MENTION_RE = re.compile(r"(?<![\w@])@([A-Za-z0-9_][A-Za-z0-9_.\-]*[A-Za-z0-9_]|[A-Za-z0-9_])")
URL_RE = re.compile(r"https?://[^\s<>\"']+")


def hashtags_in(text: str | None) -> list[str]:
    """Hashtags of a text, lower-cased, without '#', in order, without repeats.

    >>> hashtags_in("Fresh #Chai at #Pune! #chai #चाय")
    ['chai', 'pune', 'चाय']
    """
    return _unique(m.lower() for m in HASHTAG_RE.findall(text or ""))


def mentions_in(text: str | None) -> list[str]:
    """Handles mentioned in a text, lower-cased, without '@'.

    >>> mentions_in("thanks @BrewBros and @chaiandco.bsky.social!")
    ['brewbros', 'chaiandco.bsky.social']
    """
    return _unique(m.lower() for m in MENTION_RE.findall(text or ""))


def urls_in(text: str | None) -> list[str]:
    return _unique(u.rstrip(".,;:!?)") for u in URL_RE.findall(text or ""))


def _unique(values) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def handle(value: object) -> str | None:
    """A handle lower-cased without a leading '@', or None."""
    if value is None:
        return None
    text = str(value).strip().lstrip("@").lower()
    return text or None


def count(value: object) -> int | None:
    """A non-negative count, or None when the source does not give one."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"count {value!r} is a boolean")
    number = int(float(value)) if isinstance(value, (str, float)) else int(value)
    if number < 0:
        raise ValueError(f"count {value!r} is negative")
    return number
