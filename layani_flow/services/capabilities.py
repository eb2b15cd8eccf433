"""What a person may do on a case now, and why not: the one answer the pages and the API both show, built
from the same refusal rules the services then enforce.

Each rule returns the error the service would raise (None when the person may), so what a page offers is
exactly what the service allows, and the reason it gives is the one the service would answer with. The
rules rest on services.access.tags_for, where separation of duties lives: a party to a case is only a
party there, never its officer, supervisor, owner or mediator.

Only the desk hands desk cases around: an officer claims an unclaimed case and passes on one they own; the
desk head (DESK_HEAD_NIP) may claim or reassign any. A line supervisor who can read a request does not
handle it, nor does an admin (admins configure the system, they do not work cases). A case type the desk
does not claim (Workflow.desk_claims) gets its owner through one of its own steps instead.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import Select, and_, or_, select

from .. import clock
from ..extensions import db
from ..models import Case, User
from ..roles import Role
from ..workflows import REGISTRY, Step, StepContext, Workflow
from .access import (
    PARTY_MESSAGE,
    Actor,
    acts_for_desk,
    forbidden,
    is_desk_head,
    is_party,
    on_desk,
    party_on_desk,
    tags_for,
)
from .errors import DomainError, Forbidden, InvalidInput, TransitionNotAllowed
from .timeline import recorded_actor

# -- the rules ----------------------------------------------------------------------------------------------

def step_context(case: Case, actor: Actor | None, tags: frozenset[str],
                 fields: dict[str, Any] | None = None) -> StepContext:
    """What guards and effects are told: who acts, in what relations, when, with which inputs."""
    return {"actor_id": getattr(actor, "id", None), "actor_name": recorded_actor(actor)[1], "tags": tags,
            "now": clock.now(), "fields": fields or {},
            "settings": {"complaint_reopen_days": current_app.config["COMPLAINT_REOPEN_DAYS"]}}


def permission_refusal(case: Case, step: Step, actor: Actor | None, tags: frozenset[str]) -> Forbidden | None:
    """403 unless the actor's role or relations are among the step's `who` (a party is told why)."""
    if step.who & tags:
        return None
    return forbidden(case, actor, step.who, f"Anda tidak berwenang melakukan tindakan \"{step.label}\" pada kasus ini.")


def state_refusal(case: Case, workflow: Workflow, step: Step) -> TransitionNotAllowed | None:
    """409 unless the step leaves the case's current state."""
    if case.state in step.sources:
        return None
    return TransitionNotAllowed(f"Tindakan \"{step.label}\" tidak dapat dilakukan saat kasus berstatus "
                                f"\"{workflow.states[case.state]}\".")


def _handling_refusal(case: Case, actor: Actor | None) -> DomainError | None:
    """What refuses any claim or assignment on this case by this actor, whoever the assignee."""
    workflow = REGISTRY[case.case_type]
    if not workflow.desk_claims:
        return TransitionNotAllowed(workflow.not_claimed_because)
    if workflow.is_final(case.state):
        return TransitionNotAllowed("Kasus yang sudah selesai tidak dapat dialihkan.")
    if is_party(case, getattr(actor, "id", None)):
        return Forbidden(PARTY_MESSAGE)
    return None


def claim_refusal(case: Case, actor: Actor | None) -> DomainError | None:
    """Why the actor may not take this case for themselves now; None when they may."""
    refusal = _handling_refusal(case, actor)
    if refusal is not None:
        return refusal
    if not isinstance(actor, User) or not on_desk(actor):
        return Forbidden("Hanya petugas layanan atau kepala layanan kepegawaian yang dapat mengklaim kasus.")
    if case.owner_id == actor.id:
        return TransitionNotAllowed("Kasus ini sudah Anda tangani.")
    if case.owner_id is not None and not is_desk_head(actor):
        return TransitionNotAllowed("Kasus ini sudah ditangani petugas lain.")
    return None


