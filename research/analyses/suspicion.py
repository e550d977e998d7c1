"""Suspicious accounts: a stated score, a stated threshold, and the posts without them.

Each rule in ``SUSPICION_RULES`` adds its points when it fires; an account is *flagged* when
its score reaches ``FLAG_THRESHOLD`` (3). There is no hidden model:

- ``coordinated`` (3): the account belongs to a coordinated group (`research.analyses.coordination`):
  it did the same thing as other accounts within minutes, again and again. Enough on its own.
- ``copied_text`` (2): it posted a text of 30+ characters (links, @handles and #hashtags
  removed) that 3+ accounts posted near-identically within 10 minutes, at a moment when that
  text came far more often than its usual share of what was posted then gives (Poisson
  probability at most 1 in 10,000). Short customer questions ("Which place is this?") are never
  compared, and a phrase many people write every morning is not a copy.
- ``repeated_text``, ``burst``, ``new_account``, ``follow_ratio`` (1 each): the same text 3+
  times, 3+ posts within 10 minutes, a profile created less than 30 days before its first post
  here, following 500+ accounts and 10x as many as follow it. Ordinary people do each of these
  now and then: one or two of them never flag an account, three do.

Measured on the demo world (its 12-account promotion ring and 8-account reply brigade,
`flag_precision_recall`): every planted account flagged and no other (precision and recall
1.0), 20 of 3,027 audience accounts (0.7%); the earlier rules without a threshold gave a score
to 88% of the audience. `calibration` shows the same for every threshold.

`without_accounts` removes the flagged accounts' posts, so that share of voice, mention
sentiment, hashtags and the audience profile can be shown with and without them.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable

import networkx as nx
import numpy as np
import pandas as pd
from scipy.special import pdtrc

from research.analyses.coaction import WINDOWS, coaction_graph, coactions
from research.analyses.graph.build import author_keys
from research.analyses.nearduplicates import normalise_texts
from research.brands import Brand, brand_lookup
from research.schema import account_keys

__all__ = [
    "SUSPICION_RULES",
    "FLAG_THRESHOLD",
    "flagged_accounts",
    "suspicious_accounts",
    "suspicion_rules",
    "flag_precision_recall",
    "calibration",
    "without_accounts",
    "flagged_effect",
    "flag_note",
    "MEASURED",
]

FLAG_THRESHOLD = 3
# What the flag was measured to do (tests/test_suspicion.py checks it on the demo world).
MEASURED = (
    "How well the flag works was measured on a test market with two planted groups (a 12-account promotion "
    "ring and an 8-account reply brigade that looks like ordinary customers): it caught all 20 accounts and "
    "flagged no other (precision 100%, recall 100%)."
)
SUSPICION_RULES: dict[str, tuple[int, str]] = {
    "coordinated": (
        3,
        "belongs to a coordinated group: {min_size}+ accounts that posted near-identical texts, shared the "
        "same links or hashtags, or replied to or reposted the same posts within minutes of each other, "
        "on {coordination_repeats}+ separate occasions",
    ),
    "copied_text": (
        2,
        "posted a text of {min_chars}+ characters (links, @handles and #hashtags removed) that {min_accounts}+ "
        "accounts posted near-identically within {copy_minutes} minutes, far more at once than that text's "
        "usual share of what is posted then (a phrase people write every morning is not a copy)",
    ),
    "repeated_text": (1, "posted the same text of {min_chars}+ characters {min_repeats}+ times"),
    "burst": (1, "posted {burst_posts}+ times within {burst_minutes} minutes"),
    "new_account": (1, "account created less than {new_days} days before its first post here"),
    "follow_ratio": (1, "follows {min_following}+ accounts and {follow_ratio}+ times as many as follow it"),
}
_COLUMNS = ["rank", "account", "platform", "handle", "score", "flagged", "rules", "evidence", "posts", "group",
            *SUSPICION_RULES]  # fmt: skip


def _split_keys(keys: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Platform and handle of account keys (handle "" for accounts known only by id)."""
    parts = keys.astype("string").str.split(":", n=1)
    rest = parts.str[1]
    return parts.str[0], rest.where(~rest.str.startswith("id:"), "")


