"""Migration 3f8d2c61a7b4 backfills the search rows of the cases already there, and walks down cleanly."""
from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from layani_flow.extensions import db as _db

from .test_migrations import NOW, empty_app  # noqa: F401  (the fixture)

BEFORE_SEARCH = "7c1e5a9b3d20"


def test_existing_cases_are_found_after_the_upgrade_and_the_machinery_goes_on_downgrade(empty_app):  # noqa: F811
    engine = _db.engine
    upgrade(revision=BEFORE_SEARCH)
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO users (id, nip, name, email, unit, position, role, password_hash, is_active_account,"
            " created_at) VALUES (1, '198912032014031002', 'Andi Pratama', 'andi@example.org', '', '', 'employee',"
            " 'x', 1, :now)"), {"now": NOW})
        conn.execute(text(
            "INSERT INTO cases (id, case_type, service, title, state, version, fields, requester_id,"
            " is_other_party_involved, is_anonymous, created_at, updated_at) VALUES (7, 'complaint', NULL,"
            " 'Kursi patah', 'submitted', 1, '{\"description\": \"Kursi ruang tunggu patah.\"}', 1, 0, 0, :now, :now)"),
            {"now": NOW})
        conn.execute(text(
            "INSERT INTO case_events (case_id, at, actor_id, actor_label, kind, comment, data, is_internal)"
            " VALUES (7, :now, 1, 'Andi', 'note', 'Catatan rahasia', '{}', 1)"), {"now": NOW})
    upgrade()
    with engine.connect() as conn:
        body, staff = conn.execute(text("SELECT body, staff_body FROM case_search_texts WHERE case_id = 7")).one()
        assert "adu 2026 00007" in body and "kursi ruang tunggu" in body and "andi pratama" in body
        assert staff == "198912032014031002 catatan rahasia"
        found = conn.execute(text("SELECT rowid FROM case_search_fts WHERE case_search_fts MATCH 'tunggu'")).all()
        assert found == [(7,)]
    downgrade(revision=BEFORE_SEARCH)
    names = set(inspect(engine).get_table_names())
    assert not {n for n in names if n.startswith("case_search")}
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM sqlite_master WHERE type = 'trigger'"
                                 " AND name LIKE 'case_search%'")).scalar() == 0


def test_the_state_of_each_case_becomes_a_word_of_its_row(empty_app):  # noqa: F811
    engine = _db.engine
    upgrade(revision="c5d1e8f3a2b7")
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO users (id, nip, name, email, unit, position, role, password_hash, is_active_account,"
            " created_at) VALUES (1, '198912032014031002', 'Andi Pratama', 'andi@example.org', '', '', 'employee',"
            " 'x', 1, :now)"), {"now": NOW})
        conn.execute(text(
            "INSERT INTO cases (id, case_type, service, title, state, version, fields, requester_id,"
            " is_other_party_involved, is_anonymous, created_at, updated_at) VALUES (8, 'service_request', 'kgb',"
            " 'KGB', 'in_verification', 1, '{}', 1, 0, 0, :now, :now)"), {"now": NOW})
        conn.execute(text("INSERT INTO case_search_texts (case_id, body, staff_body) VALUES (8, 'lyn 2026 00008', '')"))
    upgrade()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT body FROM case_search_texts WHERE case_id = 8")).scalar() \
            == "lyn 2026 00008 zstateinverification"
        found = conn.execute(text("SELECT rowid FROM case_search_fts WHERE case_search_fts MATCH 'zstateinverification'"))
        assert found.all() == [(8,)]
