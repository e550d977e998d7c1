"""Single values as the schema holds them: ids as strings, times as UTC, accounts' keys."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from research.errors import SchemaError

# --- scalar coercion used by importers --------------------------------------------------------

_INT_ID = re.compile(r"^-?\d+$")
# Python parses at most 6 fractional digits; Bluesky writes up to 9.
_EXTRA_FRACTION = re.compile(r"(\.\d{6})\d+")
_FLOATY_ID = re.compile(r"^-?\d+(\.\d+)?[eE][+-]?\d+$|^-?\d+\.0+$")


def account_keys(platform: pd.Series, handle: pd.Series, account_id: pd.Series | None = None) -> pd.Series:
    """The one key of an account: ``"<platform>:<handle>"``, else ``"<platform>:id:<account id>"``.

    Handles are compared lower-case without '@', so one person is one key whichever way a
    source wrote the handle; NA where neither a handle nor an id is known.

    Examples
    --------
    >>> account_keys(pd.Series(["twitter", "twitter"]), pd.Series(["@Ann", None]), pd.Series(["7", "9"])).tolist()
    ['twitter:ann', 'twitter:id:9']
    """
    platform = platform.astype("string")
    keys = platform + ":" + handle.astype("string").str.lower().str.lstrip("@")
    if account_id is None:
        return keys
    return keys.fillna(platform + ":id:" + account_id.astype("string"))


def as_id(value: object, *, field: str = "id") -> str | None:
    """Return an id as a string, or None for a missing one.

    Refuses floats: an 18-digit id stored as a float (``5.70306e+17`` or
    ``570306000000000000.0``) has lost its last digits and would silently join
    the wrong rows.

    >>> as_id(1234567890123456789)
    '1234567890123456789'
    >>> as_id("at://did:plc:abc/app.bsky.feed.post/3k")
    'at://did:plc:abc/app.bsky.feed.post/3k'
    """
    kind = type(value)
    if kind is str and value and not (value[0].isspace() or value[-1].isspace() or _FLOATY_ID.match(value)):
        return value  # the common case (nothing to strip, not a float), answered before the checks below
    if kind is int:
        return str(value)
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    if isinstance(value, bool):
        raise SchemaError(f"{field}: {value!r} is a boolean, not an id", column=field)
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        raise SchemaError(
            f"{field}: {value!r} is a number with a decimal point or exponent; ids must be "
            "stored as text or integers (long ids lose their last digits as floats)",
            column=field,
        )
    text = str(value).strip()
    if not text:
        return None
    if _FLOATY_ID.match(text):
        raise SchemaError(
            f"{field}: {text!r} looks like an id mangled into a float (e.g. by Excel); "
            "its last digits are lost, so it is refused; export ids as text",
            column=field,
        )
    return text


def to_utc(value: object, *, field: str = "created_at", assume_tz: str | None = None) -> datetime | None:
    """Parse a timestamp into a tz-aware UTC ``datetime``.

    Accepts ``datetime``, ISO 8601 strings (``Z`` or offsets) and Unix seconds.
    A naive value is refused unless ``assume_tz`` declares its zone.

    >>> to_utc("2021-09-07T10:00:00+10:00").isoformat()
    '2021-09-07T00:00:00+00:00'
    """
    if type(value) is str:
        # The common case first: an ISO 8601 string with its offset, which Python >= 3.11
        # reads as _parse_iso does (``Z``, more than 6 fractional digits); failures go below.
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            pass
        else:
            if parsed.tzinfo is not None:
                return parsed.astimezone(UTC)
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.fromtimestamp(float(value), tz=UTC)
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        parsed = _parse_iso(text)
        if isinstance(parsed, str):
            raise SchemaError(f"{field}: {parsed!r} is not an ISO 8601 timestamp", column=field)
        value = parsed
    if not isinstance(value, datetime):
        raise SchemaError(f"{field}: {value!r} is not a timestamp", column=field)
    if value.tzinfo is None:
        if assume_tz is None:
            raise SchemaError(
                f"{field}: {value.isoformat()!r} has no timezone; declare the zone the source "
                "uses (e.g. --timezone UTC) instead of guessing",
                column=field,
            )
        value = value.replace(tzinfo=ZoneInfo(assume_tz))
    return value.astimezone(UTC)


@lru_cache(maxsize=1 << 16)
def _parse_iso(text: str) -> datetime | str:
    """``datetime.fromisoformat`` after the fixes ``to_utc`` applies; the fixed text if it fails.

    Cached: importers see the same stamps again and again (profiles' creation times,
    collection times), and a datetime is immutable, so sharing one is safe.
    """
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    if "." in text and _EXTRA_FRACTION.search(text):
        text = _EXTRA_FRACTION.sub(_six_digits, text)
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return text


def _six_digits(match: re.Match) -> str:
    return match.group(1)
