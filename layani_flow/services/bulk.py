"""Bulk claim and assignment from the queue: each case through the one-case service, with its own version
check and its own unit of work, so one case that moved meanwhile (or may not be handed around) refuses
alone and the others go through. The answer says, per case, what happened and why."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from ..models import User
from . import cases
from .errors import DomainError, NotFound
from .listings import visible_refs

logger = logging.getLogger(__name__)

MAX_BULK = 100  # a page of the queue is at most this long; a longer list is not from the page


@dataclass(frozen=True)
class Outcome:
    case_id: int
    ref: str | None  # None: a case the actor may not see (the report does not name it)
    ok: bool
    message: str


def assign_many(actor: User, picked: list[tuple[int, str]], assignee_nip: str | None) -> list[Outcome]:
    """Claim (assignee_nip None) or assign each (case id, version) the actor picked. Never raises for one
    case: its refusal is its outcome."""
    refs = visible_refs(actor, [case_id for case_id, _ in picked])
    outcomes = []
    for case_id, version in picked:
        ref = refs.get(case_id)
        try:
            if ref is None:
                raise NotFound("Kasus tidak ditemukan atau Anda tidak berhak melihatnya.")
            if assignee_nip is None:
                case = cases.claim_case(case_id, actor, version)
            else:
                case = cases.assign_case(case_id, actor, assignee_nip, version)
        except DomainError as exc:
            detail = " ".join(m for ms in (exc.errors or {}).values() for m in ms) if exc.errors else ""
            outcomes.append(Outcome(case_id, ref, False, detail or exc.message))
            continue
        owner = case.owner.name if case.owner else ""
        outcomes.append(Outcome(case_id, ref, True, f"ditangani {owner}"))
    logger.info("Bulk %s by user %s: %d of %d done", "claim" if assignee_nip is None else "assign", actor.id,
                sum(o.ok for o in outcomes), len(outcomes))
    return outcomes
