"""Writing files so that a crash never leaves half of one: the one atomic writer, and pause points.

Every derived file (processed tables, results, tables and figures of a report, collector
checkpoints, caches) is written to a temporary file in the same folder, flushed to disk and
renamed over the target: a rename within one file system is atomic on POSIX, so a reader
sees the old file or the new one, never a mix, and a killed run leaves the old file intact
(and a ``.<name>.<random>.tmp`` file, which the store removes on its next start).

A write that fails (a full disk, a read-only folder) raises the ``OSError`` with the path it
was writing, so the command line can name it.

``pause_point(name)`` marks the moments between two writes where a run can be killed. With
``RESEARCH_PAUSE_AT=<name>`` in the environment, a run reaching that point creates the file
``RESEARCH_PAUSE_FILE`` names and waits while it exists: a test kills it there (SIGKILL,
SIGINT) deterministically, or deletes the file to let it go on. ``PAUSE_POINTS`` lists them.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

__all__ = ["atomic_write", "atomic_write_text", "atomic_write_json", "pause_point", "PAUSE_POINTS", "umask"]

# Every named point of a run where a test may kill it (tests/faults kill at each of them).
PAUSE_POINTS = (
    # an import (and a collector storing what it fetched: the same steps)
    "import:records-written",  # the first batch of records is in the temporary raw run
    "import:read",  # all records are in the temporary raw run; nothing is named yet
    "import:rejected-written",  # the set-aside records have their file; the run has no name yet
    "import:raw-linked",  # the raw run has its name; the processed tables do not have its rows
    "import:posts-tmp-written",  # the new posts table is written, not yet renamed over the old
    "import:posts-written",  # posts.parquet has the run's rows; accounts.parquet not yet
    "import:accounts-written",  # both tables have them; the manifest does not name the run yet
    "import:committed",  # the manifest names the run: the import is done
    # a collector
    "collect:page-appended",  # a page is in the .partial file; the checkpoint is not past it
    "collect:checkpoint-saved",  # the checkpoint is past the first page
    "collect:fetched",  # every page is fetched; nothing is stored yet
    "collect:stored",  # the pages are stored; the checkpoint does not say "done" yet
)


def umask() -> int:
    """The process's umask.

    Linux reports it in ``/proc/self/status``; elsewhere it is read by setting it and putting it
    back (there is no getter), which another thread creating a file at that instant could notice.
    """
    with contextlib.suppress(OSError, ValueError):
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write(path: str | Path, write: Callable[[IO[bytes]], Any], *, pause: str | None = None) -> None:
    """Call ``write(f)`` on a temporary binary file beside ``path``, then rename it over ``path``.

    ``pause``: a pause point between writing the temporary file and renaming it.

    Examples
    --------
    >>> folder = Path(tempfile.mkdtemp())
    >>> atomic_write(folder / "a.txt", lambda f: f.write(b"hello"))
    >>> (folder / "a.txt").read_text(), sorted(p.name for p in folder.iterdir())
    ('hello', ['a.txt'])
    """
    path = Path(path)
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        # mkstemp makes the file private (0600); the finished file gets the mode a plain open() would,
        # so a brief on a shared drive or behind a web server can be read by whoever reads the folder.
        os.chmod(tmp, 0o666 & ~umask())
        if pause:
            pause_point(pause)
        os.replace(tmp, path)
    except BaseException as e:
        if tmp is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        if isinstance(e, OSError) and (
            e.filename is None or str(e.filename).startswith(str(path.parent / f".{path.name}."))
        ):
            e.filename, e.filename2 = str(path), None  # name the file meant, not its temporary twin
        raise


def atomic_write_text(path: str | Path, text: str) -> None:
    """``atomic_write`` of a UTF-8 text."""
    atomic_write(path, lambda f: f.write(text.encode("utf-8")))


def atomic_write_json(path: str | Path, data: Any) -> None:
    """``atomic_write`` of ``data`` as indented UTF-8 JSON."""
    atomic_write_text(path, json.dumps(data, ensure_ascii=False, indent=1))


_PAUSED: set[str] = set()


def pause_point(name: str) -> None:
    """Wait here while the pause file exists, if ``RESEARCH_PAUSE_AT`` names this point (see above).

    >>> pause_point("import:read")  # not asked to pause: returns at once
    """
    wanted = os.environ.get("RESEARCH_PAUSE_AT")
    if not wanted:
        return
    if name not in PAUSE_POINTS:
        raise ValueError(f"{name!r} is not a pause point (known: {', '.join(PAUSE_POINTS)})")
    if wanted != name or name in _PAUSED:
        return
    _PAUSED.add(name)  # once per process: a point inside a loop pauses at its first pass
    marker = Path(os.environ["RESEARCH_PAUSE_FILE"])
    marker.write_text(str(os.getpid()), encoding="ascii")
    while marker.exists():
        time.sleep(0.02)  # interruptible: a SIGINT raises KeyboardInterrupt here, as anywhere in a run
