"""What a supervisor can do from an escalation email: by a signed link (confirmed on a page, done on
POST) or by replying with a command on the first line. Every action lands on the case's timeline."""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import select

from .. import clock as wall
from ..extensions import db
from ..models import Case, SlaNotice, User
from ..models.sla import CaseClock
from ..workflows import REGISTRY
from ..workflows.clocks import APPROVAL
from ..working_time import CalendarError, due
from . import sla, tokens
from .access import PARTY_MESSAGE, is_party
from .calendar import load_calendar
from .capabilities import assignee_refusal
from .db import unit_of_work
from .errors import STALE_MESSAGE, Conflict, Forbidden, InvalidInput, NotFound, StaleCase
from .escalation_mail import EMAIL_ACTIONS
from .timeline import append_event
from .users import active_user_by_nip

logger = logging.getLogger(__name__)

MAX_EXTENSION_DAYS = 30
CASE_CLOSED = "Kasus ini sudah selesai; tidak ada tindakan yang diperlukan."
CLOCK_STOPPED = ("Batas waktu ini sudah tidak berjalan (petugas sudah menanggapi atau kasus sudah berpindah tahap); "
                 "tidak ada yang perlu diperpanjang.")


@dataclass(frozen=True)
class PendingAction:
    """What a link offers, for its confirmation page. Reading it changes nothing."""

    claim: tokens.ActionClaim
    notice: SlaNotice
    case: Case
    recipient: User
    clock: CaseClock | None

    @property
    def label(self) -> str:
        return EMAIL_ACTIONS[self.claim.action]

    @property
    def blocked(self) -> str | None:
        """Why this link can no longer do what it offers, said on the confirmation page before anyone types a
        reason; `perform` refuses the same cases with the same words."""
        if REGISTRY[self.case.case_type].is_final(self.case.state):
            return CASE_CLOSED
        if self.claim.action == "perpanjang" and (self.clock is None or self.clock.stopped_at is not None):
            return CLOCK_STOPPED
        return None


def _load(claim: tokens.ActionClaim) -> PendingAction:
    if claim.action not in EMAIL_ACTIONS:
        raise tokens.InvalidLink("Tautan tidak sah.")
    notice = db.session.get(SlaNotice, claim.notice_id)
    recipient = db.session.get(User, claim.user_id)
    if (notice is None or recipient is None or notice.recipient_id != recipient.id or not recipient.is_active
            or notice.clock == APPROVAL):  # an approval request's notice is answered by approvals, not here
        raise tokens.InvalidLink("Tautan tidak sah.")
    case = db.session.get(Case, notice.case_id)
    if case is None:
        raise NotFound("Kasus tidak ditemukan.")
    clock = db.session.scalar(select(CaseClock).where(
        CaseClock.case_id == case.id, CaseClock.name == notice.clock, CaseClock.cycle == notice.cycle))
    return PendingAction(claim, notice, case, recipient, clock)


def _party_refusal(pending: PendingAction) -> None:
    # The sweep never escalates to a party; should a notice to one exist anyway (older data), its links and
    # replies still never let them take charge of, reassign, extend or instruct on their own case.
    if is_party(pending.case, pending.recipient.id):
        raise Forbidden(PARTY_MESSAGE)


def preview(token: str) -> PendingAction:
    """For the GET confirmation page: checks the link (signature, age, not yet used, not a party's) and
    changes nothing."""
    pending = _load(tokens.read_action(token))
    if db.session.get(tokens.UsedEmailToken, pending.claim.jti) is not None:
        raise Conflict("Tautan ini sudah pernah digunakan.")
    _party_refusal(pending)
    return pending


def _take_charge(p: PendingAction, now: dt.datetime, note: str) -> None:
    previous = p.case.owner.name if p.case.owner else None
    p.case.owner_id = p.recipient.id
    if p.clock is not None:
        p.clock.acknowledged_at, p.clock.acknowledged_by_id = now, p.recipient.id
    append_event(p.case, p.recipient, "assignment", comment=note,
                 data={"from": previous, "to": p.recipient.name, "via": "email", "escalation": p.notice.level})


def _reassign(p: PendingAction, now: dt.datetime, nip: str, note: str) -> None:
    # The escalation chain asked the recipient, so they may reassign without being on the desk; the case
    # still goes only to someone who may handle it (an officer or the desk head, not a party).
    assignee = active_user_by_nip(nip, "assignee_nip")
    refusal = assignee_refusal(p.case, assignee)
    if refusal is not None:
        raise refusal
    previous = p.case.owner.name if p.case.owner else None
    p.case.owner_id = assignee.id
    if p.clock is not None and p.clock.stopped_at is None:
        # The new owner gets one escalation step to act before the chain is told again.
        cal = load_calendar()
        sla.restart_clock(p.case, p.clock, due(cal, now, p.clock.escalate_every), now, cal)
    append_event(p.case, p.recipient, "assignment", comment=note,
                 data={"from": previous, "to": assignee.name, "via": "email", "escalation": p.notice.level})


