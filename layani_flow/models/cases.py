"""A case, its append-only timeline, and the documents filed with it."""
from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, event, literal_column
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from ..workflows import REGISTRY
from .types import CleanJSON, CleanString, CleanText, UTCDateTime
from .users import User

if TYPE_CHECKING:
    from .feedback import CaseFeedback
    from .sla import CaseClock

SYSTEM_LABEL = "Sistem LAYANI"  # how the timeline names what the system did by itself

# An anonymous complaint's id is drawn at random from the negative numbers, which the normal sequence
# never reaches, and its reference spells that id in letters and digits (ADU-2026-X7K2P9) instead of a
# number that says how many cases came before it. The first character is always a letter, so the
# reference can never be read as a named case's number. See docs/anonymity.md.
REF_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud over the phone
_LETTERS = sum(ch.isalpha() for ch in REF_ALPHABET)  # the letters come first in REF_ALPHABET
ANONYMOUS_ID_SPAN = _LETTERS * len(REF_ALPHABET) ** 5  # 658,482,733: ids -1 … -(span-1) fit a 32-bit integer


def anonymous_ref_code(case_id: int) -> str:
    """The six characters that stand for an anonymous case's (negative) id: a letter, then five more."""
    rest, chars = -case_id, []
    for _ in range(5):
        rest, digit = divmod(rest, len(REF_ALPHABET))
        chars.append(REF_ALPHABET[digit])
    return REF_ALPHABET[rest % _LETTERS] + "".join(reversed(chars))


class Case(Model):
    __tablename__ = "cases"
    __table_args__ = (
        # Which case types exist is the workflow registry's to say (services.cases.open_case checks it); the
        # constraints below tie data to one type.
        # Anonymity is structural: an anonymous case has no requester and can only be followed by its code.
        CheckConstraint(
            "NOT is_anonymous OR (requester_id IS NULL AND tracking_code_hash IS NOT NULL)",
            name="anonymous_has_no_identity",
        ),
        CheckConstraint("is_anonymous OR requester_id IS NOT NULL", name="named_case_has_requester"),
        CheckConstraint("is_anonymous = false OR case_type = 'complaint'", name="only_complaints_anonymous"),
        CheckConstraint("case_type <> 'mediation' OR other_party_id IS NOT NULL", name="mediation_has_other_party"),
        CheckConstraint("other_party_id IS NULL OR other_party_id <> requester_id", name="parties_differ"),
        # A party to a mediation is never its mediator.
        CheckConstraint(
            "case_type <> 'mediation' OR owner_id IS NULL"
            " OR (owner_id <> requester_id AND owner_id <> other_party_id)",
            name="mediator_not_party",
        ),
        CheckConstraint("case_type <> 'service_request' OR service IS NOT NULL", name="service_named"),
        Index("ix_cases_type_state", "case_type", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_type: Mapped[str] = mapped_column(String(30))
    service: Mapped[str | None] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(CleanString(200))
    state: Mapped[str] = mapped_column(String(40), index=True)
    version: Mapped[int] = mapped_column(default=1)
    fields: Mapped[dict] = mapped_column(CleanJSON, default=dict)

    requester_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    other_party_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    is_other_party_involved: Mapped[bool] = mapped_column(default=False)

    is_anonymous: Mapped[bool] = mapped_column(default=False)
    tracking_code_hash: Mapped[str | None] = mapped_column(String(64), unique=True)

    external_body: Mapped[str | None] = mapped_column(String(80))
    # The earliest instant at which an SLA clock needs the sweep (warning, breach, next escalation).
    next_deadline_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    requester: Mapped[User | None] = relationship(foreign_keys=[requester_id], lazy="joined", innerjoin=False)
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id], lazy="joined", innerjoin=False)
    other_party: Mapped[User | None] = relationship(foreign_keys=[other_party_id], lazy="joined", innerjoin=False)
    events: Mapped[list[CaseEvent]] = relationship(
        back_populates="case", order_by="CaseEvent.id", lazy="select", passive_deletes="all"
    )
    documents: Mapped[list[CaseDocument]] = relationship(
        back_populates="case", order_by="CaseDocument.id", lazy="select"
    )
    clocks: Mapped[list[CaseClock]] = relationship(back_populates="case", order_by="CaseClock.id", lazy="select")
    # The satisfaction question, once the case has closed (services.feedback); loaded only when asked for.
    feedback: Mapped[CaseFeedback | None] = relationship(back_populates="case", lazy="select", uselist=False)

    __mapper_args__ = {"version_id_col": version}

    @property
    def ref(self) -> str:
        """The number people quote on the phone, e.g. LYN-2026-00042 (ADU-2026-X7K2P9 for an anonymous
        complaint); derived from the id, so never out of step."""
        year = self.created_at.year if self.created_at else 0
        number = anonymous_ref_code(self.id) if (self.id or 0) < 0 else f"{self.id or 0:05d}"
        workflow = REGISTRY.get(self.case_type)
        return f"{workflow.ref_prefix if workflow else 'CASE'}-{year}-{number}"

    @property
    def party_ids(self) -> set[int]:
        return {i for i in (self.requester_id, self.other_party_id) if i is not None}

    def __repr__(self) -> str:
        return f"<Case {self.ref} {self.case_type} {self.state}>"


