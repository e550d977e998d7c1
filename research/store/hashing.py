"""The sha256 of a file being imported: known before reading it when it could be a file imported
before, else computed by a thread while the file is read (hashing releases the GIL)."""

from __future__ import annotations

import contextlib
import hashlib
import threading
from collections.abc import Callable, Iterator
from typing import Any

from research.sources.reading import release

__all__ = ["sha256_of", "hashing"]


def sha256_of(data: Any, stop: threading.Event | None = None) -> str:
    h = hashlib.sha256()
    with memoryview(data) as view:
        for start in range(0, len(view), 1 << 24):
            if stop is not None and stop.is_set():
                break
            with view[start : start + (1 << 24)] as block:
                h.update(block)  # releases the GIL: the hashing thread runs beside the reading
            release(data, start, start + (1 << 24))
    return h.hexdigest()


@contextlib.contextmanager
def hashing(data: Any, digest: str | None) -> Iterator[Callable[[], str] | None]:
    """None if ``digest`` is known, else a function giving the sha256 of ``data``, hashed meanwhile by a thread."""
    if digest is not None:
        yield None
        return
    stop, found = threading.Event(), []
    thread = threading.Thread(target=lambda: found.append(sha256_of(data, stop)), name="sha256", daemon=True)
    thread.start()

    def result() -> str:
        thread.join()
        return found[0]

    try:
        yield result
    finally:
        stop.set()
        thread.join()
