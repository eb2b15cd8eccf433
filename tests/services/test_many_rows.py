"""many_rows: many rows in one statement, read back exactly as the session would have written them."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from layani_flow.extensions import db
from layani_flow.models import Case, CaseEvent
from layani_flow.services import cases
from layani_flow.services.db import unit_of_work
from layani_flow.services.many_rows import insert_many, update_many

from .helpers import KGB

AT = dt.datetime(2026, 11, 25, 3, 0, tzinfo=dt.UTC)


def test_inserted_rows_keep_their_json_lists_dates_nulls_and_lose_nul_characters(office):
    case = cases.open_case("service_request", KGB, office.employee).case
    rows = [{"case_id": case.id, "at": AT + dt.timedelta(minutes=i), "kind": "sla_warning", "actor_id": None,
             "actor_label": "Sistem", "trigger": None, "from_state": None, "to_state": None,
             "comment": f"baris\x00 {i}", "data": {"to": ["a", "b"], "level": i, "none": None}, "is_internal": False}
            for i in range(3)]
    with unit_of_work():
        insert_many(CaseEvent.__table__, rows)
    written = db.session.scalars(select(CaseEvent).where(CaseEvent.kind == "sla_warning")
                                 .order_by(CaseEvent.at)).all()
    assert [(e.at, e.comment, e.data, e.trigger) for e in written] == [
        (AT + dt.timedelta(minutes=i), f"baris {i}", {"to": ["a", "b"], "level": i, "none": None}, None)
        for i in range(3)]


def test_updated_rows_count_only_those_whose_condition_still_holds(office):
    filed = [cases.open_case("service_request", KGB, office.employee).case for _ in range(3)]
    versions = {c.id: c.version for c in filed}
    table = Case.__table__
    rows = [{"id": c.id, "version": versions[c.id] + (1 if i == 2 else 0), "next_deadline_at": AT}
            for i, c in enumerate(filed)]
    with unit_of_work():
        changed = update_many(table, rows, where=("id", "version"), also={"version": table.c.version + 1})
    assert changed == 2
    after = {c.id: (c.version, c.next_deadline_at) for c in db.session.scalars(select(Case)).all()}
    assert after[filed[0].id] == (versions[filed[0].id] + 1, AT)
    assert after[filed[2].id][0] == versions[filed[2].id]  # its version had moved on: left alone
    assert update_many(table, []) == 0


def test_rows_alike_in_every_key_are_each_written(office):
    """Keys with one value for all rows are sent once; rows alike in every key are still as many rows."""
    case = cases.open_case("service_request", KGB, office.employee).case
    row = {"case_id": case.id, "at": AT, "kind": "sla_warning", "actor_id": None, "actor_label": "Sistem",
           "trigger": None, "from_state": None, "to_state": None, "comment": "sama", "data": {"to": ["a"]},
           "is_internal": False}
    with unit_of_work():
        insert_many(CaseEvent.__table__, [row, dict(row), dict(row)])
    written = db.session.scalars(select(CaseEvent).where(CaseEvent.kind == "sla_warning")).all()
    assert [(e.comment, e.data, e.at) for e in written] == [("sama", {"to": ["a"]}, AT)] * 3
