"""Pseudonymise the audience: stable salted pseudonyms for every account that is not a brand.

With ``privacy: {pseudonymize_audience: true}`` in params, the pipeline pseudonymises
``posts`` and ``accounts`` right after loading them, so every table, graph file, figure
and brief made from them shows ``user-3f9a1c0b7d2e`` instead of a person's handle.
Brands keep their names: they are public actors and the point of the analysis.

A pseudonym is a keyed hash (BLAKE2b in its MAC mode, RFC 7693; as strong as HMAC-SHA256
and three times faster on the million ids of a large import) of the account's platform
and handle (or id) under a secret per-client salt, 48 bits written as 12 hex digits (a
collision among a million accounts has odds of about 1 in 500). It is stable across runs, so a
reader can follow ``user-3f9a…`` from one brief to the next, yet without the salt nobody
can test a guessed handle against it. The salt is created once in
``<data>/private/<client>.salt`` and never written into any output.

Pseudonymisation is not anonymisation: post texts stay searchable on the web, so
the texts of audience posts should be quoted sparingly in anything shared.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Literal

import networkx as nx
import numpy as np
import pandas as pd
import pyarrow as pa

from research.brands import Brand, brand_lookup
from research.errors import InputError
from research.store.store import check_client

__all__ = [
    "client_salt",
    "pseudonym",
    "pseudonymize_posts",
    "pseudonymize_accounts",
    "pseudonymize_graph",
]

Kind = Literal["handle", "id", "post"]
_PREFIX = {"handle": "user-", "id": "user-", "post": "post-"}
# @handle in text, also written .@handle (a "public reply" on Twitter), /@handle (a Mastodon
# or TikTok profile URL) or with a full-width at sign; not inside an e-mail address or a word.
# Handles may contain dots (Bluesky).
_AT_HANDLE = re.compile(
    r"(?<![\w@\uff20\ufe6b])[@\uff20\ufe6b]([A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?)"
)
# Profile and post URLs that spell a handle: (the part kept, the handle), and whose handle it is.
_NOT_HANDLES = r"(?!(?:i|home|search|hashtag|intent|share|explore|settings|messages|notifications|status)\b)"
_PROFILE_URLS = (
    (re.compile(r"(?i)(\b(?:twitter|x)\.com/)" + _NOT_HANDLES + r"([A-Za-z0-9_]{1,15})\b"), "twitter"),
    (re.compile(r"(?i)(\bbsky\.app/profile/)([A-Za-z0-9_.:-]*[A-Za-z0-9_])"), "bluesky"),
    (
        re.compile(
            r"(?i)(\b(?:t|telegram)\.me/(?:s/)?)" + r"(?!joinchat\b|addstickers\b)([A-Za-z0-9_]{4,32})\b"
        ),
        "telegram",
    ),
    (
        re.compile(
            r"(?i)(\binstagram\.com/)" + _NOT_HANDLES + r"(?!p/|reel/|explore/)([A-Za-z0-9_.]{1,30})\b"
        ),
        "instagram",
    ),
    (re.compile(r"(?i)(\breddit\.com/u(?:ser)?/)([A-Za-z0-9_-]{3,20})\b"), "reddit"),
)
_MAY_NAME = re.compile(r"[@\uff20\ufe6b]|\.com/|\.me/|bsky\.app/", re.IGNORECASE)
_LINKS = ("reply_to", "repost_of", "quote_of")


def client_salt(data_dir: str | Path, client: str) -> bytes:
    """The client's secret salt, created on first use in ``<data_dir>/private/<client>.salt``.

    The file holds 32 random bytes as hex and is readable by its owner only. Deleting it
    changes every pseudonym of that client.

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> client_salt(folder, "demo") == client_salt(folder, "demo") != client_salt(folder, "other")
    True
    """
    check_client(client)
    path = Path(data_dir) / "private" / f"{client}.salt"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: two runs starting at once cannot both create (and disagree on) the salt.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(secrets.token_hex(32) + "\n")
    text = path.read_text(encoding="ascii").strip()
    if not re.fullmatch(r"[0-9a-f]{64}", text):
        raise InputError("the pseudonym salt file is damaged (expected 64 hex digits)", path=path)
    return bytes.fromhex(text)


def pseudonym(platform: str, identity: str, salt: bytes, *, kind: Kind = "handle") -> str:
    """The stable pseudonym of an account (by handle or id) or of a post id.

    Handles are compared lower-case without '@'. Ids and handles are hashed apart, so
    an id that happens to equal some handle does not share its pseudonym.

    Examples
    --------
    >>> salt = bytes(32)
    >>> pseudonym("twitter", "@Ann", salt) == pseudonym("twitter", "ann", salt)
    True
    >>> pseudonym("twitter", "ann", salt)
    'user-e08cc37c6ce7'
    """
    return _hasher(salt)(platform, identity, kind)


def _hasher(salt: bytes):
    """`pseudonym` bound to one salt, for hashing many values: each distinct value is hashed once."""
    keyed = hashlib.blake2b(key=salt, digest_size=6)  # a copy skips hashing the key block again
    seen: dict[tuple[str, str, str], str] = {}  # ids recur across columns (a reply names its parent)

    def one(platform: str, identity: str, kind: Kind) -> str:
        name = seen.get((kind, platform, identity))
        if name is None:
            norm = identity.lower().lstrip("@") if kind == "handle" else identity
            h = keyed.copy()
            h.update(f"{kind}\x1f{platform}\x1f{norm}".encode())
            name = seen[(kind, platform, identity)] = _PREFIX[kind] + h.hexdigest()
        return name

    return one


def _map(
    platform: pd.Series, values: pd.Series, one: Callable[[str, str, Kind], str], kind: Kind, keep: set
) -> pd.Series:
    """Pseudonymise ``values`` with ``one`` (a `_hasher`), leaving ``(platform, value)`` pairs in ``keep``.

    NA stays NA, as does every value of a row without a platform. Each distinct value of a
    platform is looked at once and the result spread back by code.
    """
    values = values.astype("string")
    names: list[str] = []
    codes = np.full(len(values), -1, dtype=np.int64)
    for p in platform.dropna().unique():
        rows = np.flatnonzero((platform == p).fillna(False).to_numpy(dtype=bool))
        found, distinct = pd.factorize(values.iloc[rows])
        codes[rows] = np.where(found >= 0, found + len(names), -1)
        for v in np.asarray(distinct, dtype=object):  # iterating an Arrow array is ~10x slower
            names.append(v if (p, v.lower() if kind == "handle" else v) in keep else one(p, v, kind))
    codes[codes < 0] = len(names)  # the NA after the names
    table = pa.array([*names, None], type=pa.large_string())
    return pd.Series(table.take(codes), index=values.index, dtype="string")


def _is_brand(platform: pd.Series, handle: pd.Series, handles: set) -> pd.Series:
    """Whether each ``(platform, handle)`` is a brand account (vectorised: no row loop)."""
    key = platform.astype("string") + "\x1f" + handle.astype("string").str.lower()
    return key.isin([f"{p}\x1f{h}" for p, h in handles]).fillna(False).astype(bool)


def _brand_keys(
    brands: Iterable[Brand], posts: pd.DataFrame | None, accounts: pd.DataFrame | None
) -> tuple[set, set]:
    """Brand ``(platform, handle)`` pairs and the ``(platform, id)`` pairs seen with them."""
    handles = set(brand_lookup(brands))
    ids = set()
    for frame, id_col, handle_col in (
        (posts, "author_id", "author_handle"),
        (accounts, "account_id", "handle"),
    ):
        if frame is not None and len(frame):
            mine = frame[_is_brand(frame["platform"], frame[handle_col], handles).to_numpy()]
            ids |= {(p, i) for p, i in zip(mine["platform"], mine[id_col], strict=True) if isinstance(i, str)}
    return handles, ids


def pseudonymize_posts(
    posts: pd.DataFrame, brands: Iterable[Brand], salt: bytes, *, accounts: pd.DataFrame | None = None
) -> pd.DataFrame:
    """``posts`` with every non-brand account replaced by its pseudonym.

    Rewrites author ids, handles and names, mentions, ``@handles`` inside texts, the
    reply/repost/quote author ids, and the ids of audience posts (``post-…``; brand
    posts keep theirs, and references stay consistent). Audience permalinks are
    dropped because they spell the handle. Building a graph from the result gives the
    `pseudonymize_graph` of the graph built from ``posts``.

    Examples
    --------
    >>> from research.schema import posts_frame
    >>> posts = posts_frame([{"platform": "twitter", "post_id": "1", "author_id": "7", "author_handle": "ann",
    ...                       "text": "hi @BrewBros and @bob", "mentions": ["brewbros", "bob"]}])
    >>> out = pseudonymize_posts(posts, [Brand("Brew Bros", "competitor", (("twitter", "brewbros"),))], bytes(32))
    >>> out.loc[0, "author_handle"], out.loc[0, "mentions"][0], out.loc[0, "text"].startswith("hi @BrewBros and @user-")
    ('user-e08cc37c6ce7', 'brewbros', True)
    """
    brands = list(brands)
    handles, ids = _brand_keys(brands, posts, accounts)
    out = posts.reset_index(drop=True)  # positions index the exploded mentions below
    platform = out["platform"]
    is_brand = _is_brand(platform, out["author_handle"], handles)
    brand_posts = set(zip(platform[is_brand], out.loc[is_brand, "post_id"], strict=True))
    one = _hasher(salt)
    out["author_handle"] = _map(platform, out["author_handle"], one, "handle", handles)
    out["author_id"] = _map(platform, out["author_id"], one, "id", ids)
    out["author_name"] = out["author_name"].where(is_brand, out["author_handle"].fillna(out["author_id"]))
    out["url"] = out["url"].where(is_brand)
    for link in _LINKS:
        out[f"{link}_author_id"] = _map(platform, out[f"{link}_author_id"], one, "id", ids)
        if f"{link}_author_handle" in out:  # the same pseudonym as the account gets as an author
            out[f"{link}_author_handle"] = _map(
                platform, out[f"{link}_author_handle"], one, "handle", handles
            )
    for column in ("post_id", *(f"{link}_post_id" for link in _LINKS)):
        out[column] = _map(platform, out[column], one, "post", brand_posts)
    mentions = out[["platform", "mentions"]].explode("mentions").dropna()
    renamed = _map(mentions["platform"], mentions["mentions"], one, "handle", handles).tolist()
    # Exploded rows stay in order, so each post's mentions are one run of ``renamed``.
    ends = np.cumsum(np.bincount(mentions.index.to_numpy(), minlength=len(out))).tolist()
    lists = [renamed[start:end] for start, end in zip([0, *ends][:-1], ends, strict=True)]
    out["mentions"] = pd.Series(lists, index=out.index, dtype=object)

    hide = _text_rewriter(handles, ids, one)
    text = out["text"].astype("string")
    named = text.str.contains(_MAY_NAME, regex=True).fillna(False).to_numpy(dtype=bool)
    for p in platform[named].dropna().unique():
        rows = named & (platform == p).fillna(False).to_numpy(dtype=bool)
        text[rows] = text[rows].map(lambda t, p=p: hide(t, p), na_action="ignore")
    out["text"] = text
    out["urls"] = pd.Series(
        [
            [hide(u, p) for u in urls] if len(urls) else urls
            for urls, p in zip(out["urls"], platform, strict=True)
        ],
        index=out.index,
        dtype=object,
    )
    return out.set_axis(posts.index)


def _text_rewriter(handles: set, ids: set, one: Callable[[str, str, Kind], str]) -> Callable[[str, str], str]:
    """A function giving a text of a post of platform ``p`` with every audience handle pseudonymised.

    ``@handle`` (however written) is taken as an account of the post's platform; a profile or
    post URL as one of the URL's platform (a Bluesky DID as an id).
    """

    def at(match: re.Match, p: str) -> str:
        h = match.group(1).lower()
        return match.group(0) if (p, h) in handles else match.group(0)[0] + one(p, h, "handle")

    def link(match: re.Match, p: str) -> str:
        name = match.group(2)
        if name.lower().startswith("did:"):
            return match.group(0) if (p, name) in ids else match.group(1) + one(p, name, "id")
        return (
            match.group(0)
            if (p, name.lower()) in handles
            else match.group(1) + one(p, name.lower(), "handle")
        )

    def hide(text: str, p: str) -> str:
        if not isinstance(text, str) or not _MAY_NAME.search(text):
            return text
        for pattern, site in _PROFILE_URLS:
            text = pattern.sub(lambda m, site=site: link(m, site), text)
        return _AT_HANDLE.sub(lambda m: at(m, p), text)

    return hide


def pseudonymize_accounts(
    accounts: pd.DataFrame, brands: Iterable[Brand], salt: bytes, *, posts: pd.DataFrame | None = None
) -> pd.DataFrame:
    """``accounts`` with non-brand ids, handles and names pseudonymised.

    Profile descriptions and locations of audience accounts are dropped: free text
    identifies people as surely as a handle does. Counts and dates are kept, since the
    audience profile needs them.

    Examples
    --------
    >>> from research.schema import accounts_frame
    >>> accounts = accounts_frame([{"platform": "twitter", "account_id": "7", "handle": "ann", "location": "Pune"}])
    >>> pseudonymize_accounts(accounts, [], bytes(32))[["handle", "name", "location"]].values.tolist()
    [['user-e08cc37c6ce7', 'user-e08cc37c6ce7', <NA>]]
    """
    handles, ids = _brand_keys(list(brands), posts, accounts)
    out = accounts.copy()
    platform = out["platform"]
    is_brand = _is_brand(platform, out["handle"], handles)
    one = _hasher(salt)
    out["handle"] = _map(platform, out["handle"], one, "handle", handles)
    out["account_id"] = _map(platform, out["account_id"], one, "id", ids)
    out["name"] = out["name"].where(is_brand, out["handle"].fillna(out["account_id"]))
    for column in ("description", "location"):
        out[column] = out[column].where(is_brand)
    return out


def pseudonymize_graph(G: nx.Graph, salt: bytes) -> nx.Graph:
    """A copy of an interaction graph with every non-brand node renamed to its pseudonym.

    Node keys ``"<platform>:<handle>"`` become ``"<platform>:user-…"`` and
    ``"<platform>:id:<id>"`` become ``"<platform>:id:user-…"``; ``handle`` and ``label``
    follow. Nodes with ``is_brand`` keep their names.

    Examples
    --------
    >>> G = nx.DiGraph([("twitter:ann", "twitter:brewbros")])
    >>> nx.set_node_attributes(G, {"twitter:ann": False, "twitter:brewbros": True}, "is_brand")
    >>> sorted(pseudonymize_graph(G, bytes(32)))
    ['twitter:brewbros', 'twitter:user-e08cc37c6ce7']
    """
    mapping, one = {}, _hasher(salt)
    for node, data in G.nodes(data=True):
        if data.get("is_brand"):
            continue
        platform, rest = str(node).split(":", 1)
        if rest.startswith("id:"):
            mapping[node] = f"{platform}:id:{one(platform, rest[3:], 'id')}"
        else:
            mapping[node] = f"{platform}:{one(platform, rest, 'handle')}"
    H = nx.relabel_nodes(G, mapping, copy=True)
    for new in mapping.values():
        data = H.nodes[new]
        alias = new.split(":", 1)[1].removeprefix("id:")
        data["handle"] = "" if ":id:" in new else alias
        data["label"] = alias
        data.pop("account_id", None)
    return H
