"""Who may see a case, and what someone is to it (their roles and relations, as the workflows name them).

`can_view` (one case, in Python) and `visible_cases` (a SQL filter for lists) state the same rule twice
for speed; tests/services/test_access.py checks they agree for every role and relation.

Separation of duties lives here, in `tags_for`: a party to a case (its requester, or the other party) is
only a party there. Every step, upload, review, claim and assignment is decided on these tags or on
`acts_for_desk`, so nobody handles, verifies or decides a case they are a party to, whatever their role.
"""
from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass

from flask import current_app, has_request_context, request
from sqlalchemy import ColumnElement, Integer, and_, bindparam, exists, false, func, or_, select
from sqlalchemy.orm import aliased

from ..extensions import db
from ..models import Case, SlaNotice, User
from ..roles import DESK_READERS, DESK_ROLES, LEAD_ROLES, Role
from ..workflows import REGISTRY, case_types_where
from ..workflows.clocks import APPROVAL
from .declared_sql import one_of_declared
from .errors import Forbidden

# What a party keeps on its own case: the steps of a requester or an other party, nothing of the desk's.
PARTY_RELATIONS = frozenset({"requester", "other_party"})
PARTY_MESSAGE = "Anda adalah pihak dalam kasus ini; kasus ini harus ditangani petugas lain."


@dataclass(frozen=True)
class TrackedFiler:
    """Whoever holds an anonymous complaint's tracking code: its requester, and nobody in particular."""

    case_id: int
    id: None = None
    role: None = None
    name: str = "Pelapor anonim"


Actor = User | TrackedFiler


def superior_chain(user: User | None) -> list[User]:
    """Everyone above `user`, the direct superior first; a cycle in the data is cut before anyone repeats."""
    chain: list[User] = []
    seen = {user.id} if user is not None else set()
    current = user
    while current is not None and current.superior_id is not None and current.superior_id not in seen:
        seen.add(current.superior_id)
        # The relationship, not session.get(): the loaded superior stays referenced from its subordinate, so
        # the identity map (weak) keeps it for a whole sweep batch instead of one SELECT per case.
        current = current.superior
        if current is not None:
            chain.append(current)
    return chain


def superior_ids(user: User | None) -> set[int]:
    """Everyone above `user` in the superior chain: one query up the chain (a cycle in the data ends where
    someone repeats) instead of loading each superior in turn, asked once a request per person."""
    if user is None or user.superior_id is None:
        return set()
    memo = _request_memo("layani.superior_ids")
    key = (user.id, user.superior_id)
    if key not in memo:
        memo[key] = set(db.session.scalars(_chain_statement(), {"chain_start": user.superior_id})) - {user.id}
    return memo[key]


@functools.cache
def _chain_statement():
    """superior_ids' query, built once: the ids from the direct superior (a bound parameter) upwards."""
    start = select(User.id, User.superior_id).where(User.id == bindparam("chain_start", type_=Integer))
    chain = start.cte("chain", recursive=True)
    chain = chain.union(select(User.id, User.superior_id).where(User.id == chain.c.superior_id))
    return select(chain.c.id)


def _request_memo(name: str) -> dict:
    """A dict that lives as long as the request (a fresh one outside a request: nothing is kept)."""
    return request.environ.setdefault(name, {}) if has_request_context() else {}


def subordinate_ids_query(user_id: int, name: str = "subordinates"):
    """A recursive CTE selecting everyone below `user_id` in the superior chain (one `name` per use)."""
    tree = select(User.id).where(User.superior_id == user_id).cte(name, recursive=True)
    tree = tree.union(select(User.id).where(User.superior_id == tree.c.id))
    return select(tree.c.id)


_BELOW = aliased(User, name="below")


def leads_clause(user_id) -> ColumnElement[bool]:
    """True when someone names `user_id` (a value or a column) as their superior."""
    return exists().where(_BELOW.superior_id == user_id)


def leads_anyone(user_id: int) -> bool:
    """Someone names `user_id` as their superior. Most people lead nobody, and what they may see needs none of
    the chain's SQL (two recursive CTEs the planner works through on every list); asked once a request, and
    not at all for the signed-in person (services.sessions reads it with their session: `remember_leads`)."""
    memo = _request_memo("layani.leads_anyone")
    if user_id not in memo:
        memo[user_id] = bool(db.session.scalar(select(leads_clause(user_id))))
    return memo[user_id]


def remember_leads(user_id: int, leads: bool) -> None:
    _request_memo("layani.leads_anyone")[user_id] = leads


def is_desk_head(user: User) -> bool:
    """The head of the personnel desk (DESK_HEAD_NIP) oversees every desk case, claimed or not."""
    return user.role == Role.SUPERVISOR and user.nip == current_app.config.get("DESK_HEAD_NIP")


def is_party(case: Case, user_id: int | None) -> bool:
    return user_id is not None and user_id in case.party_ids


def on_desk(user: Actor | None) -> bool:
    """Whoever may be given a desk case to handle: an officer, or the desk head."""
    return isinstance(user, User) and (user.role == Role.OFFICER or is_desk_head(user))


