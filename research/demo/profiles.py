"""An earlier look at the brand profiles: a twarc2 ``users`` lookup line, as ``twarc2 users`` writes it.

The tweets carry every profile as it was when the demo's files were observed (the import's
``observed_at``); this file observed the four twitter brand profiles at the period's start, with
fewer followers (truth 11). twarc stamps each response with ``__twarc.retrieved_at``, which the
importer takes as the observation time, so the account history holds both observations.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from .market import _BRANDS, _CUT_MS, _FOLLOWER_GROWTH, _PROFILES_AT

_TWARC = "2.14.0"
_FIELDS = "created_at,description,location,public_metrics,verified"


def _earlier(profile: dict, brand_rows: list[tuple]) -> dict:
    """The profile's counts at the period's start: followers before the planted growth, fewer posts."""
    posted = sum(
        1 for row in brand_rows if row[0] == "twitter" and row[4] == profile["brand"] and row[1] >= _CUT_MS
    )
    return {
        "followers": round(profile["followers"] / _FOLLOWER_GROWTH[profile["brand"]]),
        "following": profile["following"] - 4 * (profile["brand"] + 1),
        "posts": profile["posts"] - posted,
    }


def _twarc_profiles(profiles: list[dict], brand_rows: list[tuple]) -> tuple[str, dict]:
    """The lookup line (JSON, one line) and, per handle, the counts it gives."""
    data, counts = [], {}
    for p in profiles:
        before = counts[p["handle"]] = _earlier(p, brand_rows)
        created = datetime.fromtimestamp(p["created_ms"] / 1000, tz=UTC)
        data.append(
            {
                "created_at": created.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                "description": _BRANDS[p["brand"]].bio,
                "id": str(p["id"]),
                "location": "Pune, India",
                "name": p["name"],
                "public_metrics": {
                    "followers_count": before["followers"],
                    "following_count": before["following"],
                    "tweet_count": before["posts"],
                    "listed_count": before["followers"] // 60,
                },
                "username": p["handle"],
                "verified": False,
            }
        )
    handles = "%2C".join(p["handle"] for p in profiles)
    line = {
        "data": data,
        "__twarc": {
            "url": f"https://api.twitter.com/2/users/by?usernames={handles}&user.fields={_FIELDS}",
            "version": _TWARC,
            "retrieved_at": _PROFILES_AT,
        },
    }
    return json.dumps(line, ensure_ascii=False) + "\n", counts
