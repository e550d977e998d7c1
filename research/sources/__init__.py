"""Where data comes from: file importers and network collectors, one module per platform.

``FORMATS`` and ``COLLECTORS`` below are the explicit lists ``research formats`` prints, in
recognition order: ``--format auto`` asks each format in turn whether a file is its own, so
specific formats come before generic ones (the generic CSV reader last).
"""

from __future__ import annotations

from pathlib import Path

from research.errors import FormatError, InputError
from research.sources import (
    bluesky,
    facebook,
    fourcat,
    generic,
    mastodon,
    reddit,
    snscrape,
    telegram,
    telegram_channel,
    twitter,
    zeeschuimer,
)
from research.sources.base import Format, Sample
from research.sources.collect import Collector

__all__ = ["FORMATS", "COLLECTORS", "get_format", "detect_format"]

FORMATS: dict[str, Format] = {
    fmt.name: fmt
    for fmt in (
        snscrape.FORMAT,
        twitter.TWARC_FORMAT,
        bluesky.FORMAT,
        mastodon.FORMAT,
        reddit.FORMAT,
        facebook.FORMAT,
        telegram.FORMAT,
        zeeschuimer.FORMAT,
        fourcat.NDJSON_FORMAT,
        fourcat.CSV_FORMAT,
        generic.FORMAT,  # last: any table with a recognised layout or a --map
    )
}

COLLECTORS: dict[str, Collector] = {
    c.name: c for c in (mastodon.COLLECTOR, bluesky.COLLECTOR, telegram_channel.COLLECTOR)
}


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
