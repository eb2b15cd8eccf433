"""The migrations build exactly the schema the models declare, and walk down and up again."""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from layani_flow import create_app
from layani_flow.extensions import db as _db
from layani_flow.models.search import is_search_machinery


def schema_diff(engine) -> list:
    with engine.connect() as conn:
        # The full-text machinery beside case_search_texts is per dialect and not in the models.
        context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True,
                                                         "include_name": lambda name, *_: not is_search_machinery(name)})
        return compare_metadata(context, _db.metadata)


@pytest.fixture
def empty_app(tmp_path):
    """An app on a database nobody has migrated yet."""
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'e.sqlite'}",
                      "UPLOAD_FOLDER": str(tmp_path / "uploads")})
    with app.app_context():
        yield app
        _db.session.remove()
        _db.engine.dispose()


def test_the_migrated_template_matches_the_models(app, db):
    assert schema_diff(db.engine) == []


def test_upgrade_from_empty_then_down_to_base_and_up_again(empty_app):
    engine = _db.engine
    assert inspect(engine).get_table_names() == []
    upgrade()
    assert schema_diff(engine) == []
    tables = set(inspect(engine).get_table_names())
    assert {t.name for t in _db.metadata.sorted_tables} <= tables
    downgrade(revision="base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade()
    assert schema_diff(engine) == []
    assert set(inspect(engine).get_table_names()) == tables


def test_every_migration_has_a_dated_file_name():
    import re
    from pathlib import Path

    import layani_flow

    versions = Path(layani_flow.__file__).parent / "migrations" / "versions"
    names = [p.name for p in versions.glob("*.py")]
    assert names
    for name in names:
        assert re.match(r"^\d{8}_\d{4}_[0-9a-f]+_\w+\.py$", name), name


BEFORE_REGISTRY_CHECK = "559a81231f22"
NOW = "2026-11-25 02:00:00+00:00"


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


def test_dropping_the_case_type_check_keeps_rows_timeline_and_the_other_checks(empty_app):
    """Migration 7c1e5a9b3d20 drops the CHECK that listed the case types (the registry says which exist). On
    SQLite that rebuilds `cases`, which other tables reference: the rows, the timeline and the other CHECKs
    come through, and foreign keys are enforced again afterwards."""
    engine = _db.engine
    upgrade(revision=BEFORE_REGISTRY_CHECK)
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
    downgrade(revision=BEFORE_REGISTRY_CHECK)
    with engine.connect() as conn:
        schema = conn.execute(text("SELECT sql FROM sqlite_master WHERE name = 'cases'")).scalar()
        assert conn.execute(text("SELECT count(*) FROM case_events WHERE case_id = 7")).scalar() == 1
    assert "case_type_known" in schema
