"""Reading files into raw records: JSON lines and JSON arrays, whole or in parts.

A format's ``read(path, options)`` yields each raw record exactly as it is in the file, with
its line (or item) number; unreadable ones come out as ``Rejected`` so one bad line never
stops an import. Files with one record per line (``read_jsonl``, and ``read_json_items`` on
arrays written one item per line) can also be read in parts, byte ranges cut at line ends, so
that `research.sources.ingest` can give a big file's parts to several processes
(``layout_of``, ``Part``).
"""

from __future__ import annotations

import contextlib
import json
import mmap
import os
from collections.abc import Callable, Generator, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from research.sources.base import Format, Record, Rejected

try:  # NOTE: orjson parses social-media JSON 2-4x faster; the standard library stays the reference.
    import orjson
except ImportError:  # pragma: no cover - orjson is a dependency; this keeps a bare install working
    orjson = None

__all__ = [
    "loads",
    "read_jsonl",
    "read_json_items",
    "layout_of",
    "Part",
    "PartEnd",
    "Layout",
    "NotThisLayout",
    "Reading",
    "JSON_LINES",
    "ARRAY_LINES",
    "split_lines",
    "mapped",
    "release",
]

_JSON_SPACE = b" \t\r\n"  # what JSON calls whitespace (bytes.strip() would also drop \x0b, \x0c)


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
    with mapped(path) as data:
        yield from JSON_LINES.read(data, 0, len(data))


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
    with mapped(path) as data:
        reading = ARRAY_LINES.reading(data, 0, len(data))
        try:
            items = list(reading)
        except NotThisLayout:
            return None
    return items if ARRAY_LINES.fits([reading.end]) else None


# --- reading in parts ----------------------------------------------------------------------------
# NOTE: a big file is cut into parts at line ends and each part is read (and normalised) by
# its own process. The whole-file readers above are the same code run over one part covering
# the file, so both ways give the same records. Lines are found in a memory map of the file:
# a part is never copied whole into memory, only each line, once.


@dataclass(frozen=True)
class Part:
    """Bytes ``[start, end)`` of a file, cut at line ends: a piece another process can read alone."""

    path: Path
    start: int
    end: int


@dataclass(frozen=True)
class PartEnd:
    """What reading a part says besides its records (which are numbered from 1 in each part)."""

    numbers: int  # line (or item) numbers the part used: the next part's numbers follow on
    head: str | None = None  # kind of the part's first and last non-blank line, when the layout
    tail: str | None = None  # constrains which line may follow which (a JSON array's brackets)


class NotThisLayout(Exception):
    """The file is not laid out as the part reader expects: it has to be read whole."""


class Reading:
    """Iterate the records of a part; ``end`` (a PartEnd) is set once all are read."""

    def __init__(self, records: Generator[Record | Rejected, None, PartEnd]):
        self._records = records
        self.end: PartEnd | None = None

    def __iter__(self) -> Iterator[Record | Rejected]:
        self.end = yield from self._records


@dataclass(frozen=True)
class Layout:
    """A file layout with one record per line, which can therefore be read in parts.

    ``follows`` says which kind of line may follow which (None: the start of the file), for
    layouts where that matters; ``last`` the kinds a file may end with.
    """

    name: str
    read: Callable[[Any, int, int], Generator[Record | Rejected, None, PartEnd]]
    follows: Mapping[str | None, frozenset[str]] | None = None
    last: frozenset[str] | None = None

    def reading(self, data: Any, start: int, end: int) -> Reading:
        """The records of ``data[start:end]`` (``data``: the file's bytes, or a map of them)."""
        return Reading(self.read(data, start, end))

    def fits(self, ends: list[PartEnd]) -> bool:
        """Whether parts that ended so, in file order, make a whole file of this layout."""
        if self.follows is None:
            return True
        tail = None
        for end in ends:
            if end.head is None:
                continue  # only blank lines
            if end.head not in self.follows[tail]:
                return False
            tail = end.tail
        return self.last is None or tail in self.last


@contextlib.contextmanager
def mapped(path: Path) -> Iterator[Any]:
    """The bytes of a file, mapped into memory rather than read (``b""`` for an empty file)."""
    with open(path, "rb") as f:
        if not os.fstat(f.fileno()).st_size:
            yield b""
            return
        data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    try:
        yield data
    finally:
        # A view of it still held (by a traceback, say) keeps the map until the view goes.
        with contextlib.suppress(BufferError):
            data.close()


def release(data: Any, start: int, end: int) -> None:
    """Let the pages of ``data[start:end]`` go, if ``data`` is a map (as the file's pages, they stay cached).

    A map's pages count as the process's memory while they stay mapped: reading a big file
    through one would otherwise look like holding all of it.
    """
    if isinstance(data, mmap.mmap) and hasattr(mmap, "MADV_DONTNEED"):
        start -= start % mmap.PAGESIZE
        end = min(end, len(data))
        if end > start:
            data.madvise(mmap.MADV_DONTNEED, start, end - start)


