"""Sessions end for real: a cookie saved before logout, a password change or a deactivation opens nothing
afterwards, nor does one left idle or kept past the absolute lifetime. Times on the FrozenClock."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from layani_flow.extensions import db
from layani_flow.models import UserSession
from layani_flow.services import users

from ..conftest import FreshContextClient, WebClient, csrf_token_from
from ..factories import PASSWORD
from .helpers import text_of

NEW_PASSWORD = "ikan-tenggiri-bangka"


def saved_cookie(web) -> str:
    """What someone copying this browser's cookie jar would have."""
    cookie = web.client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def replay(app, cookie: str):
    """A GET of the home page from another browser holding only `cookie`."""
    app.test_client_class = FreshContextClient
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other.get("/")


def signed_in(response) -> bool:
    return response.status_code == 200


def rows(user) -> list[UserSession]:
    db.session.expire_all()
    return db.session.scalars(select(UserSession).where(UserSession.user_id == user.id)
                              .order_by(UserSession.id)).all()


def second_browser(app) -> WebClient:
    app.test_client_class = FreshContextClient
    return WebClient(app.test_client())


def test_sign_in_stores_only_a_hash_of_a_random_key(web, office, clock):
    web.login(office.employee)
    with web.session_transaction() as session:
        key = session["sid"]
    [row] = rows(office.employee)
    assert len(key) >= 40 and row.key_hash != key and len(row.key_hash) == 64
    assert (row.created_at, row.last_seen_at, row.ended_at) == (clock.now(), clock.now(), None)


def test_a_cookie_saved_before_logout_opens_nothing(app, web, office):
    web.login(office.employee)
    cookie = saved_cookie(web)
    assert signed_in(replay(app, cookie))
    web.logout()
    response = replay(app, cookie)
    assert response.status_code == 302 and response.headers["Location"].startswith("/masuk")
    for path in ("/kasus/baru", "/antrian", "/kata-sandi"):
        other = second_browser(app)
        other.client.set_cookie("session", cookie)
        assert other.get(path).headers["Location"].startswith("/masuk"), path
    [row] = rows(office.employee)
    assert row.end_reason == "logout" and row.ended_at is not None


