"""users.grade: the golongan (III/a, or IX for a PPPK), so intake forms are prefilled with the pangkat

Nullable: nobody's grade is known until an admin (or `layani users create --grade`) sets it. Which values
are valid is layani_flow/grades.py's to say, like the case types: no CHECK listing them.

Revision ID: b4e2f1a9c7d6
Revises: 7c1e5a9b3d20
Create Date: 2026-12-02 02:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b4e2f1a9c7d6'
down_revision = '7c1e5a9b3d20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('grade', sa.String(length=5), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('grade')
