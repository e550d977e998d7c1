"""Golden-file helper for importer tests.

``normalise_file`` runs a format's reader and normaliser over a fixture with a frozen
clock, like the store does but without writing anything; ``assert_golden`` compares
the result with ``<fixture>.expected.json``. Set ``REGENERATE_GOLDEN=1`` to rewrite
the expected files after a deliberate change (then review the diff before committing).
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from research.schema import ACCOUNTS, POSTS, row_values
from research.sources import get_format
from research.sources.base import Context, Rejected, Rows

FIXTURES = Path(__file__).resolve().parent / "fixtures"
CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
# Far from every fixture's dates, so a row that took the clock instead of its own time shows.
FROZEN_CLOCK = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


def context(fmt_name: str, options: Mapping[str, Any] | None = None) -> Context:
    fmt = get_format(fmt_name)
    return Context(fmt.source, FROZEN_CLOCK, dict(options or {}))


def normalise_file(fmt_name: str, path: Path, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Read and normalise a file; bad records become ``rejected`` entries, as in the store.

    Every record is deep-copied first and compared afterwards: normalisers must not
    mutate their input.
    """
    fmt = get_format(fmt_name)
    ctx = context(fmt_name, options)
    rows, rejected, records = Rows(), [], 0
    for item in fmt.read(path, ctx.options):
        if isinstance(item, Rejected):
            rejected.append({"line": item.line, "reason": item.reason})
            continue
        before = copy.deepcopy(item.data)
        try:
            rows.extend(fmt.normalize(item.data, ctx))
            records += 1
        except Exception as e:  # noqa: BLE001 - the store sets these aside the same way
            rejected.append({"line": item.line, "reason": str(e) or type(e).__name__})
        assert item.data == before, f"{fmt_name} normaliser mutated record at line {item.line}"
    # Every key a row has must be a column (a misspelt one would silently be NULL).
    for table, made in (("posts", rows.posts), ("accounts", rows.accounts)):
        list(map(row_values(table), made))
    return {"records": records, "posts": rows.posts, "accounts": rows.accounts, "rejected": rejected}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in sorted(value.items())}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _full(rows: list[dict], columns) -> list[dict]:
    # Every schema column, as the stored table will have it: a key a normaliser left out is NULL.
    return [{c.name: row.get(c.name, [] if c.kind == "list" else None) for c in columns} for row in rows]


def as_golden(result: Mapping[str, Any]) -> dict[str, Any]:
    """The result as plain JSON data, rows sorted by key so reading order does not matter."""
    posts = _plain(_full(result["posts"], POSTS))
    accounts = _plain(_full(result["accounts"], ACCOUNTS))
    return {
        "records": result["records"],
        "posts": sorted(posts, key=lambda r: (r["platform"], r["post_id"] or "", r["collected_at"] or "")),
        "accounts": sorted(
            accounts, key=lambda r: (r["platform"], r["account_id"] or "", r["collected_at"] or "")
        ),
        "rejected": _plain(result["rejected"]),
    }


def assert_golden(result: Mapping[str, Any], expected_path: Path) -> dict[str, Any]:
    actual = as_golden(result)
    text = json.dumps(actual, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if os.environ.get("REGENERATE_GOLDEN") == "1":
        expected_path.write_text(text, encoding="utf-8")
    assert expected_path.exists(), f"{expected_path.name} is missing; REGENERATE_GOLDEN=1 writes it"
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    assert actual == expected, f"output differs from {expected_path.name}; REGENERATE_GOLDEN=1 rewrites it"
    return actual


def check_fixture(fmt_name: str, fixture: Path, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Normalise ``fixture`` and compare with ``<fixture stem>.expected.json`` beside it."""
    expected = fixture.with_name(fixture.name.split(".")[0] + ".expected.json")
    return assert_golden(normalise_file(fmt_name, fixture, options), expected)
