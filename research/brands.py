"""Brands: the client and its competitors, each with one or more accounts.

Analyses work per brand, not per account: a brand's Twitter and Bluesky
accounts count together. This module maps accounts and posts to brands.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["Brand", "slug", "brand_of_author", "brand_lookup", "brand_names", "client_name"]

Role = Literal["client", "competitor"]


@dataclass(frozen=True)
class Brand:
    """A brand: its name, whether it is the client, and its ``(platform, handle)`` accounts.

    Handles are stored lower-case without '@', as in the canonical schema.
    """

    name: str
    role: Role
    accounts: tuple[tuple[str, str], ...]

    @property
    def is_client(self) -> bool:
        return self.role == "client"


def slug(name: str) -> str:
    """A file-name-safe slug of a brand name.

    >>> slug("Chai & Co")
    'chai-co'
    """
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "brand"


def brand_lookup(brands: Iterable[Brand]) -> dict[tuple[str, str], str]:
    """``{(platform, handle): brand name}`` for every brand account."""
    return {(p, h.lower().lstrip("@")): b.name for b in brands for p, h in b.accounts}


def brand_names(brands: Iterable[Brand]) -> list[str]:
    """Brand names, client first, then competitors in params order."""
    brands = list(brands)
    return [b.name for b in brands if b.is_client] + [b.name for b in brands if not b.is_client]


def client_name(brands: Iterable[Brand]) -> str | None:
    return next((b.name for b in brands if b.is_client), None)


def brand_of_author(posts: pd.DataFrame, brands: Iterable[Brand]) -> pd.Series:
    """The brand that authored each post, or NA for audience posts.

    Matches ``(platform, author_handle)`` against the brands' accounts.

    Examples
    --------
    >>> posts = pd.DataFrame({"platform": ["twitter", "twitter"], "author_handle": ["brewbros", "fan1"]})
    >>> brand_of_author(posts, [Brand("Brew Bros", "competitor", (("twitter", "brewbros"),))]).tolist()
    ['Brew Bros', <NA>]
    """
    lookup = brand_lookup(brands)
    names = list(dict.fromkeys(lookup.values()))
    code_of = {key: names.index(name) for key, name in lookup.items()}
    handle = posts["author_handle"].astype("string").str.lower()
    # NOTE: one Arrow hash lookup finds the few posts by a brand handle (on any platform); only
    # those need the exact (platform, handle) match. A million posts take milliseconds.
    arrow = pa.array(handle.array, type=pa.string())
    wanted = pa.array(sorted({h for _, h in lookup}), type=pa.string())
    rows = np.flatnonzero(pc.is_in(arrow, value_set=wanted).fill_null(False).to_numpy(zero_copy_only=False))
    platform = posts["platform"].astype("string").iloc[rows].to_numpy(dtype=object, na_value=None)
    codes = np.full(len(posts), -1)
    codes[rows] = [
        code_of.get(key, -1) for key in zip(platform, handle.iloc[rows].to_numpy(dtype=object), strict=True)
    ]
    return pd.Series(pd.array(names, dtype=pd.StringDtype()).take(codes, allow_fill=True), index=posts.index)
