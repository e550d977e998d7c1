"""What every notebook starts with: the client's params, data and results folder.

A notebook's only setup cell is ``run = open_run(params_path, workspace, report_dir)``;
everything after it calls analyses with ``run``'s fields and records what the brief needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path

import pandas as pd
import pyarrow as pa

from research.analyses import text
from research.analyses.metrics import READ_ONLY, forget_annotations, in_period
from research.brands import Brand, resolve_account_ids
from research.brief.results import Results
from research.params import Params, load_params
from research.store import Store, privacy

__all__ = ["Run", "open_run"]


@dataclass
class Run:
    params: Params
    store: Store
    results: Results
    posts: pd.DataFrame  # every stored post; analyses select their periods themselves
    accounts: pd.DataFrame
    brands: list[Brand]
    day: date  # the brief's date (names the report folder)
    start: date  # analysis period, inclusive, in the client's timezone
    end: date
    timezone: str

    @property
    def client(self) -> str:
        return self.params.client

    @cached_property
    def current(self) -> pd.DataFrame:
        """The posts of the analysis period, read-only like ``posts`` (so derived tables are shared)."""
        current = self.posts.loc[in_period(self.posts, self.start, self.end, self.timezone)]
        current.attrs[READ_ONLY] = id(current)
        return current


def open_run(
    params_path: str | Path, workspace: str | Path = ".", report_dir: str | Path = "", report_date: str = ""
) -> Run:
    """Load params and the client's processed data; results go to ``report_dir``.

    With no ``report_dir`` (interactive use), results go to ``reports/<client>/<report_date>/``;
    an empty ``report_date`` means today.
    """
    params = load_params(params_path)
    store = Store(workspace, params.client)
    day = date.fromisoformat(report_date) if report_date else date.today()
    folder = Path(report_dir) if report_dir else Path(workspace) / "reports" / params.client / day.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    start, end = params.period.bounds()
    posts, accounts = _contiguous(store.posts()), _contiguous(store.accounts())
    # Accounts given by id (a YouTube UC… channel id) become the handles the data knows them by.
    brands = resolve_account_ids(params.brands(), accounts)
    if params.privacy.pseudonymize_audience:
        # Right after loading, so every table, graph, figure and brief made from them is pseudonymous.
        salt = privacy.client_salt(Path(workspace) / "data", params.client)
        posts, accounts = (
            privacy.pseudonymize_posts(posts, brands, salt, accounts=accounts),
            privacy.pseudonymize_accounts(accounts, brands, salt, posts=posts),
        )
    # Sentiment and languages already computed for these texts (by another notebook, or run) are reused.
    text.use_memo_file(store.processed_dir / "text.parquet")
    # Notebooks only read these frames: analyses may then derive their shared columns once.
    forget_annotations()
    posts.attrs[READ_ONLY] = id(posts)
    return Run(
        params=params,
        store=store,
        results=Results(folder),
        posts=posts,
        accounts=accounts,
        brands=brands,
        day=day,
        start=start,
        end=end,
        timezone=params.timezone,
    )


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
