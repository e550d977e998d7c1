"""The data store: append-only raw files and the canonical Parquet tables derived from them.

Layout under a workspace (the folder that holds ``data/`` and ``reports/``)::

    data/raw/<client>/<source>/<run-id>.jsonl           raw records + provenance (never rewritten)
    data/raw/<client>/<source>/<run-id>.rejected.jsonl  records set aside, with line and reason
    data/processed/<client>/posts.parquet, accounts.parquet

A raw run file's first line is ``{"provenance": {...}}``; every other line is
``{"line": N, "record": <the record exactly as received>}``. Processed tables are a
pure function of all raw files of a client: ``renormalise`` rebuilds them from scratch
and gives the same bytes as the incremental merges ``import_file`` does.

Re-importing the same post keeps one row: the one observed last (latest ``collected_at``;
on a tie, the later run and the later line).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from research import schema
from research.errors import FormatError, InputError, ResearchError, StoreError
from research.sources import detect_format, get_format
from research.sources.base import Context, Format, Record, Rejected, Rows, loads

__all__ = ["Store", "ImportReport", "PartialRun", "completeness", "atomic_write_parquet", "dedupe"]

LOCK_TIMEOUT_S = 60.0  # a whole import of a big file fits well inside; longer means a stuck run


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

    def summary(self) -> str:
        how = "recognised as" if self.detected else "read as"
        if self.skipped:
            return f"{self.path}: already imported as {self.format} ({self.raw_file}); nothing new stored"
        text = (
            f"{self.path}: {how} {self.format}; {self.records} records imported, "
            f"{len(self.rejected)} set aside; {self.posts} post rows -> {self.posts_total} posts stored"
        )
        if self.rejected:
            first = self.rejected[0]
            text += f" (first set aside: line {first.line}: {first.reason})"
        return text


class Store:
    """A client's data under a workspace."""

    def __init__(self, workspace: str | Path, client: str):
        self.workspace = Path(workspace)
        self.client = client
        self.raw_dir = self.workspace / "data" / "raw" / client
        self.processed_dir = self.workspace / "data" / "processed" / client

    @property
    def posts_path(self) -> Path:
        return self.processed_dir / "posts.parquet"

    @property
    def accounts_path(self) -> Path:
        return self.processed_dir / "accounts.parquet"

    # --- reading ---------------------------------------------------------------------------

    def posts(self) -> pd.DataFrame:
        """The canonical posts table (empty if nothing was imported yet)."""
        return _read_table(self.posts_path, "posts")

    def accounts(self) -> pd.DataFrame:
        return _read_table(self.accounts_path, "accounts")

    def raw_files(self) -> list[Path]:
        """Raw run files of this client, in run order (run ids sort by time)."""
        if not self.raw_dir.is_dir():
            return []
        files = [p for p in self.raw_dir.glob("*/*.jsonl") if not p.name.endswith(".rejected.jsonl")]
        return sorted(files, key=lambda p: (p.stem, p.parent.name))

    def runs(self) -> list[dict[str, Any]]:
        """Provenance of every raw run, in order (for the brief's method section)."""
        return [_read_provenance(p) for p in self.raw_files()]

    # --- writing ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def lock(self, timeout: float = LOCK_TIMEOUT_S) -> Iterator[None]:
        """Hold the client's lock: two runs on one client never interleave their writes."""
        self.processed_dir.mkdir(parents=True, exist_ok=True)
        path = self.processed_dir / ".lock"
        with open(path, "a+") as f:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise StoreError(
                            f"client {self.client!r} is locked by another run for more than {timeout:.0f} s "
                            f"({path}); wait for it to finish"
                        ) from None
                    time.sleep(0.1)
            try:
                yield
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)

    def import_file(
        self,
        path: str | Path,
        format: str | None = None,
        *,
        options: Mapping[str, Any] | None = None,
        observed_at: datetime | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> ImportReport:
        """Import one file: keep its raw records, then merge its rows into the processed tables.

        ``format`` None or ``"auto"`` recognises the format from the file. ``observed_at`` is
        when the file's counts were observed; by default the file's modification time.
        Bad records are set aside and counted; a file with no usable record is refused and
        nothing is stored.
        """
        path = Path(path)
        if not path.is_file():
            raise InputError("no such file" if not path.exists() else "not a file", path=path)
        if path.stat().st_size == 0:
            raise FormatError("the file is empty; nothing to import", path=path)
        detected = format in (None, "auto")
        fmt = detect_format(path) if detected else get_format(format)
        observed = observed_at or datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
        digest = _sha256(path)
        for run in self.runs():
            # Importing the same bytes again would only add a duplicate raw run.
            if (
                run.get("sha256") == digest
                and run["format"] == fmt.name
                and run.get("options") == dict(options or {})
            ):
                return ImportReport(
                    str(path),
                    fmt.name,
                    detected,
                    records=run.get("records", 0),
                    skipped=True,
                    raw_file=str(self.raw_dir / run["source"] / f"{run['run_id']}.jsonl"),
                    posts_total=len(self.posts()),
                )
        provenance = {
            "source": fmt.name,
            "format": fmt.name,
            "version": fmt.version,
            "origin": str(path.resolve()),
            "sha256": digest,
            "retrieved_at": _now(),
            "observed_at": observed.astimezone(UTC).isoformat(),
            "options": dict(options or {}),
        }
        return self.ingest(
            fmt, provenance, fmt.read(path, provenance["options"]), progress=progress, detected=detected
        )

    def ingest(
        self,
        fmt: Format,
        provenance: dict[str, Any],
        items: Iterable[Record | Rejected],
        *,
        progress: Callable[[int], None] | None = None,
        detected: bool = False,
    ) -> ImportReport:
        """Normalise raw records, store them as a new raw run, and merge them into processed data.

        Shared by importers (items read from a file) and collectors (items fetched).
        """
        origin = provenance.get("origin", "")
        report = ImportReport(path=origin, format=fmt.name, detected=detected)
        ctx = _context(provenance)
        folder = self.raw_dir / provenance["source"]
        folder.mkdir(parents=True, exist_ok=True)
        # NOTE: records stream to a temporary body file and rows to columnar batches, so a
        # million-record import never holds the parsed records at once.
        fd, body = tempfile.mkstemp(prefix=".", suffix=".records.tmp", dir=folder)
        try:
            frames = _Frames()
            with open(fd, "wb", buffering=1 << 20) as out:
                for item in items:
                    if progress:
                        progress(1)
                    if isinstance(item, Rejected):
                        report.rejected.append(item)
                        continue
                    try:
                        produced = fmt.normalize(item.data, ctx)
                    except (ResearchError, KeyError, TypeError, ValueError, AttributeError, IndexError) as e:
                        report.rejected.append(
                            Rejected(item.line, _reason(e), json.dumps(item.data, ensure_ascii=False)[:200])
                        )
                        continue
                    frames.add(produced)
                    out.write(_raw_line(item))
                    report.records += 1
            if not report.records:
                why = (
                    f"; first problem: line {report.rejected[0].line}: {report.rejected[0].reason}"
                    if report.rejected
                    else ""
                )
                raise FormatError(f"no record could be read as {fmt.name}{why}", path=origin or None)
            posts, accounts = frames.posts(), frames.accounts()
            with self.lock():
                run = _write_run(folder, provenance, Path(body), report.records, report.rejected)
                report.raw_file = str(run)
                merged = dedupe(pd.concat([self.posts(), posts], ignore_index=True), "posts")
                merged_accounts = dedupe(
                    pd.concat([self.accounts(), accounts], ignore_index=True), "accounts"
                )
                atomic_write_parquet(merged, self.posts_path)
                atomic_write_parquet(merged_accounts, self.accounts_path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(body)
        report.posts, report.accounts, report.posts_total = len(posts), len(accounts), len(merged)
        return report

    def renormalise(self) -> tuple[int, int]:
        """Rebuild processed tables from all raw files (after an importer changed, say).

        Returns the number of posts and accounts rows written.
        """
        with self.lock():
            post_frames, account_frames = [], []
            for raw in self.raw_files():
                provenance = _read_provenance(raw)
                fmt = get_format(provenance["format"])
                ctx = _context(provenance)
                frames = _Frames()
                for record in _read_run_records(raw):
                    frames.add(fmt.normalize(record.data, ctx))
                post_frames.append(frames.posts())
                account_frames.append(frames.accounts())
            posts = dedupe(pd.concat([schema.empty_posts(), *post_frames], ignore_index=True), "posts")
            accounts = dedupe(
                pd.concat([schema.empty_accounts(), *account_frames], ignore_index=True), "accounts"
            )
            atomic_write_parquet(posts, self.posts_path)
            atomic_write_parquet(accounts, self.accounts_path)
        return len(posts), len(accounts)

    def open_run(self, source: str, name: str) -> PartialRun:
        """An unfinished run of ``source`` (a collector) named ``name`` (its target), kept page by page.

        It lives at ``data/raw/<client>/<source>/<name>.partial``, beside the finished runs
        but never read as one (``raw_files`` reads ``*.jsonl`` only). Pages appended to it
        are on disk when ``append`` returns, so a killed collector loses only the page in
        flight; the collector stores the complete pages with ``ingest`` when it is done.
        """
        folder = self.raw_dir / source
        folder.mkdir(parents=True, exist_ok=True)
        return PartialRun(folder / f"{name}.partial")


# --- helpers ----------------------------------------------------------------------------------


def dedupe(df: pd.DataFrame, table: str = "posts") -> pd.DataFrame:
    """One row per key: the latest observation (latest ``collected_at``; ties: the later row).

    The result is sorted by creation time then key, so equal inputs give equal files.
    """
    key = ["platform", "post_id" if table == "posts" else "account_id"]
    if not _canonical(df, table):
        df = schema.conform(df, table)
    latest = df.assign(_pos=range(len(df))).sort_values(
        ["collected_at", "_pos"], kind="stable", na_position="first"
    )
    latest = latest.drop_duplicates(key, keep="last").drop(columns=["_pos"])
    latest = latest.sort_values(["created_at", *key], kind="stable", na_position="last")
    return latest.reset_index(drop=True)


def _canonical(df: pd.DataFrame, table: str) -> bool:
    """Whether ``df`` already has the table's columns, dtypes and list objects (so conform is a no-op)."""
    cols = schema.POSTS if table == "posts" else schema.ACCOUNTS
    if list(df.columns) != [c.name for c in cols] or not isinstance(df.index, pd.RangeIndex):
        return False
    for c in cols:
        if df[c.name].dtype != c.dtype:
            return False
        if c.kind == "list" and set(map(type, df[c.name].array)) - {list}:
            return False
    return True


def atomic_write_parquet(df: pd.DataFrame, path: Path) -> None:
    """Write ``df`` to ``path`` so that a crash at any point leaves the old file intact.

    Writes a temporary file in the same folder, flushes it to disk, then renames it over
    the target (rename is atomic on POSIX file systems).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            df.to_parquet(f, index=False)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def completeness(posts: pd.DataFrame) -> pd.DataFrame:
    """Share of rows each source filled, per schema column (lists: share non-empty).

    One row per source, one column per field, values in [0, 1], plus ``rows``.
    A field a source never fills shows 0.0: it was NULL, not zero.
    """
    if posts.empty:
        return pd.DataFrame(columns=["source", "rows", *schema.POST_COLUMNS])
    filled = pd.DataFrame(
        {
            c.name: posts[c.name].map(len).gt(0) if c.kind == "list" else posts[c.name].notna()
            for c in schema.POSTS
        }
    )
    table = filled.groupby(posts["source"].fillna("unknown"), sort=True).mean().round(4)
    table.insert(0, "rows", posts.groupby(posts["source"].fillna("unknown"), sort=True).size())
    return table.drop(columns=["source"]).reset_index()


def _read_table(path: Path, table: str) -> pd.DataFrame:
    if not path.exists():
        return schema.empty_posts() if table == "posts" else schema.empty_accounts()
    try:
        return schema.from_arrow(pq.read_table(path), table)
    except (OSError, ValueError, pa.ArrowException) as e:
        raise StoreError(
            f"{path}: cannot read the processed table ({e}); rebuild it with `research renormalise`"
        ) from e


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _run_id() -> str:
    # Sortable by time; the random tail keeps two runs in the same second apart.
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ") + "-" + secrets.token_hex(3)


def _context(provenance: Mapping[str, Any]) -> Context:
    observed = provenance.get("observed_at") or provenance["retrieved_at"]
    return Context(
        source=f"{provenance['format']}/{provenance['version']}",
        collected_at=datetime.fromisoformat(observed),
        options=provenance.get("options") or {},
    )


def _reason(error: Exception) -> str:
    if isinstance(error, KeyError):
        return f"missing field {error.args[0]!r}"
    return str(error) or type(error).__name__


class _Frames:
    """Canonical rows gathered into frames batch by batch (dict rows are dropped as they go)."""

    BATCH = 50_000  # rows: big enough for vectorised coercion, small enough to bound memory

    def __init__(self) -> None:
        self._rows = Rows()
        self._posts: list[pd.DataFrame] = []
        self._accounts: list[pd.DataFrame] = []

    def add(self, rows: Rows) -> None:
        self._rows.extend(rows)
        if len(self._rows.posts) >= self.BATCH or len(self._rows.accounts) >= self.BATCH:
            self._flush()

    def _flush(self) -> None:
        if self._rows.posts or not self._posts:
            self._posts.append(schema.posts_frame(self._rows.posts))
        if self._rows.accounts or not self._accounts:
            self._accounts.append(schema.accounts_frame(self._rows.accounts))
        self._rows = Rows()

    def posts(self) -> pd.DataFrame:
        self._flush()
        return self._posts[0] if len(self._posts) == 1 else pd.concat(self._posts, ignore_index=True)

    def accounts(self) -> pd.DataFrame:
        self._flush()
        frames = self._accounts
        return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)


def _raw_line(record: Record) -> bytes:
    """One line of a raw run: the record's own bytes when the reader kept them (exactly as received)."""
    if record.raw is not None:
        return b'{"line": %d, "record": %b}\n' % (record.line, record.raw)
    return (json.dumps({"line": record.line, "record": record.data}, ensure_ascii=False) + "\n").encode(
        "utf-8"
    )


def _write_run(
    folder: Path, provenance: dict[str, Any], body: Path, records: int, rejected: list[Rejected]
) -> Path:
    """Write a new raw run file (never an existing one), atomically: provenance, then ``body``'s lines."""
    folder.mkdir(parents=True, exist_ok=True)
    run_id = _run_id()
    provenance = {**provenance, "run_id": run_id, "records": records, "rejected": len(rejected)}
    path = folder / f"{run_id}.jsonl"
    tmp = folder / f".{run_id}.jsonl.tmp"
    with open(tmp, "wb") as f, open(body, "rb") as src:
        f.write((json.dumps({"provenance": provenance}, ensure_ascii=False) + "\n").encode("utf-8"))
        f.flush()
        _copy_rest(src, f)
        os.fsync(f.fileno())
    os.link(tmp, path)  # fails rather than overwrite: raw files are never rewritten
    os.unlink(tmp)
    if rejected:
        with open(folder / f"{run_id}.rejected.jsonl", "w", encoding="utf-8") as f:
            for r in rejected:
                f.write(
                    json.dumps({"line": r.line, "reason": r.reason, "text": r.text}, ensure_ascii=False)
                    + "\n"
                )
    return path


def _copy_rest(src: Any, dst: Any) -> None:
    """Append the rest of file ``src`` to ``dst`` (in the kernel where it can)."""
    try:
        while os.copy_file_range(src.fileno(), dst.fileno(), 1 << 30):
            pass
    except (AttributeError, OSError):  # no copy_file_range (macOS, some file systems)
        shutil.copyfileobj(src, dst, 1 << 22)


def _read_provenance(path: Path) -> dict[str, Any]:
    with open(path, encoding="utf-8") as f:
        first = json.loads(f.readline())
    if "provenance" not in first:
        raise StoreError(f"{path}: not a raw run file (no provenance on the first line)")
    return first["provenance"]


def _read_run_records(path: Path) -> Iterator[Record]:
    with open(path, "rb", buffering=1 << 20) as f:
        next(f)
        for line in f:
            item, _ = loads(line)
            yield Record(item["line"], item["record"])


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
        data = "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines).encode("utf-8")
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
