"""Raw records to canonical tables and a raw run, batch by batch, in one process or several.

Everything that stores data (``Store.import_file``, ``Store.ingest`` for collectors,
``Store.renormalise``) normalises through ``normalise``: a batch of raw records becomes a
``Batch`` of canonical Arrow tables, the records to keep in the raw run, and those set aside.

A big file whose format reads it line by line (``reading.layout_of``) is cut into parts at line
ends; worker processes read and normalise the parts with that same function and the batches
come back in file order, so one process and several give the same tables. Smaller files, and
formats that read a file whole, are read in this process.

``RunFile`` writes the kept records into the new raw run as the batches arrive, so the disk
writes while the processors parse; `research.sources.merge` keeps one row per key, in Arrow.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import json
import multiprocessing
import os
import secrets
import sys
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice, repeat
from pathlib import Path
from typing import Any

import pyarrow as pa

from research import schema
from research.errors import ResearchError, SchemaError
from research.files import atomic_write_text, pause_point
from research.sources import get_format
from research.sources.base import Context, Format, Record, Rejected
from research.sources.merge import Gathered, latest
from research.sources.reading import NotThisLayout, Part, PartEnd, layout_of, mapped, release, split_lines

__all__ = [
    "Batch",
    "Repeats",
    "Gathered",
    "RESTART",
    "normalise",
    "read_batches",
    "file_batches",
    "item_batches",
    "RunFile",
    "latest",
]

# NOTE: a part is about 16 MB (some 4,000 tweets): big enough that what each part costs on its
# own (a task, two small tables) is lost in the noise, small enough that the last parts keep
# both processes busy until close to the end.
# Both can be set in the environment (RESEARCH_PART_BYTES, RESEARCH_PARALLEL_BYTES): the
# fault tests read a small file in two processes that way.
PART_BYTES = int(os.environ.get("RESEARCH_PART_BYTES") or 16 << 20)
# Starting worker processes costs about a second; below this size one process is as quick.
PARALLEL_BYTES = int(os.environ.get("RESEARCH_PARALLEL_BYTES") or 64 << 20)
BATCH_RECORDS = 10_000  # records per batch read in this process: bounds the rows held at once

# What a normaliser raises for a record it cannot use: the record is set aside, not fatal.
# NOTE: not TypeError or AttributeError: normalisers turn data of the wrong shape into these
# (tests/faults check it on mutated records), so those two, like any other, are bugs and stop
# the import. A RecursionError (a record nested thousands deep) and an OverflowError (a
# number no time or count can be) are data too.
RECORD_ERRORS = (ResearchError, KeyError, ValueError, IndexError, OverflowError, RecursionError)


@dataclass
class Repeats:
    """Collected post rows that repeated an id already seen in the same batch, and how many of
    those said something else than the row they repeat (the later one is kept)."""

    rows: int = 0
    differing: int = 0

    def __iadd__(self, other: Repeats) -> Repeats:
        self.rows += other.rows
        self.differing += other.differing
        return self


@dataclass
class Batch:
    """What normalising a batch of raw records gave."""

    posts: pa.Table  # canonical rows; a key's rows that ``latest`` would drop may be gone already
    accounts: pa.Table
    post_rows: int  # rows the records produced
    account_rows: int
    rejected: list[Rejected]
    kept: Kept  # the records to store in the raw run
    end: PartEnd | None = None  # when the batch is a part of a file: how the part ended
    repeats: Repeats = field(default_factory=lambda: Repeats())  # collected posts whose id came again

    @property
    def records(self) -> int:
        return len(self.kept.numbers)


@dataclass
class Kept:
    """Records to store, in order: their numbers, and where their text is in the file.

    Plain lists of numbers, which the garbage collector never has to visit and which
    cross between processes cheaply; a record with no span (-1) is serialised from ``data``.
    """

    numbers: list[int] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    data: dict[int, Any] = field(default_factory=dict)  # index -> record, for records without a span


def normalise(
    fmt: Format, ctx: Context, items: Iterable[Record | Rejected], *, strict: bool = False
) -> Batch:
    """Normalise raw records; a record the normaliser refuses is set aside (raised if ``strict``)."""
    posts: list[tuple] = []  # rows as schema.row_values tuples, made while each row is fresh in memory
    accounts: list[tuple] = []
    post_values, account_values = schema.row_values("posts"), schema.row_values("accounts")
    rejected: list[Rejected] = []
    kept = Kept()
    ends: list[tuple[int, int]] = []  # after each kept record: how many post and account rows there are
    normalize = fmt.normalize
    with _cyclic_gc_paused():
        for item in items:
            if isinstance(item, Rejected):
                rejected.append(item)
                continue
            try:
                rows = normalize(item.data, ctx)
            except RECORD_ERRORS as e:
                if strict:
                    raise
                rejected.append(Rejected(item.line, _reason(e), _record_text(item.data)))
                continue
            posts += map(post_values, rows.posts)
            accounts += map(account_values, rows.accounts)
            if item.span is None:
                kept.data[len(kept.numbers)] = item.data
            start, end = item.span or (-1, -1)
            kept.numbers.append(item.line)
            kept.starts.append(start)
            kept.ends.append(end)
            ends.append((len(posts), len(accounts)))
        repeats = Repeats()
        try:
            tables = _tables(posts, accounts, repeats)
        except schema.CONVERSION_ERRORS:
            # A value no column can hold (a lone surrogate, a count past 64 bits): find the
            # records that hold one and set them aside; the rest convert as usual.
            if strict:
                raise
            posts, accounts, kept, refused = _without_unstorable(posts, accounts, kept, ends)
            rejected = sorted([*rejected, *refused], key=lambda r: r.line)
            repeats = Repeats()
            tables = _tables(posts, accounts, repeats)
        batch = Batch(*tables, len(posts), len(accounts), rejected, kept, repeats=repeats)
        posts.clear()  # before the collector runs again: it would visit every row
        accounts.clear()
    return batch


def _tables(posts: list[tuple], accounts: list[tuple], repeats: Repeats) -> tuple[pa.Table, pa.Table]:
    return (
        schema.values_table(_latest_rows(posts, _POST_KEY, repeats), "posts"),
        schema.values_table(_latest_rows(accounts, _ACCOUNT_KEY), "accounts"),
    )


def _without_unstorable(
    posts: list[tuple], accounts: list[tuple], kept: Kept, ends: list[tuple[int, int]]
) -> tuple[list[tuple], list[tuple], Kept, list[Rejected]]:
    """The rows and kept records less the records whose rows the tables cannot hold, and those set aside."""
    good_posts, good_accounts, good, refused = [], [], Kept(), []
    post_start = account_start = 0
    for i, (post_end, account_end) in enumerate(ends):
        mine_posts, mine_accounts = posts[post_start:post_end], accounts[account_start:account_end]
        post_start, account_start = post_end, account_end
        try:
            schema.record_table(mine_posts, "posts")
            schema.record_table(mine_accounts, "accounts")
        except SchemaError as e:
            data = kept.data.get(i)
            refused.append(Rejected(kept.numbers[i], str(e), _record_text(data) if data is not None else ""))
            continue
        good_posts += mine_posts
        good_accounts += mine_accounts
        if i in kept.data:
            good.data[len(good.numbers)] = kept.data[i]
        good.numbers.append(kept.numbers[i])
        good.starts.append(kept.starts[i])
        good.ends.append(kept.ends[i])
    return good_posts, good_accounts, good, refused


def _record_text(data: Any) -> str:
    """The start of a record's JSON, for the set-aside file (whatever the record holds)."""
    try:
        text = json.dumps(data, ensure_ascii=False, default=repr)[:200]
    except (RecursionError, ValueError):
        return "(not shown: nested too deeply)"
    return text.encode("utf-8", "replace").decode("utf-8")  # lone surrogates become '?'


