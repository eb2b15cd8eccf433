"""The database:// rate-limit storage (layani_flow/rate_limits.py): what Flask-Limiter's fixed window needs, on
the limiter's clock, with one counter per key however many app servers write it. The sign-in rules themselves run
on it in tests/views/test_throttle.py; two real app servers share it in tests/postgres/test_scale_out.py."""
from __future__ import annotations

import pytest
from limits.storage import storage_from_string
from sqlalchemy import select

from layani_flow import create_app
from layani_flow.extensions import db
from layani_flow.models import RateLimitCounter
from layani_flow.rate_limits import DatabaseStorage, purge_expired

from .conftest import FreshContextClient, WebClient


@pytest.fixture
def storage(app, limiter_clock) -> DatabaseStorage:
    made = storage_from_string("database://")
    assert isinstance(made, DatabaseStorage)
    return made


def test_a_window_counts_up_and_starts_again_when_it_ends(storage, clock):
    start = clock.now().timestamp()
    assert [storage.incr("k", 60) for _ in range(3)] == [1, 2, 3]
    assert storage.get("k") == 3 and storage.get_expiry("k") == start + 60
    assert storage.incr("k", 60, amount=2) == 5
    clock.advance(seconds=30)
    assert storage.get_expiry("k") == start + 60  # a hit does not move a fixed window's end
    clock.advance(seconds=30)
    assert storage.get("k") == 0 and storage.get_expiry("k") == clock.now().timestamp()
    assert storage.incr("k", 60) == 1 and storage.get_expiry("k") == clock.now().timestamp() + 60


def test_keys_are_separate_and_can_be_cleared(storage):
    storage.incr("a", 60)
    storage.incr("b", 60)
    storage.clear("a")
    assert (storage.get("a"), storage.get("b")) == (0, 1)
    assert storage.reset() == 1 and storage.get("b") == 0
    assert storage.check()


def test_the_worker_purges_ended_windows_only(storage, clock):
    storage.incr("short", 10)
    storage.incr("long", 600)
    clock.advance(seconds=11)
    assert purge_expired() == 1
    assert list(db.session.scalars(select(RateLimitCounter.key))) == ["long"]


@pytest.mark.parametrize("uri, expected", [
    ("sqlite:////tmp/x.sqlite", "memory://"), ("postgresql+psycopg://u@h/d", "database://")])
def test_auto_is_the_database_on_postgresql_and_memory_on_sqlite(uri, expected, tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "SQLALCHEMY_DATABASE_URI": uri,
                      "UPLOAD_FOLDER": str(tmp_path)})
    assert app.config["RATELIMIT_STORAGE_URI"] == expected


def test_two_app_servers_on_one_database_spend_one_allowance(app_config, office, clock, limiter_clock):
    """Three refused passwords on one server and two on the other: the sixth try is refused on both, and
    the database holds one counter of five (memory:// would hold two counters of three and two)."""
    config = {**app_config, "RATELIMIT_STORAGE_URI": "database://"}
    servers = []
    for _ in range(2):
        server = create_app(config)
        server.extensions["clock"] = clock
        server.test_client_class = FreshContextClient
        servers.append(WebClient(server.test_client()))
    nip = office.employee.nip
    try:
        for web, times in zip(servers, (3, 2), strict=True):
            for _ in range(times):
                assert web.post_form("/masuk", {"nip": nip, "password": "salah-sandi"}).status_code == 401
        for web in servers:
            assert web.post_form("/masuk", {"nip": nip, "password": "salah-sandi"}).status_code == 429
        with servers[0].application.app_context():
            counters = {row.key: row.count for row in db.session.scalars(select(RateLimitCounter))}
        assert sorted(counters.values()) == [5, 5], counters  # one per NIP, one per address
    finally:
        for web in servers:
            with web.application.app_context():
                db.session.remove()
                db.engine.dispose()


@pytest.mark.parametrize("typed", ["\x00" * 201, "1" * 300, "19891203\x00201403"])
def test_a_key_the_database_could_not_hold_is_counted_by_its_digest(storage, typed):
    """A sign-in's key carries the NIP as typed: NULs (which PostgreSQL text refuses) or a key longer than the
    column are counted under their SHA-256, the same for every server."""
    key = f"LIMITER/signin/{typed}"
    assert storage.incr(key, 60) == 1 and storage.incr(key, 60) == 2 and storage.get(key) == 2
    assert storage.get("LIMITER/signin/other") == 0
    storage.clear(key)
    assert storage.get(key) == 0
