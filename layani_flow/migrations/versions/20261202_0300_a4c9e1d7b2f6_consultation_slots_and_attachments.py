"""ConsDesk: consultation slots (one booking each), and files attached to outgoing emails (ICS invitations)

Revision ID: a4c9e1d7b2f6
Revises: 3f8d2c61a7b4
Create Date: 2026-12-02 03:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a4c9e1d7b2f6'
down_revision = '3f8d2c61a7b4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'consultation_slots',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('officer_id', sa.Integer(), nullable=False),
        sa.Column('start_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('end_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('mode', sa.String(length=20), nullable=False),
        sa.Column('location', sa.String(length=300), nullable=False),
        sa.Column('pattern', sa.String(length=40), nullable=True),
        sa.Column('case_id', sa.Integer(), nullable=True),
        sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('cancel_reason', sa.String(length=200), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('end_at > start_at', name=op.f('ck_consultation_slots_ends_after_start')),
        sa.CheckConstraint("mode IN ('tatap_muka', 'daring', 'telepon')", name=op.f('ck_consultation_slots_mode_known')),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_consultation_slots_case_id_cases')),
        sa.ForeignKeyConstraint(['officer_id'], ['users.id'], name=op.f('fk_consultation_slots_officer_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_consultation_slots')),
        sa.UniqueConstraint('case_id', name=op.f('uq_consultation_slots_case_id')),
    )
    op.create_index('ix_consultation_slots_officer_start', 'consultation_slots', ['officer_id', 'start_at'])
    op.create_index('ix_consultation_slots_start', 'consultation_slots', ['start_at'])
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attachments', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_column('attachments')
    op.drop_index('ix_consultation_slots_start', table_name='consultation_slots')
    op.drop_index('ix_consultation_slots_officer_start', table_name='consultation_slots')
    op.drop_table('consultation_slots')
