"""Migration 7c1e5a9b3d20 drops the CHECK that listed the case types (the registry says which exist). On
SQLite that rebuilds `cases`, which other tables reference: the rows, the timeline and the other CHECKs
come through, and foreign keys are enforced again afterwards."""
from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from layani_flow import create_app
from layani_flow.extensions import db as _db

BEFORE = "559a81231f22"
NOW = "2026-11-25 02:00:00+00:00"


@pytest.fixture
def sqlite_app(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.sqlite'}",
                      "UPLOAD_FOLDER": str(tmp_path / "uploads")})
    with app.app_context():
        yield app
        _db.session.remove()
        _db.engine.dispose()


def _insert_a_case_with_its_timeline(conn) -> None:
    conn.execute(text(
        "INSERT INTO users (id, nip, name, email, unit, position, role, password_hash, is_active_account, created_at)"
        " VALUES (1, '198912032014031002', 'Andi', 'andi@example.org', '', '', 'employee', 'x', 1, :now)"),
        {"now": NOW})
    conn.execute(text(
        "INSERT INTO cases (id, case_type, service, title, state, version, fields, requester_id,"
        " is_other_party_involved, is_anonymous, created_at, updated_at)"
        " VALUES (7, 'complaint', NULL, 'Judul', 'submitted', 1, '{}', 1, 0, 0, :now, :now)"), {"now": NOW})
    conn.execute(text(
        "INSERT INTO case_events (case_id, at, actor_id, actor_label, kind, comment, data, is_internal)"
        " VALUES (7, :now, 1, 'Andi', 'created', '', '{}', 0)"), {"now": NOW})


def test_the_rebuild_keeps_rows_timeline_and_the_other_checks(sqlite_app):
    engine = _db.engine
    upgrade(revision=BEFORE)
    with engine.begin() as conn:
        _insert_a_case_with_its_timeline(conn)
    upgrade()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT case_type, title FROM cases WHERE id = 7")).one() == ("complaint", "Judul")
        assert conn.execute(text("SELECT count(*) FROM case_events WHERE case_id = 7")).scalar() == 1
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA foreign_key_check")).fetchall() == []
        schema = conn.execute(text("SELECT sql FROM sqlite_master WHERE name = 'cases'")).scalar()
    assert "case_type_known" not in schema
    for kept in ("anonymous_has_no_identity", "only_complaints_anonymous", "mediator_not_party", "parties_differ"):
        assert kept in schema, kept
    with pytest.raises(IntegrityError, match="only_complaints_anonymous"), engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO cases (case_type, service, title, state, version, fields, is_other_party_involved,"
            " is_anonymous, tracking_code_hash, created_at, updated_at)"
            " VALUES ('service_request', 'kgb', 'x', 'submitted', 1, '{}', 0, 1, 'h', :now, :now)"), {"now": NOW})
    with pytest.raises(IntegrityError), engine.begin() as conn:  # foreign keys are enforced again
        conn.execute(text("INSERT INTO case_events (case_id, at, actor_label, kind, comment, data, is_internal)"
                          " VALUES (999, :now, 'x', 'created', '', '{}', 0)"), {"now": NOW})
    downgrade(revision=BEFORE)
    with engine.connect() as conn:
        schema = conn.execute(text("SELECT sql FROM sqlite_master WHERE name = 'cases'")).scalar()
        assert conn.execute(text("SELECT count(*) FROM case_events WHERE case_id = 7")).scalar() == 1
    assert "case_type_known" in schema
