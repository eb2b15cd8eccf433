"""Finding cases by what people type: a reference, words of the case's text, the requester's name or NIP.

Two halves:
- **Writing** (`observe`, called by timeline.append_event in the caller's unit of work): each case has one
  `CaseSearchText` row, rebuilt from the case whenever a person adds to its timeline. The service layer
  writes it rather than SQL triggers on `cases`, because the text comes from JSON intake fields, the users
  table and the timeline with its visibility rules — Python already knows those rules (and keeps them in
  one place); SQL would restate them per dialect. The database only indexes the row: FTS5 by triggers on
  SQLite, generated `tsvector` columns on PostgreSQL (migration 3f8d2c61a7b4).
- **Reading** (`parse`, `matching`, `search_cases`, `find_by_reference`): always inside
  `access.visible_cases`; the staff column (internal notes, NIPs, whom a complaint is about) only for
  someone who acts for the desk on that case (`access.acts_for_desk`, restated in SQL).

Text is normalised here, on both sides (lower case, accents folded, words of letters and digits), and
the databases see only space-separated words. So FTS5 and PostgreSQL's `simple` configuration tokenise
identically, and whatever a person types can only become quoted words: `"`, `*`, `NEAR`, `-`, `:` and
`&` are never operators.

An anonymous complaint has no requester, so no name or NIP of its filer is ever written; its row holds
the reference, the text the desk reads anyway and the messages (never who wrote them: actor names are not
indexed for any case). docs/anonymity.md.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Integer,
    Select,
    and_,
    any_,
    bindparam,
    column,
    func,
    literal_column,
    or_,
    select,
    table,
    text,
    union,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Case, CaseEvent, CaseSearchText, SlaNotice, User
from ..models.cases import REF_ALPHABET
from ..models.search import ALL_TSV, BODY_TSV, FTS_TABLE
from ..roles import DESK_READERS, DESK_ROLES, LEAD_ROLES
from ..workflows import REGISTRY, case_types_where
from . import filing_rows, listings
from .access import Actor, is_desk_head, subordinate_ids_query, visible_cases
from .declared_sql import one_of_declared
from .errors import InvalidInput

MAX_QUERY_CHARS = 200
MAX_WORDS = 10
RANKED_UP_TO = 1000  # search_cases ranks by relevance when at most this many cases match
COUNTED_UP_TO = 1000  # and counts them up to this many ("lebih dari 1.000")
REACH_LISTED_UP_TO = 5000  # the cases within reach of someone who reads few, read first up to this many
# The timeline kinds whose comments are the system's own sentences (an escalation's names whom it went to):
# never indexed. Same rule as the case page's views.cases.shows_comment.
UNINDEXED_KINDS = frozenset({"auto_reply", "sla_warning", "sla_escalation", "sla_chain_end", "document"})
TOO_LONG = f"Kata pencarian terlalu panjang (paling banyak {MAX_QUERY_CHARS} karakter)."
TOO_MANY = f"Terlalu banyak kata (paling banyak {MAX_WORDS}). Persingkat pencarian Anda."
NO_WORDS = "Ketik nomor kasus, kata dari isi kasus, nama atau NIP pemohon."

_WORD = re.compile(r"[^\W_]+")
_REF = re.compile(r"^\s*([A-Za-z]{2,6})-(\d{4})-(\d{1,9}|[A-Za-z2-9]{6})\s*$")


def words(text: str) -> list[str]:
    """Lower-case words of letters and digits, accents folded (é → e), for the index and the query alike."""
    folded = text.casefold()
    if folded.isascii():  # nothing to fold: most of what is written here, and letter by letter it is slow
        return _WORD.findall(folded)
    folded = unicodedata.normalize("NFKD", folded)
    return _WORD.findall("".join(ch for ch in folded if not unicodedata.combining(ch)))


def _joined(parts: Iterable[Any]) -> str:
    return " ".join(w for part in parts if part for w in words(str(part)))


def _merge_printed_nips(tokens: list[str]) -> list[str]:
    """A NIP as printed on an SK (`19891203 201403 1 002`) is one word in the index: a run of digit groups
    starting with eight digits (the birth date) and adding up to at most 18 digits becomes one word, so
    typing it in parts, or only its start, finds it."""
    merged: list[str] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if len(tok) == 8 and tok.isdigit():
            j = i + 1
            while j < len(tokens) and tokens[j].isdigit() and len(tok) + len(tokens[j]) <= 18:
                tok += tokens[j]
                j += 1
            merged.append(tok)
            i = j
        else:
            merged.append(tok)
            i += 1
    return merged


# -- what people type ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    text: str  # as typed (trimmed), to show back
    words: tuple[str, ...]  # the last one also matches as a prefix (people are still typing it)
    ref_id: int | None = None  # the case id a reference typed exactly names
    ref_prefix: str | None = None
    ref_year: int | None = None

    @property
    def empty(self) -> bool:
        return not self.words


def _ref_code_to_id(code: str) -> int | None:
    """The inverse of models.cases.anonymous_ref_code: ADU-2026-X7K2P9's code back to its negative id."""
    letters = sum(ch.isalpha() for ch in REF_ALPHABET)
    code = code.upper()
    if any(ch not in REF_ALPHABET for ch in code) or REF_ALPHABET.index(code[0]) >= letters:
        return None
    rest = REF_ALPHABET.index(code[0])
    for ch in code[1:]:
        rest = rest * len(REF_ALPHABET) + REF_ALPHABET.index(ch)
    return -rest if rest else None


