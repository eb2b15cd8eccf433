"""full-text search over cases: case_search_texts, FTS5 on SQLite, tsvector + GIN on PostgreSQL

One row per case holds the words it is found by (`body`: what every reader sees; `staff_body`: what only
the desk reads), normalised by services.search. Beside it, per dialect:
- SQLite: an FTS5 table with the row as external content, kept in step by three triggers;
- PostgreSQL: two generated `tsvector` columns (`simple` configuration: no stemming, so names, NIPs and
  references match as typed and both databases answer alike) with a GIN index each.
Existing cases are backfilled here with the rules of this revision (self-contained: no app code).

Revision ID: 3f8d2c61a7b4
Revises: b4e2f1a9c7d6
Create Date: 2026-12-02 02:20:00.000000

"""
import json
import re
import unicodedata

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '3f8d2c61a7b4'
down_revision = 'b4e2f1a9c7d6'
branch_labels = None
depends_on = None

REF_PREFIX = {"service_request": "LYN", "complaint": "ADU", "mediation": "MED"}
OTHER_PARTY_TAKES_PART = {"mediation"}
UNINDEXED_KINDS = {"auto_reply", "sla_warning", "sla_escalation", "sla_chain_end", "document"}
REF_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
WORD = re.compile(r"[^\W_]+")


def _words(text):
    folded = unicodedata.normalize("NFKD", str(text).casefold())
    return WORD.findall("".join(ch for ch in folded if not unicodedata.combining(ch)))


def _joined(parts):
    return " ".join(w for part in parts if part for w in _words(part))


def _ref(case_type, case_id, created_at):
    if case_id < 0:
        letters = sum(ch.isalpha() for ch in REF_ALPHABET)
        rest, chars = -case_id, []
        for _ in range(5):
            rest, digit = divmod(rest, len(REF_ALPHABET))
            chars.append(REF_ALPHABET[digit])
        number = REF_ALPHABET[rest % letters] + "".join(reversed(chars))
    else:
        number = f"{case_id:05d}"
    return f"{REF_PREFIX.get(case_type, 'CASE')}-{str(created_at)[:4]}-{number}"


def _backfill(conn):
    people = {row.id: (row.name, row.nip) for row in conn.execute(sa.text("SELECT id, name, nip FROM users"))}
    comments = {}
    for row in conn.execute(sa.text("SELECT case_id, kind, comment, is_internal FROM case_events ORDER BY id")):
        if row.comment and row.kind not in UNINDEXED_KINDS:
            comments.setdefault(row.case_id, []).append((bool(row.is_internal), row.comment))
    rows = []
    for c in conn.execute(sa.text("SELECT id, case_type, service, title, fields, requester_id, other_party_id,"
                                  " is_anonymous, created_at FROM cases")):
        fields = c.fields if isinstance(c.fields, dict) else json.loads(c.fields or "{}")
        body, staff = [_ref(c.case_type, c.id, c.created_at), c.title, c.service], []
        for key, value in sorted(fields.items()):
            values = value if isinstance(value, list) else [value]
            (staff if key.endswith("_nip") else body).extend(v for v in values if isinstance(v, (str, int)))
        if c.requester_id is not None and not c.is_anonymous and c.requester_id in people:
            body.append(people[c.requester_id][0])
            staff.append(people[c.requester_id][1])
        if c.other_party_id in people:
            (body if c.case_type in OTHER_PARTY_TAKES_PART else staff).append(people[c.other_party_id][0])
            staff.append(people[c.other_party_id][1])
        for internal, comment in comments.get(c.id, []):
            (staff if internal else body).append(comment)
        rows.append({"case_id": c.id, "body": _joined(body), "staff_body": _joined(staff)})
    if rows:
        conn.execute(sa.text("INSERT INTO case_search_texts (case_id, body, staff_body)"
                             " VALUES (:case_id, :body, :staff_body)"), rows)


def upgrade():
    op.create_table(
        'case_search_texts',
        sa.Column('case_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('staff_body', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_search_texts_case_id_cases')),
        sa.PrimaryKeyConstraint('case_id', name=op.f('pk_case_search_texts')),
    )
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        for name, expression in (("body_tsv", "body"), ("all_tsv", "body || ' ' || staff_body")):
            op.execute(f"ALTER TABLE case_search_texts ADD COLUMN {name} tsvector"
                       f" GENERATED ALWAYS AS (to_tsvector('simple', {expression})) STORED")
            op.execute(f"CREATE INDEX ix_case_search_texts_{name} ON case_search_texts USING gin ({name})")
    else:
        # External content: the words live once, in case_search_texts; the triggers keep the index in step.
        op.execute("CREATE VIRTUAL TABLE case_search_fts USING fts5(body, staff_body, content='case_search_texts',"
                   " content_rowid='case_id', tokenize='unicode61 remove_diacritics 2')")
        op.execute("CREATE TRIGGER case_search_fts_ai AFTER INSERT ON case_search_texts BEGIN"
                   " INSERT INTO case_search_fts (rowid, body, staff_body)"
                   " VALUES (new.case_id, new.body, new.staff_body); END")
        op.execute("CREATE TRIGGER case_search_fts_ad AFTER DELETE ON case_search_texts BEGIN"
                   " INSERT INTO case_search_fts (case_search_fts, rowid, body, staff_body)"
                   " VALUES ('delete', old.case_id, old.body, old.staff_body); END")
        op.execute("CREATE TRIGGER case_search_fts_au AFTER UPDATE ON case_search_texts BEGIN"
                   " INSERT INTO case_search_fts (case_search_fts, rowid, body, staff_body)"
                   " VALUES ('delete', old.case_id, old.body, old.staff_body);"
                   " INSERT INTO case_search_fts (rowid, body, staff_body)"
                   " VALUES (new.case_id, new.body, new.staff_body); END")
    _backfill(conn)


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        for trigger in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS case_search_fts_{trigger}")
        op.execute("DROP TABLE IF EXISTS case_search_fts")
    op.drop_table('case_search_texts')  # PostgreSQL: its generated columns and GIN indexes go with it