# Where the key and the observation time are in a row's values.
_POST_KEY = tuple(
    schema.POST_COLUMNS.index(name) for name in ("platform", "post_id", "collected_at", "context")
)
_ACCOUNT_KEY = tuple(
    schema.ACCOUNT_COLUMNS.index(name) for name in ("platform", "account_id", "collected_at")
) + (None,)


def _latest_rows(
    rows: list[tuple], where: tuple[int, int, int, int | None], repeats: Repeats | None = None
) -> list[tuple]:
    """``rows`` less those ``latest`` drops for a later observation of their key in ``rows``.

    A batch repeats itself (every tweet carries its author's profile, a retweet the tweet it
    retweets): each row dropped here is one less to convert. The rows are returned as they
    are when a ``collected_at`` is not an aware datetime (only ``schema`` can say what it is).
    Accounts (``context`` None) keep one row per observation time: the account history
    (`research.store.history`) keeps every observation, ``latest`` then the last.
    """
    platform, key, observed, context = where
    found: dict[tuple, tuple] = {}
    try:
        for row in rows:
            at = row[observed]
            if at is not None and (type(at) is not datetime or at.tzinfo is None):
                return rows
            k = (row[platform], row[key]) if context is not None else (row[platform], row[key], at)
            seen = found.get(k)
            if repeats is not None and seen is not None and not row[context] and not seen[context]:
                repeats.rows += 1
                repeats.differing += row != seen
            if seen is not None and context is not None and bool(row[context]) != bool(seen[context]):
                if not row[context]:
                    found[k] = row  # a collected observation always wins over a context one
                continue
            # NULL is the oldest observation; on a tie the later row wins.
            if seen is None or seen[observed] is None or (at is not None and at >= seen[observed]):
                found[k] = row
    except TypeError:  # an unhashable key
        return rows
    return list(found.values())