def parse(text: str | None) -> Query:
    """What was typed, as words to match. InvalidInput (422, with `q` named) when it is too long or has too
    many words; a query of punctuation alone is simply empty (the caller says what to type)."""
    text = (text or "").strip()
    if len(text) > MAX_QUERY_CHARS:
        raise InvalidInput(TOO_LONG, {"q": [TOO_LONG]})
    tokens = _merge_printed_nips(words(text))
    if len(tokens) > MAX_WORDS:
        raise InvalidInput(TOO_MANY, {"q": [TOO_MANY]})
    ref = _REF.match(text)
    ref_id = None
    if ref:
        number = ref.group(3)
        ref_id = int(number) if number.isdigit() else _ref_code_to_id(number)
    return Query(text, tuple(tokens), ref_id, ref.group(1).upper() if ref else None,
                 int(ref.group(2)) if ref else None)


# -- the index's side: one row per case ------------------------------------------------------------------------


STATE_TOKEN_PREFIX = "zstate"


def state_token(state: str) -> str:
    """The word a case's state is indexed by ("zstateinverification"): a state filter then narrows inside
    the full-text index, so a broad word in one state costs what its matches cost, not a walk over every
    case of that state. Every change of state is a transition event, which rewrites the row (observe)."""
    return STATE_TOKEN_PREFIX + "".join(words(state))


def texts_for(case: Case, events: Iterable[CaseEvent]) -> tuple[str, str]:
    """(body, staff_body) of a case: what every reader may find it by, and what only the desk may."""
    workflow = REGISTRY[case.case_type]
    body: list[Any] = [case.ref, case.title, workflow.title, case.service, state_token(case.state)]
    staff: list[Any] = []
    for key, value in sorted((case.fields or {}).items()):
        values = value if isinstance(value, list) else [value]
        # A NIP in the intake (whom a complaint is about, a proposed mediator) is the desk's to search by.
        (staff if key.endswith("_nip") else body).extend(v for v in values if isinstance(v, str | int))
    if case.requester_id is not None and not case.is_anonymous:  # an anonymous case has no requester at all
        requester = case.requester or db.session.get(User, case.requester_id)
        if requester is not None:
            body.append(requester.name)
            staff.append(requester.nip)  # the requester's NIP is shown to the desk only (capabilities)
    if case.other_party_id is not None:
        other = case.other_party or db.session.get(User, case.other_party_id)
        if other is not None:
            takes_part = workflow.other_party is not None and workflow.other_party.takes_part
            (body if takes_part else staff).append(other.name)  # whom a complaint is about: desk only
            staff.append(other.nip)
    for event in events:
        if not event.comment or event.kind in UNINDEXED_KINDS:
            continue
        (staff if event.is_internal else body).append(event.comment)
    return _joined(body), _joined(staff)


