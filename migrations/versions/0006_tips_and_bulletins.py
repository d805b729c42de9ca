"""public reports (举报) and bulletins (预警、安全提示)

* ``tips`` with ``tip_photos`` and their trail ``tip_events``; ``tip_rate_counters`` (tips per
  address, shared by every worker);
* ``bulletins`` with ``bulletin_attachments`` (PDF), one ``bulletin_receipts`` row per enterprise
  reached (签收) and their trail ``bulletin_events``.

Revision ID: 0006
Revises: 0008
Create Date: 2026-12-01 18:00:05

"""
import sqlalchemy as sa
from alembic import op

import app.core.db

revision = '0006'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('tip_rate_counters',
    sa.Column('key', sa.String(length=160), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('window_start', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_tip_rate_counters'))
    )
    op.create_table('bulletin_attachments',
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('mime', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('path', sa.String(length=255), nullable=False),
    sa.Column('uploader_id', sa.String(length=36), nullable=False),
    sa.Column('created_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('payload_hash', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['uploader_id'], ['users.id'], name=op.f('fk_bulletin_attachments_uploader_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bulletin_attachments'))
    )
    op.create_table('bulletins',
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('target', sa.JSON(), nullable=False),
    sa.Column('requires_ack', sa.Boolean(), nullable=False),
    sa.Column('attachment_id', sa.String(length=36), nullable=True),
    sa.Column('author_id', sa.String(length=36), nullable=False),
    sa.Column('published_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('payload_hash', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['attachment_id'], ['bulletin_attachments.id'], name=op.f('fk_bulletins_attachment_id_bulletin_attachments')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_bulletins_author_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bulletins'))
    )
    with op.batch_alter_table('bulletins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bulletins_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bulletins_published_at'), ['published_at'], unique=False)

    op.create_table('bulletin_events',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('bulletin_id', sa.String(length=36), nullable=False),
    sa.Column('enterprise_id', sa.String(length=36), nullable=True),
    sa.Column('actor_id', sa.String(length=36), nullable=True),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('from_state', sa.String(length=16), nullable=True),
    sa.Column('to_state', sa.String(length=16), nullable=True),
    sa.Column('at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('data', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_bulletin_events_actor_id_users')),
    sa.ForeignKeyConstraint(['bulletin_id'], ['bulletins.id'], name=op.f('fk_bulletin_events_bulletin_id_bulletins')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_bulletin_events_enterprise_id_enterprises')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bulletin_events'))
    )
    with op.batch_alter_table('bulletin_events', schema=None) as batch_op:
        batch_op.create_index('ix_bulletin_events_bulletin_at', ['bulletin_id', 'at'], unique=False)

    op.create_table('bulletin_receipts',
    sa.Column('bulletin_id', sa.String(length=36), nullable=False),
    sa.Column('enterprise_id', sa.String(length=36), nullable=False),
    sa.Column('community_id', sa.String(length=36), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('acknowledged_at', app.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('acknowledged_by_id', sa.String(length=36), nullable=True),
    sa.Column('reminded_at', app.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['acknowledged_by_id'], ['users.id'], name=op.f('fk_bulletin_receipts_acknowledged_by_id_users')),
    sa.ForeignKeyConstraint(['bulletin_id'], ['bulletins.id'], name=op.f('fk_bulletin_receipts_bulletin_id_bulletins')),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_bulletin_receipts_community_id_communities')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_bulletin_receipts_enterprise_id_enterprises')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bulletin_receipts')),
    sa.UniqueConstraint('bulletin_id', 'enterprise_id', name=op.f('uq_bulletin_receipts_bulletin_id_enterprise_id'))
    )
    with op.batch_alter_table('bulletin_receipts', schema=None) as batch_op:
        batch_op.create_index('ix_bulletin_receipts_community', ['community_id', 'bulletin_id'], unique=False)
        batch_op.create_index('ix_bulletin_receipts_enterprise', ['enterprise_id', 'state'], unique=False)

    op.create_table('tips',
    sa.Column('tracking_code', sa.String(length=16), nullable=False),
    sa.Column('enterprise_id', sa.String(length=36), nullable=True),
    sa.Column('community_id', sa.String(length=36), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('contact', sa.String(length=100), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lng', sa.Float(), nullable=True),
    sa.Column('accuracy_m', sa.Float(), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('received_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('triaged_at', app.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('triaged_by_id', sa.String(length=36), nullable=True),
    sa.Column('decline_reason', sa.String(length=16), nullable=True),
    sa.Column('answer', sa.String(length=500), nullable=True),
    sa.Column('hazard_id', sa.String(length=36), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('payload_hash', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_tips_community_id_communities')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_tips_enterprise_id_enterprises')),
    sa.ForeignKeyConstraint(['hazard_id'], ['hazards.id'], name=op.f('fk_tips_hazard_id_hazards')),
    sa.ForeignKeyConstraint(['triaged_by_id'], ['users.id'], name=op.f('fk_tips_triaged_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tips')),
    sa.UniqueConstraint('tracking_code', name=op.f('uq_tips_tracking_code'))
    )
    with op.batch_alter_table('tips', schema=None) as batch_op:
        batch_op.create_index('ix_tips_community_state', ['community_id', 'state'], unique=False)
        batch_op.create_index(batch_op.f('ix_tips_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index('ix_tips_state_received', ['state', 'received_at'], unique=False)

    op.create_table('tip_events',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('tip_id', sa.String(length=36), nullable=False),
    sa.Column('actor_id', sa.String(length=36), nullable=True),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('from_state', sa.String(length=16), nullable=True),
    sa.Column('to_state', sa.String(length=16), nullable=True),
    sa.Column('at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('data', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_tip_events_actor_id_users')),
    sa.ForeignKeyConstraint(['tip_id'], ['tips.id'], name=op.f('fk_tip_events_tip_id_tips')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tip_events'))
    )
    with op.batch_alter_table('tip_events', schema=None) as batch_op:
        batch_op.create_index('ix_tip_events_tip_at', ['tip_id', 'at'], unique=False)

    op.create_table('tip_photos',
    sa.Column('tip_id', sa.String(length=36), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('mime', sa.String(length=32), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('taken_at', app.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('exif_lat', sa.Float(), nullable=True),
    sa.Column('exif_lng', sa.Float(), nullable=True),
    sa.Column('original_path', sa.String(length=255), nullable=False),
    sa.Column('full_path', sa.String(length=255), nullable=False),
    sa.Column('thumb_path', sa.String(length=255), nullable=False),
    sa.Column('created_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['tip_id'], ['tips.id'], name=op.f('fk_tip_photos_tip_id_tips')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tip_photos')),
    sa.UniqueConstraint('tip_id', 'position', name=op.f('uq_tip_photos_tip_id_position'))
    )


def downgrade():
    op.drop_table('tip_photos')
    with op.batch_alter_table('tip_events', schema=None) as batch_op:
        batch_op.drop_index('ix_tip_events_tip_at')

    op.drop_table('tip_events')
    with op.batch_alter_table('tips', schema=None) as batch_op:
        batch_op.drop_index('ix_tips_state_received')
        batch_op.drop_index(batch_op.f('ix_tips_enterprise_id'))
        batch_op.drop_index('ix_tips_community_state')

    op.drop_table('tips')
    with op.batch_alter_table('bulletin_receipts', schema=None) as batch_op:
        batch_op.drop_index('ix_bulletin_receipts_enterprise')
        batch_op.drop_index('ix_bulletin_receipts_community')

    op.drop_table('bulletin_receipts')
    with op.batch_alter_table('bulletin_events', schema=None) as batch_op:
        batch_op.drop_index('ix_bulletin_events_bulletin_at')

    op.drop_table('bulletin_events')
    with op.batch_alter_table('bulletins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bulletins_published_at'))
        batch_op.drop_index(batch_op.f('ix_bulletins_author_id'))

    op.drop_table('bulletins')
    op.drop_table('bulletin_attachments')
    op.drop_table('tip_rate_counters')
