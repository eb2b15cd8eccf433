"""The app's PostgreSQL cursors describe a result only when someone reads the description
(layani_flow.database._describe_lazily), and it still describes that result after the cursor has moved on."""
from __future__ import annotations

import pytest
from sqlalchemy import select, text

from layani_flow.extensions import db
from layani_flow.models import User

pytestmark = pytest.mark.postgres


def test_results_keep_their_column_names_and_types(app):
    with app.app_context():
        connection = db.session.connection()
        for _ in range(3):  # the first run builds the statement's result columns, the next ones reuse them
            result = connection.execute(select(User.id, User.name).where(User.id == -1))
            assert list(result.keys()) == ["id", "name"]
            assert result.all() == []
        result = connection.execute(text("SELECT 1 AS one, 'dua'::text AS two"))
        assert list(result.keys()) == ["one", "two"]
        assert result.one() == (1, "dua")
        db.session.rollback()


def test_a_description_read_later_describes_its_own_statement(app):
    with app.app_context():
        raw = db.session.connection().connection.dbapi_connection
        cursor = raw.cursor()
        cursor.execute("SELECT 1 AS first_column, now() AS at")
        described = cursor.description
        cursor.execute("SELECT 'x' AS other")
        assert len(described) == 2
        assert [column.name for column in described] == ["first_column", "at"]
        assert described[1].type_code == 1184  # timestamptz
        assert cursor.description[0].name == "other"
        cursor.execute("SET LOCAL statement_timeout = 0")
        assert cursor.description is None  # a statement with no result rows has no description, as in psycopg
        cursor.close()
        db.session.rollback()