RESTART = None  # yielded by read_batches: forget the batches before, the file is read again


def read_batches(
    fmt: Format, ctx: Context, path: Path, options: Mapping[str, Any], processes: int | None = None
) -> Iterator[Batch | None]:
    """Batches of a file: in parts if its format has a layout, else as ``fmt.read`` reads it.

    Yields RESTART when what it yielded so far must be forgotten: the file turned out
    not to be laid out as the layout expects (it is then read whole), or a worker died
    (it is then read in parts in this process).
    """
    if layout_of(fmt) is not None:
        try:
            yield from file_batches(fmt, ctx, path, processes)
            return
        except BrokenProcessPool:
            yield RESTART
            yield from read_batches(fmt, ctx, path, options, 1)
            return
        except NotThisLayout:
            yield RESTART
    yield from item_batches(fmt, ctx, fmt.read(path, options))


def item_batches(
    fmt: Format, ctx: Context, items: Iterable[Record | Rejected], *, strict: bool = False
) -> Iterator[Batch]:
    """Batches of records read in this process (numbered as the reader numbered them)."""
    items = iter(items)
    while chunk := list(islice(items, BATCH_RECORDS)):
        yield normalise(fmt, ctx, chunk, strict=strict)


def file_batches(fmt: Format, ctx: Context, path: Path, processes: int | None = None) -> Iterator[Batch]:
    """Batches of the parts of a file whose format has a layout, in file order.

    ``processes`` None: as many as there are processors, for a file big enough to gain
    from them. Records are numbered from 1 in each part; ``Batch.end.numbers`` says how
    many numbers a part used. Raises NotThisLayout when the file turns out not to be laid
    out as the format's layout expects: it must then be read whole (``fmt.read``).
    """
    layout = layout_of(fmt)
    if layout is None:
        raise NotThisLayout(f"{fmt.name} files are read whole")
    parts = split_lines(path, PART_BYTES)
    if processes is None:
        processes = _processors() if path.stat().st_size >= PARALLEL_BYTES else 1
    processes = min(processes, len(parts))
    ends = []
    if processes <= 1:
        for batch in map(_read_part, repeat(fmt.name), repeat(ctx), parts):
            ends.append(batch.end)
            yield batch
    else:
        with _pool(processes) as pool:
            try:
                later = pool.map(_read_part, repeat(fmt.name), repeat(ctx), parts[1:])
                # This process reads the first part while the workers start (a second or so).
                for batch in itertools.chain([_read_part(fmt.name, ctx, parts[0])], later):
                    ends.append(batch.end)
                    yield batch
            finally:
                pool.shutdown(wait=True, cancel_futures=True)
    if not layout.fits(ends):
        raise NotThisLayout(f"the lines do not make one {layout.name} file")


def _read_part(fmt_name: str, ctx: Context, part: Part) -> Batch:
    """Read and normalise one part of a file (in a worker process, or in this one)."""
    fmt = get_format(fmt_name)
    with mapped(part.path) as data:
        reading = layout_of(fmt).reading(data, part.start, part.end)
        batch = normalise(fmt, ctx, reading)
    batch.end = reading.end
    return batch