def assign_refusal(case: Case, actor: Actor | None) -> DomainError | None:
    """Why the actor may not hand this case to someone else now; None when they may (to assignable_staff)."""
    refusal = _handling_refusal(case, actor)
    if refusal is not None:
        return refusal
    if isinstance(actor, User) and (is_desk_head(actor) or (actor.role == Role.OFFICER and case.owner_id == actor.id)):
        return None
    return Forbidden("Hanya petugas penanggung jawab atau kepala layanan kepegawaian yang dapat menugaskan kasus ini.")


def assignee_refusal(case: Case, assignee: User) -> InvalidInput | None:
    """Why this person may not be given the case: off the desk, inactive, or a party to it."""
    if not assignee.is_active or not on_desk(assignee):
        return InvalidInput("Petugas tidak valid.", {"assignee_nip": [
            "Hanya petugas layanan atau kepala layanan kepegawaian yang dapat ditugaskan."]})
    if is_party(case, assignee.id):
        return InvalidInput("Petugas tidak valid.", {"assignee_nip": ["Pihak dalam kasus tidak dapat menanganinya."]})
    return None


def _desk_query(exclude_ids: list[int]) -> Select[tuple[User]]:
    desk = User.role == Role.OFFICER
    head_nip = current_app.config.get("DESK_HEAD_NIP")
    if head_nip:
        desk = or_(desk, and_(User.role == Role.SUPERVISOR, User.nip == head_nip))
    return select(User).where(desk, User.is_active_account, User.id.not_in(exclude_ids)).order_by(User.name)


def assignable_staff(case: Case) -> list[User]:
    """Who may be given this case, by name: active officers and the desk head, never a party to it."""
    return list(db.session.scalars(_desk_query(sorted(case.party_ids))).unique().all())


def desk_staff() -> list[User]:
    """Everyone a desk case may be given to (a bulk assignment's list; each case still refuses its parties)."""
    return list(db.session.scalars(_desk_query([])).unique().all())


def upload_refusal(case: Case, actor: Actor | None, tags: frozenset[str]) -> DomainError | None:
    """Why the actor may not add a document now: only the requester (or anonymous filer) and the owner may,
    while the case is open; a party who is also on the desk adds documents as the requester does."""
    if not tags & {"requester", "owner"}:
        return forbidden(case, actor, {"requester", "owner"},
                         "Hanya pemohon atau petugas penanggung jawab yang dapat mengunggah dokumen.")
    if REGISTRY[case.case_type].is_final(case.state):
        return TransitionNotAllowed("Kasus sudah selesai; dokumen tidak dapat ditambahkan.")
    return None


def review_refusal(case: Case, actor: Actor | None, tags: frozenset[str]) -> DomainError | None:
    """Why the actor may not verify or reject documents now: only the owner does, while the case is open."""
    if "owner" not in tags:
        return forbidden(case, actor, {"owner"}, "Hanya petugas penanggung jawab yang dapat memverifikasi dokumen.")
    if REGISTRY[case.case_type].is_final(case.state):
        return TransitionNotAllowed("Kasus sudah selesai.")
    return None


def internal_note_refusal(case: Case, actor: Actor | None) -> Forbidden | None:
    """Internal notes are the desk's, and a party to the case is not the desk there."""
    return None if acts_for_desk(case, actor) else Forbidden("Catatan internal hanya untuk petugas.")


def other_party_refusal(case: Case, actor: Actor | None) -> Forbidden | None:
    """Who may see who the other party is: everyone who reads a case the other party takes part in; for a
    case about someone (a complaint), the desk only."""
    other = REGISTRY[case.case_type].other_party
    if other is None:
        return Forbidden("Kasus ini tidak melibatkan pihak lain.")
    if other.takes_part or acts_for_desk(case, actor):
        return None
    return Forbidden("Hanya petugas layanan yang melihat pihak yang diadukan.")


