"""GET /healthz, the probe of the reverse proxy: 200 while the database answers, 503 with a message when it
does not; no sign-in, no cookie, no rate limit."""
from __future__ import annotations

from sqlalchemy.exc import OperationalError

from layani_flow.extensions import db
from layani_flow.services import health

from ..services.helpers import count_statements


def test_healthy_is_200_with_the_database_checked(client):
    with count_statements() as statements:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}
    assert statements.count == 1  # SELECT 1 and nothing else: cheap enough to probe every few seconds
    assert "Set-Cookie" not in response.headers and response.headers["Cache-Control"] == "no-store"


def test_no_sign_in_and_no_rate_limit(client, app):
    app.config["RATELIMIT_DEFAULT"] = "1 per minute"
    assert [client.get("/healthz").status_code for _ in range(5)] == [200] * 5


def test_an_unreachable_database_is_503_with_a_message(client, monkeypatch):
    def down(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", down)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "error" and body["database"] == "unreachable"
    assert "Basis data tidak dapat dihubungi" in body["message"] and "cannot be reached" in body["message"]


def test_a_real_unreachable_database_is_503(app_config, tmp_path):
    from layani_flow import create_app

    down = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none",
                       "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"connect_timeout": 2}}})
    with down.app_context():
        assert not health.database_reachable()
    assert down.test_client().get("/healthz").status_code == 503
