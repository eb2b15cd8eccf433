"""Many rows in one statement, inside the caller's unit of work: what a batch (the sweep, the outbox, an
import) writes at its end.

On PostgreSQL the rows travel as one array per column and the statement unnests them: one statement and as
many parameters as columns, whatever the number of rows. executemany would send one statement per row
(psycopg 3), and a multi-row VALUES with thousands of placeholders costs more to parse than to run.
SQLite runs in this process, where executemany is already the fast way.
"""
from __future__ import annotations

import json
from typing import Any, cast

from sqlalchemy import (
    JSON,
    CursorResult,
    Subquery,
    Table,
    Text,
    TypeDecorator,
    bindparam,
    func,
    insert,
    select,
    update,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.dialects.postgresql import ARRAY

from ..extensions import db


def insert_many(table: Table, rows: list[dict[str, Any]]) -> None:
    """Rows of one table, every one with the same keys: INSERT … SELECT unnest(…) on PostgreSQL."""
    if not rows:
        return
    if db.engine.dialect.name != "postgresql":
        db.session.execute(insert(table), rows)
        return
    columns = [table.c[name] for name in rows[0]]
    source = as_rows(table, rows)
    db.session.execute(insert(table).from_select(columns, select(*(source.c[c.name] for c in columns))))


def update_many(table: Table, rows: list[dict[str, Any]], *, where: tuple[str, ...] = ("id",),
                also: dict[str, Any] | None = None) -> int:
    """For each row: UPDATE `table` SET its other keys (and `also`, SQL expressions) WHERE its `where` keys
    match; every row has the same keys. How many rows changed (fewer than given: one no longer matched).
    One statement on PostgreSQL (the table joined to the rows as arrays); executemany on SQLite."""
    if not rows:
        return 0
    changed = [key for key in rows[0] if key not in where]
    if db.engine.dialect.name == "postgresql":
        given = as_rows(table, rows)
        statement = (update(table).where(*(table.c[key] == given.c[key] for key in where))
                     .values({**{key: given.c[key] for key in changed}, **(also or {})}))
        return cast(CursorResult[object], db.session.execute(statement)).rowcount or 0
    # Parameters named apart from the columns: SQLAlchemy reserves a column's own name in UPDATE … SET.
    statement = (update(table).where(*(table.c[key] == bindparam(f"p_{key}") for key in where))
                 .values({**{key: bindparam(f"p_{key}") for key in changed}, **(also or {})}))
    result = db.session.execute(statement, [{f"p_{k}": v for k, v in row.items()} for row in rows])
    return cast(CursorResult[object], result).rowcount or 0


def as_rows(table: Table, rows: list[dict[str, Any]], name: str = "given") -> Subquery:
    """PostgreSQL: `rows` as a derived table (one unnested array per key, typed as `table`'s column of that
    name), to join an UPDATE to or to INSERT from in one statement with as many parameters as columns.
    A key with the same value in every row (an email's status, an event's kind) goes once, not once a row:
    the driver escapes every string of an array, which costs more than the statement."""
    keys = list(rows[0])
    varying = [key for key in keys if any(row[key] != rows[0][key] for row in rows)] or keys[:1]

    def parameter(key: str, value: Any) -> Any:
        kind = table.c[key].type
        if isinstance(kind, JSON) or isinstance(getattr(kind, "impl", None), JSON):
            # psycopg would read a JSON list as one more dimension of the array: the documents go as text.
            cleaned = kind.process_bind_param if isinstance(kind, TypeDecorator) else (lambda v, _: v)
            if key in varying:
                texts = [json.dumps(cleaned(v, db.engine.dialect)) for v in value]
                return sql_cast(bindparam(None, texts, type_=ARRAY(Text)), ARRAY(JSON))
            return sql_cast(bindparam(None, json.dumps(cleaned(value, db.engine.dialect)), type_=Text), JSON)
        if key in varying:
            return sql_cast(bindparam(None, value, type_=ARRAY(kind)), ARRAY(kind))
        return sql_cast(bindparam(None, value, type_=kind), kind)

    return select(*(func.unnest(parameter(key, [row[key] for row in rows])).label(key) if key in varying
                    else parameter(key, rows[0][key]).label(key) for key in keys)).subquery(name)
