"""The migrations build exactly the schema the models declare, and walk down and up again."""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from layani_flow import create_app
from layani_flow.extensions import db as _db


def schema_diff(engine) -> list:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
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