class CaseEvent(Model):
    """One line of a case's timeline. Appended, never updated or deleted."""

    __tablename__ = "case_events"
    __table_args__ = (Index("ix_case_events_case_id_id", "case_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_label: Mapped[str] = mapped_column(CleanString(120))
    kind: Mapped[str] = mapped_column(String(30))
    trigger: Mapped[str | None] = mapped_column(String(40))
    from_state: Mapped[str | None] = mapped_column(String(40))
    to_state: Mapped[str | None] = mapped_column(String(40))
    comment: Mapped[str] = mapped_column(CleanText, default="")
    data: Mapped[dict] = mapped_column(CleanJSON, default=dict)
    # Internal notes are for the desk only: never shown to the requester or an anonymous filer.
    is_internal: Mapped[bool] = mapped_column(default=False)

    case: Mapped[Case] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship(lazy="joined")

    def moved(self) -> tuple[str, str]:
        """A transition's (from_state, to_state): services.cases.transition_case records both, always."""
        if self.from_state is None or self.to_state is None:
            raise ValueError(f"Case event {self.id} ({self.kind}) does not record the states it moved between")
        return self.from_state, self.to_state


class CaseDocument(Model):
    __tablename__ = "case_documents"
    __table_args__ = (
        CheckConstraint("review_status IN ('pending', 'verified', 'rejected')", name="review_status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    requirement: Mapped[str] = mapped_column(String(40))
    original_name: Mapped[str] = mapped_column(CleanString(200))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(60))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    review_status: Mapped[str] = mapped_column(String(12), default="pending")
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    review_note: Mapped[str] = mapped_column(CleanText, default="")

    case: Mapped[Case] = relationship(back_populates="documents")


@event.listens_for(CaseEvent, "before_update")
@event.listens_for(CaseEvent, "before_delete")
def _timeline_is_append_only(mapper, connection, target):
    raise RuntimeError("case events are append-only")


@event.listens_for(Case, "before_insert")
def _named_ids_stay_positive(mapper, connection, target):
    if target.id is None:
        target.id = named_case_id(connection.dialect.name)


def named_case_id(dialect_name: str) -> Any:
    """What a named case's INSERT sets its id to. SQLite numbers a new row max(id)+1 even when every id is
    negative: with only anonymous complaints (random negative ids) in the table, the first named case would
    land right next to one of them and give its id away. So on SQLite the id is computed in the case's own
    INSERT (one statement, under the write lock), never below 1. PostgreSQL's sequence never looks at the ids
    in the table: None, the column's own default."""
    return _next_named_id() if dialect_name == "sqlite" else None


@lru_cache(maxsize=1)
def _next_named_id() -> Any:
    # Written out: SQLAlchemy walks a built subquery's every node for the statement's cache key at each INSERT
    # (a fortieth of a filing's CPU); a text fragment's key is its string.
    table = Case.__tablename__
    return literal_column(f"(SELECT max(coalesce(max({table}.id), 0), 0) + 1 FROM {table})")
