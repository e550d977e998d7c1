"""Progress: the one convention every long step uses.

A long step takes ``bar``, a factory ``bar(description, total) -> context manager`` whose value
has ``update(n)`` (and may have ``set_postfix_str(text)``). The library never prints: the CLI
passes a tqdm factory, notebooks and tests pass nothing and get ``silent``.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Any

__all__ = ["Bar", "silent"]

Bar = Callable[[str, int | None], AbstractContextManager[Any]]


class _Silent:
    def update(self, n: int = 1) -> None:
        pass

    def set_postfix_str(self, text: str) -> None:
        pass


def silent(description: str, total: int | None = None) -> AbstractContextManager[Any]:
    """A bar that shows nothing."""
    return nullcontext(_Silent())
