"""Informasi: announcements with their audience (units, roles, grades, or everyone), who read and acknowledged
them, their files, and socialisation events with RSVPs (seats counted on the event) and attendance

Revision ID: 185057ea8404
Revises: d7e2a9c4b1f5
Create Date: 2026-12-02 05:33:14.659337

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '185057ea8404'
down_revision = 'd7e2a9c4b1f5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('announcements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('topic', sa.String(length=20), nullable=False),
    sa.Column('audience_all', sa.Boolean(), nullable=False),
    sa.Column('requires_ack', sa.Boolean(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reminders_sent', sa.Integer(), nullable=False),
    sa.CheckConstraint("topic IN ('kebijakan', 'karier', 'kinerja', 'cuti_bersama', 'sosialisasi', 'lainnya')", name=op.f('ck_announcements_topic_known')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_announcements_author_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_announcements'))
    )
    with op.batch_alter_table('announcements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_announcements_author_id'), ['author_id'], unique=False)
        batch_op.create_index('ix_announcements_published', ['published_at'], unique=False)

    op.create_table('announcement_audiences',
    sa.Column('announcement_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('value', sa.String(length=120), nullable=False),
    sa.CheckConstraint("kind IN ('unit', 'role', 'grade')", name=op.f('ck_announcement_audiences_kind_known')),
    sa.ForeignKeyConstraint(['announcement_id'], ['announcements.id'], name=op.f('fk_announcement_audiences_announcement_id_announcements'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('announcement_id', 'kind', 'value', name=op.f('pk_announcement_audiences'))
    )
    op.create_table('announcement_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('announcement_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('place', sa.String(length=300), nullable=False),
    sa.Column('meeting_link', sa.String(length=500), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('seats_taken', sa.Integer(), nullable=False),
    sa.CheckConstraint("place <> '' OR meeting_link <> ''", name=op.f('ck_announcement_events_has_place_or_link')),
    sa.CheckConstraint('capacity IS NULL OR capacity >= 1', name=op.f('ck_announcement_events_capacity_positive')),
    sa.CheckConstraint('capacity IS NULL OR seats_taken <= capacity', name=op.f('ck_announcement_events_within_capacity')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_announcement_events_ends_after_start')),
    sa.CheckConstraint('seats_taken >= 0', name=op.f('ck_announcement_events_seats_not_negative')),
    sa.ForeignKeyConstraint(['announcement_id'], ['announcements.id'], name=op.f('fk_announcement_events_announcement_id_announcements'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_announcement_events')),
    sa.UniqueConstraint('announcement_id', name=op.f('uq_announcement_events_announcement_id'))
    )
    with op.batch_alter_table('announcement_events', schema=None) as batch_op:
        batch_op.create_index('ix_announcement_events_starts', ['starts_at'], unique=False)

    op.create_table('announcement_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('announcement_id', sa.Integer(), nullable=False),
    sa.Column('original_name', sa.String(length=200), nullable=False),
    sa.Column('stored_name', sa.String(length=80), nullable=False),
    sa.Column('content_type', sa.String(length=60), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['announcement_id'], ['announcements.id'], name=op.f('fk_announcement_files_announcement_id_announcements'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_announcement_files_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_announcement_files')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_announcement_files_stored_name'))
    )
    with op.batch_alter_table('announcement_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_announcement_files_announcement_id'), ['announcement_id'], unique=False)

    op.create_table('announcement_reads',
    sa.Column('announcement_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('acked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['announcement_id'], ['announcements.id'], name=op.f('fk_announcement_reads_announcement_id_announcements'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_announcement_reads_user_id_users')),
    sa.PrimaryKeyConstraint('announcement_id', 'user_id', name=op.f('pk_announcement_reads'))
    )
    with op.batch_alter_table('announcement_reads', schema=None) as batch_op:
        batch_op.create_index('ix_announcement_reads_user', ['user_id'], unique=False)

    op.create_table('event_rsvps',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('answer', sa.String(length=3), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('attended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attendance_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("answer IN ('yes', 'no')", name=op.f('ck_event_rsvps_answer_known')),
    sa.ForeignKeyConstraint(['attendance_by_id'], ['users.id'], name=op.f('fk_event_rsvps_attendance_by_id_users')),
    sa.ForeignKeyConstraint(['event_id'], ['announcement_events.id'], name=op.f('fk_event_rsvps_event_id_announcement_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_event_rsvps_user_id_users')),
    sa.PrimaryKeyConstraint('event_id', 'user_id', name=op.f('pk_event_rsvps'))
    )


def downgrade():
    op.drop_table('event_rsvps')
    with op.batch_alter_table('announcement_reads', schema=None) as batch_op:
        batch_op.drop_index('ix_announcement_reads_user')

    op.drop_table('announcement_reads')
    with op.batch_alter_table('announcement_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_announcement_files_announcement_id'))

    op.drop_table('announcement_files')
    with op.batch_alter_table('announcement_events', schema=None) as batch_op:
        batch_op.drop_index('ix_announcement_events_starts')

    op.drop_table('announcement_events')
    op.drop_table('announcement_audiences')
    with op.batch_alter_table('announcements', schema=None) as batch_op:
        batch_op.drop_index('ix_announcements_published')
        batch_op.drop_index(batch_op.f('ix_announcements_author_id'))

    op.drop_table('announcements')
