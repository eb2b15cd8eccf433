"""The baseline for benchmarks/intake.py: the least a Flask + SQLAlchemy app can do to file one case.

One POST route parses the JSON body, inserts it as one row (id + JSON column) through Flask-SQLAlchemy,
commits and answers 201 with a small JSON object. SQLite connections get the same pragmas as the real app
(layani_flow/database.py). The database URL comes from BARE_DATABASE_URI.

    BARE_DATABASE_URI=sqlite:////tmp/x.sqlite python benchmarks/bare_app.py init   # create the table
    BARE_DATABASE_URI=... gunicorn -w 2 -b 127.0.0.1:8001 --chdir benchmarks bare_app:app
"""
from __future__ import annotations

import os
import sys

from flask import Flask, jsonify, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import JSON, event
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


class Row(db.Model):
    __tablename__ = "bench_rows"

    id: Mapped[int] = mapped_column(primary_key=True)
    body: Mapped[dict] = mapped_column(JSON)


def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def create_app() -> Flask:
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["BARE_DATABASE_URI"]
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", _sqlite_pragmas)

    @app.post("/rows")
    def add_row():
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return jsonify({"error": "send a JSON object"}), 400
        row = Row(body=body)
        db.session.add(row)
        db.session.commit()
        return jsonify({"id": row.id}), 201

    return app


if __name__ == "__main__" and sys.argv[1:] == ["init"]:
    with create_app().app_context():
        db.create_all()
    sys.exit(0)

app = create_app()