def _members(groups: pd.DataFrame | nx.Graph, min_size: int) -> dict[str, tuple[int, int]]:
    """Account -> (group number, group size), from `coordinated_groups` or a co-action graph."""
    if isinstance(groups, nx.Graph):
        parts = sorted((sorted(c) for c in nx.connected_components(groups) if len(c) >= min_size),
                       key=lambda p: (-len(p), p[0]))  # fmt: skip
        return {a: (n + 1, len(p)) for n, p in enumerate(parts) for a in p}
    return {a: (int(g.group), len(g.members)) for g in groups.itertuples() for a in g.members}


def _copies(rows: pd.DataFrame, seconds: int, alpha: float) -> pd.Series:
    """Per account: the most accounts (itself included) that posted one near-identical text within ``seconds``,
    at a moment when that text came far more often than it usually does (Poisson, ``alpha``)."""
    text = rows[rows["kind"] == "text"]
    text = text[(text["at_a"] - text["at_b"]).abs() <= pd.Timedelta(seconds=seconds)]
    text = text[pdtrc(text["crowd"].to_numpy() - 1, text["usual"].to_numpy()) <= alpha]
    both = pd.concat(
        [text[["account_a", "object", "account_b"]].set_axis(["account", "object", "other"], axis=1),
         text[["account_b", "object", "account_a"]].set_axis(["account", "object", "other"], axis=1)],
        ignore_index=True,
    )  # fmt: skip
    return both.groupby(["account", "object"])["other"].nunique().groupby(level=0).max() + 1