def _processors() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _pool(processes: int) -> ProcessPoolExecutor:
    # NOTE: workers are forked from multiprocessing's fork server, a small single-threaded
    # process that has imported this module once, never from this process: the caller may
    # hold threads (tqdm's monitor, a Jupyter kernel's), and forking a threaded process can
    # deadlock (see batch._pool). Like any spawned process, a worker imports the caller's
    # __main__ module, so a script importing big files needs the usual __main__ guard.
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if context.get_start_method() == "forkserver":
        context.set_forkserver_preload([__name__])
        _start_forkserver()
    return ProcessPoolExecutor(processes, mp_context=context, initializer=_watch, initargs=(os.getpid(),))


def _start_forkserver() -> None:
    """Start the fork server (once per process) without the current folder on its ``sys.path``.

    NOTE: the fork server is started as ``python -c ...``, which puts the current folder first
    on ``sys.path`` (Python 3.11 does not replace it with the caller's path), so a file there
    named like a module it imports (``concurrent.py``) would run in every worker. Started
    with ``PYTHONSAFEPATH=1`` (``python -P``), it imports only what the caller would.
    """
    from multiprocessing import forkserver

    saved = os.environ.get("PYTHONSAFEPATH")
    os.environ["PYTHONSAFEPATH"] = "1"
    try:
        forkserver.ensure_running()
    finally:
        if saved is None:
            del os.environ["PYTHONSAFEPATH"]
        else:
            os.environ["PYTHONSAFEPATH"] = saved


def _watch(parent: int) -> None:
    """In a worker: end it when the process that started the import dies (a SIGKILL, say).

    NOTE: a worker blocks on its task queue, whose other end it holds itself, so it never
    sees its caller die; and the fork server lives while any worker does. Without this, a
    killed import would leave its workers and the fork server waiting for ever.
    """
    import select
    import threading

    def wait() -> None:
        try:
            fd = os.pidfd_open(parent)
        except ProcessLookupError:
            os._exit(1)
        except (AttributeError, OSError):  # no pidfd (not Linux 5.3+): look once a second
            while True:
                try:
                    os.kill(parent, 0)
                except ProcessLookupError:
                    os._exit(1)
                select.select([], [], [], 1.0)
        select.select([fd], [], [])  # readable when the process has ended
        os._exit(1)

    threading.Thread(target=wait, name="watch-caller", daemon=True).start()


@contextlib.contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    # NOTE: a batch holds tens of thousands of fresh dicts and lists (parsed records, rows);
    # each allocation-triggered collection would walk all of them, which made a big import
    # spend a third of its time in the collector. Parsed JSON and rows hold no reference
    # cycles, so nothing is lost by collecting once the batch is done.
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _reason(error: Exception) -> str:
    if isinstance(error, KeyError):
        return f"missing field {error.args[0]!r}"
    if isinstance(error, RecursionError):
        return "nested too deeply to read"
    if isinstance(error, OverflowError):
        return f"a number out of range ({error})"
    return str(error) or type(error).__name__


# --- the raw run -----------------------------------------------------------------------------------


