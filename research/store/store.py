"""The data store: append-only raw files and the canonical Parquet tables derived from them.

Layout under a workspace (the folder that holds ``data/`` and ``reports/``)::

    data/raw/<client>/<source>/<run-id>.jsonl           raw records + provenance (never rewritten)
    data/raw/<client>/<source>/<run-id>.rejected.jsonl  records set aside, with line and reason
    data/processed/<client>/posts.parquet, accounts.parquet
    data/processed/<client>/account_history.parquet     every observation of accounts' counts (`history`)

A raw run file's first line is ``{"provenance": {...}}`` (padded with spaces: its room is kept
while the records are written, before their counts are known); every other line is ``{"line": N,
"record": <the record exactly as received>}``. Processed tables are a pure function of all raw
files of a client: ``renormalise`` rebuilds them from scratch and gives the same bytes as the
incremental merges ``import_file`` does. Re-importing the same post keeps one row: the one
observed last (latest ``collected_at``; on a tie, the later run and the later line).

Crash consistency (`research.store.journal`): a raw run counts as imported only once
``data/processed/<client>/manifest.json`` names it, which is written last; every write
starts with ``recover``, which finishes or removes what a killed run left.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from research import schema
from research.errors import FormatError, InputError, ResearchError, StoreError
from research.files import atomic_write, pause_point
from research.progress import Bar, silent
from research.sources import detect_format, get_format, ingest
from research.sources.base import Context, Format, Record, Rejected
from research.sources.reading import loads, mapped
from research.store import history as account_history
from research.store import journal
from research.store.hashing import hashing, sha256_of
from research.store.partial import PartialRun
from research.store.report import ImportReport, context_and_missing

__all__ = [
    "Store",
    "ImportReport",
    "PartialRun",
    "atomic_write_parquet",
    "dedupe",
    "with_author_handles",
    "check_client",
]

# A client slug names folders under data/ and reports/: nothing that could leave them (../, /).
CLIENT_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
LOCK_TIMEOUT_S = 60.0  # a whole import of a big file fits well inside; longer means a stuck run

T = TypeVar("T")


def check_client(client: object) -> str:
    """``client`` if it is a slug (the one check, for params and the command line alike).

    >>> check_client("chai-and-co")
    'chai-and-co'
    >>> check_client("../x")
    Traceback (most recent call last):
    ...
    research.errors.InputError: client '../x' is not a slug (lower-case letters, digits, '-' and '_', at most 64, starting with a letter or digit): it names folders under data/ and reports/
    """
    if not isinstance(client, str) or not CLIENT_SLUG.match(client):
        raise InputError(
            f"client {client!r} is not a slug (lower-case letters, digits, '-' and '_', at most 64, "
            "starting with a letter or digit): it names folders under data/ and reports/"
        )
    return client


class Store:
    """A client's data under a workspace."""

    def __init__(self, workspace: str | Path, client: str):
        self.workspace = Path(workspace)
        self.client = check_client(client)
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
        """The canonical posts table (empty if nothing was imported yet).

        A post whose source names its author by id only (a YouTube video names its channel by
        id) gets the handle of that account from the accounts table, so one account is one
        ``(platform, handle)`` everywhere: brands given as ``@handle`` match its posts.
        """
        return with_author_handles(_read_table(self.posts_path, "posts"), self.accounts_path)

    def accounts(self) -> pd.DataFrame:
        return _read_table(self.accounts_path, "accounts")

    @property
    def history_path(self) -> Path:
        return self.processed_dir / account_history.HISTORY_FILE

    def account_history(self) -> pd.DataFrame:
        """Every observation of every account's counts (`research.store.history`), oldest first per account."""
        return account_history.read(self.history_path, self.accounts_path)

    @property
    def texts_path(self) -> Path:
        return self.processed_dir / "text.parquet"

    def texts(self) -> pd.DataFrame | None:
        """What the text step derived from the posts (languages, sentiment), or None if not made yet.

        Derived, not collected: it can be deleted at any time and is made again by the next brief.
        """
        try:
            return pd.read_parquet(self.texts_path)
        except (OSError, ValueError):
            return None

    def write_texts(self, table: pd.DataFrame) -> None:
        """Replace the derived text table (atomically)."""
        with self.writing():
            atomic_write_parquet(table, self.texts_path)

    def raw_files(self) -> list[Path]:
        """Raw run files of this client whose rows are in the processed tables, in run order."""
        files = self._named_runs()
        done = journal.committed(self.processed_dir)
        return files if done is None else [p for p in files if journal.run_key(p) in done]

    def _named_runs(self) -> list[Path]:
        """Every raw run that has its name, committed or not, in run order (run ids sort by time)."""
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

    def writing(self) -> contextlib.AbstractContextManager[None]:
        """Hold while writing temporary files under the client's folders (see `journal.writing`)."""
        return journal.writing(self.processed_dir)

    def recover(self) -> list[str]:
        """Finish or roll back what a killed run left; return a sentence per thing done (often none).

        A raw run that has its name but is not in the manifest has its rows merged into the
        processed tables (again, if they got some: merging is idempotent) and is committed;
        temporary files and set-aside files of runs that never got a name are removed.
        """
        with self.lock():
            return self._recover()

    def _recover(self) -> list[str]:
        """`recover`, under the lock."""
        removed = journal.orphans(self.raw_dir, self.processed_dir)
        done = [f"removed {len(removed)} file(s) an interrupted run left"] if removed else []
        runs = self._named_runs()
        committed = journal.committed(self.processed_dir)
        if committed is None:  # a new store, or one from before manifests (then rebuilt once)
            if runs:
                posts, _ = self._rebuild(runs, None)
                done.append(f"rebuilt the processed tables from {len(runs)} raw run(s): {posts} posts")
            journal.commit(self.processed_dir, map(journal.run_key, runs))
            return done
        pending = [p for p in runs if journal.run_key(p) not in committed]
        if pending:
            before = _rows(self.posts_path)
            posts, _ = self._rebuild(pending, (self.posts_path, self.accounts_path))
            journal.commit(self.processed_dir, committed | set(map(journal.run_key, pending)))
            done += [
                f"finished an interrupted import: {p.parent.name}/{p.name} ({posts - before} new posts)"
                for p in pending
            ]
        return done

    def _rebuild(self, runs: list[Path], onto: tuple[Path, Path] | None) -> tuple[int, int]:
        """Merge the rows of raw ``runs`` (in order) into the stored tables (``onto``) or into empty ones."""
        posts, accounts = ingest.Gathered("posts"), ingest.Gathered("accounts")
        history = account_history.History()
        for raw in runs:
            provenance = _read_provenance(raw)
            fmt = get_format(provenance["format"])
            for batch in ingest.item_batches(fmt, _context(provenance), _read_run_records(raw), strict=True):
                posts.add(batch.posts)
                accounts.add(batch.accounts)
                history.add(batch.accounts)
        if onto is None:
            new_posts = ingest.latest(posts.table(), "posts")
            new_accounts = ingest.latest(accounts.table(), "accounts")
            new_history = history.table()
        else:
            new_history = history.onto(account_history.read_table(self.history_path, self.accounts_path))
            new_posts = _merge(_read_arrow(self.posts_path, "posts"), posts)
            new_accounts = _merge(_read_arrow(self.accounts_path, "accounts"), accounts)
        atomic_write_parquet(new_posts, self.posts_path)
        atomic_write_parquet(new_accounts, self.accounts_path)
        atomic_write_parquet(new_history, self.history_path)
        return new_posts.num_rows, new_accounts.num_rows

    def import_file(
        self,
        path: str | Path,
        format: str | None = None,
        *,
        options: Mapping[str, Any] | None = None,
        observed_at: datetime | None = None,
        bar: Bar | None = None,
        processes: int | None = None,
        merge: bool = True,
    ) -> ImportReport:
        """Import one file: keep its raw records, then merge its rows into the processed tables.

        ``format`` None or ``"auto"`` recognises the format from the file. ``observed_at`` is
        when the file's counts were observed; by default the file's modification time.
        Bad records are set aside and counted; a file with no usable record is refused and
        nothing is stored. ``processes``: how many processes read a file that can be read
        in parts (None: one per processor for a big file, else one); the result is the same.
        """
        path = Path(path)
        if not path.is_file():
            raise InputError("no such file" if not path.exists() else "not a file", path=path)
        if path.stat().st_size == 0:
            raise FormatError("the file is empty; nothing to import", path=path)
        detected = format in (None, "auto")
        fmt = detect_format(path) if detected else get_format(format)
        observed = observed_at or datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
        options = dict(options or {})
        recovered = self.recover() if merge else []  # first: a killed run's file must not pass as imported
        same = [run for run in self.runs() if run["format"] == fmt.name and run.get("options") == options]
        with mapped(path) as data:
            # Importing the same bytes again would only add a duplicate raw run. The file is
            # hashed first only when a run could be this very file; otherwise while it is read.
            digest = sha256_of(data) if same else None
            for run in same:
                if run.get("sha256") == digest:
                    return ImportReport(
                        str(path),
                        fmt.name,
                        detected,
                        records=run.get("records", 0),
                        skipped=True,
                        raw_file=str(self.raw_dir / run["source"] / f"{run['run_id']}.jsonl"),
                        posts_total=_rows(self.posts_path),
                        recovered=recovered,
                    )
            provenance = {
                "source": fmt.name,
                "format": fmt.name,
                "version": fmt.version,
                "origin": str(path.resolve()),
                "sha256": digest,
                "retrieved_at": _now(),
                "observed_at": observed.astimezone(UTC).isoformat(),
                "options": options,
            }
            batches = ingest.read_batches(fmt, _context(provenance), path, options, processes)
            with hashing(data, digest) as sha256:
                with (bar or silent)(f"import {path.name}", None) as b:
                    report = self._store(fmt, provenance, batches, data, sha256, b.update, detected, merge)
        report.recovered = recovered + report.recovered
        return report

    def import_files(
        self,
        files: Iterable[tuple[str | Path, Mapping[str, Any]]],
        *,
        on_error: Callable[[Path, ResearchError], None] | None = None,
    ) -> list[ImportReport]:
        """Import many files with one merge: ``files`` are ``(path, keyword arguments of import_file)``;
        each file's raw run is written as `import_file` writes it, and the processed tables take all
        their rows at once (a folder of 422 small CSVs is one rewrite of ``posts.parquet``, not 422).

        Until then the new runs are exactly what a killed import leaves, so a kill loses nothing:
        the next write merges them. A file that cannot be read goes to ``on_error`` (without it,
        the error is raised once the files before it are merged).
        """
        recovered = self.recover()
        reports = []
        try:
            for path, options in files:
                try:
                    reports.append(self.import_file(path, **options, merge=False))
                except ResearchError as e:
                    if on_error is None:
                        raise
                    on_error(Path(path), e)
        finally:
            self.recover()  # the one merge
        total = _rows(self.posts_path)
        for report in reports:
            report.posts_total = total
        if reports:
            reports[0].recovered = recovered + reports[0].recovered
        return reports

    def ingest(
        self,
        fmt: Format,
        provenance: dict[str, Any],
        items: Iterable[Record | Rejected],
        *,
        detected: bool = False,
    ) -> ImportReport:
        """Normalise raw records, store them as a new raw run, and merge them into processed data.

        For collectors, whose records come from memory, not from a file.
        """
        recovered = self.recover()
        batches = ingest.item_batches(fmt, _context(provenance), items)
        report = self._store(fmt, provenance, batches, None, None, None, detected, True)
        report.recovered = recovered + report.recovered
        return report

    def _store(
        self,
        fmt: Format,
        provenance: dict[str, Any],
        batches: Iterable[ingest.Batch | None],
        source: Any,
        sha256: Callable[[], str] | None,
        progress: Callable[[int], None] | None,
        detected: bool,
        merge: bool,
    ) -> ImportReport:
        """Write the batches' records to a new raw run and (with ``merge``) merge their rows into the processed tables."""
        with self.writing():
            return self._write_run(fmt, provenance, batches, source, sha256, progress, detected, merge)

    def _write_run(self, fmt, provenance, batches, source, sha256, progress, detected, merge) -> ImportReport:
        origin = provenance.get("origin", "")
        run = ingest.RunFile(self.raw_dir / provenance["source"], provenance, source)
        try:
            report = ImportReport(path=origin, format=fmt.name, detected=detected)
            posts, accounts = ingest.Gathered("posts"), ingest.Gathered("accounts")
            history = account_history.History()
            rows, base = [0, 0], 0  # base: numbers the parts before used
            for batch in batches:
                if batch is ingest.RESTART:
                    run.restart()
                    report = ImportReport(path=origin, format=fmt.name, detected=detected)
                    posts, accounts = ingest.Gathered("posts"), ingest.Gathered("accounts")
                    history = account_history.History()
                    rows, base = [0, 0], 0
                    continue
                run.add(batch.kept, base)
                pause_point("import:records-written")  # pauses at the first batch (then the file is gone)
                report.rejected += [Rejected(base + r.line, r.reason, r.text) for r in batch.rejected]
                report.records += batch.records
                posts.add(batch.posts)
                accounts.add(batch.accounts)
                history.add(batch.accounts)
                report.repeated += batch.repeats.rows
                report.repeated_differing += batch.repeats.differing
                rows[0] += batch.post_rows
                rows[1] += batch.account_rows
                base += batch.end.numbers if batch.end else 0
                if progress:
                    progress(batch.records + len(batch.rejected))
            if not report.records:
                why = (
                    f"; first problem: line {report.rejected[0].line}: {report.rejected[0].reason}"
                    if report.rejected
                    else ""
                )
                raise FormatError(f"no record could be read as {fmt.name}{why}", path=origin or None)
            if sha256 is not None:
                provenance = {**provenance, "sha256": sha256()}
            gathered = posts.table()
            report.context, report.missing = context_and_missing(gathered)
            # When the records carry their own observation time (twarc's retrieved_at), the run's
            # counts were observed then, not when the file was written: say so in the provenance.
            seen = pc.min_max(gathered["collected_at"]).as_py() if gathered.num_rows else {}
            if seen.get("min") is not None:
                provenance = {
                    **provenance,
                    "observed_from": seen["min"].isoformat(),
                    "observed_to": seen["max"].isoformat(),
                }
            pause_point("import:read")
            with self.lock():
                report.recovered = self._recover() if merge else []  # a run killed meanwhile goes in first
                committed = journal.committed(self.processed_dir) or set()
                raw = run.finish(provenance, report.records, report.rejected)
                report.raw_file = str(raw)
                pause_point("import:raw-linked")
                if not merge:  # `import_files` merges every new run at once, as `recover` would
                    report.posts, report.accounts = rows
                    return report
                merged = _merge(_read_arrow(self.posts_path, "posts"), posts)
                merged_accounts = _merge(_read_arrow(self.accounts_path, "accounts"), accounts)
                stored_history = account_history.read_table(self.history_path, self.accounts_path)
                atomic_write_parquet(merged, self.posts_path, pause="import:posts-tmp-written")
                pause_point("import:posts-written")
                atomic_write_parquet(merged_accounts, self.accounts_path)
                pause_point("import:accounts-written")
                # Merging keeps one row per observation: a killed run's rows merged again change nothing.
                atomic_write_parquet(history.onto(stored_history), self.history_path)
                journal.commit(
                    self.processed_dir, committed | {journal.run_key(raw)}, pause="import:committed"
                )
        finally:
            run.discard()
        report.posts, report.accounts, report.posts_total = rows[0], rows[1], merged.num_rows
        return report

    def renormalise(self) -> tuple[int, int]:
        """Rebuild processed tables from all raw files (after an importer changed, say).

        Returns the number of posts and accounts rows written.
        """
        with self.lock():
            journal.orphans(self.raw_dir, self.processed_dir)
            runs = self._named_runs()
            counts = self._rebuild(runs, None)
            journal.commit(self.processed_dir, map(journal.run_key, runs))
        return counts

    def partial_run(self, source: str, name: str) -> PartialRun:
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
    return schema.from_arrow(ingest.latest(schema.frame_table(df, table), table), table)


