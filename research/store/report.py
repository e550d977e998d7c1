"""What one import did, for the person who ran it: counts, what was set aside, and warnings."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

from research.sources.base import Rejected

__all__ = ["ImportReport", "context_and_missing"]


@dataclass
class ImportReport:
    """What one import did."""

    path: str
    format: str
    detected: bool  # the format was recognised from the file, not given
    records: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    posts: int = 0  # post rows the records produced (embedded posts included)
    accounts: int = 0
    raw_file: str | None = None
    posts_total: int = 0  # rows in processed posts after the import
    skipped: bool = False  # the same file was imported before with the same format and options
    context: int = 0  # posts kept only because a collected post references them (not counted)
    repeated: int = 0  # collected post rows whose id the file had already given (one row kept)
    repeated_differing: int = 0  # ... of which said something else than the earlier row
    missing: dict[str, int] = field(default_factory=dict)  # collected posts without author/time/text
    recovered: list[str] = field(default_factory=list)  # what was finished of a killed run first

    def warnings(self) -> list[str]:
        """What a user must know about the posts this import stored, one sentence each."""
        out = []
        collected = self.posts - self.context
        labels = {"author": "no author", "time": "no time", "text": "no text"}
        hints = {
            "author": "(one account's export without an author column? give --author HANDLE, or author: in params)",
            "time": "(they are left out of every period)",
            "text": "(no hashtags, words or sentiment can come from them)",
        }
        for what, n in self.missing.items():
            if n:
                share = f"{n / max(collected, 1):.0%}"
                out.append(f"{n:,} of {collected:,} posts ({share}) have {labels[what]} {hints[what]}")
        if self.repeated:
            out.append(
                f"{self.repeated:,} rows repeated a post id already in the file and were merged "
                f"({self.repeated_differing:,} of them differed in content; the later row was kept)"
            )
        return out

    def summary(self) -> str:
        how = "recognised as" if self.detected else "read as"
        first = "".join(f"{line}\n" for line in self.recovered)
        if self.skipped:
            return first + (
                f"{self.path}: already imported as {self.format} ({self.raw_file}); nothing new stored"
            )
        text = first + (
            f"{self.path}: {how} {self.format}; {self.records} records imported, "
            f"{len(self.rejected)} set aside; {self.posts} post rows -> {self.posts_total} posts stored"
        )
        if self.rejected:
            first = self.rejected[0]
            text += f" (first set aside: line {first.line}: {first.reason})"
        return text


def context_and_missing(posts: pa.Table) -> tuple[int, dict[str, int]]:
    """Context posts among ``posts``, and collected posts with no author, no time or no text."""
    context = pc.fill_null(posts["context"], False)
    collected = posts.filter(pc.invert(context))
    no_text = pc.or_(
        pc.is_null(collected["text"]), pc.equal(pc.utf8_length(pc.fill_null(collected["text"], "")), 0)
    )
    missing = {
        "author": pc.and_(pc.is_null(collected["author_id"]), pc.is_null(collected["author_handle"])),
        "time": pc.is_null(collected["created_at"]),
        "text": no_text,
    }
    return pc.sum(context).as_py() or 0, {
        k: pc.sum(pc.cast(v, pa.int64())).as_py() or 0 for k, v in missing.items()
    }
