"""What a format's records look like: to tell a record of the wrong shape (bad data) from a bug.

A normaliser reads nested JSON with ``.get``, iteration and string methods. Given a record
of the wrong shape (a list where the user object should be, a number where a hashtag's
text should be) those raise ``TypeError`` or ``AttributeError``, which are also what a bug
raises. Each format therefore declares the shape of what its normaliser reads, and
``shaped(normalize, SHAPE)`` is the normaliser the format uses: when the plain one raises
``TypeError``/``AttributeError``, the record is checked against the shape, and

- if it breaks the shape, the error becomes a ``RecordError`` naming where and what
  (``user.username: expected text, got a list``): the record is set aside;
- if it fits the shape, the error is a bug and propagates: the import stops.

The check runs only after such an error, so records of the right shape cost nothing.

A shape is plain Python: a type or tuple of types (``str``, ``(str, int)``, ``SCALAR``) for a
value; ``{key: shape}`` for an object whose listed keys, where present, have those shapes
(other keys are not read); ``[shape]`` for a list of items of one shape; ``ANY``; ``OneOf``
of several; ``Pick(function)`` for a shape chosen by the value (a ``_type`` field, say); ``Each(shape)``
for an object all of whose values have one shape (a table row).
``None`` fits every shape except ``Must(shape)``: normalisers read missing and null alike.

>>> USER = {"id": SCALAR, "username": str}
>>> SHAPE = {"id": SCALAR, "user": Must(USER), "hashtags": [str]}
>>> violation({"id": 1, "user": {"username": ["ann"]}}, SHAPE)
'user.username: expected text, got a list'
>>> violation({"id": 1, "user": None}, SHAPE)
'user: expected an object, got null'
>>> violation({"id": 1, "user": {}, "hashtags": ["chai", 5]}, SHAPE) is None
False
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from research.errors import RecordError

__all__ = ["ANY", "SCALAR", "NUMBER", "Must", "OneOf", "Pick", "Each", "violation", "shaped"]

ANY = object()
NUMBER = (int, float)
SCALAR = (str, int, float, bool)  # what can be a key, a hashtag, an id: not a list or an object


@dataclass(frozen=True)
class Must:
    """Like ``shape``, but null (or missing, where the normaliser indexes it) does not fit."""

    shape: Any


class OneOf:
    """Fits when any of the shapes fits."""

    def __init__(self, *shapes: Any):
        self.shapes = shapes


@dataclass(frozen=True)
class Each:
    """An object (a table row, say) every value of which has ``shape``."""

    shape: Any


@dataclass(frozen=True)
class Pick:
    """The shape ``choose(value)`` gives (None: anything fits)."""

    choose: Callable[[Any], Any]


_NAMES = {dict: "an object", list: "a list", str: "text", int: "a number", float: "a number",
          bool: "true or false", type(None): "null"}  # fmt: skip


def _name(value: Any) -> str:
    return _NAMES.get(type(value), type(value).__name__)


def _expected(shape: Any) -> str:
    if isinstance(shape, dict):
        return "an object"
    if isinstance(shape, list):
        return "a list"
    types = shape if isinstance(shape, tuple) else (shape,)
    if set(types) <= {int, float}:
        return "a number"
    if types == (str,):
        return "text"
    return "text, a number or true/false"


def violation(value: Any, shape: Any, where: str = "") -> str | None:
    """Where and how ``value`` breaks ``shape`` (the first place found), or None if it fits."""
    here = where or "the record"
    if isinstance(shape, Must):
        if value is None:
            return f"{here}: expected {_expected(shape.shape)}, got null"
        shape = shape.shape
    if shape is ANY or value is None:
        return None
    if isinstance(shape, Pick):
        chosen = shape.choose(value)
        return violation(value, chosen, where) if chosen is not None else None
    if isinstance(shape, Each):
        if not isinstance(value, dict):
            return f"{here}: expected an object, got {_name(value)}"
        for key, inner in value.items():
            problem = violation(inner, shape.shape, f"{where}.{key}" if where else str(key))
            if problem:
                return problem
        return None
    if isinstance(shape, OneOf):
        found = [violation(value, s, where) for s in shape.shapes]
        return None if None in found else found[0]
    if isinstance(shape, dict):
        if not isinstance(value, dict):
            return f"{here}: expected an object, got {_name(value)}"
        for key, inner in shape.items():
            if key in value or isinstance(inner, Must):
                problem = violation(value.get(key), inner, f"{where}.{key}" if where else str(key))
                if problem:
                    return problem
        return None
    if isinstance(shape, list):
        if not isinstance(value, list):
            return f"{here}: expected a list, got {_name(value)}"
        for i, item in enumerate(value):
            problem = violation(item, shape[0], f"{where}[{i}]")
            if problem:
                return problem
        return None
    types = shape if isinstance(shape, tuple) else (shape,)
    if isinstance(value, bool) and bool not in types:
        return f"{here}: expected {_expected(shape)}, got true or false"
    if not isinstance(value, types):
        return f"{here}: expected {_expected(shape)}, got {_name(value)}"
    return None


def shaped(normalize: Callable[[Any, Any], Any], shape: Any) -> Callable[[Any, Any], Any]:
    """``normalize``, with its TypeError/AttributeError on a record that breaks ``shape`` as a RecordError."""

    @functools.wraps(normalize)
    def checked(record: Any, ctx: Any) -> Any:
        try:
            return normalize(record, ctx)
        except (TypeError, AttributeError):
            problem = violation(record, Must(shape))
            if problem is None:
                raise  # the record has the shape the normaliser reads: a bug
            raise RecordError(problem) from None

    return checked
