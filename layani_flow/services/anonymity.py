"""What keeps an anonymous complaint from being placed among its filer's other actions (docs/anonymity.md).

The desk sees the complaint, and it sees the same person's named cases. What must not tie the two
together is order: ids and instants. So
- an anonymous complaint's id is drawn at random from the negative numbers, which the normal sequence
  never reaches (and its reference is spelled from that id, models.cases.anonymous_ref_code);
- whatever the anonymous filer does (filing, replies, uploads, reopening, closing) is timed only to
  ANONYMOUS_TIME_GRANULARITY_MINUTES, rounded down on the WIB clock, never before the case's previous
  event; everything the desk does keeps its precise instant.
"""
from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable

from flask import current_app

from ..extensions import db
from ..models import Case
from ..models.cases import ANONYMOUS_ID_SPAN
from ..timefmt import WIB


def granularity() -> dt.timedelta:
    return dt.timedelta(minutes=current_app.config["ANONYMOUS_TIME_GRANULARITY_MINUTES"])


def coarse(instant: dt.datetime, step: dt.timedelta | None = None) -> dt.datetime:
    """`instant` rounded down to `step`, counted from midnight WIB: a 60-minute step falls on the hour, a
    1440-minute one on the WIB day. WIB has no daylight saving, so every day has the same grid."""
    step = step or granularity()
    local = instant.astimezone(WIB)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return (midnight + (local - midnight) // step * step).astimezone(dt.UTC)


def filer_instant(now: dt.datetime, earlier: Iterable[dt.datetime] = ()) -> dt.datetime:
    """When an anonymous filer's action is recorded: `now` rounded down, but never before what the case
    already holds (its timeline stays in order, and a clock never resumes before it paused)."""
    return max([coarse(now), *earlier])


def window_end(now: dt.datetime) -> dt.datetime:
    """The end of the window `now` falls in: an email about the filer's action is held until then, so its
    arrival says no more than the timeline does."""
    return coarse(now) + granularity()


def new_case_id() -> int:
    """A random negative id no case has yet. Neither PostgreSQL's sequence nor SQLite (see
    models.cases._named_ids_stay_positive) ever hands out a negative number, so named cases keep
    numbering 1, 2, 3… with no gap where an anonymous complaint was filed."""
    for _ in range(20):
        candidate = -(1 + secrets.randbelow(ANONYMOUS_ID_SPAN - 1))
        if db.session.get(Case, candidate) is None:
            return candidate
    raise RuntimeError("no free anonymous case id after 20 draws")  # 20 collisions in 658 million: never

