"""The app's PostgreSQL connections plan each statement for its values and never prepare one on the server
(layani_flow.database._never_prepare): psycopg would after a statement's fifth run on a connection."""
from __future__ import annotations

import pytest
from sqlalchemy import select, text

from layani_flow.extensions import db
from layani_flow.models import User

pytestmark = pytest.mark.postgres


def test_a_statement_run_many_times_on_one_connection_is_never_prepared(app):
    with app.app_context():
        connection = db.session.connection()
        for _ in range(10):
            connection.execute(select(User.id).where(User.id == 1)).all()
        assert connection.connection.dbapi_connection.prepare_threshold is None
        assert connection.execute(text("SELECT count(*) FROM pg_prepared_statements")).scalar_one() == 0
        db.session.rollback()