class RunFile:
    """A new raw run being written: the provenance line, then ``{"line": N, "record": ...}`` lines.

    The provenance line comes first but its counts are known last, so its room is reserved
    (for the longest values it can take) and it is written when the run is finished, padded
    with spaces, which JSON ignores. Records are written as batches come, and the kernel is
    asked to start putting them on disk at once, so the fsync at the end has little left to
    do. The file has a temporary name until ``finish`` links it under its run id: a reader
    never sees a half-written run.
    """

    _BIGGEST = sys.maxsize  # no count is larger

    def __init__(self, folder: Path, provenance: Mapping[str, Any], source: Any = None):
        self.folder = folder
        self._map = source
        self.source = memoryview(source) if source is not None and len(source) else None
        placeholder = {**provenance, "run_id": _run_id(), "records": self._BIGGEST, "rejected": self._BIGGEST}
        if "sha256" in placeholder:
            placeholder["sha256"] = "0" * 64  # computed while the records are read
        # When the records carry their own observation times, their first and last are added.
        placeholder |= {
            "observed_from": "2000-01-01T00:00:00.000000+00:00",
            "observed_to": "2000-01-01T00:00:00.000000+00:00",
        }
        self.width = len(_provenance_line(placeholder))
        folder.mkdir(parents=True, exist_ok=True)
        # Created as open() creates files (the umask decides), as raw runs always were.
        self.tmp = str(folder / f".{secrets.token_hex(8)}.jsonl.tmp")
        try:
            self.fd = os.open(self.tmp, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o666)
        except OSError as e:
            e.filename = str(folder)
            raise
        self.restart()

    def restart(self) -> None:
        """Forget the records written so far."""
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, b" " * (self.width - 1) + b"\n", 0)
        self.size = self.width

    def add(self, kept: Kept, base: int = 0) -> None:
        """Append records (numbers shifted by ``base``): copied from the source file where they have a span."""
        start = self.size
        texts = [
            _json_bytes(kept.data[i]) if a < 0 else self._span(a, b)
            for i, (a, b) in enumerate(zip(kept.starts, kept.ends, strict=True))
        ]
        # Each record is three buffers (its head, its text as in the source, its tail), written
        # IOV_MAX at a time; laid out with slices rather than record by record in Python.
        pieces: list[Any] = [b"}\n"] * (3 * len(texts))
        pieces[0::3] = [b'{"line": %d, "record": ' % (base + number) for number in kept.numbers]
        pieces[1::3] = texts
        try:
            for first in range(0, len(pieces), _IOV_MAX):
                self.size += _write_all(self.fd, pieces[first : first + _IOV_MAX], self.size)
        except OSError as e:  # a full disk: name the folder (the temporary file's name means nothing)
            e.filename = e.filename or str(self.folder)
            raise
        if hasattr(os, "posix_fadvise") and self.size > start:
            # Linux starts writing dirty pages of the range back when told they are not needed.
            os.posix_fadvise(self.fd, start, self.size - start, os.POSIX_FADV_DONTNEED)
        spans = [a for a in kept.starts if a >= 0]
        if spans:
            release(self._map, min(spans), max(kept.ends))

    def _span(self, a: int, b: int) -> memoryview:
        if self.source is None:
            raise ValueError("records with a span in a file need that file as the run's source")
        return self.source[a:b]

    def finish(self, provenance: dict[str, Any], records: int, rejected: list[Rejected]) -> Path:
        """Write the provenance line, make the run durable and give it its name; return its path."""
        run_id = _run_id()
        provenance = {**provenance, "run_id": run_id, "records": records, "rejected": len(rejected)}
        line = _provenance_line(provenance)
        if len(line) > self.width:  # a bug, not bad input: the line would overwrite records
            raise ValueError(f"the provenance line outgrew its room ({len(line)} > {self.width} bytes)")
        os.pwrite(self.fd, line[:-1] + b" " * (self.width - len(line)) + b"\n", 0)
        os.fsync(self.fd)
        self.close()
        path = self.folder / f"{run_id}.jsonl"
        if rejected:  # before the run has its name: a run never lacks its set-aside records
            lines = (
                json.dumps({"line": r.line, "reason": r.reason, "text": r.text}, ensure_ascii=False) + "\n"
                for r in rejected
            )
            atomic_write_text(self.folder / f"{run_id}.rejected.jsonl", "".join(lines))
            pause_point("import:rejected-written")
        os.link(self.tmp, path)  # fails rather than overwrite: raw files are never rewritten
        os.unlink(self.tmp)
        return path

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
        if self.source is not None:
            self.source.release()
            self.source = None

    def discard(self) -> None:
        self.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.tmp)


_IOV_MAX = min(os.sysconf("SC_IOV_MAX") if hasattr(os, "sysconf") else 1024, 1024)


# Not every system has pwritev: one joined write instead.
_pwritev = getattr(os, "pwritev", lambda fd, buffers, offset: os.pwrite(fd, b"".join(buffers), offset))


def _write_all(fd: int, buffers: list[Any], offset: int) -> int:
    """Write ``buffers`` at ``offset`` (all of them, however the kernel splits it); return the bytes written."""
    total, wanted = 0, sum(map(len, buffers))
    while total < wanted:
        written = _pwritev(fd, buffers, offset + total)
        total += written
        if total < wanted:  # a short write (rare): drop what was written, resume mid-buffer
            while written >= len(buffers[0]):
                written -= len(buffers.pop(0))
            buffers[0] = memoryview(buffers[0])[written:]
    return total


def _provenance_line(provenance: Mapping[str, Any]) -> bytes:
    return _json_bytes({"provenance": provenance}) + b"\n"


def _json_bytes(data: Any) -> bytes:
    """``data`` as UTF-8 JSON; with ``\\u`` escapes if it holds a lone surrogate, which UTF-8 cannot."""
    try:
        return json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(data).encode("ascii")


def _run_id() -> str:
    # Sortable by time; the random tail keeps two runs in the same second apart.
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ") + "-" + secrets.token_hex(3)
