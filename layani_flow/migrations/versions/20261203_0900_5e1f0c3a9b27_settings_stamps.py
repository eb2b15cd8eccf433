"""settings_stamps: a stamp written anew with each change to the calendar exceptions or the SLA policies

Revision ID: 5e1f0c3a9b27
Revises: 1be3382a6275
Create Date: 2026-12-03 09:00:00.000000

"""
import uuid

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e1f0c3a9b27'
down_revision = '1be3382a6275'
branch_labels = None
depends_on = None


def upgrade():
    stamps = op.create_table('settings_stamps',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('stamp', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_settings_stamps'))
    )
    # Random, never a counter: a database restored or rebuilt must not reuse a stamp a process still holds.
    op.bulk_insert(stamps, [{'name': 'deadlines', 'stamp': uuid.uuid4().hex}])


def downgrade():
    op.drop_table('settings_stamps')
