"""hazard events sealed in a hash chain, append-only on PostgreSQL; enterprise moves

* ``hazard_events`` gets ``seq``, ``prev_hash``, ``photo_sha256`` and ``hash``
  (``app.hazards.audit``); the events already stored are sealed here, oldest first per hazard,
  and ``hazard_event_heads`` records each trail's last seal. ``(hazard_id, seq)`` is unique.
* PostgreSQL refuses UPDATE and DELETE on ``hazard_events`` (a trigger); SQLite refuses UPDATE
  (a test database is emptied with DELETE between tests, and whoever holds a SQLite file can
  drop a trigger anyway: there the chain is what shows a change).
* ``enterprise_moves`` records an enterprise moving to another community
  (``app.registry.moves``).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 16:00:00

"""
import sqlalchemy as sa
from alembic import op

import app.core.db
from app.hazards.audit import event_hash, named_photo_ids, seal_fields

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

BATCH = 5000

PG_APPEND_ONLY = """
CREATE FUNCTION hazard_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'hazard_events is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER hazard_events_append_only BEFORE UPDATE OR DELETE ON hazard_events
    FOR EACH ROW EXECUTE FUNCTION hazard_events_append_only();
"""
SQLITE_APPEND_ONLY = """
CREATE TRIGGER hazard_events_append_only BEFORE UPDATE ON hazard_events
BEGIN
    SELECT RAISE(ABORT, 'hazard_events is append-only: UPDATE refused');
END
"""


def upgrade():
    op.create_table('enterprise_moves',
    sa.Column('enterprise_id', sa.String(length=36), nullable=False),
    sa.Column('from_community_id', sa.String(length=36), nullable=False),
    sa.Column('to_community_id', sa.String(length=36), nullable=False),
    sa.Column('actor_id', sa.String(length=36), nullable=True),
    sa.Column('at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('moved', sa.JSON(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_enterprise_moves_actor_id_users')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_enterprise_moves_enterprise_id_enterprises')),
    sa.ForeignKeyConstraint(['from_community_id'], ['communities.id'], name=op.f('fk_enterprise_moves_from_community_id_communities')),
    sa.ForeignKeyConstraint(['to_community_id'], ['communities.id'], name=op.f('fk_enterprise_moves_to_community_id_communities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enterprise_moves'))
    )
    with op.batch_alter_table('enterprise_moves', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enterprise_moves_enterprise_id'), ['enterprise_id'], unique=False)

    op.create_table('hazard_event_heads',
    sa.Column('hazard_id', sa.String(length=36), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['hazard_id'], ['hazards.id'], name=op.f('fk_hazard_event_heads_hazard_id_hazards')),
    sa.PrimaryKeyConstraint('hazard_id', name=op.f('pk_hazard_event_heads'))
    )
    with op.batch_alter_table('hazard_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('prev_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('photo_sha256', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('hash', sa.String(length=64), nullable=True))

    _seal_existing_events()

    with op.batch_alter_table('hazard_events', schema=None) as batch_op:
        batch_op.alter_column('seq', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_hazard_events_hazard_id_seq'),
                                          ['hazard_id', 'seq'])

    if op.get_bind().dialect.name == 'postgresql':
        op.execute(PG_APPEND_ONLY)
    else:
        op.execute(SQLITE_APPEND_ONLY)


def _seal_existing_events():
    """Seal every stored event, oldest first within its hazard (the order they were written)."""
    bind = op.get_bind()
    events = sa.table(
        'hazard_events', sa.column('id', sa.String), sa.column('hazard_id', sa.String),
        sa.column('actor_id', sa.String), sa.column('action', sa.String),
        sa.column('from_state', sa.String), sa.column('to_state', sa.String),
        sa.column('at', app.core.db.UTCDateTime()), sa.column('note', sa.Text),
        sa.column('lat', sa.Float), sa.column('lng', sa.Float),
        sa.column('accuracy_m', sa.Float), sa.column('data', sa.JSON),
        sa.column('seq', sa.Integer), sa.column('prev_hash', sa.String),
        sa.column('photo_sha256', sa.JSON), sa.column('hash', sa.String))
    photos = sa.table('photos', sa.column('id', sa.String), sa.column('sha256', sa.String))
    heads = sa.table('hazard_event_heads', sa.column('hazard_id', sa.String),
                     sa.column('seq', sa.Integer), sa.column('hash', sa.String))
    seal = (sa.update(events).where(events.c.id == sa.bindparam('b_id'))
            .values(seq=sa.bindparam('b_seq'), prev_hash=sa.bindparam('b_prev'),
                    photo_sha256=sa.bindparam('b_photos', type_=sa.JSON),
                    hash=sa.bindparam('b_hash')))
    sha_of = dict(bind.execute(sa.select(photos.c.id, photos.c.sha256)).all())
    rows = bind.execute(sa.select(*[c for c in events.c if c.name not in (
        'seq', 'prev_hash', 'photo_sha256', 'hash')]).order_by(
        events.c.hazard_id, events.c.at, events.c.id)).all()
    pending, tails = [], {}
    for row in rows:
        seq, prev = tails.get(row.hazard_id, (0, None))
        named = {pid: sha_of.get(pid) for pid in named_photo_ids(row.data)} or None
        digest = event_hash(**seal_fields(row, seq=seq + 1, prev_hash=prev, photo_sha256=named))
        tails[row.hazard_id] = (seq + 1, digest)
        pending.append({'b_id': row.id, 'b_seq': seq + 1, 'b_prev': prev, 'b_photos': named,
                        'b_hash': digest})
        if len(pending) >= BATCH:
            bind.execute(seal, pending)
            pending = []
    if pending:
        bind.execute(seal, pending)
    if tails:
        bind.execute(sa.insert(heads), [{'hazard_id': h, 'seq': s, 'hash': d}
                                        for h, (s, d) in tails.items()])


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER hazard_events_append_only ON hazard_events')
        op.execute('DROP FUNCTION hazard_events_append_only()')
    else:
        op.execute('DROP TRIGGER hazard_events_append_only')
    with op.batch_alter_table('hazard_events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_hazard_events_hazard_id_seq'), type_='unique')
        batch_op.drop_column('hash')
        batch_op.drop_column('photo_sha256')
        batch_op.drop_column('prev_hash')
        batch_op.drop_column('seq')

    op.drop_table('hazard_event_heads')
    with op.batch_alter_table('enterprise_moves', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enterprise_moves_enterprise_id'))

    op.drop_table('enterprise_moves')
