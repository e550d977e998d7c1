"""The canonical tables: ``posts`` and ``accounts``, declared once.

Every importer and collector produces rows of these tables; every analysis reads
them. Column lists, dtypes and ``docs/schema.md`` are all derived from the
declarations below, never retyped.

Conventions that the rest of the package relies on:

- ids are strings, always (an 18-digit id that went through a float has lost its
  last digits, so floats are refused, not converted);
- timestamps are tz-aware UTC; a naive timestamp is refused unless the caller
  declares its zone;
- counts are nullable ``Int64``: NULL means "this source does not provide it",
  0 means zero;
- list columns hold Python lists of strings (empty list, never NULL).
"""

from research.schema.arrow import (
    UnknownColumn,
    arrow_schema,
    canonical_table,
    frame_table,
    from_arrow,
    row_values,
    rows_table,
    values_table,
)
from research.schema.columns import (
    ACCOUNT_COLUMNS,
    ACCOUNTS,
    COUNT_COLUMNS,
    MEDIA_TYPES,
    PLATFORMS,
    POST_COLUMNS,
    POSTS,
    Column,
    Platform,
)
from research.schema.frames import (
    accounts_frame,
    conform,
    empty_accounts,
    empty_posts,
    posts_frame,
    validate,
    violations,
)
from research.schema.values import account_keys, as_id, to_utc

__all__ = [
    "Platform",
    "PLATFORMS",
    "MEDIA_TYPES",
    "Column",
    "POSTS",
    "ACCOUNTS",
    "POST_COLUMNS",
    "ACCOUNT_COLUMNS",
    "COUNT_COLUMNS",
    "posts_frame",
    "accounts_frame",
    "empty_posts",
    "empty_accounts",
    "conform",
    "from_arrow",
    "arrow_schema",
    "canonical_table",
    "rows_table",
    "row_values",
    "UnknownColumn",
    "values_table",
    "frame_table",
    "violations",
    "validate",
    "as_id",
    "account_keys",
    "to_utc",
]
