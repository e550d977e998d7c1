"""What every notebook starts with: the client's params, data and results folder.

A notebook's only setup cell is ``run = open_run(params_path, workspace, report_dir)``;
everything after it calls analyses with ``run``'s fields (``run.posts``, ``run.period``,
``run.interactions``...) and records what the brief needs.
"""

from __future__ import annotations

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
from research.run.texts import attach_texts
from research.store import Store, privacy

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
    def coaction(self) -> nx.Graph:
        """The period's co-action network: accounts that did the same thing within minutes, repeatedly."""
        return coordination.coaction_graph(self.current, accounts=self.accounts, brands=self.brands)

    @cached_property
    def groups(self) -> pd.DataFrame:
        """The period's coordinated groups (`research.analyses.coordination.coordinated_groups`)."""
        return coordination.coordinated_groups(
            self.coaction, self.current, self.brands, accounts=self.accounts
        )

    @cached_property
    def flags(self) -> pd.DataFrame:
        """The period's accounts scored by the suspicion rules (`research.analyses.suspicion`)."""
        return suspicion.flagged_accounts(
            self.current, self.brands, accounts=self.accounts, groups=self.coaction
        )

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
    posts, accounts = load_data(params, store)
    # Accounts given by id (a YouTube UC… channel id) become the handles the data knows them by.
    brands = resolve_account_ids(params.brands(), accounts)
    return Run(
        params=params,
        store=store,
        results=Results(folder),
        posts=annotate(posts, accounts, brands, period.timezone),
        accounts=accounts,
        brands=brands,
        period=period,
        day=day,
    )


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
