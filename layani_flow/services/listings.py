"""Lists of cases: a person's own, the desk's queue, a supervisor's team, the API's filtered pages.

Read-only: no unit of work. Every list is filtered by services.access.visible_cases (or is someone's own),
loads requester and owner in the same query (the relationships are joined eagerly), the desk's lists and
the API load the page's clocks in one more query, and none touches events or documents, so a page costs
the same few queries whatever its length.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, false, func, or_, select, true
from sqlalchemy import case as sql_case
from sqlalchemy.orm import selectinload

from .. import clock
from ..extensions import db
from ..models import Case, CaseClock, User
from ..workflows import ALL_STATES, REGISTRY, Workflow, case_types_where
from . import search
from .access import Actor, subordinate_ids_query, visible_cases
from .declared_sql import one_of_declared
from .errors import InvalidInput


@dataclass(frozen=True)
class CasePage:
    items: list[Case]
    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return page_count(self.total, self.size)


def page_count(total: int, size: int) -> int:
    """How many pages `total` rows fill (one, even when there are none)."""
    return max(1, -(-total // size))


def clamped_page(number: int, total: int, size: int) -> int:
    """The page asked for, within the pages there are."""
    return min(max(number, 1), page_count(total, size))


# -- the conditions every list shares ------------------------------------------------------------------

def in_states(pick: Callable[[Workflow], Iterable[str]]) -> ColumnElement[bool]:
    """True for cases in one of the states `pick` names for their own workflow. A state picked for one type
    and not for another needs the type beside it; otherwise the state alone says it, one `IN` that costs
    PostgreSQL's planner a fraction of a type-by-type OR (planned anew on every page)."""
    picked = {key: set(pick(wf)) for key, wf in REGISTRY.items()}
    chosen = set().union(*picked.values())
    if all(chosen.isdisjoint(set(wf.states) - picked[key]) for key, wf in REGISTRY.items()):
        return one_of_declared(Case.state, chosen)
    return or_(false(), *(and_(Case.case_type == key, one_of_declared(Case.state, states))
                          for key, states in picked.items() if states))


def final_state_clause() -> ColumnElement[bool]:
    """True for cases that sit in a final state of their own workflow."""
    return in_states(lambda wf: wf.final)


def _running_clock_of_the_case() -> ColumnElement[bool]:
    """A clock of the case in the enclosing query that runs now: neither stopped nor paused."""
    return and_(CaseClock.case_id == Case.id, CaseClock.stopped_at.is_(None), CaseClock.paused_at.is_(None))


def next_running_due() -> Any:
    """Per case row: the earliest due instant among its running clocks (NULL when none runs)."""
    return (select(func.min(CaseClock.due_at)).where(_running_clock_of_the_case())
            .correlate(Case).scalar_subquery())


def overdue_clause(now: dt.datetime) -> ColumnElement[bool]:
    """Overdue: a clock still running whose due instant has passed."""
    return exists().where(_running_clock_of_the_case(), CaseClock.due_at <= now)


def _paged(query: Select[tuple[Case]], number: int, size: int) -> CasePage:
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    number = clamped_page(number, total, size)
    items = db.session.scalars(query.limit(size).offset((number - 1) * size)).unique().all()
    return CasePage(list(items), number, size, total)


def open_case_counts(user_ids: list[int]) -> dict[int, int]:
    """How many open cases each of these people owns, in one grouped query (the assignee lists show it)."""
    if not user_ids:
        return {}
    rows = db.session.execute(select(Case.owner_id, func.count()).where(Case.owner_id.in_(sorted(set(user_ids))),
                                                                        ~final_state_clause())
                              .group_by(Case.owner_id)).all()
    counts = {owner_id: 0 for owner_id in user_ids}
    counts.update({owner_id: n for owner_id, n in rows})
    return counts


# -- the pages -------------------------------------------------------------------------------------------

def list_own_cases(user: User, limit: int = 100) -> list[Case]:
    """The person's own cases and those they were brought into as the other party, newest first."""
    takes_part = case_types_where(lambda wf: wf.other_party_takes_part)
    query = (
        select(Case)
        .where(or_(Case.requester_id == user.id,
                   and_(one_of_declared(Case.case_type, takes_part), Case.other_party_id == user.id,
                        Case.is_other_party_involved)))
        .order_by(Case.created_at.desc(), Case.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query).unique().all())


QUEUE_VIEWS = ("belum_diklaim", "saya", "semua")


