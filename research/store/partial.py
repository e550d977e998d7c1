"""The pages of an unfinished collector run, kept beside the raw runs until they are stored."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

__all__ = ["PartialRun"]


class PartialRun:
    """The pages of an unfinished collector run: JSON lines, appended and fsynced page by page.

    Lines: ``{"partial": header}`` first, then per page its ``{"record": ...}`` lines and a
    closing ``{"page": {...}}`` line, written by one ``write`` call. Records after the last
    ``page`` line belong to a page torn by a crash: ``read`` ignores them.
    """

    def __init__(self, path: Path):
        self.path = path

    def header(self) -> dict[str, Any] | None:
        """The header given to ``start``, or None if there is no (readable) partial run."""
        try:
            with open(self.path, encoding="utf-8") as f:
                return json.loads(f.readline())["partial"]
        except (FileNotFoundError, ValueError, KeyError, TypeError):
            return None

    def start(self, header: dict[str, Any]) -> None:
        """Begin a new partial run (replacing any), recording ``header`` and the start time."""
        self.path.unlink(missing_ok=True)
        self._write({"partial": {**header, "started_at": _now()}})

    def append(self, records: list[Any], page: dict[str, Any]) -> None:
        """Add one page's records and its description; both are on disk when this returns."""
        self._write(*({"record": r} for r in records), {"page": {**page, "items": len(records)}})

    def read(self) -> tuple[dict[str, Any] | None, list[Any], list[dict[str, Any]]]:
        """The header, the records of complete pages in order, and the pages' descriptions."""
        header, records, pages, pending = self.header(), [], [], []
        if header is None:
            return None, [], []
        with open(self.path, encoding="utf-8") as f:
            next(f)
            for line in f:
                try:
                    item = json.loads(line)
                except ValueError:
                    break  # the torn tail of a killed write
                if "record" in item:
                    pending.append(item["record"])
                elif "page" in item:
                    records += pending
                    pending = []
                    pages.append(item["page"])
        return header, records, pages

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)

    def _write(self, *lines: dict[str, Any]) -> None:
        text = "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines)
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate in what a server sent: escaped, as JSON allows
            data = "".join(json.dumps(x) + "\n" for x in lines).encode("ascii")
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)


def _now() -> str:
    return datetime.now(UTC).isoformat()
