"""The shapes every importer and collector shares.

An import format is three functions:

- ``sniff(sample) -> bool``: does this file look like the format? (for ``--format auto``)
- ``read(path, options) -> Iterator[Record | Rejected]``: the file's raw records, exactly as
  they are in the file, each with its line (or item) number; unreadable ones come out as
  ``Rejected`` so one bad line never stops an import;
- ``normalize(record, context) -> Rows``: a pure function from one raw record to canonical
  rows. It never mutates the record and depends only on it and the context (which comes
  from the stored provenance), so old raw files can be re-normalised at any time.

The readers most formats share (JSON lines, JSON arrays) are in `research.sources.reading`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

__all__ = [
    "Record",
    "Rejected",
    "Rows",
    "Context",
    "Sample",
    "Format",
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


@dataclass(frozen=True)
class Record:
    """One raw record as read from a file; ``line`` is 1-based (or the item index in a JSON array).

    ``span`` is where the record's JSON text is in the file (bytes ``[start, end)``), when the
    reader read it as strict UTF-8 JSON: the store then copies those bytes into the raw run
    instead of serialising ``data`` again, so the raw run holds the record exactly as received.
    """

    line: int
    data: Any
    span: tuple[int, int] | None = field(default=None, repr=False, compare=False)


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
    if not text or (type(text) is str and "#" not in text):  # the common case, without the regex
        return []
    return _unique(m.lower() for m in HASHTAG_RE.findall(text))


def mentions_in(text: str | None) -> list[str]:
    """Handles mentioned in a text, lower-cased, without '@'.

    >>> mentions_in("thanks @BrewBros and @chaiandco.bsky.social!")
    ['brewbros', 'chaiandco.bsky.social']
    """
    if not text or (type(text) is str and "@" not in text):
        return []
    return _unique(m.lower() for m in MENTION_RE.findall(text))


def urls_in(text: str | None) -> list[str]:
    if not text or (type(text) is str and "://" not in text):
        return []
    return _unique(u.rstrip(".,;:!?)") for u in URL_RE.findall(text))


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
    if type(value) is int and value >= 0:  # the common case, answered before the checks below
        return value
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"count {value!r} is a boolean")
    number = int(float(value)) if isinstance(value, (str, float)) else int(value)
    if number < 0:
        raise ValueError(f"count {value!r} is negative")
    return number
