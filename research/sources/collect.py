"""Network collectors: one resumable run loop for every platform, and ``research collect``.

A collector knows one platform: how to turn a :class:`Target` (an account or a hashtag)
into :class:`Page` s of raw records exactly as the platform returned them. Everything
else is shared and lives here::

    data/raw/<client>/<collector>/<target>.checkpoint.json   where the next page starts
    data/raw/<client>/<collector>/<target>.partial           pages fetched, not yet stored
    data/raw/<client>/<collector>/<run-id>.jsonl             a finished run (``Store.ingest``)

Resuming: each page is appended to the ``.partial`` file and flushed to disk (fsync)
*before* the checkpoint advances past it. A run killed at any moment loses at most the
page in flight; the next run with the same target and query adopts the ``.partial``,
continues from the checkpoint's cursor, and stores everything as one raw run. A page
written but not yet checkpointed is fetched again and de-duplicated by record key, so
there are neither gaps nor duplicates. A partial file from a different query is stored
as it is, then a fresh collection starts.

The library never prints: progress goes to the ``bar`` factory (tqdm in the CLI), and
:func:`collect_cli` is the only place that writes to the terminal.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import re
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal
from zoneinfo import ZoneInfo

from research.errors import CollectorError, ResearchError
from research.files import atomic_write_json
from research.progress import Bar, silent
from research.sources.base import Format, Record
from research.sources.http import (
    PACER,
    HttpSession,
    Policy,
    PolicyAdapter,
    Wait,
    base_url_from_env,
    user_agent,
)

if TYPE_CHECKING:  # NOTE: collectors are handed the store and params; they never import them
    from research.params import CollectSource, Params
    from research.store import ImportReport, PartialRun, Store

__all__ = [
    "Target",
    "Query",
    "Page",
    "Skipped",
    "CollectReport",
    "Collector",
    "Fetcher",
]


@dataclass(frozen=True)
class Target:
    """What to collect: an account (handle without '@') or a hashtag (without '#')."""

    kind: Literal["account", "hashtag"]
    value: str
    instance: str | None = None  # the server, on platforms with many (Mastodon)

    @property
    def label(self) -> str:
        text = ("@" if self.kind == "account" else "#") + self.value
        return f"{text} on {self.instance}" if self.instance else text

    @property
    def slug(self) -> str:
        """A file-name-safe, unique name: ``account-brewbros``, ``hashtag-chai@mastodon.social``."""
        raw = self.value + (f"@{_host(self.instance)}" if self.instance else "")
        safe = re.sub(r"[^a-z0-9._@-]+", "_", raw.lower()).strip("._")
        if safe != raw.lower():  # non-Latin tags and odd handles keep apart by a hash
            safe += "-" + hashlib.sha1(raw.encode()).hexdigest()[:8]
        return f"{self.kind}-{safe}"

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "value": self.value, "instance": self.instance}


@dataclass(frozen=True)
class Query:
    """Which posts of a target: a time window (``since`` inclusive, ``until`` exclusive) and a cap."""

    since: datetime | None = None
    until: datetime | None = None
    max_posts: int | None = None

    @classmethod
    def from_dates(
        cls, since: date | None, until: date | None, *, max_posts: int | None = None, tz: str = "UTC"
    ) -> Query:
        """Whole days in ``tz``: from the start of ``since`` to the end of ``until``.

        >>> q = Query.from_dates(date(2026, 8, 1), date(2026, 8, 31), tz="Asia/Kolkata")
        >>> q.since.isoformat(), q.until.isoformat()
        ('2026-07-31T18:30:00+00:00', '2026-08-31T18:30:00+00:00')
        """
        if since and until and until < since:
            raise ResearchError(f"since {since} is after until {until}")
        if max_posts is not None and max_posts < 1:
            raise ResearchError(f"max posts must be at least 1 (got {max_posts})")
        zone = ZoneInfo(tz)

        def start(day: date | None) -> datetime | None:
            return datetime.combine(day, dtime(), zone).astimezone(UTC) if day else None

        return cls(start(since), start(until + timedelta(days=1)) if until else None, max_posts)

    def as_dict(self) -> dict[str, Any]:
        iso = lambda t: t.isoformat() if t else None  # noqa: E731
        return {"since": iso(self.since), "until": iso(self.until), "max_posts": self.max_posts}


@dataclass
class Page:
    """One response's worth of raw records, and where the next one starts (None: the end)."""

    items: list[Any]
    url: str
    cursor: dict[str, Any] | None
    fetched: bool = True  # a new HTTP page (False: more items of a page already counted)