def test_a_password_change_ends_every_other_session_and_renews_this_one(app, web, office):
    web.login(office.employee)
    before_change = saved_cookie(web)
    laptop = second_browser(app)
    laptop.login(office.employee)
    response = web.post_form("/kata-sandi", {"current_password": PASSWORD, "new_password": NEW_PASSWORD,
                                             "confirm_password": NEW_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "sesi lain" in text_of(web.get("/"))  # still signed in here, told what happened
    assert not signed_in(replay(app, before_change))  # a copy of this browser's old cookie
    assert laptop.get("/").status_code == 302  # the other browser
    assert signed_in(replay(app, saved_cookie(web)))  # this browser's new cookie
    reasons = [r.end_reason for r in rows(office.employee)]
    assert reasons == ["password", "password", ""]


def test_deactivation_ends_sessions_and_the_account_cannot_sign_in(app, web, office):
    web.login(office.employee)
    cookie = saved_cookie(web)
    users.deactivate_user(office.employee.nip)
    assert not signed_in(replay(app, cookie))
    assert web.get("/").status_code == 302
    again = second_browser(app)
    assert again.post_form("/masuk", {"nip": office.employee.nip, "password": PASSWORD}).status_code == 401
    assert [r.end_reason for r in rows(office.employee)] == ["deactivated"]


def test_a_deactivated_account_loses_a_session_even_if_its_row_was_left_open(app, web, office, db):
    """Belt and braces: the loader checks the person too, not only the row."""
    web.login(office.employee)
    office.employee.is_active_account = False
    db.session.commit()
    assert web.get("/").status_code == 302
    assert [r.end_reason for r in rows(office.employee)] == ["deactivated"]


def test_an_idle_session_ends(app, web, office, clock):
    web.login(office.employee)
    cookie = saved_cookie(web)
    clock.advance(minutes=29)
    assert web.get("/").status_code == 200  # used within the limit: the idle time starts again
    clock.advance(minutes=29)
    assert web.get("/").status_code == 200
    clock.advance(minutes=30)
    response = web.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/masuk")
    assert not signed_in(replay(app, cookie))
    assert [r.end_reason for r in rows(office.employee)] == ["idle"]


def test_the_idle_limit_is_a_setting(app, web, office, clock):
    app.config["SESSION_IDLE_MINUTES"] = 5
    web.login(office.employee)
    clock.advance(minutes=4, seconds=59)
    assert web.get("/").status_code == 200
    clock.advance(minutes=5)
    assert web.get("/").status_code == 302


def test_a_session_ends_at_its_absolute_lifetime_however_busy(app, web, office, clock):
    web.login(office.employee)
    cookie = saved_cookie(web)
    for _ in range(35):  # a page every 20 minutes for 11 h 40 min
        clock.advance(minutes=20)
        assert web.get("/").status_code == 200
    clock.advance(minutes=19)  # 11 h 59 min after sign-in
    assert web.get("/").status_code == 200
    clock.advance(minutes=1)  # 12 h
    assert web.get("/").status_code == 302
    assert not signed_in(replay(app, cookie))
    assert [r.end_reason for r in rows(office.employee)] == ["max_age"]


def test_last_seen_is_written_at_most_once_a_minute(app, web, office, clock):
    web.login(office.employee)
    start = clock.now()
    clock.advance(seconds=30)
    web.get("/")
    web.get("/kasus/baru")
    assert rows(office.employee)[0].last_seen_at == start  # no write for these
    clock.advance(seconds=31)
    web.get("/")
    assert rows(office.employee)[0].last_seen_at == start + dt.timedelta(seconds=61)


def test_signing_in_as_someone_else_ends_the_first_session(app, web, office):
    web.login(office.employee)
    cookie = saved_cookie(web)
    web.login(office.officer)
    assert not signed_in(replay(app, cookie))
    assert [r.end_reason for r in rows(office.employee)] == ["switched"]
    assert "Petugas Satu" in text_of(web.get("/"))


def test_a_tampered_or_foreign_session_key_opens_nothing(app, web, office, colleague_session):
    web.login(office.employee)
    with web.session_transaction() as session:
        session["sid"] = colleague_session  # a live key, but of another person's session
    assert web.get("/").status_code == 302
    web.login(office.employee)
    with web.session_transaction() as session:
        session["sid"] = "x" * 500
    assert web.get("/").status_code == 302


@pytest.fixture
def colleague_session(app, office) -> str:
    browser = second_browser(app)
    browser.login(office.colleague)
    with browser.session_transaction() as session:
        return session["sid"]


def test_logout_of_one_browser_leaves_the_others_signed_in(app, web, office):
    web.login(office.employee)
    phone = second_browser(app)
    phone.login(office.employee)
    web.logout()
    assert phone.get("/").status_code == 200


@pytest.mark.parametrize("base_url, secure", [("https://layani.dkp.babelprov.go.id", True),
                                              ("http://127.0.0.1:5000", False)])
def test_session_cookie_flags(app_config, base_url, secure):
    """Secure exactly when the site is https; never readable by scripts; not sent on cross-site posts."""
    from layani_flow import create_app
    from layani_flow.clock import FrozenClock
    from layani_flow.extensions import db as _db

    from ..factories import UserFactory

    app = create_app({**app_config, "BASE_URL": base_url})
    app.extensions["clock"] = FrozenClock()
    app.test_client_class = FreshContextClient
    with app.app_context():
        user = UserFactory()
        client = app.test_client()
        token = csrf_token_from(text_of(client.get("/masuk")))
        response = client.post("/masuk", data={"csrf_token": token, "nip": user.nip, "password": PASSWORD})
        assert response.status_code == 302
        [cookie] = [v for v in response.headers.getlist("Set-Cookie") if v.startswith("session=")]
        flags = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
        assert ("secure" in flags) is secure
        assert "httponly" in flags and "samesite=lax" in cookie.lower()
        _db.session.remove()
        _db.engine.dispose()
