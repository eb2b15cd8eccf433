"""`column IN (…)` for names the code declares (case types, workflow states, event kinds), written into the
statement's text.

A list of values is otherwise bound as one "expanding" parameter, which SQLAlchemy turns into a placeholder per
value on every execution: the statement's text is built again each time (about 5 % of a page's CPU, a
dozen such lists a page). Declared names are the same on every execution, so they belong in the compiled,
cached text. Never for input: the names are checked to be plain identifiers and nothing else is accepted.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from sqlalchemy import false, literal_column
from sqlalchemy.sql.elements import ColumnElement

_DECLARED_NAME = re.compile(r"[a-z][a-z0-9_]*")


def one_of_declared(column: Any, names: Iterable[str]) -> ColumnElement[bool]:
    """True where `column` holds one of `names` (false for none: `IN ()` is no SQL)."""
    chosen = sorted(set(names))
    if bad := [name for name in chosen if not _DECLARED_NAME.fullmatch(name)]:
        raise ValueError(f"not a declared name: {bad!r}")
    if not chosen:
        return false()
    return column.in_([literal_column(f"'{name}'", column.type) for name in chosen])
