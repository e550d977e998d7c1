"""Coordinated groups: who they are, what they did together, which brand they push or attack.

The co-action network is built in `research.analyses.coaction` (``coaction_graph``, re-exported
here). A *coordinated group* is a connected component of that network (or a Louvain community
of it) with ``min_size`` (3) accounts or more. For each group `coordinated_groups` reports what
its members did together and when, the brand their posts address most and whether they push it
or attack it (from the posts' ``sentiment`` when the run has scored it), and the hashtags they
drive; `group_share` says how much of each brand's mentions and engaged audience comes from
them, and `coordination_findings` writes the summary sentence a client reads.

A post *addresses* a brand when it @mentions or names it (`research.analyses.competitors.brand_mentions`),
replies to, quotes or reposts one of its accounts, or carries its hashtag (the brand's name or
handle written as one word, ``#masalamornings``). A *mention* of a brand is an audience post,
not a repost, that @mentions or names it: the definition of share of voice and of mention
sentiment, so the shares here can be subtracted from those tables.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import networkx as nx
import numpy as np
import pandas as pd

from research.analyses.coaction import KINDS, WINDOWS, coaction_graph, coactions
from research.analyses.competitors import brand_mentions
from research.analyses.graph.build import author_keys, interactions
from research.brands import Brand, brand_lookup, brand_of_author
from research.schema import account_keys

__all__ = [
    "KINDS",
    "WINDOWS",
    "coactions",
    "coaction_graph",
    "group_members",
    "coordinated_groups",
    "group_share",
    "coordination_findings",
    "coordination_items",
]

_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")  # fmt: skip
_GROUP_COLUMNS = ["group", "accounts", "members", "handles", "posts", "coordinated_posts", *KINDS, "occasions",
                  "first_at", "last_at", "reply_targets", "brand", "stance", "brand_posts", "brands",
                  "driven_hashtags", "top_hashtags", "new_accounts", "median_age_days", "examples"]  # fmt: skip


def _groups(G: nx.Graph, method: str, min_size: int, seed: int) -> list[list[str]]:
    if method == "components":
        parts = nx.connected_components(G)
    elif method == "louvain":
        parts = nx.community.louvain_communities(G, weight="weight", seed=seed) if G.number_of_edges() else []
    else:
        raise ValueError(f"method: {method!r} is not 'components' or 'louvain'")
    found = [sorted(p) for p in parts if len(p) >= min_size]
    return sorted(found, key=lambda p: (-len(p), p[0]))


def _brand_tags(brands: Iterable[Brand]) -> dict[str, str]:
    """Hashtag -> brand: the brand's name and its handles written as one word (``masalamornings``)."""
    tags = {}
    for b in brands:
        for word in (b.name, *(h.split(".")[0] for _, h in b.accounts)):
            tags[re.sub(r"[^\w]+", "", word.lower())] = b.name
    return tags


def _addressed(
    posts: pd.DataFrame,
    brands: list[Brand],
    accounts: pd.DataFrame | None,
    aliases: Mapping[str, Iterable[str]] | None,
) -> pd.DataFrame:
    """Which brands each post addresses (module docstring): one bool column per brand, by position."""
    out = brand_mentions(posts, brands, aliases=aliases).reset_index(drop=True)
    inter = interactions(posts.reset_index(drop=True), accounts, kinds=("reply", "quote", "repost"))
    keys = {f"{p}:{h}": name for (p, h), name in brand_lookup(brands).items()}
    position = pd.Series(np.arange(len(posts)), index=pd.MultiIndex.from_frame(
        posts[["platform", "post_id"]].astype("string").reset_index(drop=True)))  # fmt: skip
    position = position[~position.index.duplicated()]
    tags = _brand_tags(brands)
    hashtags = posts["hashtags"].to_numpy(dtype=object)
    for b in brands:
        hit = inter[inter["target"].isin([k for k, n in keys.items() if n == b.name])]
        rows = position.reindex(pd.MultiIndex.from_frame(hit[["platform", "post_id"]])).dropna()
        out.loc[rows.astype(int).to_numpy(), b.name] = True
        own = {t for t, n in tags.items() if n == b.name}
        tagged = [
            i for i, h in enumerate(hashtags) if h is not None and len(h) and own & {x.lower() for x in h}
        ]
        out.loc[tagged, b.name] = True
    return out