def flagged_accounts(
    posts: pd.DataFrame,
    brands: Iterable[Brand],
    *,
    accounts: pd.DataFrame | None = None,
    groups: pd.DataFrame | nx.Graph | None = None,
    threshold: int = FLAG_THRESHOLD,
    min_size: int = 3,
    coordination_repeats: int = 3,
    min_chars: int = 30,
    min_accounts: int = 3,
    copy_minutes: int = 10,
    copy_alpha: float = 1e-4,
    min_repeats: int = 3,
    burst_posts: int = 3,
    burst_minutes: int = 10,
    new_days: int = 30,
    min_following: int = 500,
    follow_ratio: float = 10,
) -> pd.DataFrame:
    """Accounts that look coordinated or automated, scored by the stated rules, flagged at ``threshold``.

    ``groups``: the co-action graph of these posts (`research.analyses.coordination.coaction_graph`:
    its groups and its text co-actions are used, nothing is recomputed) or their
    `research.analyses.coordination.coordinated_groups` table (the text co-actions are then found
    again); without it the co-action graph is built here (``coordination_repeats`` occasions,
    groups of ``min_size``). Rules that need profiles fire only where ``accounts``
    holds them; reposts are not texts of their own; brand accounts are never listed.

    Returns
    -------
    DataFrame
        Accounts with a score above 0: ``rank, account, platform, handle, score, flagged`` (score
        >= ``threshold``), ``rules`` (names of the rules that fired), ``evidence`` (one phrase per
        rule), ``posts``, ``group`` (coordinated group number or NA) and one boolean column per
        rule. Flagged first, then by score and evidence.

    Examples
    --------
    >>> from research.schema import posts_frame
    >>> posts = posts_frame([{"platform": "twitter", "post_id": str(i), "author_handle": "eager",
    ...     "text": "Flat 50% OFF on masala chai today only!!", "created_at": f"2026-08-01T10:0{i}:00Z"}
    ...     for i in range(3)])
    >>> flagged_accounts(posts, [])[["account", "score", "flagged", "rules"]].values.tolist()
    [['twitter:eager', 2, False, 'repeated_text, burst']]
    """
    brands = list(brands)
    brand_keys = {f"{p}:{h}" for (p, h) in brand_lookup(brands)}
    keys = author_keys(posts, accounts)
    keep = (keys.notna() & ~keys.isin(list(brand_keys))).to_numpy(dtype=bool)
    own = posts.loc[keep, ["created_at", "repost_of_post_id", "repost_of_author_id", "text"]]
    frame = pd.DataFrame(
        {"account": keys[keep].to_numpy(dtype=object), "created_at": own["created_at"].array}
    )
    windows = {**WINDOWS, "text": max(WINDOWS["text"], copy_minutes * 60)}
    if groups is None:
        rows = coactions(posts, accounts=accounts, brands=brands, windows=windows, min_chars=min_chars)
        groups = coaction_graph(posts, rows=rows, windows=windows, min_repeats=coordination_repeats)
    elif isinstance(groups, nx.Graph) and "coactions" in groups.graph:
        rows = groups.graph["coactions"]
    else:
        only_text = {k: (windows["text"] if k == "text" else None) for k in WINDOWS}
        rows = coactions(posts, accounts=accounts, brands=brands, windows=only_text, min_chars=min_chars)
    member = _members(groups, min_size)
    original = (own["repost_of_post_id"].isna() & own["repost_of_author_id"].isna()).to_numpy(dtype=bool)
    normal = normalise_texts(own.loc[original, "text"])
    texts = pd.DataFrame({"account": frame["account"][original].to_numpy(), "text": normal.to_numpy()})
    texts = texts[(normal.str.len() >= min_chars).to_numpy(dtype=bool)]
    repeats = texts.groupby(["account", "text"]).size().groupby(level=0).max()
    # burst: most posts in any window starting at one of the account's posts (sorted, per account).
    times = frame.dropna(subset=["created_at"]).sort_values(["account", "created_at"])
    stamp = times["created_at"].dt.as_unit("ms").astype("int64").to_numpy()
    code = pd.factorize(times["account"])[0].astype(np.int64)
    span = int(stamp.max() - stamp.min()) + 1 if len(stamp) else 1
    line = code * (span + burst_minutes * 60_000 + 1) + (stamp - (stamp.min() if len(stamp) else 0))
    within = np.searchsorted(line, line + burst_minutes * 60_000, side="right") - np.arange(len(line))
    burst = pd.Series(within, index=times["account"].to_numpy()).groupby(level=0).max()
    table = pd.DataFrame(index=pd.Index(pd.unique(frame["account"]), name="account", dtype=object))
    table["posts"] = frame.groupby("account").size()
    table["copies"] = _copies(rows, copy_minutes * 60, copy_alpha).reindex(table.index).fillna(0).astype(int)
    table["repeats"] = repeats.reindex(table.index).fillna(0).astype(int)
    table["burst_max"] = burst.reindex(table.index).fillna(0).astype(int)
    table["group"] = pd.array([member.get(a, (pd.NA,))[0] for a in table.index], dtype="Int64")
    table["group_size"] = [member.get(a, (0, 0))[1] for a in table.index]
    table[["age_days", "followers", "following"]] = np.nan
    if accounts is not None and len(accounts):
        profile = (
            accounts.assign(
                account=account_keys(accounts["platform"], accounts["handle"], accounts["account_id"])
            )
            .drop_duplicates("account")
            .set_index("account")
        )
        first = frame.groupby("account")["created_at"].min()
        age = (first - profile["created_at"].reindex(first.index)).dt.total_seconds() / 86_400
        table["age_days"] = age.reindex(table.index)
        for column in ("followers", "following"):
            table[column] = profile[column].reindex(table.index).astype("Float64")
    fired = pd.DataFrame(index=table.index)
    fired["coordinated"] = table["group"].notna().to_numpy(dtype=bool)
    fired["copied_text"] = table["copies"] >= min_accounts
    fired["repeated_text"] = table["repeats"] >= min_repeats
    fired["burst"] = table["burst_max"] >= burst_posts
    fired["new_account"] = (table["age_days"] < new_days).fillna(False)
    ratio_ok = table["following"] >= follow_ratio * table["followers"].clip(lower=1)
    fired["follow_ratio"] = ((table["following"] >= min_following) & ratio_ok).fillna(False)
    fired = fired.astype(bool)
    points = pd.Series({name: w for name, (w, _) in SUSPICION_RULES.items()})
    table["score"] = (fired * points).sum(axis=1).astype(int)
    evidence = {
        "coordinated": lambda r: f"one of {r.group_size} accounts in coordinated group {r.group}",
        "copied_text": lambda r: (
            f"posted a text {r.copies - 1} other accounts posted within {copy_minutes} minutes"
        ),
        "repeated_text": lambda r: f"posted one text {r.repeats} times",
        "burst": lambda r: f"{r.burst_max} posts within {burst_minutes} minutes",
        "new_account": lambda r: f"account {r.age_days:.0f} days old at its first post here",
        "follow_ratio": lambda r: f"follows {r.following:,.0f}, followed by {r.followers:,.0f}",
    }
    hits = table[table["score"] > 0].join(fired)
    records = list(hits.itertuples())
    hits["rules"] = [", ".join(n for n in SUSPICION_RULES if getattr(r, n)) for r in records]
    hits["evidence"] = ["; ".join(evidence[n](r) for n in SUSPICION_RULES if getattr(r, n)) for r in records]
    hits["flagged"] = hits["score"] >= threshold
    hits = hits.reset_index().sort_values(
        ["flagged", "score", "copies", "burst_max", "account"], ascending=[False, False, False, False, True]
    )
    hits.insert(0, "rank", range(1, len(hits) + 1))
    hits["platform"], hits["handle"] = _split_keys(hits["account"].astype("string"))
    return hits[_COLUMNS].astype({"account": "string"}).reset_index(drop=True)


