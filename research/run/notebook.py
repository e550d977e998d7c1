"""What every notebook starts with: the client's params, data and results folder.

A notebook's only setup cell is ``run = open_run(params_path, workspace, report_dir)``;
everything after it calls analyses with ``run``'s fields (``run.posts``, ``run.period``,
``run.interactions``...) and records what the brief needs.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path

import networkx as nx
import pandas as pd
import pyarrow as pa

from research.analyses import coordination, graph, suspicion
from research.analyses.metrics import Period, annotate, collected
from research.brands import Brand, resolve_account_ids
from research.brief.results import Results
from research.params import Params, load_params
from research.run import shared
from research.run.texts import attach_texts
from research.store import Store, privacy
from research.store.journal import MANIFEST

__all__ = ["Run", "open_run", "load_data"]


@dataclass
class Run:
    """One brief run's state: what it read, and what it derives once and hands to every analysis.

    Nothing is cached anywhere else: ``posts`` are annotated once (`research.analyses.metrics.annotate`:
    brand, own posts, engagement, local times; and the text step's languages and sentiment), and
    the period's posts, their interactions and the interaction graph are derived on first use
    and kept here. Analyses are plain functions of what they are given.
    """

    params: Params
    store: Store
    results: Results
    posts: pd.DataFrame  # every stored post, annotated; analyses select their periods themselves
    accounts: pd.DataFrame
    brands: list[Brand]
    period: Period  # the analysis period, in the client's timezone
    day: date  # the brief's date (names the report folder)

    @property
    def client(self) -> str:
        return self.params.client

    @cached_property
    def current(self) -> pd.DataFrame:
        """The posts of the analysis period."""
        return self.posts.loc[self.period.contains(self.posts)]

    @cached_property
    def interactions(self) -> pd.DataFrame:
        """Who engaged with whom in the period (`research.analyses.graph.interactions`)."""
        return graph.interactions(self.current, self.accounts)

    @cached_property
    def _coordination(self) -> tuple[nx.Graph, pd.DataFrame, pd.DataFrame]:
        """The co-action graph, groups and flags: computed by the brief's first notebook that asks,
        read from the report folder by the others (`research.run.shared`)."""
        digest = shared.key(_data_key(self.params, self.store), self.day.isoformat())
        kept = shared.load(self.results.folder, digest)
        if kept is not None:
            return kept
        G = coordination.coaction_graph(self.current, accounts=self.accounts, brands=self.brands)
        groups = coordination.coordinated_groups(G, self.current, self.brands, accounts=self.accounts)
        flags = suspicion.flagged_accounts(self.current, self.brands, accounts=self.accounts, groups=G)
        shared.save(self.results.folder, digest, G, groups, flags)
        return G, groups, flags

    @property
    def coaction(self) -> nx.Graph:
        """The period's co-action network: accounts that did the same thing within minutes, repeatedly."""
        return self._coordination[0]

    @property
    def groups(self) -> pd.DataFrame:
        """The period's coordinated groups (`research.analyses.coordination.coordinated_groups`)."""
        return self._coordination[1]

    @property
    def flags(self) -> pd.DataFrame:
        """The period's accounts scored by the suspicion rules (`research.analyses.suspicion`)."""
        return self._coordination[2]

    @cached_property
    def market(self) -> pd.DataFrame:
        """``posts`` without the flagged accounts' posts (with ``exclude_flagged_accounts``, the default):
        what market-level analyses read, so a bot ring does not set hashtags, share of voice or sentiment."""
        if not self.params.exclude_flagged_accounts:
            return self.posts
        return suspicion.without_accounts(self.posts, self.flags, accounts=self.accounts)

    @cached_property
    def market_current(self) -> pd.DataFrame:
        """The period's posts of ``market``."""
        return (
            self.current if self.market is self.posts else self.market.loc[self.period.contains(self.market)]
        )

    @cached_property
    def market_interactions(self) -> pd.DataFrame:
        """The interactions of ``market_current``."""
        if self.market is self.posts:
            return self.interactions
        return graph.interactions(self.market_current, self.accounts)

    @cached_property
    def graph(self) -> nx.DiGraph:
        """The period's interaction graph, frozen: what is derived from it is computed once."""
        return graph.interaction_graph(self.current, self.accounts, self.brands, inter=self.interactions)


def open_run(
    params_path: str | Path, workspace: str | Path = ".", report_dir: str | Path = "", report_date: str = ""
) -> Run:
    """Load params and the client's processed data; results go to ``report_dir``.

    With no ``report_dir`` (interactive use), results go to ``reports/<client>/<report_date>/``;
    an empty ``report_date`` means today. Nothing is written outside the results folder.
    """
    params = load_params(params_path)
    store = Store(workspace, params.client)
    day = date.fromisoformat(report_date) if report_date else date.today()
    folder = Path(report_dir) if report_dir else Path(workspace) / "reports" / params.client / day.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    period = params.analysis_period()
    digest = _data_key(params, store)
    if digest not in _LOADED:
        posts, accounts = load_data(params, store)
        # Accounts given by id (a YouTube UC… channel id) become the handles the data knows them by.
        brands = resolve_account_ids(params.brands(), accounts)
        _LOADED.clear()
        _LOADED[digest] = (annotate(posts, accounts, brands, period.timezone), accounts, brands)
    posts, accounts, brands = _LOADED[digest]
    return Run(
        params=params,
        store=store,
        results=Results(folder),
        # A shallow copy: with pandas' copy-on-write a notebook's changes stay in its own frame. The
        # accounts are the very frame the posts were annotated with (`metrics.annotate` knows it by id).
        posts=posts.copy(deep=False),
        accounts=accounts,
        brands=list(brands),
        period=period,
        day=day,
    )


# The last data `open_run` loaded in this process, by `_data_key`. A brief runs its notebooks one
# after another in one kernel: at a million posts, reading and annotating the tables costs about
# 8 s a notebook. The key changes with the params, every import and the text step's table.
_LOADED: dict[str, tuple[pd.DataFrame, pd.DataFrame, list[Brand]]] = {}


def _data_key(params: Params, store: Store) -> str:
    """A digest of what `load_data` reads: the params file, the store's manifest, the text table."""
    manifest = store.processed_dir / MANIFEST
    texts = store.texts_path.stat() if store.texts_path.exists() else None
    digest = hashlib.sha256()
    digest.update(params.path.read_bytes() if params.path else repr(params).encode())
    digest.update(manifest.read_bytes() if manifest.exists() else b"")
    digest.update(f"{store.workspace.resolve()}|{texts and (texts.st_mtime_ns, texts.st_size)}".encode())
    return digest.hexdigest()


def load_data(params: Params, store: Store) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The client's posts and accounts as every analysis sees them (the one way data is loaded).

    Only collected posts: ``context`` posts (stored because a collected post referenced them)
    are left out of every table. The text step's languages and sentiment are attached (keyed
    by the real post ids, so before pseudonymising), and ``lang`` is the platform's language
    or, where it gives none, the detected one: one language column for every analysis. With
    ``pseudonymize_audience``, audience accounts are then pseudonymised, so every table,
    graph, figure and brief made from them is pseudonymous.
    """
    posts, accounts = _contiguous(collected(store.posts())), _contiguous(store.accounts())
    posts = attach_texts(posts, accounts, params, store.texts())
    posts["lang"] = posts["lang"].fillna(posts["lang_detected"])
    if params.privacy.pseudonymize_audience:
        brands = resolve_account_ids(params.brands(), accounts)  # brands given by id stay brands
        salt = privacy.client_salt(store.workspace / "data", params.client)
        posts, accounts = (
            privacy.pseudonymize_posts(posts, brands, salt, accounts=accounts),
            privacy.pseudonymize_accounts(accounts, brands, salt, posts=posts),
        )
    return posts, accounts


def _contiguous(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with each Arrow-backed string column in one piece (same values and dtypes).

    A Parquet read gives one Arrow chunk per row group, and selecting rows of a chunked column
    first copies the whole column: at a million posts every small ``loc`` of a wide frame cost
    about 10 ms per string column. Joining the chunks once here costs about that once.
    """
    out = frame.copy(deep=False)
    for name, column in frame.items():
        if isinstance(column.dtype, pd.StringDtype) and column.dtype.storage == "pyarrow":
            joined = pa.chunked_array(pa.array(column.array)).combine_chunks()
            out[name] = pd.Series(joined, dtype=column.dtype, index=frame.index)
    return out
