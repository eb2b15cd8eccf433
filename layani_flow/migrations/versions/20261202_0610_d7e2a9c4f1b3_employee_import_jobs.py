"""employee import jobs: the uploaded file, its preview, and the worker's progress and report

Revision ID: d7e2a9c4f1b3
Revises: e7f3a1b5c9d2
Create Date: 2026-12-02 06:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd7e2a9c4f1b3'
down_revision = 'e7f3a1b5c9d2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'import_jobs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('filename', sa.String(length=200), nullable=False),
        sa.Column('content', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('phase', sa.String(length=10), nullable=False),
        sa.Column('done', sa.Integer(), nullable=False),
        sa.Column('total', sa.Integer(), nullable=False),
        sa.Column('preview', sa.JSON(), nullable=False),
        sa.Column('report', sa.JSON(), nullable=True),
        sa.Column('queued_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('previewed', 'queued', 'running', 'done', 'failed')",
                           name=op.f('ck_import_jobs_status_known')),
        sa.CheckConstraint('done >= 0 AND total >= 0', name=op.f('ck_import_jobs_progress_counts')),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_import_jobs_created_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_import_jobs')),
    )
    op.create_index('ix_import_jobs_status_id', 'import_jobs', ['status', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_import_jobs_status_id', table_name='import_jobs')
    op.drop_table('import_jobs')
