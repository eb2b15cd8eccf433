"""Acting officials (Plt/Plh): an admin names who acts for an official who is away, for a range of dates
(WIB, both ends included). While the range runs, an approval request meant for the official goes to the acting
person (services.approval_requests), who then holds the requester's superior's part on that case
(services.access.tags_for): the page, the API and the email links agree because they all ask there."""
from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import and_, select

from .. import clock
from ..extensions import db
from ..models import ActingOfficial, User
from ..models.acting import ACTING_KINDS
from ..timefmt import to_wib
from .db import unit_of_work
from .errors import InvalidInput, NotFound
from .users import active_user_by_nip

logger = logging.getLogger(__name__)

MAX_RANGE_DAYS = 366


def wib_date(instant: dt.datetime | None = None) -> dt.date:
    return to_wib(instant or clock.now()).date()


def acting_for(official_id: int, on: dt.date) -> ActingOfficial | None:
    """Who acts for this official on that date, if anyone (ranges never overlap: set_acting refuses it)."""
    return db.session.scalars(select(ActingOfficial).where(
        ActingOfficial.official_id == official_id, ActingOfficial.starts_on <= on, ActingOfficial.ends_on >= on)
        .limit(1)).first()


def acting_as(acting_id: int, official_ids: set[int], on: dt.date) -> ActingOfficial | None:
    """The range in which this person acted, on that date, for one of these officials."""
    if not official_ids:
        return None
    return db.session.scalars(select(ActingOfficial).where(
        ActingOfficial.acting_id == acting_id, ActingOfficial.official_id.in_(sorted(official_ids)),
        ActingOfficial.starts_on <= on, ActingOfficial.ends_on >= on).limit(1)).first()


def list_acting(limit: int = 200) -> list[ActingOfficial]:
    """Ranges that have not ended yet first (by start), then the past ones, newest first."""
    today = wib_date()
    current = db.session.scalars(select(ActingOfficial).where(ActingOfficial.ends_on >= today)
                                 .order_by(ActingOfficial.starts_on, ActingOfficial.id).limit(limit)).unique().all()
    past = db.session.scalars(select(ActingOfficial).where(ActingOfficial.ends_on < today)
                              .order_by(ActingOfficial.ends_on.desc(), ActingOfficial.id.desc())
                              .limit(limit)).unique().all()
    return list(current) + list(past)


def set_acting(actor: User, *, official_nip: str, acting_nip: str, kind: str, starts_on: dt.date | None,
               ends_on: dt.date | None, note: str = "") -> ActingOfficial:
    """Name an acting official for a range of dates. InvalidInput names every field that is wrong."""
    errors: dict[str, list[str]] = {}
    if kind not in ACTING_KINDS:
        errors["kind"] = ["Pilih Plh atau Plt."]
    if starts_on is None:
        errors["starts_on"] = ["Isi tanggal mulai."]
    if ends_on is None:
        errors["ends_on"] = ["Isi tanggal selesai."]
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = ["Tanggal selesai tidak boleh sebelum tanggal mulai."]
    elif starts_on and ends_on and (ends_on - starts_on).days >= MAX_RANGE_DAYS:
        errors["ends_on"] = ["Rentang paling lama satu tahun."]
    with unit_of_work():
        official = acting = None
        try:
            official = active_user_by_nip(official_nip, "official_nip")
        except InvalidInput as exc:
            errors.update(exc.errors)
        try:
            acting = active_user_by_nip(acting_nip, "acting_nip")
        except InvalidInput as exc:
            errors.update(exc.errors)
        if official is not None and acting is not None and official.id == acting.id:
            errors["acting_nip"] = ["Pejabat pelaksana tidak boleh pejabat yang digantikan sendiri."]
        if official is not None and starts_on and ends_on and "ends_on" not in errors:
            overlap = db.session.scalars(select(ActingOfficial).where(
                ActingOfficial.official_id == official.id,
                and_(ActingOfficial.starts_on <= ends_on, ActingOfficial.ends_on >= starts_on)).limit(1)).first()
            if overlap is not None:
                errors["starts_on"] = [f"Bertumpang tindih dengan {overlap.kind_short} {overlap.acting.name} "
                                       f"({overlap.starts_on.isoformat()} s.d. {overlap.ends_on.isoformat()})."]
        if errors or official is None or acting is None or starts_on is None or ends_on is None:
            raise InvalidInput("Data pejabat pelaksana belum benar.", errors)
        row = ActingOfficial(official_id=official.id, acting_id=acting.id, kind=kind, starts_on=starts_on,
                             ends_on=ends_on, note=(note or "").strip()[:200], created_at=clock.now(),
                             created_by_id=actor.id)
        db.session.add(row)
        db.session.flush()
    logger.info("Acting official %s: user %s for user %s, %s to %s, by user %s", row.id, acting.id, official.id,
                starts_on, ends_on, actor.id)
    return row


def remove_acting(actor: User, acting_official_id: int) -> None:
    """Take a range back (entered by mistake). Requests already sent to the acting person stay theirs."""
    with unit_of_work():
        row = db.session.get(ActingOfficial, acting_official_id)
        if row is None:
            raise NotFound("Data pejabat pelaksana tidak ditemukan.")
        db.session.delete(row)
    logger.info("Acting official %s removed by user %s", acting_official_id, actor.id)