def _bursts(times: pd.Series, gap: int) -> int:
    """Separate bursts among ``times``: a gap longer than ``gap`` seconds starts a new one."""
    t = np.sort(pd.to_datetime(times.dropna(), utc=True).dt.as_unit("s").astype("int64").to_numpy())
    return int(len(t) > 0) + int((np.diff(t) > gap).sum())


def _hashtag_counts(posts: pd.DataFrame) -> pd.Series:
    tags = posts["hashtags"].explode().dropna()
    return tags.astype("string").str.lower().value_counts()


def coordinated_groups(
    G: nx.Graph,
    posts: pd.DataFrame,
    brands: Iterable[Brand],
    *,
    accounts: pd.DataFrame | None = None,
    min_size: int = 3,
    method: str = "components",
    seed: int = 0,
    examples: int = 3,
    aliases: Mapping[str, Iterable[str]] | None = None,
    min_hashtag_uses: int = 5,
) -> pd.DataFrame:
    """The coordinated groups of a co-action network, biggest first, with what they did.

    Parameters
    ----------
    G : the `coaction_graph` of ``posts`` (its ``coactions`` evidence is read).
    posts : the posts ``G`` was built from (the members' posts are read for brands and hashtags).
    method : ``"components"`` (connected components) or ``"louvain"`` (communities of the network,
        for networks where unrelated groups touch).
    min_hashtag_uses : a hashtag is *driven* by the group when it is used this often in ``posts``
        and the group wrote half of those uses or more.

    Returns
    -------
    DataFrame
        One row per group: ``group`` (1, 2, ...), ``accounts`` (size), ``members`` (list of account
        keys), ``handles``; ``posts`` (the members' posts), ``coordinated_posts`` (posts in
        co-actions) and per kind (``text, link, hashtags, reply, repost``) the coordinated posts of
        that kind; ``occasions`` (bursts: coordinated posts more than the longest window apart are
        separate bursts), ``first_at, last_at``, ``reply_targets`` (posts replied to together);
        ``brand`` (addressed by most member posts), ``stance`` (``pushes`` / ``attacks`` by the
        sentiment of those posts, ``mentions`` without sentiment), ``brand_posts``, ``brands``
        (every addressed brand with its posts); ``driven_hashtags``, ``top_hashtags``;
        ``new_accounts`` (members whose profile was created less than 30 days before their first
        post here; NA without profiles), ``median_age_days``; ``examples`` (ids and texts).
    """
    brands = list(brands)
    parts = _groups(G, method, min_size, seed)
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in _GROUP_COLUMNS})
    evidence = G.graph.get("coactions", pd.DataFrame(columns=["account_a", "account_b", "kept"]))
    evidence = evidence[evidence["kept"].astype(bool)]
    longest = max(G.graph.get("windows", WINDOWS).values())
    keys = author_keys(posts, accounts)
    member_of = {a: n for n, part in enumerate(parts) for a in part}
    group = keys.map(member_of).to_numpy(dtype=float)
    mine = posts.loc[~np.isnan(group)]
    mine_group = group[~np.isnan(group)].astype(int)
    mine_keys = keys.to_numpy(dtype=object)[~np.isnan(group)]
    addressed = _addressed(mine, brands, accounts, aliases)
    sentiment = mine["sentiment"].astype("string") if "sentiment" in mine else None
    all_tags, created = _hashtag_counts(posts), _created(accounts)
    rows = []
    for n, part in enumerate(parts):
        members = set(part)
        ev = evidence[evidence["account_a"].isin(members) & evidence["account_b"].isin(members)]
        acts = pd.concat(
            [ev[["kind", f"platform_{s}", f"post_{s}", f"at_{s}"]].set_axis(["kind", "platform", "post", "at"], axis=1)
             for s in "ab"], ignore_index=True,
        ).drop_duplicates(["kind", "platform", "post"])  # fmt: skip
        distinct = acts.drop_duplicates(["platform", "post"])
        own = mine_group == n
        posts_n, addr = mine.loc[own], addressed.loc[own]
        per_brand = addr.sum().astype(int)
        per_brand = per_brand[per_brand > 0].sort_values(ascending=False, kind="stable")
        brand, stance = (per_brand.index[0], "mentions") if len(per_brand) else (pd.NA, pd.NA)
        if len(per_brand) and sentiment is not None:
            labels = sentiment[own][addr[brand].to_numpy(dtype=bool)]
            scored = labels.isin(["positive", "neutral", "negative"])
            if scored.any():
                stance = "attacks" if (labels[scored] == "negative").mean() >= 0.5 else "pushes"
        tags = _hashtag_counts(posts_n)
        driven = [
            t for t, k in tags.items() if all_tags.get(t, 0) >= min_hashtag_uses and k >= 0.5 * all_tags[t]
        ]
        first_post = posts_n["created_at"].groupby(mine_keys[own]).min()
        age = (first_post - created.reindex(first_post.index)).dt.total_seconds() / 86_400
        rows.append({
            "group": n + 1, "accounts": len(part), "members": part,
            "handles": ", ".join(p.split(":", 1)[1] for p in part), "posts": len(posts_n),
            "coordinated_posts": len(distinct), **{k: int((acts["kind"] == k).sum()) for k in KINDS},
            "occasions": _bursts(distinct["at"], longest),
            "first_at": distinct["at"].min(), "last_at": distinct["at"].max(),
            "reply_targets": int(ev.loc[ev["kind"] == "reply", "object"].nunique()),
            "brand": brand, "stance": stance, "brand_posts": int(per_brand.iloc[0]) if len(per_brand) else 0,
            "brands": "; ".join(f"{b}: {k}" for b, k in per_brand.items()),
            "driven_hashtags": ", ".join(driven), "top_hashtags": ", ".join(tags.index[:5]),
            "new_accounts": int((age < 30).sum()) if age.notna().any() else pd.NA,
            "median_age_days": float(age.median()) if age.notna().any() else np.nan,
            "examples": _examples(posts_n, distinct, examples),
        })  # fmt: skip
    return pd.DataFrame(rows, columns=_GROUP_COLUMNS)


