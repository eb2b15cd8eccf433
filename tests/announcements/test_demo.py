"""`layani demo` seeds what Informasi needs to be tried: an announcement asking for acknowledgement (some have
given it) and an upcoming socialisation event with seats."""
from __future__ import annotations

from sqlalchemy import select

from layani_flow import clock
from layani_flow.extensions import db
from layani_flow.models import Announcement, AnnouncementEvent, User
from layani_flow.services import announcements


def test_the_demo_has_an_announcement_to_acknowledge_and_an_upcoming_event(runner, app):
    result = runner.invoke(args=["layani", "demo", "--password", "demo-rahasia"])
    assert result.exit_code == 0, result.output
    asked = db.session.scalars(select(Announcement).where(Announcement.requires_ack.is_(True))).one()
    andi = db.session.scalars(select(User).where(User.nip == "198912032014031002")).one()
    found = announcements.readers(asked.id, asked.author)
    assert found.acknowledged and found.pending and andi in [r.person for r in found.pending]
    assert asked.files
    event = db.session.scalars(select(AnnouncementEvent)).one()
    assert event.starts_at > clock.now() and event.capacity == 10
    assert announcements.in_audience(event.announcement, andi)
