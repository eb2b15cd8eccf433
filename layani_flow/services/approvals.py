"""What an approver can do from an approval request email: approve or decline by a signed link (confirmed on
a page, done on POST) or by replying SETUJU / TOLAK <alasan>. Either fires the workflow's own step
(superior_approve / superior_decline) through services.cases.transition_case as the approver, so the same
rules decide as on the case page and in the API; the token is spent in the same transaction."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select

from ..extensions import db
from ..models import Case, SlaNotice, User
from ..workflows import REGISTRY
from . import cases, tokens
from .approval_requests import APPROVAL_ACTIONS, APPROVAL_NOTICE, APPROVAL_TRIGGERS, waits_on_superior
from .db import unit_of_work
from .errors import Conflict, InvalidInput, NotFound

logger = logging.getLogger(__name__)

# First word of a reply → action, when the reply answers an approval request.
REPLY_COMMANDS = {"SETUJU": "setujui", "SETUJUI": "setujui", "TOLAK": "tolak"}


def is_approval_action(action: str) -> bool:
    return action in APPROVAL_ACTIONS


@dataclass(frozen=True)
class PendingApproval:
    """What an approval link offers, for its confirmation page. Reading it changes nothing."""

    claim: tokens.ActionClaim
    notice: SlaNotice
    case: Case
    recipient: User

    @property
    def label(self) -> str:
        return APPROVAL_ACTIONS[self.claim.action]

    @property
    def needs_reason(self) -> bool:
        return "comment" in REGISTRY[self.case.case_type].by_trigger[APPROVAL_TRIGGERS[self.claim.action]].needs


def _load(claim: tokens.ActionClaim) -> PendingApproval:
    if claim.action not in APPROVAL_ACTIONS:
        raise tokens.InvalidLink("Tautan tidak sah.")
    notice = db.session.get(SlaNotice, claim.notice_id)
    recipient = db.session.get(User, claim.user_id)
    if (notice is None or recipient is None or notice.clock != APPROVAL_NOTICE
            or notice.recipient_id != recipient.id or not recipient.is_active):
        raise tokens.InvalidLink("Tautan tidak sah.")
    case = db.session.get(Case, notice.case_id)
    if case is None:
        raise NotFound("Kasus tidak ditemukan.")
    return PendingApproval(claim, notice, case, recipient)


def _still_waiting(pending: PendingApproval) -> None:
    if not waits_on_superior(pending.case):
        raise Conflict("Permohonan ini sudah tidak menunggu persetujuan atasan; tidak ada yang perlu dilakukan.")


def preview(token: str) -> PendingApproval:
    """For the GET confirmation page: checks the link (signature, age, not yet used, still waiting); changes
    nothing."""
    pending = _load(tokens.read_action(token))
    if db.session.get(tokens.UsedEmailToken, pending.claim.jti) is not None:
        raise Conflict("Tautan ini sudah pernah digunakan.")
    _still_waiting(pending)
    return pending


def perform(claim: tokens.ActionClaim, *, note: str = "", jti: str | None = None) -> Case:
    """Approve or decline, once. One unit of work: the token is spent only if the step is taken."""
    note = (note or "").strip()[:5000]
    with unit_of_work():
        pending = _load(claim)
        _still_waiting(pending)
        if pending.needs_reason and not note:
            raise InvalidInput("Alasan wajib diisi.", {"note": ["Tuliskan alasan penolakan."]})
        tokens.consume(jti or claim.jti, claim.action, pending.recipient.id)
        case = cases.transition_case(pending.case.id, APPROVAL_TRIGGERS[claim.action], pending.recipient,
                                     pending.case.version, note)
    logger.info("Case %s: approval action %s by user %s", case.ref, claim.action, pending.recipient.id)
    return case


def perform_link(token: str, *, note: str = "") -> Case:
    return perform(tokens.read_action(token), note=note)


def reply_claim(case_id: int, user_id: int, word: str, key: str) -> tokens.ActionClaim | None:
    """The claim a reply command makes on an approval request to this person, or None when the reply is not
    about one (the command is then read as an escalation command, or the reply as a note)."""
    action = REPLY_COMMANDS.get(word.upper().rstrip(":.,"))
    if action is None:
        return None
    notice = db.session.scalars(select(SlaNotice).where(
        SlaNotice.case_id == case_id, SlaNotice.recipient_id == user_id, SlaNotice.clock == APPROVAL_NOTICE)
        .order_by(SlaNotice.id.desc())).first()
    case = db.session.get(Case, case_id)
    if notice is None or case is None or not waits_on_superior(case):
        return None
    return tokens.ActionClaim(notice.id, user_id, action, "mail-" + key[:30])
