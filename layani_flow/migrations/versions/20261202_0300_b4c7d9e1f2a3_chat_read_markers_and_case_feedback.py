"""case_feedback (the one question asked when a chat or consultation closes) and case_read_markers (how far
each person has read a conversation: unread counts)

Revision ID: b4c7d9e1f2a3
Revises: a4c9e1d7b2f6
Create Date: 2026-12-02 03:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b4c7d9e1f2a3'
down_revision = 'a4c9e1d7b2f6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('case_feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('requester_id', sa.Integer(), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.String(length=30), nullable=False),
    sa.Column('asked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('rating IS NULL OR rating BETWEEN 1 AND 5', name=op.f('ck_case_feedback_rating_range')),
    sa.CheckConstraint('(rating IS NULL) = (answered_at IS NULL)', name=op.f('ck_case_feedback_answered_with_rating')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_feedback_case_id_cases')),
    sa.ForeignKeyConstraint(['officer_id'], ['users.id'], name=op.f('fk_case_feedback_officer_id_users')),
    sa.ForeignKeyConstraint(['requester_id'], ['users.id'], name=op.f('fk_case_feedback_requester_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_feedback')),
    sa.UniqueConstraint('case_id', name=op.f('uq_case_feedback_case_id'))
    )
    with op.batch_alter_table('case_feedback', schema=None) as batch_op:
        batch_op.create_index('ix_case_feedback_channel_officer', ['channel', 'officer_id'], unique=False)

    op.create_table('case_read_markers',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('last_event_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_read_markers_case_id_cases')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_case_read_markers_user_id_users')),
    sa.PrimaryKeyConstraint('case_id', 'user_id', name=op.f('pk_case_read_markers'))
    )
    with op.batch_alter_table('case_read_markers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_read_markers_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('case_read_markers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_read_markers_user_id'))
    op.drop_table('case_read_markers')
    with op.batch_alter_table('case_feedback', schema=None) as batch_op:
        batch_op.drop_index('ix_case_feedback_channel_officer')
    op.drop_table('case_feedback')
