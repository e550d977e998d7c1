"""Where data comes from: file importers and network collectors, one module per platform.

Every format registers itself in ``FORMATS`` (and every collector in ``COLLECTORS``)
when its module is imported below; ``research formats`` lists them.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from research.errors import FormatError, InputError
from research.sources.base import Format, Sample

__all__ = ["FORMATS", "COLLECTORS", "register", "get_format", "detect_format"]

FORMATS: dict[str, Format] = {}
COLLECTORS: dict[str, Any] = {}  # name -> collector, filled by the platform modules


def register(fmt: Format) -> Format:
    existing = FORMATS.get(fmt.name)
    # The same module imported again (pytest's doctest collection does that) re-registers
    # its own format; two different modules claiming one name is a bug.
    if existing is not None and existing.normalize.__qualname__ != fmt.normalize.__qualname__:
        raise ValueError(f"format {fmt.name!r} registered twice")
    FORMATS[fmt.name] = fmt
    return fmt


def get_format(name: str) -> Format:
    """The format called ``name``; a FormatError listing the known ones otherwise."""
    try:
        return FORMATS[name]
    except KeyError:
        raise FormatError(f"unknown import format {name!r} (known: {', '.join(sorted(FORMATS))})") from None


def detect_format(path: str | Path) -> Format:
    """Recognise a file's format from its content (and name), or raise FormatError."""
    path = Path(path)
    if not path.is_file():
        raise InputError("no such file", path=path)
    sample = Sample.of(path)
    if not sample.head.strip():
        raise FormatError("the file is empty", path=path)
    for fmt in FORMATS.values():
        try:
            if fmt.sniff(sample):
                return fmt
        except Exception:  # noqa: BLE001 - a sniffer that chokes simply does not recognise the file
            continue
    raise FormatError(
        f"the format of this file was not recognised; give one with --format (known: {', '.join(sorted(FORMATS))})",
        path=path,
    )


# Registration order is recognition order: specific formats before generic ones.
# NOTE: imported for their side effect (registering), after the registry exists.
_MODULES = (
    "snscrape",
    "twitter",
    "bluesky",
    "mastodon",
    "reddit",
    "facebook",
    "telegram",
    "telegram_channel",  # the snscrape-based collector; snscrape itself is imported lazily
    "zeeschuimer",
    "fourcat",
    "generic",  # generic CSV/XLSX: last, so specific formats win recognition
)
for _name in _MODULES:
    importlib.import_module(f"research.sources.{_name}")