def suspicious_accounts(posts: pd.DataFrame, brands: Iterable[Brand], **options: object) -> pd.DataFrame:
    """`flagged_accounts` under its earlier name (notebook 06 calls it): the same table."""
    return flagged_accounts(posts, brands, **options)


def suspicion_rules(**params: object) -> pd.DataFrame:
    """The suspicion rules as a table for the brief's method section (``rule, points, definition``).

    Keyword arguments override the thresholds shown, as `flagged_accounts` takes them; the
    last row states the flag threshold.

    Examples
    --------
    >>> suspicion_rules().loc[3, "definition"]
    'posted 3+ times within 10 minutes'
    """
    defaults = {k: p.default for k, p in inspect.signature(flagged_accounts).parameters.items()}
    values = {**defaults, **params}
    rows = [(name, points, text.format(**values)) for name, (points, text) in SUSPICION_RULES.items()]
    rows.append(("flagged", values["threshold"], f"an account is flagged at {values['threshold']}+ points"))
    return pd.DataFrame(rows, columns=["rule", "points", "definition"])


def _planted_keys(flags: pd.DataFrame, planted: Iterable[str]) -> set[str]:
    """Planted accounts as keys: given as keys (``twitter:name``) or handles."""
    by_handle = dict(zip(flags["handle"].astype(str), flags["account"].astype(str), strict=True))
    return {p if ":" in p else by_handle.get(p.lower().lstrip("@"), p) for p in planted}


def flag_precision_recall(
    flags: pd.DataFrame, planted: Iterable[str], *, audience: int | None = None
) -> dict[str, float | int | None]:
    """Precision and recall of the ``flagged`` column against known coordinated accounts.

    ``planted``: account keys or handles of the accounts known to be coordinated (the demo
    world's truths). ``audience``: how many accounts were scored, for the flagged share.

    Examples
    --------
    >>> flags = pd.DataFrame({"account": ["t:a", "t:b", "t:c"], "handle": ["a", "b", "c"], "flagged": [True, True, False]})
    >>> flag_precision_recall(flags, ["a", "c"], audience=10)
    {'planted': 2, 'flagged': 2, 'true_positives': 1, 'precision': 0.5, 'recall': 0.5, 'flagged_share': 0.2}
    """
    truth = _planted_keys(flags, planted)
    flagged = set(flags.loc[flags["flagged"].astype(bool), "account"].astype(str))
    hits = len(flagged & truth)
    return {
        "planted": len(truth),
        "flagged": len(flagged),
        "true_positives": hits,
        "precision": hits / len(flagged) if flagged else None,
        "recall": hits / len(truth) if truth else None,
        "flagged_share": len(flagged) / audience if audience else None,
    }


def calibration(flags: pd.DataFrame, planted: Iterable[str]) -> pd.DataFrame:
    """Precision and recall at every threshold, from the scores of `flagged_accounts` (``threshold, flagged, ...``)."""
    rows = []
    for threshold in range(1, int(flags["score"].max()) + 1 if len(flags) else 1):
        at = flags.assign(flagged=flags["score"] >= threshold)
        rows.append({"threshold": threshold, **flag_precision_recall(at, planted)})
    return pd.DataFrame(rows, columns=["threshold", "planted", "flagged", "true_positives", "precision", "recall",
                                       "flagged_share"]).drop(columns="flagged_share")  # fmt: skip