def _created(accounts: pd.DataFrame | None) -> pd.Series:
    """Profile creation time per account key (empty without profiles)."""
    if accounts is None or not len(accounts) or "created_at" not in accounts:
        return pd.Series(dtype="datetime64[ns, UTC]")
    keys = account_keys(accounts["platform"], accounts["handle"], accounts["account_id"])
    out = pd.Series(accounts["created_at"].array, index=keys.to_numpy())  # .array keeps the time zone
    return out[~out.index.duplicated()].dropna()


def _examples(posts: pd.DataFrame, distinct: pd.DataFrame, n: int) -> str:
    """A few coordinated posts, one per burst where possible: ``platform post id: text``."""
    if not n or distinct.empty:
        return ""
    chosen = distinct.sort_values("at").iloc[
        np.linspace(0, len(distinct) - 1, min(n, len(distinct))).astype(int)
    ]
    text = posts.drop_duplicates(["platform", "post_id"]).set_index(["platform", "post_id"])["text"]
    out = []
    for row in chosen.itertuples():
        body = text.get((row.platform, row.post), "")
        body = "" if pd.isna(body) else " ".join(str(body).split())
        out.append(f"{row.platform} {row.post}: {body[:140]}")
    return " | ".join(out)


def group_share(
    groups: pd.DataFrame,
    posts: pd.DataFrame,
    brands: Iterable[Brand],
    *,
    accounts: pd.DataFrame | None = None,
    aliases: Mapping[str, Iterable[str]] | None = None,
    inter: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """How much of each brand's mentions and engaged audience comes from each coordinated group.

    ``inter``: the ``interactions(posts, accounts)`` table when the caller already has it.

    Returns
    -------
    DataFrame
        One row per (group, brand): ``mentions`` (the group's mentions of the brand),
        ``brand_mentions`` (all audience mentions of it in ``posts``), ``mention_share``; when
        ``posts`` carry ``sentiment``: ``negative`` and ``brand_negative`` (negative mentions) and
        ``negative_share``; ``audience`` (members in the brand's engaged audience: accounts that
        replied to, mentioned, reposted or quoted it), ``engaged`` (its size), ``audience_share``.
        Shares are NA when the denominator is 0.
    """
    brands = list(brands)
    columns = ["group", "brand", "mentions", "brand_mentions", "mention_share", "negative", "brand_negative",
               "negative_share", "audience", "engaged", "audience_share"]  # fmt: skip
    if groups.empty or not brands:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
    keys = author_keys(posts, accounts)
    audience = (brand_of_author(posts, brands).isna() & posts["repost_of_post_id"].isna()).to_numpy(
        dtype=bool
    )
    hits = brand_mentions(posts, brands, aliases=aliases).to_numpy(dtype=bool) & audience[:, None]
    negative = (
        posts["sentiment"].astype("string").eq("negative").fillna(False).to_numpy(dtype=bool)
        if "sentiment" in posts
        else None
    )
    inter = interactions(posts, accounts) if inter is None else inter
    brand_key = {f"{p}:{h}": name for (p, h), name in brand_lookup(brands).items()}
    engaged = inter[inter["target"].isin(list(brand_key)) & ~inter["source"].isin(list(brand_key))]
    engaged = engaged.assign(brand=engaged["target"].map(brand_key))[["brand", "source"]].drop_duplicates()
    rows = []
    for g in groups.itertuples():
        mine = keys.isin(list(g.members)).to_numpy(dtype=bool)
        for j, b in enumerate(brands):
            fans = set(engaged.loc[engaged["brand"] == b.name, "source"])
            total, own = int(hits[:, j].sum()), int((hits[:, j] & mine).sum())
            row = {"group": g.group, "brand": b.name, "mentions": own, "brand_mentions": total,
                   "mention_share": own / total if total else pd.NA, "negative": pd.NA, "brand_negative": pd.NA,
                   "negative_share": pd.NA, "audience": len(fans & set(g.members)), "engaged": len(fans)}  # fmt: skip
            if negative is not None:
                neg, own_neg = int((hits[:, j] & negative).sum()), int((hits[:, j] & negative & mine).sum())
                row.update(
                    negative=own_neg, brand_negative=neg, negative_share=own_neg / neg if neg else pd.NA
                )
            row["audience_share"] = row["audience"] / row["engaged"] if row["engaged"] else pd.NA
            rows.append(row)
    out = pd.DataFrame(rows, columns=columns)
    return out.astype({"mention_share": "Float64", "negative_share": "Float64", "audience_share": "Float64"})


def _count(n: int) -> str:
    return _WORDS[n] if 0 <= n < len(_WORDS) else f"{n:,}"


def _months(first: pd.Timestamp, last: pd.Timestamp, timezone: str) -> str:
    a, b = first.tz_convert(timezone), last.tz_convert(timezone)
    if (a.year, a.month) == (b.year, b.month):
        return f"in {_MONTHS[a.month - 1]}"
    return f"between {_MONTHS[a.month - 1]} and {_MONTHS[b.month - 1]}"


def coordination_findings(
    groups: pd.DataFrame, shares: pd.DataFrame, *, timezone: str = "UTC", min_share: float = 0.1
) -> list[str]:
    """The sentences of `coordination_items`."""
    return [
        item["sentence"]
        for item in coordination_items(groups, shares, timezone=timezone, min_share=min_share)
    ]


def coordination_items(
    groups: pd.DataFrame, shares: pd.DataFrame, *, timezone: str = "UTC", min_share: float = 0.1
) -> list[dict]:
    """One item per coordinated group that drives a brand's mentions, for the brief's summary:
    ``group, brand, attack`` (it wrote negative mentions) and ``sentence``.

    A group gets a sentence when it wrote ``min_share`` or more of the mentions of the brand it
    addresses most (or, for a group that attacks it, of the negative mentions), or drives a
    hashtag. Numbers come with their denominators; months are in ``timezone``.

    Examples
    --------
    >>> groups = pd.DataFrame([{"group": 1, "accounts": 12, "new_accounts": 12, "brand": "Masala Mornings",
    ...     "stance": "pushes", "occasions": 6, "first_at": pd.Timestamp("2026-10-03", tz="UTC"),
    ...     "last_at": pd.Timestamp("2026-10-23", tz="UTC"), "reply_targets": 0,
    ...     "driven_hashtags": "masalachai, offer"}])
    >>> shares = pd.DataFrame([{"group": 1, "brand": "Masala Mornings", "mentions": 217, "brand_mentions": 540,
    ...     "mention_share": 217 / 540, "negative": 0, "brand_negative": 100, "negative_share": 0.0}])
    >>> coordination_items(groups, shares)[0]["sentence"]
    'A coordinated group of 12 new accounts posted 40% of the mentions of Masala Mornings (217 of 540), in six bursts in October, pushing #masalachai and #offer.'
    """
    out = []
    if groups.empty or shares.empty:
        return out
    for g in groups.itertuples():
        if pd.isna(g.brand):
            continue
        share = shares[(shares["group"] == g.group) & (shares["brand"] == g.brand)]
        if share.empty:
            continue
        s = share.iloc[0]
        attack = g.stance == "attacks" and pd.notna(s["negative_share"])
        part, total = (s["negative"], s["brand_negative"]) if attack else (s["mentions"], s["brand_mentions"])
        driven = "" if g.driven_hashtags is None or pd.isna(g.driven_hashtags) else str(g.driven_hashtags)
        tags = [t for t in driven.split(", ") if t]
        if not total or (part / total < min_share and not tags):
            continue
        new = "new " if pd.notna(g.new_accounts) and g.new_accounts >= g.accounts / 2 else ""
        what = "negative mentions" if attack else "mentions"
        sentence = (
            f"A coordinated group of {g.accounts:,} {new}accounts posted {100 * part / total:.0f}% of the {what} "
            f"of {g.brand} ({part:,} of {total:,}), in {_count(int(g.occasions))} "
            f"burst{'s' if g.occasions != 1 else ''} {_months(g.first_at, g.last_at, timezone)}"
        )
        if attack and g.reply_targets:
            sentence += f", replying together to {_count(int(g.reply_targets))} of its posts"
        if tags:
            listed = [f"#{t}" for t in tags[:3]]
            sentence += ", pushing " + (
                " and ".join(listed) if len(listed) < 3 else f"{listed[0]}, {listed[1]} and {listed[2]}"
            )
        out.append(
            {"group": int(g.group), "brand": str(g.brand), "attack": bool(attack), "sentence": sentence + "."}
        )
    return out


def group_members(groups: pd.DataFrame) -> pd.DataFrame:
    """One row per member of a `coordinated_groups` table: ``account`` and ``group`` (its number),
    as `research.analyses.spikes.spikes` takes them.

    >>> group_members(pd.DataFrame({"group": [1, 2], "members": [["t:a", "t:b"], ["t:c"]]}))["group"].tolist()
    [1, 1, 2]
    """
    if groups.empty:
        return pd.DataFrame({"account": pd.Series(dtype="string"), "group": pd.Series(dtype="Int64")})
    rows = groups[["group", "members"]].explode("members").dropna(subset=["members"])
    return pd.DataFrame({"account": rows["members"].astype("string").to_numpy(),
                         "group": rows["group"].astype("Int64").to_numpy()})  # fmt: skip