def split_lines(path: Path, size: int) -> list[Part]:
    """Cut a file into parts of about ``size`` bytes, each ending just after a newline (or at the end)."""
    parts: list[Part] = []
    with mapped(path) as data:
        total, start = len(data), 0
        while start < total:
            end = data.find(b"\n", min(start + max(size, 1), total) - 1) + 1 or total
            parts.append(Part(Path(path), start, end))
            start = end
    return parts


def _lines(data: Any, start: int, end: int, space: frozenset[int]) -> Iterator[tuple[int, int, int]]:
    """(number, start, end) of each line of ``data[start:end]``, numbered from 1, ends stripped of ``space``."""
    find = data.find
    number = 0
    while start < end:
        stop = find(b"\n", start, end)
        if stop < 0:
            stop = end
        number += 1
        a, b = start, stop
        start = stop + 1
        while a < b and data[a] in space:
            a += 1
        while b > a and data[b - 1] in space:
            b -= 1
        yield number, a, b


_SPACE = frozenset(b" \t\n\r\x0b\x0c")  # what bytes.strip() strips
_BOM = b"\xef\xbb\xbf"


def _read_json_lines(data: Any, start: int, end: int) -> Generator[Record | Rejected, None, PartEnd]:
    number = 0
    for number, a, b in _lines(data, start, end, _SPACE):
        if a == b:
            continue
        if start == 0 and number == 1 and data[a : a + 3] == _BOM:
            a += 3
        line = data[a:b]
        try:
            value, verbatim = loads(line)
        except ValueError as e:
            yield Rejected(number, f"not valid JSON ({_json_problem(e)})", _snippet(line))
            continue
        yield Record(number, value, (a, b) if verbatim else None)
    return PartEnd(number)


def _json_problem(error: ValueError) -> str:
    if isinstance(error, json.JSONDecodeError):
        return f"{error.msg} at column {error.colno}"
    return str(error)  # bytes that are not UTF-8 (or UTF-16/32) text


_JSON_SPACE_CODES = frozenset(_JSON_SPACE)  # JSON whitespace (bytes.strip() would also drop \x0b, \x0c)
# In an array written one item per line, which line may follow which (None: the file's start).
_ARRAY_FOLLOWS = {
    None: frozenset({"["}),
    "[": frozenset({"item,", "item", "]"}),
    "item,": frozenset({"item,", "item"}),
    "item": frozenset({"]"}),
    "]": frozenset(),
}


def _read_array_lines(data: Any, start: int, end: int) -> Generator[Record | Rejected, None, PartEnd]:
    if orjson is None:
        raise NotThisLayout("the array layout is read with orjson")
    items, head, tail = 0, None, None
    for _, a, b in _lines(data, start, end, _JSON_SPACE_CODES):
        if a == b:
            continue
        if start == 0 and head is None and data[a : a + 3] == _BOM:
            a += 3
            while a < b and data[a] in _JSON_SPACE_CODES:
                a += 1
        line = data[a:b]
        kind = "[" if line == b"[" else "]" if line == b"]" else "item," if line.endswith(b",") else "item"
        # The first line of a later part is checked against the part before it by Layout.fits.
        if (tail is not None or start == 0) and kind not in _ARRAY_FOLLOWS[tail]:
            raise NotThisLayout(f"a {kind!r} line after a {tail!r} line")
        head, tail = head or kind, kind
        if kind.startswith("item"):
            if kind == "item,":
                b -= 1
                while b > a and data[b - 1] in _JSON_SPACE_CODES:
                    b -= 1
                line = data[a:b]
            try:
                value = orjson.loads(line)
            except orjson.JSONDecodeError:
                raise NotThisLayout("an item line that is not one JSON value") from None
            items += 1
            yield Record(items, value, (a, b))
    return PartEnd(items, head, tail)


JSON_LINES = Layout("JSON lines", _read_json_lines)
ARRAY_LINES = Layout("JSON array, one item per line", _read_array_lines, _ARRAY_FOLLOWS, frozenset({"]"}))
_LAYOUTS: dict[Callable, Layout] = {read_jsonl: JSON_LINES, read_json_items: ARRAY_LINES}


def _snippet(raw: bytes | str, limit: int = 200) -> str:
    text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
    return text if len(text) <= limit else text[:limit] + "…"


def layout_of(fmt: Format) -> Layout | None:
    """How ``fmt``'s files can be read in parts, or None when they are read whole."""
    return _LAYOUTS.get(fmt.read)