# Events that only add words (a message, a note, a review's reason …): their words are appended in one
# UPDATE, so that two people writing to the same case at once both land in the index (a message does not
# step the case's version, so nothing else serialises them). Filing and transitions (whose effects may change
# the intake text) rewrite the whole row.
REWRITING_KINDS = frozenset({"created", "transition"})


def observe(case: Case, event: CaseEvent) -> None:
    """A person added to the case's timeline (filed it, moved it, wrote to it): bring its search row up to
    date in the same unit of work, so the index never disagrees with what the case page shows."""
    filing_rows.write(case)  # filed in this unit of work: the search row follows the case's own
    if event.kind not in REWRITING_KINDS:
        if not event.comment or event.kind in UNINDEXED_KINDS:
            return
        column = CaseSearchText.staff_body if event.is_internal else CaseSearchText.body
        added = db.session.execute(update(CaseSearchText).where(CaseSearchText.case_id == case.id)
                                   .values({column: column + " " + _joined([event.comment])}))
        if getattr(added, "rowcount", 0):
            return
    events = list(case.events)
    if event not in events:
        events.append(event)
    _upsert(case.id, *texts_for(case, events))


def _upsert(case_id: int, body: str, staff_body: str) -> None:
    """Write the case's row whether or not it exists yet (two first writes at once do not collide)."""
    db.session.execute(_UPSERT, {"case_id": case_id, "body": body, "staff_body": staff_body})


# The same text on SQLite and PostgreSQL (both take ON CONFLICT … DO UPDATE with `excluded`). Written out rather
# than built with the dialects' insert().on_conflict_do_update(), which SQLAlchemy cannot cache: that one was
# compiled anew on every filing and every step.
_UPSERT = text(
    f"INSERT INTO {CaseSearchText.__tablename__} (case_id, body, staff_body) VALUES (:case_id, :body, :staff_body) "
    "ON CONFLICT (case_id) DO UPDATE SET body = excluded.body, staff_body = excluded.staff_body")


def reindex_people(user_ids: Iterable[int]) -> int:
    """Rewrite the rows of every case these people are the requester or other party of (a name changed).
    Runs in the caller's unit of work. Returns how many rows it rewrote."""
    ids = list(user_ids)
    if not ids:
        return 0
    cases = db.session.scalars(
        select(Case).where(or_(Case.requester_id.in_(ids), Case.other_party_id.in_(ids)))
        .options(selectinload(Case.events))
    ).unique().all()
    for case in cases:
        _upsert(case.id, *texts_for(case, case.events))
    return len(cases)


# -- the reading side -----------------------------------------------------------------------------------------


def _fts5_expression(query: Query, column_name: str | None) -> str:
    """The FTS5 MATCH string: every word quoted (so nothing typed is an operator), the last as a prefix."""
    terms = [f'"{w}"' for w in query.words]
    if len(query.words[-1]) >= 2:
        terms[-1] += "*"
    expression = " ".join(terms)
    return f"{column_name} : ({expression})" if column_name else expression


def _tsquery_text(query: Query) -> str:
    terms = list(query.words)
    if len(terms[-1]) >= 2:
        terms[-1] += ":*"
    return " & ".join(terms)


