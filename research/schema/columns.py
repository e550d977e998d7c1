"""The canonical tables declared once: ``POSTS`` and ``ACCOUNTS`` columns, their kinds and meaning."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
import pandas as pd

Platform = Literal[
    "twitter", "bluesky", "mastodon", "telegram", "reddit", "facebook",
    "instagram", "vk", "youtube", "tiktok", "threads", "weibo",
]  # fmt: skip
PLATFORMS: tuple[str, ...] = get_args(Platform)

MEDIA_TYPES = ("text", "photo", "video", "gif", "link", "poll", "album", "audio", "document", "other")

Kind = Literal["string", "timestamp", "count", "list", "bool"]

# NOTE: microsecond resolution: what Parquet and the platforms carry; avoids the
# 2262 overflow of nanoseconds and keeps round trips exact.
TIMESTAMP_DTYPE = pd.DatetimeTZDtype("us", "UTC")
_DTYPES: dict[str, object] = {
    "string": pd.StringDtype(),
    "timestamp": TIMESTAMP_DTYPE,
    "count": pd.Int64Dtype(),
    "list": np.dtype(object),
    "bool": pd.BooleanDtype(),
}


@dataclass(frozen=True)
class Column:
    """One column of a canonical table."""

    name: str
    kind: Kind
    doc: str
    key: bool = False  # part of the table's primary key: never NULL

    @property
    def dtype(self) -> object:
        return _DTYPES[self.kind]


POSTS: tuple[Column, ...] = (
    Column("platform", "string", "Platform the post lives on: one of PLATFORMS.", key=True),
    Column("post_id", "string", "Platform id of the post, always a string (never a float).", key=True),
    Column("url", "string", "Permalink where known."),
    Column("author_id", "string", "Author's platform id (user id, DID, channel id)."),
    Column("author_handle", "string", "Author's handle without '@', lower-cased."),
    Column("author_name", "string", "Author's display name as the platform gives it."),
    Column("created_at", "timestamp", "When the post was published, UTC."),
    Column("text", "string", "Full text as posted (untrusted: escape before display)."),
    Column("lang", "string", "BCP-47 language code, platform-given or detected; NULL if unknown."),
    Column("hashtags", "list", "Hashtags in the post, lower-cased, without '#'."),
    Column("mentions", "list", "Handles mentioned in the post, lower-cased, without '@'."),
    Column("urls", "list", "Expanded links in the post."),
    Column("media_type", "string", "text, photo, video, gif, link, poll, album, audio, document or other."),
    Column("likes", "count", "Likes/favourites/reactions at collected_at; NULL if not provided."),
    Column("reposts", "count", "Reposts/retweets/shares/boosts at collected_at; NULL if not provided."),
    Column("replies", "count", "Replies/comments at collected_at; NULL if not provided."),
    Column("quotes", "count", "Quote posts at collected_at; NULL if not provided."),
    Column("views", "count", "Views/impressions at collected_at; NULL if not provided."),
    Column("saves", "count", "Bookmarks/saves at collected_at; NULL if not provided."),
    Column("reply_to_post_id", "string", "Id of the post this one replies to."),
    Column("reply_to_author_id", "string", "Author id of the post this one replies to."),
    Column("repost_of_post_id", "string", "Id of the post this one reposts (retweet, boost, share)."),
    Column("repost_of_author_id", "string", "Author id of the reposted post."),
    Column("quote_of_post_id", "string", "Id of the post this one quotes."),
    Column("quote_of_author_id", "string", "Author id of the quoted post."),
    Column("source", "string", "Importer or collector name and version that produced the row."),
    Column("collected_at", "timestamp", "When the counts were observed, UTC."),
)

ACCOUNTS: tuple[Column, ...] = (
    Column("platform", "string", "Platform of the account: one of PLATFORMS.", key=True),
    Column("account_id", "string", "Platform id of the account, always a string.", key=True),
    Column("handle", "string", "Handle without '@', lower-cased."),
    Column("name", "string", "Display name."),
    Column("followers", "count", "Followers/subscribers at collected_at; NULL if not provided."),
    Column("following", "count", "Accounts followed at collected_at; NULL if not provided."),
    Column("posts_count", "count", "Posts published by the account at collected_at; NULL if not provided."),
    Column("created_at", "timestamp", "When the account was created, UTC."),
    Column("verified", "bool", "Platform verification mark; NULL if not provided."),
    Column("description", "string", "Profile description (untrusted text)."),
    Column("location", "string", "Free-text location from the profile."),
    Column("source", "string", "Importer or collector name and version that produced the row."),
    Column("collected_at", "timestamp", "When the profile was observed, UTC."),
)

POST_COLUMNS: list[str] = [c.name for c in POSTS]
ACCOUNT_COLUMNS: list[str] = [c.name for c in ACCOUNTS]
COUNT_COLUMNS: list[str] = [c.name for c in POSTS if c.kind == "count"]
_TABLES = {"posts": POSTS, "accounts": ACCOUNTS}