# -- the answer ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Capability:
    """May they, and if not, why (in Indonesian, as the service would answer)."""

    allowed: bool
    reason: str | None = None

    def __bool__(self) -> bool:
        return self.allowed

    @classmethod
    def unless(cls, refusal: DomainError | None) -> Capability:
        return cls(True) if refusal is None else cls(False, refusal.message)

    def as_dict(self) -> dict[str, Any]:
        return {"allowed": self.allowed, "reason": self.reason}


@dataclass(frozen=True)
class Action:
    """One step of the case's workflow as this person meets it now."""

    trigger: str
    label: str
    needs: frozenset[str]
    tone: str
    offered: bool = True  # theirs to take from this state: the page shows its form, the API lists it
    # Why it may not be fired now: for an offered step, the guards that refuse (the button waits on them);
    # for any other, their part in the case or the case's state, as the service would answer.
    blocked_by: tuple[str, ...] = ()

    @property
    def allowed(self) -> bool:
        return self.offered and not self.blocked_by


@dataclass(frozen=True)
class Capabilities:
    """Everything one person may do on one case now."""

    steps: tuple[Action, ...]  # every step of the workflow, in declaration order
    upload: Capability
    review: Capability  # verify or reject documents
    claim: Capability
    assign: Capability
    assignees: tuple[User, ...]  # to whom, when they may assign
    message: Capability
    internal_note: Capability  # and so: reads internal notes, the requester's NIP, whom escalations went to
    see_other_party: Capability
    party_notice: str | None = None  # desk staff who are a party: why the page offers them nothing of the desk

    @property
    def actions(self) -> list[Action]:
        """The steps offered to them (the page's forms, the API's `actions`)."""
        return [a for a in self.steps if a.offered]

    @property
    def allowed_triggers(self) -> list[str]:
        return [a.trigger for a in self.steps if a.allowed]

    def as_dict(self) -> dict[str, Any]:
        """The API's `capabilities`."""
        return {
            "triggers": [{"trigger": a.trigger, "label": a.label, "allowed": a.allowed,
                          "reasons": list(a.blocked_by)} for a in self.steps],
            "upload": self.upload.as_dict(), "review_documents": self.review.as_dict(),
            "claim": self.claim.as_dict(),
            "assign": {**self.assign.as_dict(), "to": [{"nip": u.nip, "name": u.name} for u in self.assignees]},
            "message": self.message.as_dict(), "internal_note": self.internal_note.as_dict(),
            "see_other_party": self.see_other_party.as_dict(),
        }


def _steps(case: Case, actor: Actor | None, tags: frozenset[str]) -> tuple[Action, ...]:
    workflow = REGISTRY[case.case_type]
    ctx = step_context(case, actor, tags)
    steps = []
    for step in workflow.steps:
        refusal = permission_refusal(case, step, actor, tags) or state_refusal(case, workflow, step)
        if refusal is not None:
            steps.append(Action(step.trigger, step.label, step.needs, step.tone, False, (refusal.message,)))
            continue
        # Guards that judge the step's own input (e.g. the chosen mediator) are checked when it is sent.
        blocked = None if "form" in step.needs else workflow.refusal(case, step.trigger, ctx)
        steps.append(Action(step.trigger, step.label, step.needs, step.tone, True, blocked.reasons if blocked else ()))
    return tuple(steps)


def capabilities(case: Case, actor: Actor | None) -> Capabilities:
    """What this person may do to the case now, with the reasons for what they may not."""
    tags = tags_for(case, actor)
    assign = Capability.unless(assign_refusal(case, actor))
    return Capabilities(
        steps=_steps(case, actor, tags),
        upload=Capability.unless(upload_refusal(case, actor, tags)),
        review=Capability.unless(review_refusal(case, actor, tags)),
        claim=Capability.unless(claim_refusal(case, actor)),
        assign=assign,
        assignees=tuple(assignable_staff(case)) if assign else (),
        message=Capability(True),  # whoever may read a case may write on it (services.cases.add_message)
        internal_note=Capability.unless(internal_note_refusal(case, actor)),
        see_other_party=Capability.unless(other_party_refusal(case, actor)),
        party_notice=PARTY_MESSAGE if party_on_desk(case, actor) else None,
    )
