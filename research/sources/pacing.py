"""Pacing requests to a host: one booking of the next free slot per host, for the whole machine."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import struct
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

__all__ = ["Pacer", "PACER"]


class Pacer:
    """When each host may next be asked: shared by every session of the process and, with a
    ``folder``, by every process of the machine (``research batch --workers 3`` is three).

    Each host has a file in ``folder`` holding the monotonic time (``CLOCK_MONOTONIC``, the
    same for every process of a machine) before which it may not be asked again, read and
    written under an exclusive ``fcntl`` lock.
    """

    # A time further ahead than this is from before a reboot (the clock restarted): ignored.
    STALE_S = 3600.0

    def __init__(self, folder: str | os.PathLike | None = None) -> None:
        self._lock = threading.Lock()
        self._next: dict[str, float] = {}
        self.folder = folder

    def reserve(self, host: str, interval: float, now: float) -> float:
        """Book the next slot for ``host``; return how long to wait for it."""
        with self._lock, self._shared(host, now) as shared:
            at = max(now, self._next.get(host, 0.0), shared[0])
            self._next[host] = shared[0] = at + interval
            return at - now

    def hold(self, host: str, until: float) -> None:
        """No request to ``host`` before ``until`` (its quota is used up)."""
        with self._lock, self._shared(host, until) as shared:
            self._next[host] = shared[0] = max(self._next.get(host, 0.0), shared[0], until)

    @contextlib.contextmanager
    def _shared(self, host: str, now: float) -> Iterator[list[float]]:
        """``[when the host is free]`` as other processes booked it; written back on leaving."""
        path = self._file(host)
        if path is None:
            yield [0.0]
            return
        with open(path, "a+b") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            try:
                f.seek(0)
                data = f.read(8)
                value = [struct.unpack("<d", data)[0] if len(data) == 8 else 0.0]
                if value[0] > now + self.STALE_S:
                    value = [0.0]
                before = value[0]
                yield value
                if value[0] != before:
                    f.seek(0)
                    f.truncate()
                    f.write(struct.pack("<d", value[0]))
                    f.flush()
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)

    def _file(self, host: str) -> Path | None:
        if self.folder is None:
            return None
        try:
            folder = Path(self.folder)
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError:  # nowhere to share (a read-only /tmp): this process paces alone
            return None
        return folder / (hashlib.sha1(host.lower().encode()).hexdigest()[:16] + ".next")


# NOTE: one folder per user of the machine: two users' runs do not share (or block) a file.
PACER = Pacer(Path(tempfile.gettempdir()) / f"research-pace-{os.getuid()}")