def waiting_off_desk_clause() -> ColumnElement[bool]:
    """True for cases that wait on someone other than the desk (the requester, the requester's superior): the
    states each workflow declares paused, other than waiting on another agency. Nobody on the desk can move
    such a case, so it is not something to claim yet."""
    return or_(false(), *(and_(Case.case_type == key, one_of_declared(Case.state, set(wf.paused_in) - set(wf.external_in)))
                          for key, wf in REGISTRY.items() if set(wf.paused_in) - set(wf.external_in)))


def state_filters() -> list[tuple[str, str, list[tuple[str, str]]]]:
    """The queue's state filter, per case type: (type, type title, [(value, state label)]). A value names
    its type ("service_request:submitted"), so two types' "Diajukan" are two choices, not one ambiguous one."""
    return [(key, wf.title, [(f"{key}:{state}", label) for state, label in wf.states.items()])
            for key, wf in REGISTRY.items()]


def parse_state_filter(value: str | None) -> tuple[str | None, str | None]:
    """(case type, state) from a state filter's value: "type:state", or a bare state (every type that has
    it, as links written before the filter named the type). (None, None) for anything else."""
    if not value:
        return None, None
    case_type, _, state = value.rpartition(":")
    if case_type:
        workflow = REGISTRY.get(case_type)
        return (case_type, state) if workflow is not None and state in workflow.states else (None, None)
    return (None, state) if state in ALL_STATES else (None, None)


def queue_query(actor: User, *, view: str = "semua", state: str | None = None,
                case_type: str | None = None, words: search.Query | None = None) -> Select[tuple[Case]]:
    """The desk's work list as a query (the page and the CSV export share it): cases the actor may see, what
    is about to breach first (the earliest due instant among running clocks; cases with none after), then
    oldest first; final states only when asked by name. `state` may name its type ("type:state")."""
    # A party's own cases are on its home page, not in its work list: it may not handle them.
    query = select(Case).where(visible_cases(actor), func.coalesce(Case.requester_id, 0) != actor.id,
                               func.coalesce(Case.other_party_id, 0) != actor.id)
    if view == "belum_diklaim":
        query = query.where(Case.owner_id.is_(None), ~waiting_off_desk_clause())
    elif view == "saya":
        query = query.where(Case.owner_id == actor.id)
    if case_type:
        query = query.where(Case.case_type == case_type)
    state_type, state = parse_state_filter(state)
    if state_type:
        query = query.where(Case.case_type == state_type)
    query = query.where(Case.state == state) if state else query.where(~final_state_clause())
    if words is not None and not words.empty:  # what was typed in the search box narrows the list
        query = query.where(search.narrowing(words, actor))
    due = next_running_due()
    return (query.options(selectinload(Case.clocks))
            .order_by(sql_case((due.is_(None), 1), else_=0), due, Case.created_at, Case.id))


def list_queue(actor: User, *, view: str = "semua", state: str | None = None, case_type: str | None = None,
               page: int = 1, size: int = 25, words: search.Query | None = None) -> CasePage:
    """One page of the desk's work list (queue_query)."""
    return _paged(queue_query(actor, view=view, state=state, case_type=case_type, words=words), page, size)


def iter_queue(actor: User, *, view: str = "semua", state: str | None = None, case_type: str | None = None,
               words: search.Query | None = None, chunk: int = 200) -> Iterator[list[Case]]:
    """The whole work list in chunks of `chunk` cases, each loaded with its clocks in two queries: what an
    export streams, at a cost that grows with the chunks it sends and nothing else."""
    query = queue_query(actor, view=view, state=state, case_type=case_type, words=words)
    offset = 0
    while True:
        rows = list(db.session.scalars(query.limit(chunk).offset(offset)).unique().all())
        if rows:
            yield rows
        if len(rows) < chunk:
            return
        offset += chunk
        for case in rows:  # what was sent is not kept in memory for the rest of the export
            for clock_row in case.clocks:
                db.session.expunge(clock_row)
            db.session.expunge(case)


def visible_refs(actor: Actor, case_ids: list[int]) -> dict[int, str]:
    """The references of those cases the actor may see (a bulk action names them in its report)."""
    if not case_ids:
        return {}
    rows = db.session.scalars(select(Case).where(Case.id.in_(sorted(set(case_ids))), visible_cases(actor)))
    return {case.id: case.ref for case in rows.unique()}


