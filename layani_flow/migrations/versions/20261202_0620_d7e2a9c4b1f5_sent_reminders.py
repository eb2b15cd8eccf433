"""sent_reminders: each proactive reminder (KGB, promotion, pension, leave, SKP) once per person, rule and due date

Revision ID: d7e2a9c4b1f5
Revises: d7e2a9c4f1b3
Create Date: 2026-12-02 06:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd7e2a9c4b1f5'
down_revision = 'd7e2a9c4f1b3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sent_reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('rule', sa.String(length=30), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('event_on', sa.Date(), nullable=False),
    sa.Column('audience', sa.String(length=10), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('dismissed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("audience IN ('person', 'desk')", name=op.f('ck_sent_reminders_audience_known')),
    sa.CheckConstraint('due_on <= event_on', name=op.f('ck_sent_reminders_due_before_event')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_sent_reminders_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sent_reminders')),
    sa.UniqueConstraint('user_id', 'rule', 'due_on', name=op.f('uq_sent_reminders_user_id'))
    )
    with op.batch_alter_table('sent_reminders', schema=None) as batch_op:
        batch_op.create_index('ix_sent_reminders_event_on', ['event_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_sent_reminders_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('sent_reminders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sent_reminders_user_id'))
        batch_op.drop_index('ix_sent_reminders_event_on')

    op.drop_table('sent_reminders')
