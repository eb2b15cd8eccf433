"""Password guessing is throttled per NIP and per client address: after the configured number of refused
passwords, every attempt answers 429 with Retry-After and an Indonesian message, the right password too,
until the window has passed. The limiter reads the FrozenClock here (`limiter_clock`)."""
from __future__ import annotations

import re

import pytest

from layani_flow import create_app
from layani_flow.clock import FrozenClock
from layani_flow.extensions import db as _db

from ..conftest import FreshContextClient, WebClient
from ..factories import PASSWORD, UserFactory
from .helpers import text_of

WRONG = "bukan-sandinya"
WINDOW = 15 * 60


@pytest.fixture(params=["memory://", "database://"])
def app_config(app_config, request):
    """Every rule here with the counters in one process's memory and in the database (rate_limits.py)."""
    return {**app_config, "RATELIMIT_STORAGE_URI": request.param}


def attempt(web, nip: str, password: str, address: str = "127.0.0.1"):
    return web.post_form("/masuk", {"nip": nip, "password": password}, environ_base={"REMOTE_ADDR": address})


def fail(web, nip: str, times: int, address: str = "127.0.0.1") -> None:
    for _ in range(times):
        assert attempt(web, nip, WRONG, address).status_code == 401


def plain(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_after_five_refused_passwords_the_nip_is_throttled_even_for_the_right_password(web, office, limiter_clock):
    nip = office.employee.nip
    fail(web, nip, 5)
    refused = attempt(web, nip, PASSWORD)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) in (WINDOW, WINDOW + 1)
    assert "Terlalu banyak percobaan masuk. Coba lagi dalam 15 menit." in plain(text_of(refused))
    assert web.get("/").status_code == 302  # not signed in

    limiter_clock.advance(minutes=10)
    still = attempt(web, nip, PASSWORD)
    assert still.status_code == 429 and "Coba lagi dalam 5 menit." in plain(text_of(still))
    assert int(still.headers["Retry-After"]) in (5 * 60, 5 * 60 + 1)

    limiter_clock.advance(minutes=5, seconds=1)
    assert attempt(web, nip, PASSWORD).status_code == 302  # the window has passed
    assert web.get("/").status_code == 200


def test_only_refused_passwords_count(web, office, limiter_clock):
    nip = office.employee.nip
    fail(web, nip, 4)
    for _ in range(3):  # incomplete forms and successful sign-ins use nothing up
        assert attempt(web, nip, "").status_code == 422
        web.login(office.employee)
        web.logout()
    assert attempt(web, nip, WRONG).status_code == 401  # the fifth refusal
    assert attempt(web, nip, PASSWORD).status_code == 429


def test_the_throttle_is_per_nip(web, office, limiter_clock):
    fail(web, office.employee.nip, 5)
    assert attempt(web, office.employee.nip, PASSWORD).status_code == 429
    assert attempt(web, office.colleague.nip, PASSWORD).status_code == 302


def test_an_unknown_nip_is_throttled_like_a_known_one(web, office, limiter_clock):
    """The answer never tells whether a NIP exists."""
    fail(web, "199001012015031999", 5)
    assert attempt(web, "199001012015031999", WRONG).status_code == 429


def test_the_throttle_is_per_address_across_nips(web, office, limiter_clock):
    people = [UserFactory() for _ in range(20)]
    for person in people:  # 20 different NIPs, one refusal each, from one address
        fail(web, person.nip, 1, address="10.0.0.7")
    refused = attempt(web, office.employee.nip, PASSWORD, address="10.0.0.7")
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    assert attempt(web, office.employee.nip, PASSWORD, address="10.0.0.8").status_code == 302  # another address
    web.logout()
    limiter_clock.advance(seconds=WINDOW + 1)
    assert attempt(web, office.employee.nip, PASSWORD, address="10.0.0.7").status_code == 302


def test_the_limits_are_settings(app, web, office, limiter_clock):
    app.config["LOGIN_LIMIT_PER_NIP"] = "2 per hour"
    fail(web, office.employee.nip, 2)
    refused = attempt(web, office.employee.nip, PASSWORD)
    assert refused.status_code == 429 and "Coba lagi dalam 60 menit." in plain(text_of(refused))


def test_the_change_page_counts_wrong_current_passwords_with_the_sign_in_page(web, office, limiter_clock):
    web.login(office.employee)
    for _ in range(4):
        wrong = web.post_form("/kata-sandi", {"current_password": WRONG, "new_password": "ikan-tenggiri-bangka",
                                              "confirm_password": "ikan-tenggiri-bangka"})
        assert wrong.status_code == 422 and "Kata sandi saat ini salah." in text_of(wrong)
    other = WebClient(web.client.application.test_client())
    fail(other, office.employee.nip, 1)  # the fifth, on the sign-in page
    refused = web.post_form("/kata-sandi", {"current_password": PASSWORD, "new_password": "ikan-tenggiri-bangka",
                                            "confirm_password": "ikan-tenggiri-bangka"})
    assert refused.status_code == 429 and "Terlalu banyak percobaan kata sandi." in plain(text_of(refused))
    assert web.get("/kata-sandi").status_code == 200  # only POSTs are throttled


def test_the_429_page_is_html_with_the_message_and_the_api_is_untouched(web, office, api, limiter_clock):
    fail(web, office.employee.nip, 5)
    page = attempt(web, office.employee.nip, PASSWORD)
    assert page.status_code == 429 and page.mimetype == "text/html"
    html = text_of(page)
    assert '<html lang="id">' in html and "<h1 id=\"judul-galat\">Terlalu banyak percobaan</h1>" in html
    assert api(office.employee).get("/api/v1/case-types").status_code == 200  # tokens are another matter


@pytest.fixture
def proxied_app(app_config):
    """The app behind one trusted reverse proxy: the client address is the one in X-Forwarded-For."""
    app = create_app({**app_config, "TRUSTED_PROXIES": 1})
    app.extensions["clock"] = FrozenClock()
    app.test_client_class = FreshContextClient
    with app.app_context():
        yield app
        _db.session.remove()
        _db.engine.dispose()


def test_behind_a_trusted_proxy_the_forwarded_address_is_counted(proxied_app):
    web = WebClient(proxied_app.test_client())
    people = [UserFactory() for _ in range(21)]

    def post(person, password, client_address):
        return web.post_form("/masuk", {"nip": person.nip, "password": password},
                             headers={"X-Forwarded-For": client_address})

    for person in people[:20]:
        assert post(person, WRONG, "203.0.113.5").status_code == 401
    assert post(people[20], PASSWORD, "203.0.113.5").status_code == 429
    assert post(people[20], PASSWORD, "203.0.113.6").status_code == 302
