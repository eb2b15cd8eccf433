"""users.grade (the golongan, so intake forms are prefilled with the pangkat); form_drafts (typed text kept
while its writer signs in again)

users.grade is nullable: nobody's grade is known until an admin (or `layani users create --grade`) sets it.
Which values are valid is layani_flow/grades.py's to say, like the case types: no CHECK listing them.

form_drafts holds what a person typed when their session ran out, bound to a random cookie of the browser
and to the person (none for an anonymous complaint), until they sign in again or it expires.

Revision ID: b4e2f1a9c7d6
Revises: a4c7e2f19b58
Create Date: 2026-12-02 02:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b4e2f1a9c7d6'
down_revision = 'a4c7e2f19b58'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('grade', sa.String(length=5), nullable=True))
    op.create_table('form_drafts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('browser_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('path', sa.String(length=300), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_form_drafts_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_form_drafts'))
    )
    with op.batch_alter_table('form_drafts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_form_drafts_browser_hash'), ['browser_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_form_drafts_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_form_drafts_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('form_drafts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_form_drafts_user_id'))
        batch_op.drop_index(batch_op.f('ix_form_drafts_expires_at'))
        batch_op.drop_index(batch_op.f('ix_form_drafts_browser_hash'))
    op.drop_table('form_drafts')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('grade')