def _extend(p: PendingAction, now: dt.datetime, days: str, note: str) -> None:
    if not note:
        raise InvalidInput("Alasan wajib diisi.", {"note": ["Tuliskan alasan perpanjangan."]})
    try:
        n = int(days)
    except (TypeError, ValueError):
        n = 0
    if not 1 <= n <= MAX_EXTENSION_DAYS:
        raise InvalidInput("Perpanjangan tidak valid.", {"days": [f"Isi 1 sampai {MAX_EXTENSION_DAYS} hari kerja."]})
    if p.clock is None or p.clock.stopped_at is not None:
        raise Conflict(CLOCK_STOPPED)
    try:
        cal = load_calendar()
        new_due = cal.add_days(now, n)
    except CalendarError as exc:
        raise InvalidInput(str(exc)) from None
    fresh = sla.restart_clock(p.case, p.clock, new_due, now, cal)
    append_event(p.case, p.recipient, "sla_extension", comment=note,
                 data={"clock": fresh.name, "days": n, "due_at": new_due.isoformat(), "via": "email"})


def _instruct(p: PendingAction, now: dt.datetime, note: str) -> None:
    if not note:
        raise InvalidInput("Instruksi kosong.", {"note": ["Tuliskan instruksi Anda."]})
    if p.clock is not None and p.clock.next_escalation_at is not None:
        # The supervisor has spoken: the owner gets one escalation step to comply before the next level.
        p.clock.next_escalation_at = due(load_calendar(), now, p.clock.escalate_every)
    append_event(p.case, p.recipient, "note", comment=note, is_internal=True,
                 data={"instruction": True, "via": "email", "escalation": p.notice.level})


def perform(claim: tokens.ActionClaim, *, note: str = "", assignee_nip: str = "", days: str = "",
            jti: str | None = None) -> Case:
    """Do what the link or reply command asks, once. One unit of work."""
    note = (note or "").strip()[:5000]
    with unit_of_work():
        pending = _load(claim)
        case = pending.case
        if REGISTRY[case.case_type].is_final(case.state):
            raise Conflict(CASE_CLOSED)
        _party_refusal(pending)
        tokens.consume(jti or claim.jti, claim.action, pending.recipient.id)
        now = wall.now()
        if claim.action == "ambil_alih":
            _take_charge(pending, now, note)
        elif claim.action == "alihkan":
            _reassign(pending, now, assignee_nip, note)
        elif claim.action == "perpanjang":
            _extend(pending, now, days, note)
        else:
            _instruct(pending, now, note)
        case.updated_at = now
        case.next_deadline_at = sla.next_deadline(case)
    logger.info("Case %s: escalation action %s by user %s", case.ref, claim.action, pending.recipient.id)
    return case


def perform_link(token: str, **form) -> Case:
    return perform(tokens.read_action(token), **form)


def take_charge(case_id: int, actor: User, version: object) -> Case:
    """Take charge from the inbox, as the escalation email's "Ambil alih" link would: for the person the
    latest escalation on a still-running clock went to. One unit of work."""
    with unit_of_work():
        notice = db.session.scalars(
            select(SlaNotice).join(CaseClock, (CaseClock.case_id == SlaNotice.case_id)
                                   & (CaseClock.name == SlaNotice.clock) & (CaseClock.cycle == SlaNotice.cycle))
            .where(SlaNotice.case_id == case_id, SlaNotice.recipient_id == actor.id, SlaNotice.level >= 1,
                   SlaNotice.clock != APPROVAL,
                   CaseClock.stopped_at.is_(None), CaseClock.acknowledged_at.is_(None))
            .order_by(SlaNotice.id.desc())).first()
        if notice is None:
            raise Forbidden("Tidak ada eskalasi yang menunggu Anda pada kasus ini.")
        pending = _load(tokens.ActionClaim(notice.id, actor.id, "ambil_alih", ""))
        case = pending.case
        if REGISTRY[case.case_type].is_final(case.state):
            raise Conflict("Kasus ini sudah selesai; tidak ada tindakan yang diperlukan.")
        _party_refusal(pending)
        if str(version) != str(case.version):
            raise StaleCase(STALE_MESSAGE)
        now = wall.now()
        _take_charge(pending, now, "")
        case.updated_at = now
        case.next_deadline_at = sla.next_deadline(case)
    logger.info("Case %s: taken in charge from the inbox by user %s", case.ref, actor.id)
    return case
