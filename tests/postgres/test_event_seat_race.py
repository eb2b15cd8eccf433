"""The last seat of a socialisation event on a real PostgreSQL server: people answering "hadir" at once, each
in their own connection and transaction; exactly one of them gets the seat, the others 409 and no RSVP."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from layani_flow.extensions import db as _db
from layani_flow.models import AnnouncementEvent, EventRsvp, User
from layani_flow.services import announcements
from layani_flow.services.errors import Conflict

from ..factories import UserFactory
from .test_concurrency import _race

pytestmark = pytest.mark.postgres


def _answer(person_id: int, event_id: int):
    return announcements.rsvp(event_id, _db.session.get(User, person_id), "yes")


@pytest.mark.parametrize("racers", [2, 5])
def test_people_answering_yes_for_the_last_seat_at_once_one_wins(app, db, office, racers):
    item = announcements.publish(office.officer, title="Sosialisasi SIASN", body="Isi.", audience={"all": True},
                                 event={"starts_at": "2026-11-30T09:00", "ends_at": "2026-11-30T11:00",
                                        "place": "Aula", "capacity": 3})
    event_id = item.event.id
    announcements.rsvp(event_id, office.employee, "yes")
    announcements.rsvp(event_id, office.colleague, "yes")  # one seat left
    people = [UserFactory(superior=office.kabid).id for _ in range(racers)]
    db.session.commit()
    db.session.remove()

    results = _race(app, racers, lambda i: _answer(people[i], event_id))

    wins = [r for r in results if isinstance(r, EventRsvp)]
    assert len(wins) == 1, results
    assert all(isinstance(r, Conflict) and "penuh" in r.message for r in results if r not in wins), results
    event = db.session.get(AnnouncementEvent, event_id)
    assert event.seats_taken == 3
    assert db.session.scalar(select(func.count()).select_from(EventRsvp).where(EventRsvp.answer == "yes")) == 3