def _ranked(query: Query, staff: bool, among: list[int]):
    """A subquery (case_id, score) of the cases among `among` whose text matches, lower score = more
    relevant. `staff` matches the staff column as well."""
    if db.engine.dialect.name == "postgresql":
        tsquery = func.to_tsquery(literal_column("'simple'"), bindparam(None, _tsquery_text(query)))
        vector: ColumnElement[Any] = literal_column(
            f"{CaseSearchText.__tablename__}.{ALL_TSV if staff else BODY_TSV}")
        return (select(CaseSearchText.case_id.label("case_id"), (-func.ts_rank(vector, tsquery)).label("score"))
                .where(_one_of(CaseSearchText.case_id, among), vector.op("@@")(tsquery)).subquery())
    fts = table(FTS_TABLE, column("rowid"), column("rank"))
    match = literal_column(FTS_TABLE).op("MATCH")(bindparam(None, _fts5_expression(query, None if staff else "body")))
    return select(fts.c.rowid.label("case_id"), fts.c.rank.label("score")).where(match).subquery()


def _one_of(column_: Any, ids: list[int]) -> ColumnElement[bool]:
    """`column IN ids`. On PostgreSQL as one array parameter (`= ANY(:ids)`): a few thousand ids are then one
    value to send, not a few thousand placeholders to compile (which cost more than the query itself)."""
    if db.engine.dialect.name == "postgresql":
        return column_ == any_(bindparam(None, ids, type_=ARRAY(Integer)))
    return column_.in_(ids)


def _matching_ids(query: Query, staff: bool) -> Select[Any]:
    """The ids of the cases whose text matches (no score: computing one for each match costs)."""
    if db.engine.dialect.name == "postgresql":
        tsquery = func.to_tsquery(literal_column("'simple'"), bindparam(None, _tsquery_text(query)))
        vector: ColumnElement[Any] = literal_column(
            f"{CaseSearchText.__tablename__}.{ALL_TSV if staff else BODY_TSV}")
        return select(CaseSearchText.case_id).where(vector.op("@@")(tsquery))
    fts = table(FTS_TABLE, column("rowid"))
    match = literal_column(FTS_TABLE).op("MATCH")(bindparam(None, _fts5_expression(query, None if staff else "body")))
    return select(fts.c.rowid).where(match)


def _staff_reader(actor: Actor | None) -> bool:
    return getattr(actor, "role", None) in DESK_ROLES


def _not_a_party(actor: Actor) -> ColumnElement[bool]:
    """SQL for `not access.is_party(case, actor)`: the desk reads staff text only on cases it is not a
    party to."""
    uid = getattr(actor, "id", None) or 0
    return and_(func.coalesce(Case.requester_id, 0) != uid, func.coalesce(Case.other_party_id, 0) != uid)


def matching(query: Query, actor: Actor | None, *, lead: bool = True) -> ColumnElement[bool]:
    """A WHERE clause on Case for the cases whose text matches `query` for this actor. It does not restrict
    to what the actor may see: combine it with access.visible_cases (the listings do). `lead=False` keeps
    SQLite from starting the query at the matches (`id + 0` is no index), for a caller that knows a better
    place to start."""
    if query.empty:
        return Case.id.is_(None)  # nothing typed matches nothing
    case_id = Case.id if lead else Case.id + 0
    if not _staff_reader(actor):
        return case_id.in_(_matching_ids(query, staff=False))
    assert actor is not None
    return and_(case_id.in_(_matching_ids(query, staff=True)),
                or_(_not_a_party(actor), case_id.in_(_matching_ids(query, staff=False))))


def _first_matches(query: Query, staff: bool, up_to: int) -> list[int]:
    """The ids of the first `up_to` + 1 cases whose text matches, whoever may see them (the index alone
    answers, in a few ms): all of them when there are at most `up_to`."""
    return list(db.session.scalars(_matching_ids(query, staff).limit(up_to + 1)).all())


def _reads_nearly_all(actor: Actor | None) -> bool:
    return not isinstance(actor, User) or actor.role in DESK_READERS or is_desk_head(actor)


