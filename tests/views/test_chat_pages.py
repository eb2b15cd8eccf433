"""Who may open a chat's own pages: the conversation, its message form and its live stream, for every actor of
the page permission matrix (tests/views/test_permission_matrix.py), on a waiting and an active chat. A refusal
changes nothing; a message sent changes the chat."""
from __future__ import annotations

import pytest

from layani_flow.extensions import db

from ..conftest import module_app
from .test_permission_matrix import ACTORS, M, World, _, outcome, refused, snapshot

CHAT_ROUTES = {
    #                          anon req  coll sup  party off  owner outs head adm  tracker  dfiler
    "chat_waiting": {
        "GET /chat/<id>":        (M,   200, 404, 404, _,   200, _,   404, 200, 200, M,   200),
        "POST /chat/<id>/pesan": (M,   303, 404, 404, _,   303, _,   404, 303, 303, M,   303),
        "GET /chat/<id>/stream": (M,   200, 404, 404, _,   200, _,   404, 200, 200, M,   200),
    },
    "chat_active": {
        "GET /chat/<id>":        (M,   200, 404, 404, _,   200, 200, 404, 200, 200, M,   200),
        "POST /chat/<id>/pesan": (M,   303, 404, 404, _,   303, 303, 404, 303, 303, M,   303),
        "GET /chat/<id>/stream": (M,   200, 404, 404, _,   200, 200, 404, 200, 200, M,   200),
    },
}

@pytest.fixture(scope="module")
def world(database_template, tmp_path_factory):
    with module_app(database_template, tmp_path_factory.mktemp("chat-pages")) as app:
        yield World(app)


@pytest.fixture(autouse=True)
def _end_transaction(world):
    """As in the matrix: end the module session's transaction after each test (PostgreSQL's TRUNCATE waits)."""
    yield
    db.session.rollback()


PARAMS = [pytest.param(scenario, route, actor, expected, id=f"{scenario}|{route}|{actor}")
          for scenario, rows in CHAT_ROUTES.items() for route, row in rows.items()
          for actor, expected in zip(ACTORS, row, strict=True) if expected is not _]


@pytest.mark.parametrize("scenario, route, actor, expected", PARAMS)
def test_chat_page(world, scenario, route, actor, expected):
    case, _doc, code = world.case(scenario, actor)
    web = world.browser(actor, tracked_code=code)
    before = snapshot(world, case.id)
    url = route.split(" ", 1)[1].replace("<id>", str(case.id))
    if route.startswith("POST"):
        response = web.post_form(url, {"body": "Halo dari matriks."})
    else:
        response = web.get(url)
    if expected == 200 and url.endswith("/stream"):
        assert response.mimetype == "text/event-stream"
    response.close()  # a stream is not read here: tests/api/test_chat.py reads one from a real server
    assert outcome(response) == expected
    after = snapshot(world, case.id)
    if refused(expected) or route.startswith("GET"):
        assert after == before, "a refused or read-only request changed the chat"
    else:
        assert after != before
