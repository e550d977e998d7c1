"""What to collect: a :class:`Target` (an account or a hashtag) and a :class:`Query` (a window and a cap).

Both are recorded in a collector's checkpoint: a run resumes only a collection of the same
target and query.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from research.errors import ResearchError

__all__ = ["Target", "Query"]


@dataclass(frozen=True)
class Target:
    """What to collect: an account (handle without '@') or a hashtag (without '#')."""

    kind: Literal["account", "hashtag"]
    value: str
    instance: str | None = None  # the server, on platforms with many (Mastodon)

    @property
    def label(self) -> str:
        text = ("@" if self.kind == "account" else "#") + self.value
        return f"{text} on {self.instance}" if self.instance else text

    @property
    def slug(self) -> str:
        """A file-name-safe, unique name: ``account-brewbros``, ``hashtag-chai@mastodon.social``."""
        raw = self.value + (f"@{_host(self.instance)}" if self.instance else "")
        safe = re.sub(r"[^a-z0-9._@-]+", "_", raw.lower()).strip("._")
        if safe != raw.lower():  # non-Latin tags and odd handles keep apart by a hash
            safe += "-" + hashlib.sha1(raw.encode()).hexdigest()[:8]
        return f"{self.kind}-{safe}"

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "value": self.value, "instance": self.instance}


@dataclass(frozen=True)
class Query:
    """Which posts of a target: a time window (``since`` inclusive, ``until`` exclusive) and a cap."""

    since: datetime | None = None
    until: datetime | None = None
    max_posts: int | None = None

    @classmethod
    def from_dates(
        cls, since: date | None, until: date | None, *, max_posts: int | None = None, tz: str = "UTC"
    ) -> Query:
        """Whole days in ``tz``: from the start of ``since`` to the end of ``until``.

        >>> q = Query.from_dates(date(2026, 8, 1), date(2026, 8, 31), tz="Asia/Kolkata")
        >>> q.since.isoformat(), q.until.isoformat()
        ('2026-07-31T18:30:00+00:00', '2026-08-31T18:30:00+00:00')
        """
        if since and until and until < since:
            raise ResearchError(f"since {since} is after until {until}")
        if max_posts is not None and max_posts < 1:
            raise ResearchError(f"max posts must be at least 1 (got {max_posts})")
        zone = ZoneInfo(tz)

        def start(day: date | None) -> datetime | None:
            return datetime.combine(day, dtime(), zone).astimezone(UTC) if day else None

        return cls(start(since), start(until + timedelta(days=1)) if until else None, max_posts)

    def as_dict(self) -> dict[str, Any]:
        iso = lambda t: t.isoformat() if t else None  # noqa: E731
        return {"since": iso(self.since), "until": iso(self.until), "max_posts": self.max_posts}


def _host(instance: str) -> str:
    return re.sub(r"^[a-z]+://", "", instance.lower()).strip("/")
