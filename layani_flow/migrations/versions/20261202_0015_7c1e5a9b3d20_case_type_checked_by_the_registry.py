"""cases.case_type is checked by the workflow registry, not by a CHECK listing the types

A new case type is a declaration in layani_flow/workflows/ (services.cases.open_case refuses a type the
registry does not know); a CHECK listing the types would need a migration for each one, and Alembic does
not even notice when it falls out of step with the code. The CHECKs that tie data to one type stay.

Revision ID: 7c1e5a9b3d20
Revises: 559a81231f22
Create Date: 2026-12-02 00:15:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '7c1e5a9b3d20'
down_revision = '559a81231f22'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_cases_case_type_known'), type_='check')


def downgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_check_constraint('case_type_known', "case_type IN ('service_request', 'complaint', 'mediation')")
