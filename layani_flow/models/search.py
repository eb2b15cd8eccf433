"""The text a case is found by (services.search writes it; the database indexes it).

One row per case, two columns, because not everyone who may read a case may read all of it:
- `body`: what every reader of the case sees — its reference, title, intake text, the requester's name,
  the messages and comments on its timeline;
- `staff_body`: what only the desk reads — internal notes, the requester's NIP, whom a complaint is about.

Both hold words already normalised by services.search (lower case, accents folded, one space between),
so SQLite and PostgreSQL tokenise them identically and give the same answers. The full-text machinery
lives beside this table and is created by migration 3f8d2c61a7b4, per dialect: an FTS5 table kept in
step by triggers on SQLite, generated `tsvector` columns with GIN indexes on PostgreSQL. Their names
(`case_search_fts*`, `*_tsv`) are what `is_search_machinery` recognises, so the model/schema comparison
leaves them alone.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model

if TYPE_CHECKING:
    from .cases import Case

FTS_TABLE = "case_search_fts"  # SQLite's FTS5 index over case_search_texts (external content)
BODY_TSV, ALL_TSV = "body_tsv", "all_tsv"  # PostgreSQL: body, and body plus staff_body


def is_search_machinery(name: str | None) -> bool:
    """The index objects the migration adds beside the model (not declared in it, so not compared)."""
    return bool(name) and (str(name).startswith(FTS_TABLE) or str(name).endswith("_tsv"))


class CaseSearchText(Model):
    __tablename__ = "case_search_texts"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True, autoincrement=False)
    body: Mapped[str] = mapped_column(Text, default="")
    staff_body: Mapped[str] = mapped_column(Text, default="")

    # Set on a case not yet flushed (its id comes with its INSERT): the row follows it in the same flush.
    case: Mapped[Case] = relationship(lazy="raise")
