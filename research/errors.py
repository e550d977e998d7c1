"""One root exception with subclasses that carry context.

The library raises these; the CLI turns each into one sentence on stderr and a
non-zero exit status. ``str(error)`` is always that sentence.
"""

from __future__ import annotations

from pathlib import Path

from research.redact import url as without_credentials

__all__ = [
    "ResearchError",
    "InputError",
    "ParamsError",
    "SchemaError",
    "FormatError",
    "RecordError",
    "StoreError",
    "CollectorError",
]


class ResearchError(Exception):
    """Root of every error the workbench raises on purpose."""


class InputError(ResearchError):
    """A file or record the user gave us cannot be used.

    ``path`` and ``line`` (1-based) say where, when known.
    """

    def __init__(self, message: str, *, path: str | Path | None = None, line: int | None = None):
        self.path = str(path) if path is not None else None
        self.line = line
        where = ""
        if self.path:
            where = f"{self.path}:{line}: " if line else f"{self.path}: "
        super().__init__(where + message)


class ParamsError(InputError):
    """A params YAML is invalid; ``key`` is the dotted key path, e.g. ``competitors[1].name``."""

    def __init__(self, message: str, *, path: str | Path | None = None, key: str | None = None):
        self.key = key
        super().__init__(f"{key}: {message}" if key else message, path=path)


class SchemaError(ResearchError):
    """A table violates the canonical schema; ``column`` and ``row`` say where."""

    def __init__(self, message: str, *, column: str | None = None, row: object = None):
        self.column = column
        self.row = row
        super().__init__(message)


class FormatError(InputError):
    """A file is not in the format asked for, or in no format we know."""


class RecordError(ResearchError):
    """One record cannot be used (nested too deeply, a value no column can hold): set aside, not fatal.

    Normalisers raise it (or ``ValueError``, ``KeyError``, ``IndexError``, ``SchemaError``) for
    data of the wrong shape; any other exception from a normaliser is a bug and stops the import.
    """


class StoreError(ResearchError):
    """The data store cannot be read or written (lock held, corrupt file...)."""


class CollectorError(ResearchError):
    """A network collector failed after its retries; ``url`` says where."""

    def __init__(self, message: str, *, url: str | None = None):
        self.url = without_credentials(url) if url else url
        super().__init__(f"{message} ({self.url})" if url else message)
