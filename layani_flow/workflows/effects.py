"""What a step changes on a case besides its state. Pure functions of the case and the step's context:
they read the instant from `ctx["now"]` (never the wall clock) and the step's resolved inputs from
`ctx["fields"]`, change the case's own columns, and return what the timeline records about it. The
service writes the timeline, the clocks and the outbox afterwards, in the same transaction.
"""
from __future__ import annotations

from .base import CaseRecord, Effect, EffectData, StepContext


def take_if_unclaimed(case: CaseRecord, ctx: StepContext) -> EffectData:
    """Whoever starts work on an unclaimed case owns it."""
    if case.owner_id is None:
        case.owner_id = ctx["actor_id"]
        return {"owner": ctx["actor_name"]}
    return {}


def make_owner(part: str) -> Effect:
    """The person a PersonInput named (`becomes=part`) owns the case, in that part (a mediation's mediator)."""

    def appoint(case: CaseRecord, ctx: StepContext) -> EffectData:
        case.owner_id = ctx["fields"][f"{part}_id"]
        return {part: ctx["fields"][f"{part}_name"]}

    appoint.__name__ = f"make_owner_{part}"
    return appoint


def bring_in_other_party(case: CaseRecord, ctx: StepContext) -> EffectData:
    case.is_other_party_involved = True
    return {}


def hand_to_external_body(case: CaseRecord, ctx: StepContext) -> EffectData:
    """The chosen body (BKPSDMD, BKN, …) has the case until it answers; its own clock runs meanwhile."""
    case.external_body = ctx["fields"]["external_body"]
    return {"external_body": case.external_body}


def back_from_external_body(case: CaseRecord, ctx: StepContext) -> EffectData:
    body, case.external_body = case.external_body, None
    return {"external_body": body}


def mark_answered(case: CaseRecord, ctx: StepContext) -> EffectData:
    """The reopen window counts from here (guards.reopen_window_open)."""
    case.answered_at = ctx["now"]
    return {}


def clear_answered(case: CaseRecord, ctx: StepContext) -> EffectData:
    case.answered_at = None
    return {}


def record_outcome(case: CaseRecord, ctx: StepContext) -> EffectData:
    """The officer's notes are the step's comment; the next steps agreed are kept on the timeline."""
    next_steps = str(ctx["fields"].get("next_steps") or "").strip()
    return {"next_steps": next_steps} if next_steps else {}