def atomic_write_parquet(data: pd.DataFrame | pa.Table, path: Path, *, pause: str | None = None) -> None:
    """Write a frame or an Arrow table to ``path`` so that a crash at any point leaves the old file intact.

    See `research.files`.
    """
    if isinstance(data, pa.Table):
        atomic_write(path, lambda f: pq.write_table(data, f), pause=pause)
    else:
        atomic_write(path, lambda f: data.to_parquet(f, index=False), pause=pause)


def with_author_handles(posts: pd.DataFrame, accounts_path: Path) -> pd.DataFrame:
    """``posts`` with missing ``author_handle`` s taken from the accounts table by ``(platform, author_id)``.

    Done when the tables are read, not stored, so the stored tables stay a pure function of
    the raw runs (an account renamed later shows its latest handle on all its posts).
    """
    missing = posts["author_handle"].isna() & posts["author_id"].notna()
    if not missing.any() or not accounts_path.exists():
        return posts
    accounts = _read_table(accounts_path, "accounts")
    known = accounts[accounts["handle"].notna()]
    lookup = pd.Series(
        known["handle"].to_numpy(), index=pd.MultiIndex.from_arrays([known["platform"], known["account_id"]])
    )
    lookup = lookup[~lookup.index.duplicated(keep="last")]
    keys = pd.MultiIndex.from_arrays([posts.loc[missing, "platform"], posts.loc[missing, "author_id"]])
    found = pd.Series(
        lookup.reindex(keys).to_numpy(), index=posts.index[missing], dtype=posts["author_handle"].dtype
    )
    out = posts.copy(deep=False)
    out["author_handle"] = posts["author_handle"].fillna(found)
    return out