def without_accounts(
    posts: pd.DataFrame, flagged: pd.DataFrame | Iterable[str], *, accounts: pd.DataFrame | None = None
) -> pd.DataFrame:
    """``posts`` without the posts written by ``flagged`` accounts (their replies, reposts and mentions too).

    ``flagged``: the `flagged_accounts` table (its rows with ``flagged`` true are removed) or
    account keys. Authors are matched by `research.analyses.graph.author_keys`, so an account
    named by id in one post and by handle in another goes either way. Everything else (other
    people's replies to those accounts, the index, the columns) is kept as it was.

    Examples
    --------
    >>> from research.schema import posts_frame
    >>> posts = posts_frame([{"platform": "twitter", "post_id": str(i), "author_handle": h}
    ...                      for i, h in enumerate(["bot", "fan", "Bot"])])
    >>> without_accounts(posts, ["twitter:bot"])["post_id"].tolist()
    ['1']
    """
    if isinstance(flagged, pd.DataFrame):
        chosen = (
            flagged["flagged"].astype(bool) if "flagged" in flagged else pd.Series(True, index=flagged.index)
        )
        drop = set(flagged.loc[chosen, "account"].astype(str))
    else:
        drop = {str(k) for k in flagged}
    if not drop:
        return posts
    return posts.loc[~author_keys(posts, accounts).isin(list(drop)).fillna(False).to_numpy(dtype=bool)]


def flagged_effect(
    sov_with: pd.DataFrame, sov: pd.DataFrame, sentiment_with: pd.DataFrame, sentiment: pd.DataFrame
) -> pd.DataFrame:
    """What leaving the flagged accounts out changes, brand by brand.

    The ``*_with`` tables are `research.analyses.competitors.share_of_voice` and
    `research.analyses.text.mention_sentiment` (for the period) of all posts, the others of the
    posts `without_accounts`. Returns ``brand, flagged_mentions`` (mentions written by flagged
    accounts), ``share_of_voice_with, share_of_voice, negative_share_with, negative_share``.

    Examples
    --------
    >>> sov_with = pd.DataFrame({"brand": ["A", "B"], "share_of_voice": [0.3, 0.7]})
    >>> sov = pd.DataFrame({"brand": ["A", "B"], "share_of_voice": [0.4, 0.6]})
    >>> sent_with = pd.DataFrame({"brand": ["A", "B"], "mentions": [10, 30], "negative_share": [0.1, 0.2]})
    >>> sent = pd.DataFrame({"brand": ["A", "B"], "mentions": [10, 20], "negative_share": [0.1, 0.3]})
    >>> flagged_effect(sov_with, sov, sent_with, sent)["flagged_mentions"].tolist()
    [0, 10]
    """
    out = pd.DataFrame({"brand": pd.Series(pd.concat([sov_with["brand"], sentiment_with["brand"]]).unique(),
                                           dtype="string")})  # fmt: skip

    def column(table: pd.DataFrame, name: str) -> pd.Series:
        if table.empty or name not in table:
            return pd.Series(pd.NA, index=out.index, dtype="Float64")
        return out["brand"].map(table.drop_duplicates("brand").set_index("brand")[name]).astype("Float64")

    mentions = column(sentiment_with, "mentions").fillna(0) - column(sentiment, "mentions").fillna(0)
    out["flagged_mentions"] = mentions.round().astype("Int64")
    out["share_of_voice_with"] = column(sov_with, "share_of_voice")
    out["share_of_voice"] = column(sov, "share_of_voice")
    out["negative_share_with"] = column(sentiment_with, "negative_share")
    out["negative_share"] = column(sentiment, "negative_share")
    return out


def flag_note(flags: pd.DataFrame, engaged: int, *, excluded: bool) -> str:
    """The sentences under the flagged-accounts table: how many, of what, what was done with them, how well it works.

    >>> flags = pd.DataFrame({"flagged": [True, False, False]})
    >>> flag_note(flags, 200, excluded=True).split(". ")[0]
    'The rules gave points to 3 accounts and flagged 1 of them (0.5% of the 200 accounts that engaged with a brand)'
    """
    flagged = int(flags["flagged"].astype(bool).sum()) if len(flags) else 0
    share = (
        f" ({100 * flagged / engaged:.1f}% of the {engaged:,} accounts that engaged with a brand)"
        if engaged
        else ""
    )
    text = f"The rules gave points to {len(flags):,} accounts and flagged {flagged:,} of them{share}. "
    if flagged:
        text += (
            "Their posts are left out of share of voice, mention sentiment, hashtags and the audience profile. "
            if excluded
            else "Their posts are counted everywhere (params: exclude_flagged_accounts is false). "
        )
    return text + f"An account is flagged at {FLAG_THRESHOLD} points. " + MEASURED
