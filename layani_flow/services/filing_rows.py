"""A case filed in this unit of work gets its number: its row, its first events and its clocks written now.

The first thing that needs the number (the receipt, the approver's request, the search row) calls `write`.
For a plain filing (the case, its events, its clocks, nothing else pending) the rows go in by three Core
INSERTs and the objects are then attached to the session as if just loaded: through the unit of work the same
rows cost a flush that was a third of a filing's CPU, mostly the ORM's bookkeeping (docs/performance.md, "3
December (morning)"). Anything else pending (a booked slot, someone else's row, a document attached before the
number was needed) and the session's own flush writes it all, as it always did; documents filed with the case
come after its number and go in with the commit's flush.

Until then the case stays out of the session (`track` leaves its events and clocks with it): putting the four
objects in and taking them out again for the INSERTs cost a twentieth of a filing.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import Column, Insert, Table, UniqueConstraint, insert
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import make_transient_to_detached

from ..extensions import db
from ..models import Case
from ..models.cases import named_case_id


def track(obj: Any, case: Case) -> None:
    """Put a new row of the case (an event, a clock) in the session, or leave it with a case still being filed:
    `write` brings them in together."""
    if sa_inspect(case).has_identity or case in db.session:
        db.session.add(obj)


def write(case: Case) -> None:
    """Write a case filed in this unit of work (flush semantics: the caller's transaction commits it)."""
    if sa_inspect(case).has_identity:
        return
    session = db.session
    events, clocks = list(case.events), list(case.clocks)
    mine = {case, *events, *clocks}
    pending = set(session.new)
    if not pending <= mine or not all(_shape(type(obj)).plain for obj in mine):
        session.add(case)
        session.flush()
        return
    for obj in pending:
        session.expunge(obj)  # transient again, with every attribute and collection it was given
    case.version = 1  # what the ORM's version counter starts at
    row = _row(case)
    statement = _shape(Case).insert
    if case.id is None:  # a named case: numbered by the database (an anonymous one brings its random id)
        del row["id"]
        statement = _numbering_insert(db.engine.dialect.name)
    case.id = session.execute(statement, row).scalar_one()
    for objects in (events, clocks):
        for obj in objects:
            obj.case_id = case.id
        _insert_with_ids(objects)
    for obj in mine:
        make_transient_to_detached(obj)
    session.add(case)  # only once all are detached: it cascades to the case's events and clocks


@lru_cache(maxsize=2)
def _numbering_insert(dialect_name: str) -> Insert:
    numbered = named_case_id(dialect_name)
    return _shape(Case).insert if numbered is None else _shape(Case).insert.values(id=numbered)


def _insert_with_ids(objects: list[Any]) -> None:
    if not objects:
        return
    shape = _shape(type(objects[0]))
    rows = [_row(obj) for obj in objects]
    for row in rows:
        del row["id"]
    if len(rows) > 1 and shape.keyed_insert is not None:
        # One statement for all (SQLite cannot promise RETURNING's order, and would send one per row for
        # insert_in_order): each new id is found by the row's key within its case.
        ids = {tuple(found[1:]): found[0] for found in db.session.execute(shape.keyed_insert, rows)}
        for obj in objects:
            obj.id = ids[tuple(getattr(obj, key) for key in shape.key)]
        return
    for obj, new_id in zip(objects, db.session.execute(shape.insert_in_order, rows).scalars().all(), strict=True):
        obj.id = new_id


def _row(obj: Any) -> dict[str, Any]:
    """The object's column values, each column it was not given set to its default on the object too (an
    attribute left out would be expired once attached, and read back with a SELECT)."""
    values = obj.__dict__
    row: dict[str, Any] = {}
    for key, column in _shape(type(obj)).columns:
        if key not in values and not column.primary_key:
            default: Any = column.default  # a ColumnDefault: .arg is its value, or a function of the context
            value = None if default is None else default.arg(None) if default.is_callable else default.arg
            setattr(obj, key, value)
        row[column.key] = values.get(key)
    return row


@dataclass(frozen=True)
class _Shape:
    columns: tuple[tuple[str, Column[Any]], ...]  # (attribute, column)
    plain: bool  # every column filled from Python: none whose value only the database knows
    insert: Insert  # … RETURNING id
    insert_in_order: Insert  # … RETURNING id, in the order of the rows given
    key: tuple[str, ...]  # what tells the table's rows of one case apart (a unique constraint with case_id), if anything
    keyed_insert: Insert | None  # … RETURNING id and the key


_shapes: dict[type, _Shape] = {}


def _shape(model: type) -> _Shape:
    if (shape := _shapes.get(model)) is None:
        mapper: Any = sa_inspect(model)
        columns = tuple((prop.key, prop.columns[0]) for prop in mapper.column_attrs)
        plain = all(column.server_default is None and (column.default is None or column.default.is_scalar
                                                       or column.default.is_callable) for _, column in columns)
        table = cast(Table, mapper.local_table)
        key = _key_within_case(table)
        shape = _shapes[model] = _Shape(columns, plain, insert(table).returning(table.c.id),
                                        insert(table).returning(table.c.id, sort_by_parameter_order=True), key,
                                        insert(table).returning(table.c.id, *(table.c[k] for k in key)) if key else None)
    return shape


def _key_within_case(table: Table) -> tuple[str, ...]:
    for constraint in table.constraints:
        if isinstance(constraint, UniqueConstraint) and "case_id" in (names := constraint.columns.keys()):
            return tuple(name for name in names if name != "case_id")
    return ()
