"""deadline extensions (延期申请), listed supervision (挂牌督办), evidence flags (证据存疑)

* ``hazard_extensions``: an enterprise's request for a later deadline and its decision; the
  unique ``pending_slot`` keeps one pending request per hazard (``app.hazards.deadline_extensions``).
* ``hazard_listings``: 挂牌督办 of a major hazard and its 摘牌, one per hazard
  (``app.hazards.listing``).
* ``evidence_flags``: what a reviewer should weigh about a rectification photo, one row per photo
  and flag (``app.hazards.evidence_flags``).
* ``photos.sha256`` is indexed: the same bytes on another hazard is looked up on every upload.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 18:00:00

"""
import sqlalchemy as sa
from alembic import op

import app.core.db

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('hazard_listings',
    sa.Column('hazard_id', sa.String(length=36), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('unit', sa.String(length=200), nullable=False),
    sa.Column('deadline', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('responsible', sa.String(length=100), nullable=False),
    sa.Column('listed_by_id', sa.String(length=36), nullable=False),
    sa.Column('listed_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('delisted_by_id', sa.String(length=36), nullable=True),
    sa.Column('delisted_at', app.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('assessment', sa.Text(), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('payload_hash', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['delisted_by_id'], ['users.id'], name=op.f('fk_hazard_listings_delisted_by_id_users')),
    sa.ForeignKeyConstraint(['hazard_id'], ['hazards.id'], name=op.f('fk_hazard_listings_hazard_id_hazards')),
    sa.ForeignKeyConstraint(['listed_by_id'], ['users.id'], name=op.f('fk_hazard_listings_listed_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hazard_listings')),
    sa.UniqueConstraint('hazard_id', name=op.f('uq_hazard_listings_hazard_id'))
    )
    with op.batch_alter_table('hazard_listings', schema=None) as batch_op:
        batch_op.create_index('ix_hazard_listings_state', ['state'], unique=False)

    op.create_table('evidence_flags',
    sa.Column('hazard_id', sa.String(length=36), nullable=False),
    sa.Column('photo_id', sa.String(length=36), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=True),
    sa.Column('created_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('overridden_at', app.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('overridden_by_id', sa.String(length=36), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['hazard_id'], ['hazards.id'], name=op.f('fk_evidence_flags_hazard_id_hazards')),
    sa.ForeignKeyConstraint(['overridden_by_id'], ['users.id'], name=op.f('fk_evidence_flags_overridden_by_id_users')),
    sa.ForeignKeyConstraint(['photo_id'], ['photos.id'], name=op.f('fk_evidence_flags_photo_id_photos')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_flags')),
    sa.UniqueConstraint('photo_id', 'code', name=op.f('uq_evidence_flags_photo_id_code'))
    )
    with op.batch_alter_table('evidence_flags', schema=None) as batch_op:
        batch_op.create_index('ix_evidence_flags_hazard', ['hazard_id'], unique=False)
        batch_op.create_index('ix_evidence_flags_overridden_at', ['overridden_at'], unique=False)

    op.create_table('hazard_extensions',
    sa.Column('hazard_id', sa.String(length=36), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('pending_slot', sa.String(length=36), nullable=True),
    sa.Column('requester_id', sa.String(length=36), nullable=False),
    sa.Column('requested_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('old_deadline', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('new_deadline', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('photo_id', sa.String(length=36), nullable=True),
    sa.Column('decided_by_id', sa.String(length=36), nullable=True),
    sa.Column('decided_at', app.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('payload_hash', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_hazard_extensions_decided_by_id_users')),
    sa.ForeignKeyConstraint(['hazard_id'], ['hazards.id'], name=op.f('fk_hazard_extensions_hazard_id_hazards')),
    sa.ForeignKeyConstraint(['photo_id'], ['photos.id'], name=op.f('fk_hazard_extensions_photo_id_photos')),
    sa.ForeignKeyConstraint(['requester_id'], ['users.id'], name=op.f('fk_hazard_extensions_requester_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hazard_extensions')),
    sa.UniqueConstraint('pending_slot', name=op.f('uq_hazard_extensions_pending_slot'))
    )
    with op.batch_alter_table('hazard_extensions', schema=None) as batch_op:
        batch_op.create_index('ix_hazard_extensions_decided_at', ['decided_at'], unique=False)
        batch_op.create_index('ix_hazard_extensions_hazard_requested', ['hazard_id', 'requested_at'], unique=False)
        batch_op.create_index('ix_hazard_extensions_requested_at', ['requested_at'], unique=False)

    with op.batch_alter_table('photos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_photos_sha256'), ['sha256'], unique=False)



def downgrade():
    with op.batch_alter_table('photos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_photos_sha256'))

    with op.batch_alter_table('hazard_extensions', schema=None) as batch_op:
        batch_op.drop_index('ix_hazard_extensions_requested_at')
        batch_op.drop_index('ix_hazard_extensions_hazard_requested')
        batch_op.drop_index('ix_hazard_extensions_decided_at')

    op.drop_table('hazard_extensions')
    with op.batch_alter_table('evidence_flags', schema=None) as batch_op:
        batch_op.drop_index('ix_evidence_flags_overridden_at')
        batch_op.drop_index('ix_evidence_flags_hazard')

    op.drop_table('evidence_flags')
    with op.batch_alter_table('hazard_listings', schema=None) as batch_op:
        batch_op.drop_index('ix_hazard_listings_state')

    op.drop_table('hazard_listings')
