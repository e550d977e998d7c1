"""The audience profile: who engages with each brand, when, in which language, how they feel.

A brand's *engaged audience* is the set of non-brand accounts that replied to,
mentioned, reposted or quoted any of its accounts, on any platform (interactions as
`research.analyses.graph.interactions` defines them). An account on two platforms is two
accounts: platforms do not tell us they are the same person.

Every function is pure and returns a report-ready DataFrame. With privacy on, pass
pseudonymised ``posts``/``accounts`` (`research.store.privacy`) and every table follows.
Suspicious accounts live in `research.analyses.suspicion` (``suspicious_accounts`` and
``suspicion_rules`` are re-exported here for the notebooks that call them from this module).
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import combinations
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd

from research.analyses.graph.build import KINDS, author_keys, interactions
from research.analyses.suspicion import SUSPICION_RULES, suspicion_rules, suspicious_accounts
from research.brands import Brand, brand_lookup, brand_names
from research.errors import InputError
from research.schema import account_keys

__all__ = [
    "WEEKDAYS",
    "SIZE_BANDS",
    "SUSPICION_RULES",
    "engaged_audience",
    "audience_overlap",
    "audience_exclusivity",
    "audience_activity",
    "audience_languages",
    "audience_sentiment",
    "account_sizes",
    "followers_by_account",
    "suspicion_rules",
    "suspicious_accounts",
]

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# Follower bands as influencer-marketing tiers name them (nano 1k-10k, micro 10k-100k, ...).
SIZE_BANDS = (
    (0, "<100"),
    (100, "100-1k"),
    (1_000, "1k-10k"),
    (10_000, "10k-100k"),
    (100_000, "100k-1M"),
    (1_000_000, "1M+"),
)


def _split_keys(keys: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Platform and handle of node keys (handle "" for accounts known only by id)."""
    parts = keys.astype("string").str.split(":", n=1)
    rest = parts.str[1]
    return parts.str[0], rest.where(~rest.str.startswith("id:"), "")


def _brand_keys(brands: Iterable[Brand]) -> dict[str, str]:
    return {f"{p}:{h}": name for (p, h), name in brand_lookup(brands).items()}


