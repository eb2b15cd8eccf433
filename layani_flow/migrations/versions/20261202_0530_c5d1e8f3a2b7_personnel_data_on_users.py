"""personnel data on users: position kind, TMT golongan, TMT of the last KGB, birth date, BUP override

Revision ID: c5d1e8f3a2b7
Revises: b4c7d9e1f2a3
Create Date: 2026-12-02 05:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c5d1e8f3a2b7'
down_revision = 'b4c7d9e1f2a3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('position_kind', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('grade_tmt', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('kgb_tmt', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('birth_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('retirement_age_override', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('retirement_age_override')
        batch_op.drop_column('birth_date')
        batch_op.drop_column('kgb_tmt')
        batch_op.drop_column('grade_tmt')
        batch_op.drop_column('position_kind')