def list_team_cases(actor: User, *, page: int = 1, size: int = 25, words: search.Query | None = None) -> CasePage:
    """Cases the supervisor may see whose requester or owner works under them; open ones first, ordered as
    the queue is."""
    # Read the team first: visible_cases() holds its own "subordinates" CTE, and one statement cannot hold two.
    team = db.session.scalars(subordinate_ids_query(actor.id)).all()
    final, due = final_state_clause(), next_running_due()
    query = (
        select(Case)
        .where(visible_cases(actor), or_(Case.requester_id.in_(team), Case.owner_id.in_(team)),
               search.narrowing(words, actor) if words is not None and not words.empty else true())
        .options(selectinload(Case.clocks))
        # Open cases by what is about to breach, then oldest; closed ones after, newest first.
        .order_by(sql_case((final, 1), else_=0), sql_case((due.is_(None), 1), else_=0), due,
                  sql_case((final, None), else_=Case.created_at), Case.created_at.desc(), Case.id.desc())
    )
    return _paged(query, page, size)


# -- the API's list ----------------------------------------------------------------------------------------
# Newest first by (created_at, id), and the cursor carries both. Ordering by id alone no longer means
# anything: an anonymous complaint's id is random (and negative), precisely so that it says nothing about
# when it was filed.

MAX_API_PAGE = 100
CURSOR_RE = re.compile(r"^(\d{1,17})_(-?\d{1,18})$")
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def cursor_for(case: Case) -> str:
    micros = (case.created_at - EPOCH) // dt.timedelta(microseconds=1)
    return f"{micros}_{case.id}"


def _after_cursor(cursor: str) -> ColumnElement[bool] | None:
    """The WHERE clause for the rows after `cursor`, or None when it is not one of ours."""
    match = CURSOR_RE.match(cursor)
    if match is None or not cursor.isascii():
        return None
    micros, case_id = int(match.group(1)), int(match.group(2))
    try:
        created = EPOCH + dt.timedelta(microseconds=micros)
    except OverflowError:
        return None
    return or_(Case.created_at < created, and_(Case.created_at == created, Case.id < case_id))


def list_cases(actor: Actor, params: Mapping[str, str]) -> tuple[list[Case], str | None]:
    """One page of the cases the actor may see, filtered by the API's query parameters (`type`, `state`,
    `overdue=true|false`, `q`, `cursor`, `limit`), and the cursor of the next page. InvalidInput names every
    parameter that is wrong. `q` narrows the list and keeps its order (newest first) and its cursor; the
    results page (/cari) is the one ordered by relevance."""
    errors: dict[str, list[str]] = {}
    query = select(Case).where(visible_cases(actor))
    if params.get("type"):
        if params["type"] not in REGISTRY:
            errors["type"] = ["Jenis kasus tidak dikenal."]
        query = query.where(Case.case_type == params["type"])
    if params.get("state"):
        if params["state"] not in ALL_STATES:
            errors["state"] = ["Status tidak dikenal."]
        query = query.where(Case.state == params["state"])
    if params.get("overdue") not in (None, "", "true", "false"):
        errors["overdue"] = ["Gunakan true atau false."]
    if params.get("overdue") in ("true", "false"):
        late = overdue_clause(clock.now())
        query = query.where(late if params["overdue"] == "true" else ~late)
    if params.get("q"):
        try:
            words = search.parse(params["q"])
        except InvalidInput as exc:
            errors.update(exc.errors)
        else:
            if words.empty:
                errors["q"] = [search.NO_WORDS]
            else:
                query = query.where(search.narrowing(words, actor))
    if params.get("cursor"):
        after = _after_cursor(params["cursor"])
        if after is None:
            errors["cursor"] = ["Kursor tidak valid."]
        else:
            query = query.where(after)
    try:
        limit = min(max(int(params.get("limit", 25)), 1), MAX_API_PAGE)
    except ValueError:
        errors["limit"] = ["Harus berupa angka."]
        limit = 25
    if errors:
        raise InvalidInput("Parameter tidak valid.", errors)
    # The page's clocks in one more query (never one per row): every summary carries its `sla`.
    query = (query.options(selectinload(Case.clocks))
             .order_by(Case.created_at.desc(), Case.id.desc()).limit(limit + 1))
    rows = db.session.scalars(query).unique().all()
    page = list(rows[:limit])
    return page, cursor_for(page[-1]) if len(rows) > limit else None
