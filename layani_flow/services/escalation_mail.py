"""The sweep's emails (an SLA warning, an escalation), written when they are delivered.

The sweep only decides who hears of which clock at which level: it writes an outbox row holding those few
facts (`queued_values`), with no template rendered, no link signed and nothing flushed, so a batch of due cases is a
few statements. The worker's delivery calls `render` just before sending: it reads the case, the clock and
the notice, signs the email's action links and reply address (their age then runs from when they were
sent), and fills the row's subject and bodies. How late the clock was is told as of the sweep's instant.
"""
from __future__ import annotations

import datetime as dt
import math
from typing import Any

from flask import current_app
from sqlalchemy import select

from ..extensions import db
from ..models import Case, OutboxMessage, SlaNotice, User
from ..models.sla import CaseClock
from ..timefmt import human_wib, working_text
from ..workflows import REGISTRY
from ..workflows.clocks import CLOCK_LABELS
from ..working_time import WorkingCalendar
from . import outbox, sla, tokens
from .calendar import load_calendar

WARNING, ESCALATION = "sla_warning", "sla_escalation"
TEMPLATES = frozenset({WARNING, ESCALATION})

EMAIL_ACTIONS = {
    "ambil_alih": "Ambil alih dan tangani",
    "alihkan": "Alihkan ke petugas lain",
    "perpanjang": "Perpanjang batas waktu",
    "instruksi": "Beri instruksi",
}


def queued_values(template: str, case: Case, clock: CaseClock, recipient: User, level: int,
                  at: dt.datetime) -> dict[str, Any]:
    """One warning (level 0) or escalation email as an outbox row's values, to be written at delivery. Once
    per case, clock, cycle and level: the sweep's notice makes that a database fact."""
    return outbox.later_values(to=recipient.email, template=template, case=case,
                               context={"clock_id": clock.id, "recipient_id": recipient.id, "level": level,
                                        "at": at.isoformat()},
                               dedupe_key=f"sla:{case.id}:{clock.name}:{clock.cycle}:{level}")


def filer_text(case: Case) -> str:
    """Who filed, as an escalation tells it: an anonymous filer stays nobody."""
    if case.is_anonymous or case.requester is None:
        return "anonim"
    return f"{case.requester.name} (NIP {case.requester.nip})"


def email_context(case: Case, clock: CaseClock, recipient: User, cal: WorkingCalendar, now: dt.datetime) -> dict:
    """What a warning or an escalation says about the case and its clock, as of `now`."""
    left = sla.remaining(clock, now, cal)
    late_minutes = math.floor(-left.total_seconds() / 60) if left.total_seconds() < 0 else 0
    return {
        "recipient_name": recipient.name, "clock_label": CLOCK_LABELS[clock.name],
        "due_text": human_wib(clock.due_at), "state_label": REGISTRY[case.case_type].states[case.state],
        "owner_name": case.owner.name if case.owner else "belum ada petugas",
        "filer_text": filer_text(case),
        # Working time past the due instant, as the case page says it ("terlambat 2 hari 3 jam kerja").
        "late_text": f"terlambat {working_text(late_minutes)}" if late_minutes > 0 else "",
        "remaining": left,
    }


def render(row: OutboxMessage) -> tuple[dict[str, Any], str | None]:
    """The template context of a queued sweep email, and its Reply-To (an escalation is answered by
    replying). LookupError when what it is about is gone."""
    facts = row.context or {}
    clock = db.session.get(CaseClock, facts["clock_id"])
    recipient = db.session.get(User, facts["recipient_id"])
    if clock is None or recipient is None:
        raise LookupError("kasus, jam layanan atau penerima email ini sudah tidak ada")
    case = db.session.get(Case, clock.case_id)
    assert case is not None  # a clock belongs to its case (foreign key)
    level = int(facts["level"])
    context = email_context(case, clock, recipient, load_calendar(), dt.datetime.fromisoformat(facts["at"]))
    context["case"] = case
    if row.template != ESCALATION:
        return context, None
    notice_id = db.session.scalar(select(SlaNotice.id).where(
        SlaNotice.case_id == case.id, SlaNotice.clock == clock.name, SlaNotice.cycle == clock.cycle,
        SlaNotice.level == level, SlaNotice.recipient_id == recipient.id))
    if notice_id is None:
        raise LookupError("catatan eskalasi email ini sudah tidak ada")
    base = current_app.config["BASE_URL"].rstrip("/")
    context.update(level=level, actions=EMAIL_ACTIONS,
                   links={action: f"{base}/email/aksi/{tokens.sign_action(notice_id, recipient.id, action)}"
                          for action in EMAIL_ACTIONS})
    return context, tokens.reply_address(case.id, recipient.id, outbox.mail_domain())