def _read_table(path: Path, table: str) -> pd.DataFrame:
    """A processed table as a DataFrame (read directly: ``canonical_table`` would add a copy)."""
    if not path.exists():
        return schema.empty_posts() if table == "posts" else schema.empty_accounts()
    return _read_processed(path, lambda t: schema.from_arrow(t, table))


def _read_arrow(path: Path, table: str) -> pa.Table:
    """A processed table as a canonical Arrow table (empty if there is none yet)."""
    if not path.exists():
        return schema.rows_table([], table)
    return _read_processed(path, lambda t: schema.canonical_table(t, table))


def _read_processed(path: Path, convert: Callable[[pa.Table], T]) -> T:
    """``convert`` of the Parquet file at ``path``; an unreadable file is named with the way out."""
    try:
        return convert(pq.read_table(path))
    except (OSError, ValueError, pa.ArrowException) as e:
        raise StoreError(
            f"{path}: cannot read the processed table ({e}); rebuild it with `research renormalise`"
        ) from e


def _merge(stored: pa.Table, new: ingest.Gathered) -> pa.Table:
    """The stored table with the new rows merged in: one row per key, the latest observation."""
    return ingest.latest(pa.concat_tables([stored, new.table()]), new.kind)


def _rows(path: Path) -> int:
    return pq.ParquetFile(path).metadata.num_rows if path.exists() else 0


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _context(provenance: Mapping[str, Any]) -> Context:
    observed = provenance.get("observed_at") or provenance["retrieved_at"]
    return Context(
        source=f"{provenance['format']}/{provenance['version']}",
        collected_at=datetime.fromisoformat(observed),
        options=provenance.get("options") or {},
    )


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
