"""outbox rows written at delivery: the template and the facts an email is rendered from

Revision ID: e7f3a1b5c9d2
Revises: d6e2f9a4b3c8
Create Date: 2026-12-02 06:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e7f3a1b5c9d2'
down_revision = 'd6e2f9a4b3c8'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('template', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('context', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_column('context')
        batch_op.drop_column('template')