class Skipped(ResearchError):
    """A target this collector cannot collect as things stand; the message says why and what to do."""


@dataclass
class CollectReport:
    """What collecting one target did: the network part, and what the store did with it."""

    collector: str
    target: str  # the target's label, e.g. "@brewbros on mastodon.social"
    origin: str
    fetched: int = 0  # posts fetched in the window (before de-duplication)
    pages: int = 0
    waits: int = 0  # rate-limit and retry waits
    waited_s: float = 0.0
    resumed: bool = False
    skipped: bool = False  # nothing could be collected; ``note`` says why
    note: str | None = None  # why the target was skipped or stopped early
    error: str | None = None  # why the target failed (what was fetched before is stored)
    stored: ImportReport | None = None  # what ``Store.ingest`` did; None when nothing new was stored
    posts_total: int = 0  # rows in processed posts afterwards

    @property
    def records(self) -> int:
        return self.stored.records if self.stored else 0

    @property
    def raw_file(self) -> str | None:
        return self.stored.raw_file if self.stored else None

    def summary(self) -> str:
        head = f"{self.collector} {self.target}"
        if self.skipped:
            return f"{head}: skipped: {self.note}"
        if self.error:
            kept = f"; the {self.fetched} posts fetched before are stored" if self.fetched else ""
            return f"{head}: failed: {self.error}{kept}"
        waits = f", {self.waits} rate-limit/retry waits ({self.waited_s:.0f} s)" if self.waits else ""
        rows = self.stored.posts if self.stored else 0
        text = (
            f"{head}: {self.fetched} posts from {self.pages} pages{' (resumed)' if self.resumed else ''}{waits}; "
            f"{rows} post rows -> {self.posts_total} posts stored"
        )
        if self.stored and self.stored.rejected:
            text += f"; {len(self.stored.rejected)} records set aside (see {self.raw_file})"
        return text + (f" ({self.note})" if self.note else "")


class Fetcher:
    """The HTTP clients a collector may use for one target, all sharing its policy and wait hook."""

    def __init__(self, collector: Collector, on_wait: Callable[[Wait], None] | None = None):
        self.collector, self.on_wait = collector, on_wait
        self._adapters: list[PolicyAdapter] = []

    def json(self, base_url: str, **headers: str) -> HttpSession:
        c = self.collector
        session = HttpSession(
            base_url,
            c.policy,
            on_wait=self.on_wait,
            sleep=c.sleep,
            clock=c.clock,
            pacer=c.pacer,
            inner=c.transport,
            headers=headers,
        )
        self._adapters.append(session.adapter)
        return session

    def adapter(self) -> PolicyAdapter:
        """A transport adapter to mount on a third-party ``requests`` session (snscrape's)."""
        c = self.collector
        adapter = PolicyAdapter(
            c.policy, inner=c.transport, on_wait=self.on_wait, sleep=c.sleep, clock=c.clock, pacer=c.pacer
        )
        self._adapters.append(adapter)
        return adapter

    @property
    def requests(self) -> int:
        return sum(a.requests for a in self._adapters)


