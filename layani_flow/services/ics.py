"""iCalendar invitations (RFC 5545): one event, UTC instants, a stable UID. ConsDesk's bookings and the
Informasi page's socialisation events both build theirs here."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Protocol

import icalendar

from .. import clock


class Person(Protocol):
    name: str
    email: str


def invitation(*, uid: str, summary: str, start: dt.datetime, end: dt.datetime, location: str, description: str,
               organizer: Person, attendees: Iterable[tuple[Person, str]] = (), method: str = "REQUEST",
               sequence: int = 0, product: str = "LAYANI Flow") -> str:
    """The calendar text. `attendees`: (person, role) pairs, role an RFC 5545 ROLE (REQ-PARTICIPANT …)."""
    cal = icalendar.Calendar()
    cal.add("prodid", f"-//{product}//ID")
    cal.add("version", "2.0")
    cal.add("method", method)
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", clock.now().astimezone(dt.UTC))
    event.add("dtstart", start.astimezone(dt.UTC))
    event.add("dtend", end.astimezone(dt.UTC))
    event.add("sequence", sequence)
    event.add("summary", summary)
    event.add("location", location)
    event.add("description", description)
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    chair = icalendar.vCalAddress(f"mailto:{organizer.email}")
    chair.params["cn"] = icalendar.vText(organizer.name)
    event.add("organizer", chair)
    for person, role in attendees:
        attendee = icalendar.vCalAddress(f"mailto:{person.email}")
        attendee.params["cn"] = icalendar.vText(person.name)
        attendee.params["role"] = icalendar.vText(role)
        event.add("attendee", attendee)
    cal.add_component(event)
    return cal.to_ical().decode("utf-8")
