"""Where data lives: append-only raw runs, the canonical Parquet tables derived from them
(``store``), and the pseudonymisation applied when they are loaded (``privacy``)."""

from research.store.partial import PartialRun
from research.store.store import (
    ImportReport,
    Store,
    atomic_write_parquet,
    check_client,
    dedupe,
)

__all__ = [
    "Store",
    "ImportReport",
    "PartialRun",
    "atomic_write_parquet",
    "dedupe",
    "check_client",
]