class Collector:
    """Base of the platform collectors; subclasses fill the class attributes and :meth:`pages`.

    The keyword arguments exist for tests and mirrors: ``base_url`` points the collector at
    another server, ``policy``/``sleep``/``clock``/``pacer`` shrink waits, ``transport`` is a
    ``requests`` adapter doing the I/O (a recorded one in tests).
    """

    name: ClassVar[str]
    platform: ClassVar[str]
    reads: ClassVar[str]
    format: ClassVar[Format]  # the import format whose normaliser reads this collector's records
    version: ClassVar[str] = "1"
    default_base_url: ClassVar[str] = ""
    min_interval: ClassVar[float] = 1.0  # seconds between requests to one host; see the subclass

    def __init__(
        self,
        *,
        base_url: str | None = None,
        policy: Policy | None = None,
        transport: Any = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        pacer: Any = None,
    ):
        self._base_url, self._policy = base_url, policy
        self.transport, self.sleep, self.clock, self._pacer = transport, sleep, clock, pacer

    @property
    def base_url(self) -> str:
        return self._base_url or base_url_from_env(self.name, self.default_base_url)

    @property
    def policy(self) -> Policy:
        return self._policy or Policy(min_interval=self.min_interval)

    @property
    def pacer(self) -> Any:
        return self._pacer or PACER

    # --- what subclasses provide --------------------------------------------------------------

    def status(self) -> str:
        """``works``, or what is missing (shown by ``research formats``)."""
        return "works"

    def make_targets(
        self, accounts: Sequence[str], hashtags: Sequence[str], instance: str | None
    ) -> list[Target]:
        return [Target("account", a.strip().lstrip("@").lower()) for a in accounts] + [
            Target("hashtag", t.strip().lstrip("#").lower()) for t in hashtags
        ]

    def origin(self, target: Target) -> str:
        """Where a target's posts come from, for provenance and reports."""
        return f"{self.base_url} {target.label}"

    def pages(self, fetch: Fetcher, target: Target, query: Query, cursor: dict | None) -> Iterator[Page]:
        """Pages of raw records, newest first, starting at ``cursor`` (None: the newest)."""
        raise NotImplementedError

    def item_time(self, item: Any) -> datetime | None:
        """When a raw record was posted (for the query window); None if unknown."""
        raise NotImplementedError

    def item_key(self, item: Any) -> str:
        """A record's identity, to drop a page fetched twice around a crash."""
        raise NotImplementedError

    # --- running ------------------------------------------------------------------------------

    def run(
        self, store: Store, params: Params, source: CollectSource, *, bar: Bar | None = None
    ) -> list[ImportReport]:
        """Collect what ``params`` names for this platform (used by ``research brief``).

        The window is the params' period plus the period before it, of the same length,
        which the scorecard compares against. Raises ``CollectorError`` naming the failed
        targets after trying all of them (what was fetched is stored and resumable).
        """
        if self.status() != "works":
            raise CollectorError(f"collector {self.name!r} {self.status()}")
        accounts = [h for b in params.brands() for p, h in b.accounts if p == self.platform]
        targets = self.make_targets(accounts, params.hashtags, source.instance)
        start, end = params.period.bounds()
        before = start - (end - start + timedelta(days=1))
        query = Query.from_dates(before, end, max_posts=source.max_posts, tz=params.timezone)
        reports = self.collect(store, targets, query, bar=bar)
        failed = [r for r in reports if r.error]
        if failed:
            raise CollectorError(
                f"{self.name}: {len(failed)} of {len(reports)} targets failed (what was fetched is stored; "
                "run again to resume): " + "; ".join(f"{r.target}: {r.error}" for r in failed)
            )
        return [r.stored for r in reports if r.stored is not None]

    def collect(
        self, store: Store, targets: Sequence[Target], query: Query, *, bar: Bar | None = None
    ) -> list[CollectReport]:
        """Collect each target in turn; a failure is reported on its target, not raised."""
        return [self.collect_target(store, t, query, bar=bar) for t in targets]

    def collect_target(
        self, store: Store, target: Target, query: Query, *, bar: Bar | None = None
    ) -> CollectReport:
        """Collect one target, resuming an interrupted run of the same query."""
        folder = store.raw_dir / self.name
        folder.mkdir(parents=True, exist_ok=True)
        stem = folder / target.slug
        ck_path = stem.with_name(stem.name + ".checkpoint.json")
        partial = store.partial_run(self.name, target.slug)
        report = CollectReport(self.name, target.label, self.origin(target))
        wanted = {"collector": self.name, "target": target.as_dict(), "query": query.as_dict()}
        with _exclusive(stem.with_name(stem.name + ".lock")) as locked:
            if not locked:
                report.error = f"another run is collecting {target.label} right now; wait for it to finish"
                return report
            state, header = _load_json(ck_path), partial.header()
            resume = (
                header is not None
                and state is not None
                and state.get("partial_id") == header.get("partial_id")
                and state.get("state") in ("fetching", "fetched")
                and {k: header.get(k) for k in wanted} == wanted
            )
            if header is not None and not resume:  # an older run's pages: keep them, then start afresh
                self._commit(store, partial)
                partial.remove()
            if resume:
                report.resumed = True
            else:
                state = {**wanted, "partial_id": uuid.uuid4().hex, "state": "fetching", "cursor": None}
                state |= {"pages": 0, "posts": 0, "started_at": _now()}
                partial.start(
                    {**wanted, "partial_id": state["partial_id"], "origin": report.origin, **_agent()}
                )
                _save_json(ck_path, state)
            assert state is not None
            report.fetched, report.pages = state["posts"], state["pages"]
            try:
                if state["state"] == "fetching":
                    self._fetch(target, query, state, partial, ck_path, report, bar)
            except Skipped as e:
                report.skipped, report.note = not report.fetched, str(e)
            except ResearchError as e:
                report.error = str(e)
            except (KeyError, TypeError, ValueError, AttributeError) as e:
                report.error = f"the answer was not in the expected shape ({type(e).__name__}: {e})"
            try:
                stored = self._commit(store, partial)
            except ResearchError as e:  # keep the partial: the next run stores it
                report.error = f"the fetched posts could not be stored ({e}); they wait in {partial.path}"
                return report
            report.stored = stored
            report.posts_total = stored.posts_total if stored else len(store.posts())
            if report.error:  # resumable: a fresh partial continues from the same cursor
                state["partial_id"] = uuid.uuid4().hex
                partial.remove()
                partial.start(
                    {**wanted, "partial_id": state["partial_id"], "origin": report.origin, **_agent()}
                )
                _save_json(ck_path, state)
            else:
                _save_json(
                    ck_path, {**state, "state": "done", "finished_at": _now(), "raw_file": report.raw_file}
                )
                partial.remove()
        return report

    def _fetch(self, target, query, state, partial, ck_path, report, bar) -> None:
        posts = state["posts"]
        with (bar or silent)(f"{self.name} {target.label}", query.max_posts) as b:
            b.update(posts)
            show = getattr(b, "set_postfix_str", lambda text: None)

            def on_wait(wait: Wait) -> None:
                report.waits += 1
                report.waited_s += wait.seconds
                show(f"{report.pages} pages; waiting {wait.seconds:.0f} s: {wait.reason}")

            fetcher = Fetcher(self, on_wait)
            for page in self.pages(fetcher, target, query, state["cursor"]):
                kept, older = [], False
                for item in page.items:
                    when = self.item_time(item)
                    if when is not None and query.until and when >= query.until:
                        continue
                    if when is not None and query.since and when < query.since:
                        older = True  # pages run newest first: nothing further is in the window
                        continue
                    kept.append(item)
                if query.max_posts is not None:
                    kept = kept[: max(0, query.max_posts - posts)]
                partial.append(
                    kept,
                    {
                        "url": page.url,
                        "retrieved_at": _now(),
                        "received": len(page.items),
                        "fetched": page.fetched,
                    },
                )
                posts += len(kept)
                state["pages"] += int(page.fetched)
                finished = (
                    page.cursor is None or older or (query.max_posts is not None and posts >= query.max_posts)
                )
                state.update(cursor=page.cursor, posts=posts, state="fetched" if finished else "fetching")
                _save_json(ck_path, state)  # only now: the page is on disk
                b.update(posts - report.fetched)
                report.fetched, report.pages = posts, state["pages"]
                show(f"{report.pages} pages, {report.waits} waits")
                if finished:
                    return
            state["state"] = "fetched"
            _save_json(ck_path, state)

    def _commit(self, store: Store, partial: PartialRun) -> ImportReport | None:
        """Store a partial file's complete pages as one raw run (once), merging them into processed."""
        header, records, pages = partial.read()
        if header is None or any(run.get("partial_id") == header["partial_id"] for run in store.runs()):
            return None
        unique: dict[str, Any] = {}
        for record in records:  # a page fetched twice around a crash: the later copy wins
            key = self.item_key(record)
            unique.pop(key, None)
            unique[key] = record
        if not unique:
            return None
        fmt = self.format
        provenance = {
            "source": self.name,
            "format": fmt.name,
            "version": fmt.version,
            "collector": f"{self.name}/{self.version}",
            "origin": header["origin"],
            "target": header["target"],
            "query": header["query"],
            "partial_id": header["partial_id"],
            "user_agent": header.get("user_agent"),
            "retrieved_at": header["started_at"],
            "observed_at": pages[-1]["retrieved_at"],  # counts are as of the last page
            "pages": pages,
            "options": {},
        }
        items = [Record(n, data) for n, data in enumerate(unique.values(), start=1)]
        return store.ingest(fmt, provenance, items)


# --- files ---------------------------------------------------------------------------------------


def _load_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None  # a damaged checkpoint only costs a fresh start; the data is in the partial
    return data if isinstance(data, dict) else None


def _save_json(path: Path, data: dict[str, Any]) -> None:
    atomic_write_json(path, data)


@contextlib.contextmanager
def _exclusive(path: Path) -> Iterator[bool]:
    """Hold ``path``'s lock (True), or False when another run holds it. Released when a run dies."""
    with open(path, "a+") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _agent() -> dict[str, str]:
    return {"user_agent": user_agent()}


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _host(instance: str) -> str:
    return re.sub(r"^[a-z]+://", "", instance.lower()).strip("/")
