"""one_of_declared: declared names go into the statement's text, so the text is the same on every execution;
anything that is not a plain identifier is refused, so input can never be written there."""
from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from layani_flow.models import Case
from layani_flow.services.declared_sql import one_of_declared


@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.dialect()])
def test_the_names_are_in_the_text_and_nothing_is_bound(dialect):
    compiled = select(Case.id).where(one_of_declared(Case.state, ["submitted", "in_review", "submitted"])).compile(
        dialect=dialect)
    assert "cases.state IN ('in_review', 'submitted')" in str(compiled)
    assert compiled.params == {}


def test_no_names_is_false_not_an_empty_list():
    assert "IN ()" not in str(select(Case.id).where(one_of_declared(Case.state, [])).compile(dialect=sqlite.dialect()))


@pytest.mark.parametrize("name", ["x' OR '1'='1", "Submitted", "", "a b", "1st"])
def test_anything_but_a_plain_identifier_is_refused(name):
    with pytest.raises(ValueError):
        one_of_declared(Case.state, [name])