def _within_reach(actor: Actor | None) -> CompoundSelect[Any] | None:
    """For someone who does not read the whole desk: the ids of a superset of access.visible_cases, each
    part answered by an index (requester_id, owner_id, other_party_id, sla_notices.recipient_id,
    case_type), where the exact rule, an OR of subqueries, makes the database test every case. The people
    below the actor are read first (one query): inside the statement, a recursive CTE's size is a guess,
    and PostgreSQL's guess (thousands) makes it scan every case. None for who reads (nearly) everything."""
    if _reads_nearly_all(actor) or not isinstance(actor, User):  # (the second for the type checker)
        return None
    people = [actor.id, *db.session.scalars(subordinate_ids_query(actor.id, "below")).all()]
    parts = [select(Case.id).where(Case.requester_id.in_(people)),
             select(Case.id).where(Case.owner_id.in_(people)),
             select(Case.id).where(Case.other_party_id == actor.id),
             select(SlaNotice.case_id).where(SlaNotice.recipient_id == actor.id)]
    if actor.role in LEAD_ROLES:
        parts.append(select(Case.id).where(one_of_declared(Case.case_type, case_types_where(lambda wf: wf.confidential))))
    return union(*parts)


def _reach_ids(reach: CompoundSelect[Any]) -> list[int] | CompoundSelect[Any]:
    """The ids within reach, read first when they are few (an employee's own cases, a head of field's team):
    given as a list, the database looks each one up by primary key, where a subquery leaves PostgreSQL to
    guess its size (wrongly) and scan every case. The subquery itself when there are many."""
    ids = db.session.scalars(reach.limit(REACH_LISTED_UP_TO + 1)).all()
    return list(ids) if len(ids) <= REACH_LISTED_UP_TO else reach


@dataclass(frozen=True)
class _Start:
    clause: ColumnElement[bool]  # `matching` for this actor, written so that the database starts at the right place
    first: list[int]  # the first matching ids the index gave (whoever may see them)
    complete: bool  # … and they are all the matches


def _among(ids: list[int], query: Query, actor: Actor | None) -> ColumnElement[bool]:
    """The cases among `ids` (matches already) that match for this actor: the staff text counts only where
    the actor is not a party (see `matching`)."""
    clause: ColumnElement[bool] = _one_of(Case.id, ids)
    if actor is not None and _staff_reader(actor):
        clause = and_(clause, or_(_not_a_party(actor), Case.id.in_(_matching_ids(query, staff=False))))
    return clause


def _started(query: Query, actor: Actor | None) -> _Start:
    """Where the database should start:
    - few matches (at most RANKED_UP_TO, whoever may see them): from those ids, by primary key;
    - many, for someone who reads few cases: from the cases within their reach (`_within_reach`);
    - many, for someone who reads nearly all: the list's own order (newest first, or by deadline),
      testing each case against the matches until the page is full.
    One or two more queries, whatever the number of cases."""
    first = _first_matches(query, _staff_reader(actor), RANKED_UP_TO)
    if len(first) <= RANKED_UP_TO:
        return _Start(_among(first, query, actor), first, complete=True)
    reach = _within_reach(actor)
    clause = matching(query, actor, lead=False)
    if reach is not None:
        within = _reach_ids(reach)
        clause = and_(_one_of(Case.id, within) if isinstance(within, list) else Case.id.in_(within), clause)
    return _Start(clause, first, complete=False)


def narrowing(query: Query, actor: Actor | None) -> ColumnElement[bool]:
    """`matching`, with the place the database should start from (`_started`), for the lists that keep
    their own order (queue, team, API). Combine with access.visible_cases, as `matching`."""
    if query.empty:
        return matching(query, actor)
    return _started(query, actor).clause