def engaged_audience(
    posts: pd.DataFrame,
    brands: Iterable[Brand],
    *,
    accounts: pd.DataFrame | None = None,
    kinds: Iterable[str] = KINDS,
    inter: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per (brand, engaged account), with how and when the account engaged.

    ``inter``: the ``interactions(posts, accounts)`` table when the caller already has it.

    Columns: ``brand, account`` (graph node key), ``platform, handle, interactions``, one
    count per kind, ``first_at, last_at``. Brand accounts engaging each other are not
    audience and are left out. Ordered client first, then by interactions.

    Examples
    --------
    >>> from research.schema import posts_frame
    >>> posts = posts_frame([
    ...     {"platform": "twitter", "post_id": "1", "author_handle": "fan", "mentions": ["brewbros"]},
    ...     {"platform": "twitter", "post_id": "2", "author_handle": "kettlekings", "mentions": ["brewbros"]},
    ... ])
    >>> brands = [Brand("Brew Bros", "client", (("twitter", "brewbros"),)),
    ...           Brand("Kettle Kings", "competitor", (("twitter", "kettlekings"),))]
    >>> engaged_audience(posts, brands)[["brand", "account", "interactions"]].values.tolist()
    [['Brew Bros', 'twitter:fan', 1]]
    """
    brands = list(brands)
    keys = _brand_keys(brands)
    inter = interactions(posts, accounts) if inter is None else inter
    inter = inter[
        inter["kind"].isin(list(kinds)) & inter["target"].isin(list(keys)) & ~inter["source"].isin(list(keys))
    ]
    inter = inter.assign(brand=inter["target"].map(keys).astype("string"), account=inter["source"])
    # groupby-size, not crosstab: crosstab counts each of a million groups in Python
    counts = inter.groupby(["brand", "account", "kind"]).size().unstack("kind", fill_value=0)
    counts = counts.reindex(columns=pd.Index(list(KINDS), name="kind"), fill_value=0)
    times = inter.groupby(["brand", "account"])["created_at"].agg(first_at="min", last_at="max")
    out = counts.assign(interactions=counts.sum(axis=1)).join(times).reset_index()
    out["platform"], out["handle"] = _split_keys(out["account"])
    order = {name: i for i, name in enumerate(brand_names(brands))}
    out = out.assign(_o=out["brand"].map(order)).sort_values(
        ["_o", "interactions", "account"], ascending=[True, False, True]
    )
    columns = ["brand", "account", "platform", "handle", "interactions", *KINDS, "first_at", "last_at"]
    return out[columns].reset_index(drop=True)


def _audiences(engaged: pd.DataFrame, brands: Iterable[Brand] | None) -> dict[str, set]:
    names = brand_names(brands) if brands is not None else list(dict.fromkeys(engaged["brand"]))
    return {name: set(engaged.loc[engaged["brand"] == name, "account"]) for name in names}


def audience_overlap(engaged: pd.DataFrame, brands: Iterable[Brand] | None = None) -> pd.DataFrame:
    """How much each pair of brands' engaged audiences overlap.

    Columns: ``brand_a, brand_b, audience_a, audience_b, shared, jaccard`` (shared /
    union) and ``share_of_a``/``share_of_b`` (shared / each audience: "x% of A's audience
    also engages B"). One row per unordered pair, in brand order.

    Examples
    --------
    >>> engaged = pd.DataFrame({"brand": ["A", "A", "B"], "account": ["t:x", "t:y", "t:y"]})
    >>> audience_overlap(engaged).iloc[0].to_dict()
    {'brand_a': 'A', 'brand_b': 'B', 'audience_a': 2, 'audience_b': 1, 'shared': 1, 'jaccard': 0.5, 'share_of_a': 0.5, 'share_of_b': 1.0}
    """
    sets = _audiences(engaged, brands)
    rows = []
    for a, b in combinations(sets, 2):
        shared, union = len(sets[a] & sets[b]), len(sets[a] | sets[b])
        rows.append(
            {
                "brand_a": a,
                "brand_b": b,
                "audience_a": len(sets[a]),
                "audience_b": len(sets[b]),
                "shared": shared,
                "jaccard": shared / union if union else 0.0,
                "share_of_a": shared / len(sets[a]) if sets[a] else 0.0,
                "share_of_b": shared / len(sets[b]) if sets[b] else 0.0,
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "brand_a",
            "brand_b",
            "audience_a",
            "audience_b",
            "shared",
            "jaccard",
            "share_of_a",
            "share_of_b",
        ],
    )


def audience_exclusivity(engaged: pd.DataFrame, brands: Iterable[Brand] | None = None) -> pd.DataFrame:
    """Per brand: audience size, accounts engaging no other brand, and their share.

    Examples
    --------
    >>> engaged = pd.DataFrame({"brand": ["A", "A", "B"], "account": ["t:x", "t:y", "t:y"]})
    >>> audience_exclusivity(engaged).values.tolist()
    [['A', 2, 1, 0.5], ['B', 1, 0, 0.0]]
    """
    sets = _audiences(engaged, brands)
    rows = []
    for name, members in sets.items():
        others = set().union(*(s for n, s in sets.items() if n != name))
        exclusive = len(members - others)
        rows.append((name, len(members), exclusive, exclusive / len(members) if members else 0.0))
    return pd.DataFrame(rows, columns=["brand", "audience", "exclusive", "exclusive_share"])


def _members(engaged: pd.DataFrame, brand: str | None) -> set:
    return set(engaged["account"] if brand is None else engaged.loc[engaged["brand"] == brand, "account"])


def _zone(timezone: str) -> ZoneInfo:
    try:
        return ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(f"timezone: {timezone!r} is not an IANA time zone (e.g. 'Asia/Kolkata')") from None


def audience_activity(
    posts: pd.DataFrame,
    engaged: pd.DataFrame,
    timezone: str,
    *,
    brand: str | None = None,
    accounts: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Posts of the engaged audience by weekday x hour, in the client's time zone.

    Counts every post the audience accounts wrote (not only those engaging a brand): it
    says when these people are online. ``brand`` restricts to one brand's audience.

    Returns
    -------
    DataFrame
        Index ``WEEKDAYS`` (Mon..Sun), columns hours 0..23, values post counts.

    Examples
    --------
    >>> from research.schema import posts_frame
    >>> posts = posts_frame([{"platform": "twitter", "post_id": "1", "author_handle": "fan",
    ...                       "created_at": "2026-08-03T04:30:00Z"}])
    >>> grid = audience_activity(posts, pd.DataFrame({"brand": ["A"], "account": ["twitter:fan"]}), "Asia/Kolkata")
    >>> int(grid.loc["Mon", 10])
    1
    """
    zone = _zone(timezone)
    mine = author_keys(posts, accounts).isin(_members(engaged, brand)).to_numpy(dtype=bool)
    local = posts.loc[mine, "created_at"].dropna().dt.tz_convert(zone)
    grid = pd.crosstab(local.dt.day_of_week, local.dt.hour).reindex(
        index=range(7), columns=range(24), fill_value=0
    )
    grid.index, grid.columns = list(WEEKDAYS), list(range(24))
    grid.index.name, grid.columns.name = "weekday", "hour"
    return grid.astype("int64")


def audience_languages(
    posts: pd.DataFrame, engaged: pd.DataFrame, *, accounts: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Languages of each brand's engaged audience, one language per account.

    An account's language is the one most of its posts are in (ties alphabetically);
    accounts whose posts carry no language count as ``"unknown"``.

    Returns
    -------
    DataFrame
        ``brand, lang, accounts, share`` (share of the brand's audience), largest first.

    Examples
    --------
    >>> from research.schema import posts_frame
    >>> posts = posts_frame([{"platform": "twitter", "post_id": str(i), "author_handle": "fan", "lang": lang}
    ...                      for i, lang in enumerate(["hi", "hi", "en"])])
    >>> audience_languages(posts, pd.DataFrame({"brand": ["A"], "account": ["twitter:fan"]})).values.tolist()
    [['A', 'hi', 1, 1.0]]
    """
    by = pd.DataFrame({"account": author_keys(posts, accounts), "lang": posts["lang"]}).dropna()
    counts = by.groupby(["account", "lang"]).size().rename("n").reset_index()
    top = counts.sort_values(["account", "n", "lang"], ascending=[True, False, True]).drop_duplicates(
        "account"
    )
    main = (
        engaged[["brand", "account"]]
        .drop_duplicates()
        .merge(top[["account", "lang"]], on="account", how="left")
    )
    main["lang"] = main["lang"].fillna("unknown")
    out = main.groupby(["brand", "lang"]).size().rename("accounts").reset_index()
    out["share"] = out["accounts"] / out.groupby("brand")["accounts"].transform("sum")
    return out.sort_values(["brand", "accounts", "lang"], ascending=[True, False, True], ignore_index=True)


def audience_sentiment(
    posts: pd.DataFrame,
    brands: Iterable[Brand],
    *,
    accounts: pd.DataFrame | None = None,
    sentiment: pd.Series | pd.DataFrame | None = None,
    inter: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Sentiment of audience posts addressed to each brand (replies, mentions, quotes).

    ``inter``: the ``interactions(posts, accounts)`` table when the caller already has it.

    Without ``sentiment``, the addressed posts are scored here with
    `research.analyses.text.score_sentiment` (text and ``lang`` of each post) -- only those: at a
    million posts scoring every text would cost more than every other analysis together.
    ``sentiment``, when given, is aligned with ``posts`` (same index): labels
    ``positive``, ``neutral``, ``negative`` or NA for "not scored", as a Series or the
    ``sentiment`` column of ``score_sentiment``'s frame. Reposts are left out: they carry
    the brand's own words. A post addressing two brands counts for both.

    Returns
    -------
    DataFrame
        ``brand, posts, scored, positive, neutral, negative, positive_share,
        negative_share, net`` (shares of scored posts; net = positive - negative share).

    Examples
    --------
    >>> from research.schema import posts_frame
    >>> posts = posts_frame([{"platform": "twitter", "post_id": str(i), "author_handle": "fan", "mentions": ["brewbros"]}
    ...                      for i in range(3)])
    >>> labels = pd.Series(["positive", "negative", "positive"])
    >>> brands = [Brand("Brew Bros", "client", (("twitter", "brewbros"),))]
    >>> audience_sentiment(posts, brands, sentiment=labels).loc[0, "net"].round(3)
    np.float64(0.333)
    """
    brands = list(brands)
    keys = _brand_keys(brands)
    inter = interactions(posts, accounts) if inter is None else inter
    inter = inter[
        inter["kind"].isin(["reply", "mention", "quote"])
        & inter["target"].isin(list(keys))
        & ~inter["source"].isin(list(keys))
    ]
    rows = inter.assign(brand=inter["target"].map(keys))[["platform", "post_id", "brand"]].drop_duplicates()
    if sentiment is None:
        from research.analyses.text import score_sentiment  # here: the text models load only when used

        # NOTE: a set of Python tuples, not Series.isin: on arrow strings isin converts each
        # wanted value to an arrow scalar, seconds for a hundred thousand of them.
        wanted = set(zip(rows["platform"].tolist(), rows["post_id"].tolist(), strict=True))
        pairs = zip(posts["platform"].tolist(), posts["post_id"].tolist(), strict=True)
        addressed = posts[np.fromiter((pair in wanted for pair in pairs), dtype=bool, count=len(posts))]
        labels = score_sentiment(addressed["text"], addressed["lang"])["sentiment"]
        posts = addressed
    else:
        labels = sentiment["sentiment"] if isinstance(sentiment, pd.DataFrame) else sentiment
        if not labels.index.equals(posts.index):
            raise InputError("sentiment must be aligned with posts (same index)")
    scored = pd.DataFrame(
        {"platform": posts["platform"], "post_id": posts["post_id"], "sentiment": labels.astype("string")}
    )
    rows = rows.merge(scored.drop_duplicates(["platform", "post_id"]), on=["platform", "post_id"], how="left")
    table = pd.crosstab(rows["brand"], rows["sentiment"]).reindex(
        columns=["positive", "neutral", "negative"], fill_value=0
    )
    table = table.reindex(brand_names(brands), fill_value=0)
    out = table.assign(
        posts=rows.groupby("brand").size().reindex(table.index, fill_value=0), scored=table.sum(axis=1)
    )
    denominator = out["scored"].where(out["scored"] > 0)
    out["positive_share"] = out["positive"] / denominator
    out["negative_share"] = out["negative"] / denominator
    out["net"] = out["positive_share"] - out["negative_share"]
    out = out.rename_axis("brand").reset_index()
    columns = [
        "brand",
        "posts",
        "scored",
        "positive",
        "neutral",
        "negative",
        "positive_share",
        "negative_share",
        "net",
    ]
    return out[columns]


def followers_by_account(accounts: pd.DataFrame) -> dict[str, float]:
    """``{account key: followers}`` for the accounts whose profile gives a count (graph node keys).

    >>> from research.schema import accounts_frame
    >>> followers_by_account(accounts_frame([{"platform": "twitter", "account_id": "1", "handle": "Fan", "followers": 25}]))
    {'twitter:fan': 25.0}
    """
    followers = pd.Series(
        accounts["followers"].to_numpy(dtype="float64", na_value=np.nan),
        index=account_keys(accounts["platform"], accounts["handle"], accounts["account_id"]).to_numpy(),
    )
    return followers[~followers.index.duplicated()].dropna().to_dict()


def account_sizes(accounts: pd.DataFrame, engaged: pd.DataFrame) -> pd.DataFrame:
    """Follower-count bands of each brand's engaged audience, where profiles are known.

    Returns
    -------
    DataFrame
        ``brand, band, accounts, share`` with bands from ``SIZE_BANDS`` plus ``"unknown"``
        (no profile or no follower count); ``share`` is of accounts with a known count.

    Examples
    --------
    >>> from research.schema import accounts_frame
    >>> accounts = accounts_frame([{"platform": "twitter", "account_id": "1", "handle": "fan", "followers": 2500}])
    >>> engaged = pd.DataFrame({"brand": ["A", "A"], "account": ["twitter:fan", "twitter:ghost"]})
    >>> account_sizes(accounts, engaged).query("accounts > 0").values.tolist()
    [['A', '1k-10k', 1, 1.0], ['A', 'unknown', 1, nan]]
    """
    followers = pd.Series(followers_by_account(accounts), dtype="float64")
    audience = engaged[["brand", "account"]].drop_duplicates()
    if audience.empty:
        return pd.DataFrame({"brand": pd.Series(dtype="string"), "band": pd.Series(dtype="string"),
                             "accounts": pd.Series(dtype="int64"), "share": pd.Series(dtype="float64")})  # fmt: skip
    counts = audience["account"].map(followers)
    edges, names = [b for b, _ in SIZE_BANDS], [n for _, n in SIZE_BANDS]
    band = pd.Series(pd.NA, index=audience.index, dtype="string")
    known = counts.notna()
    band[known] = np.asarray(names, dtype=object)[
        np.searchsorted(edges, counts[known].astype("int64"), side="right") - 1
    ]
    audience = audience.assign(band=band.fillna("unknown"))
    table = pd.crosstab(audience["brand"], audience["band"]).reindex(
        columns=[*names, "unknown"], fill_value=0
    )
    out = table.stack().rename("accounts").reset_index()
    known_total = table[names].sum(axis=1)
    out["share"] = out["accounts"] / out["brand"].map(known_total).where(out["band"] != "unknown")
    out.loc[out["share"].isin([np.inf]), "share"] = np.nan
    return out
