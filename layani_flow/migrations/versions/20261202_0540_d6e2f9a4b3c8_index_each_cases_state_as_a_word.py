"""index each case's state as a word of its search row (services.search.state_token), so a search with a
state filter narrows inside the full-text index

Revision ID: d6e2f9a4b3c8
Revises: c5d1e8f3a2b7
Create Date: 2026-12-02 05:40:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd6e2f9a4b3c8'
down_revision = 'c5d1e8f3a2b7'
branch_labels = None
depends_on = None

# services.search.state_token, restated: states are lower-case words joined by underscores.
TOKEN = "'zstate' || replace(cases.state, '_', '')"


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"UPDATE case_search_texts SET body = body || ' ' || {TOKEN}"
                   " FROM cases WHERE cases.id = case_search_texts.case_id")
    else:  # the FTS5 table follows through its update trigger
        op.execute(f"UPDATE case_search_texts SET body = body || ' ' || (SELECT {TOKEN} FROM cases"
                   " WHERE cases.id = case_search_texts.case_id)")


def downgrade():
    # The word is left in place: nobody types it, and the next transition of each case rewrites its row.
    pass