def search_cases(actor: Actor | None, query: Query, *, page: int = 1, size: int = 25,
                 case_type: str | None = None, state: str | None = None) -> listings.CasePage:
    """The results page: the cases the actor may see that match, most relevant first, then newest.

    Relevance (bm25 on SQLite, ts_rank on PostgreSQL) is computed only when at most RANKED_UP_TO cases
    match at all: among thousands of cases that share a word it tells little, and computing it for each
    would cost more than the whole page may (50 ms over 100,000 cases); those are listed newest first, and
    the page asks for more words. The total is counted up to COUNTED_UP_TO ("more than 1,000")."""
    if query.empty:
        return listings.CasePage([], 1, size, 0)
    # A state filter is a word of the index, so a broad word in one state costs what its matches cost.
    start = _started(replace(query, words=(state_token(state), *query.words)) if state else query, actor)

    def listing(clause: ColumnElement[bool]) -> Select[Any]:
        statement = select(Case).where(clause, visible_cases(actor))
        if case_type:
            statement = statement.where(Case.case_type == case_type)
        if state:
            statement = statement.where(Case.state == state)
        return statement

    if start.complete:
        return _ranked_page(query, actor, listing(start.clause), start.first, page, size)
    statement = listing(start.clause)
    total = _counted(statement, listing(_among(start.first[:COUNTED_UP_TO + 1], query, actor))
                     if _reads_nearly_all(actor) else None)
    page = listings.clamped_page(page, total, size)
    items = db.session.scalars(
        statement.options(selectinload(Case.clocks))
        .order_by(Case.created_at.desc(), Case.id.desc())
        .limit(size).offset((page - 1) * size)
    ).unique().all()
    return listings.CasePage(list(items), page, size, total)


def _ranked_page(query: Query, actor: Actor | None, listing: Select[Any], matches: list[int], page: int,
                 size: int) -> listings.CasePage:
    """Few matches: the ones on the actor's list with their relevance, in one query (their number is the
    total), ordered here; then the page's cases by primary key."""
    ranked = _ranked(query, _staff_reader(actor), matches)
    found = list(db.session.execute(listing.with_only_columns(Case.id, Case.created_at, ranked.c.score)
                                    .join(ranked, ranked.c.case_id == Case.id)))
    found.sort(key=lambda row: (row.score, -row.created_at.timestamp(), -row.id))  # most relevant, then newest
    page = listings.clamped_page(page, len(found), size)
    ids = [row.id for row in found[(page - 1) * size:page * size]]
    loaded = {case.id: case for case in db.session.scalars(
        select(Case).where(_one_of(Case.id, ids)).options(selectinload(Case.clocks))).unique()}
    return listings.CasePage([loaded[i] for i in ids], page, size, len(found))


def _counted(statement: Select[Any], first_matches: Select[Any] | None) -> int:
    """How many cases the listing holds, up to COUNTED_UP_TO + 1 ("more than 1,000"). For someone who reads
    nearly all, `first_matches` lists the first COUNTED_UP_TO + 1 matches the index gave: when every one of
    them is on the list, that is the answer, found by primary key, where counting the listing itself tests
    case after case against thousands of matches."""
    def count(listing: Select[Any]) -> int:
        ids = listing.with_only_columns(Case.id).limit(COUNTED_UP_TO + 1).subquery()
        return db.session.scalar(select(func.count()).select_from(ids)) or 0

    if first_matches is not None:
        found = count(first_matches)
        if found > COUNTED_UP_TO:
            return found
    return count(statement)


def find_by_reference(actor: Actor | None, query: Query) -> Case | None:
    """The case a reference typed exactly (LYN-2026-00042, ADU-2026-X7K2P9) names, when the actor may see
    it; None otherwise, so a reference nobody may see reads like one that does not exist."""
    if query.ref_id is None:
        return None
    case = db.session.scalar(select(Case).where(Case.id == query.ref_id, visible_cases(actor)))
    if case is None:
        return None
    # The prefix and the year must be the case's too (LYN-2025-00042 is not LYN-2026-00042); the number may
    # be typed without its leading zeros (LYN-2026-42).
    prefix, year, _ = case.ref.split("-")
    return case if (query.ref_prefix, query.ref_year) == (prefix, int(year)) else None