def tags_for(case: Case, actor: Actor | None) -> frozenset[str]:
    """The actor's role plus relations to this case: requester, owner, mediator, other_party, requester_superior.

    A party acts on its own case only as a party: an officer who filed a request is its "requester" and not
    an "officer" there, a supervisor who asked for a mediation cannot pick its mediator, and an owner who is
    a party (possible only in data older than this rule) is not its owner here.
    """
    if actor is None:
        return frozenset()
    if isinstance(actor, TrackedFiler):
        return frozenset({"requester"}) if actor.case_id == case.id else frozenset()
    workflow = REGISTRY[case.case_type]
    tags = {actor.role}
    if case.requester_id == actor.id:
        tags.add("requester")
    if case.owner_id == actor.id:
        tags.add("owner")
        if workflow.owner_called is not None:
            tags.add(workflow.owner_called)
    if case.other_party_id == actor.id and workflow.other_party_reads(case):
        tags.add("other_party")
    if case.requester is not None and actor.id != case.requester_id and (
            actor.id in superior_ids(case.requester) or _asked_to_approve(case, workflow, actor.id)):
        tags.add("requester_superior")
    return frozenset(tags & PARTY_RELATIONS if is_party(case, actor.id) else tags)


def _asked_to_approve(case: Case, workflow, user_id: int) -> bool:
    """Someone outside the chain holds the superior's part while an approval request to them waits: an acting
    official (Plt/Plh, services.acting) the request went to in place of the official who is away."""
    if case.id is None or case.state not in workflow.approval_in:
        return False
    return db.session.scalar(select(exists().where(
        SlaNotice.case_id == case.id, SlaNotice.clock == APPROVAL, SlaNotice.recipient_id == user_id))) or False


def forbidden(case: Case, actor: Actor | None, needed: Iterable[str], message: str) -> Forbidden:
    """The 403 for an actor who may not take an action open to `needed`. Desk staff who are a party to the
    case are told why when it is the desk's action (one no party relation may take), else `message`."""
    if party_on_desk(case, actor) and not PARTY_RELATIONS & set(needed):
        return Forbidden(PARTY_MESSAGE)
    return Forbidden(message)


def acts_for_desk(case: Case, actor: Actor | None) -> bool:
    """The actor speaks for the desk on this case (internal notes, names on the timeline, a first response):
    desk staff who are not a party to it."""
    return getattr(actor, "role", None) in DESK_ROLES and not is_party(case, getattr(actor, "id", None))


def party_on_desk(case: Case, actor: Actor | None) -> bool:
    """Desk staff who are a party to this case: the page tells them why it offers no desk action."""
    return getattr(actor, "role", None) in DESK_ROLES and is_party(case, getattr(actor, "id", None))


def was_alerted(case: Case, user_id: int) -> bool:
    """Whoever an SLA warning or escalation went to may read the case they are asked to act on."""
    return db.session.scalar(select(exists().where(SlaNotice.case_id == case.id,
                                                   SlaNotice.recipient_id == user_id))) or False


def can_view(case: Case, actor: Actor | None) -> bool:
    if actor is None:
        return False
    if isinstance(actor, TrackedFiler):
        return actor.case_id == case.id
    uid = actor.id
    if uid in (case.requester_id, case.owner_id):
        return True
    if uid not in case.party_ids and case.id is not None and was_alerted(case, uid):
        return True
    workflow = REGISTRY[case.case_type]
    if case.other_party_id == uid:  # only once taking part; the person a complaint is about never reads it
        return workflow.other_party_reads(case)
    if workflow.confidential:  # supervisors and admins who take no part
        return actor.role in LEAD_ROLES
    if actor.role in DESK_READERS or is_desk_head(actor):
        return True
    if case.owner is not None and uid in superior_ids(case.owner):  # their officers' work
        return True
    return (workflow.requester_superiors_read and case.requester is not None
            and uid in superior_ids(case.requester))


def own_cases(user: User):
    """The cases someone filed or handles: the first thing `visible_cases` allows, and all a list of someone's
    own cases needs to say (far less for the planner than the whole rule)."""
    return or_(Case.requester_id == user.id, Case.owner_id == user.id)


def visible_cases(actor: Actor | None, *, leads: bool | None = None):
    """A WHERE clause selecting exactly the cases `can_view` allows. `leads`: whether the actor leads anyone
    (looked up when not given; a statement built for everyone of one shape passes it)."""
    if actor is None:
        return false()
    if isinstance(actor, TrackedFiler):
        return Case.id == actor.case_id
    uid = actor.id
    if leads is None:
        leads = leads_anyone(uid)
    not_other_party = func.coalesce(Case.other_party_id, 0) != uid
    desk_cases = one_of_declared(Case.case_type, case_types_where(lambda wf: not wf.confidential))
    clauses = [  # keep in step with can_view
        own_cases(actor),
        and_(one_of_declared(Case.case_type, case_types_where(lambda wf: wf.other_party_takes_part)),
             Case.other_party_id == uid, Case.is_other_party_involved),
        and_(not_other_party, func.coalesce(Case.requester_id, 0) != uid,
             Case.id.in_(select(SlaNotice.case_id).where(SlaNotice.recipient_id == uid))),
    ]
    if leads:  # their team's requests, and the cases their officers handle
        clauses += [
            and_(one_of_declared(Case.case_type, case_types_where(lambda wf: wf.requester_superiors_read)), not_other_party,
                 Case.requester_id.in_(subordinate_ids_query(uid))),
            and_(desk_cases, not_other_party, Case.owner_id.in_(subordinate_ids_query(uid, "owners_below"))),
        ]
    if actor.role in DESK_READERS or is_desk_head(actor):
        clauses.append(and_(desk_cases, not_other_party))
    if actor.role in LEAD_ROLES:
        clauses.append(and_(one_of_declared(Case.case_type, case_types_where(lambda wf: wf.confidential)), not_other_party))
    return or_(*clauses)
