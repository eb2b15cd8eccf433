"""approval clock (sla_policies.clock, case_clocks.name) and acting officials (Plt/Plh)

A case waiting on the requester's superior runs its own clock, "approval", which the CHECKs listing the
clock names must allow; an admin names who acts for an official who is away, for a range of dates.

Revision ID: a4c7e2f19b58
Revises: 7c1e5a9b3d20
Create Date: 2026-12-02 02:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a4c7e2f19b58'
down_revision = '7c1e5a9b3d20'
branch_labels = None
depends_on = None

OLD = "'first_response', 'resolution', 'external'"
NEW = "'first_response', 'resolution', 'external', 'approval'"


def _clock_checks(names: str) -> None:
    with op.batch_alter_table('sla_policies', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_sla_policies_clock_known'), type_='check')
        batch_op.create_check_constraint('clock_known', f"clock IN ({names})")
    with op.batch_alter_table('case_clocks', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_case_clocks_name_known'), type_='check')
        batch_op.create_check_constraint('name_known', f"name IN ({names})")


def upgrade():
    _clock_checks(NEW)
    op.create_table('acting_officials',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('official_id', sa.Integer(), nullable=False),
    sa.Column('acting_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=3), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('acting_id <> official_id', name=op.f('ck_acting_officials_acting_not_official')),
    sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_acting_officials_range_ordered')),
    sa.CheckConstraint("kind IN ('plh', 'plt')", name=op.f('ck_acting_officials_kind_known')),
    sa.ForeignKeyConstraint(['acting_id'], ['users.id'], name=op.f('fk_acting_officials_acting_id_users')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_acting_officials_created_by_id_users')),
    sa.ForeignKeyConstraint(['official_id'], ['users.id'], name=op.f('fk_acting_officials_official_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_acting_officials'))
    )
    with op.batch_alter_table('acting_officials', schema=None) as batch_op:
        batch_op.create_index('ix_acting_officials_official_range', ['official_id', 'starts_on', 'ends_on'], unique=False)
        batch_op.create_index('ix_acting_officials_acting_range', ['acting_id', 'starts_on', 'ends_on'], unique=False)


def downgrade():
    with op.batch_alter_table('acting_officials', schema=None) as batch_op:
        batch_op.drop_index('ix_acting_officials_acting_range')
        batch_op.drop_index('ix_acting_officials_official_range')
    op.drop_table('acting_officials')
    # Rows of the approval clock cannot stay under the old CHECKs: they go with the feature.
    op.execute("DELETE FROM sla_policies WHERE clock = 'approval'")
    op.execute("DELETE FROM case_clocks WHERE name = 'approval'")
    _clock_checks(OLD)
