"""inspection plans and random draws (检查计划, 双随机), their tasks; joint inspections

* ``plans`` with the communities they draw from (``plan_communities``) and their pool of
  inspectors (``plan_inspectors``); ``plan_tasks`` with who each sends (``task_inspectors``);
  ``plan_events``, the trail of plans and tasks (each draw with its seed and record).
* ``inspection_members``: the others taking part in an inspection (联合检查).
* ``inspections.task_id``: the task an inspection was started from.

Revision ID: 0005
Revises: 0006
Create Date: 2026-12-01 18:00:00

"""
import sqlalchemy as sa
from alembic import op

import app.core.db

revision = '0005'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('plans',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('community_id', sa.String(length=36), nullable=True),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('industries', sa.JSON(), nullable=False),
    sa.Column('risk_levels', sa.JSON(), nullable=False),
    sa.Column('weighted', sa.Boolean(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('inspectors_per_task', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('author_id', sa.String(length=36), nullable=False),
    sa.Column('seed', sa.String(length=64), nullable=True),
    sa.Column('drawn_at', app.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('drawn_by_id', sa.String(length=36), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('payload_hash', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_plans_author_id_users')),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_plans_community_id_communities')),
    sa.ForeignKeyConstraint(['drawn_by_id'], ['users.id'], name=op.f('fk_plans_drawn_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plans'))
    )
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plans_community_id'), ['community_id'], unique=False)

    op.create_table('plan_communities',
    sa.Column('plan_id', sa.String(length=36), nullable=False),
    sa.Column('community_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_plan_communities_community_id_communities')),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_plan_communities_plan_id_plans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('plan_id', 'community_id', name=op.f('pk_plan_communities'))
    )
    op.create_table('plan_inspectors',
    sa.Column('plan_id', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_plan_inspectors_plan_id_plans'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_plan_inspectors_user_id_users')),
    sa.PrimaryKeyConstraint('plan_id', 'user_id', name=op.f('pk_plan_inspectors'))
    )
    op.create_table('plan_tasks',
    sa.Column('plan_id', sa.String(length=36), nullable=False),
    sa.Column('enterprise_id', sa.String(length=36), nullable=False),
    sa.Column('community_id', sa.String(length=36), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('draw_no', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('begun_at', app.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('done_at', app.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_plan_tasks_community_id_communities')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_plan_tasks_enterprise_id_enterprises')),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_plan_tasks_plan_id_plans')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_tasks'))
    )
    with op.batch_alter_table('plan_tasks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_tasks_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_plan_tasks_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index('ix_plan_tasks_plan_position', ['plan_id', 'position'], unique=False)

    op.create_table('plan_events',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('plan_id', sa.String(length=36), nullable=False),
    sa.Column('task_id', sa.String(length=36), nullable=True),
    sa.Column('actor_id', sa.String(length=36), nullable=True),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('from_state', sa.String(length=16), nullable=True),
    sa.Column('to_state', sa.String(length=16), nullable=True),
    sa.Column('at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('data', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_plan_events_actor_id_users')),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_plan_events_plan_id_plans')),
    sa.ForeignKeyConstraint(['task_id'], ['plan_tasks.id'], name=op.f('fk_plan_events_task_id_plan_tasks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_events'))
    )
    with op.batch_alter_table('plan_events', schema=None) as batch_op:
        batch_op.create_index('ix_plan_events_plan_at', ['plan_id', 'at'], unique=False)
        batch_op.create_index(batch_op.f('ix_plan_events_task_id'), ['task_id'], unique=False)

    op.create_table('task_inspectors',
    sa.Column('task_id', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['task_id'], ['plan_tasks.id'], name=op.f('fk_task_inspectors_task_id_plan_tasks'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_task_inspectors_user_id_users')),
    sa.PrimaryKeyConstraint('task_id', 'user_id', name=op.f('pk_task_inspectors'))
    )
    with op.batch_alter_table('task_inspectors', schema=None) as batch_op:
        batch_op.create_index('ix_task_inspectors_user_id', ['user_id'], unique=False)

    op.create_table('inspection_members',
    sa.Column('inspection_id', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.String(length=36), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspections.id'], name=op.f('fk_inspection_members_inspection_id_inspections'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_inspection_members_user_id_users')),
    sa.PrimaryKeyConstraint('inspection_id', 'user_id', name=op.f('pk_inspection_members'))
    )
    with op.batch_alter_table('inspection_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inspection_members_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('inspections', schema=None) as batch_op:
        batch_op.add_column(sa.Column('task_id', sa.String(length=36), nullable=True))
        batch_op.create_index(batch_op.f('ix_inspections_task_id'), ['task_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_inspections_task_id_plan_tasks'), 'plan_tasks', ['task_id'], ['id'])



def downgrade():
    with op.batch_alter_table('inspections', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_inspections_task_id_plan_tasks'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_inspections_task_id'))
        batch_op.drop_column('task_id')

    with op.batch_alter_table('inspection_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inspection_members_user_id'))

    op.drop_table('inspection_members')
    with op.batch_alter_table('task_inspectors', schema=None) as batch_op:
        batch_op.drop_index('ix_task_inspectors_user_id')

    op.drop_table('task_inspectors')
    with op.batch_alter_table('plan_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_events_task_id'))
        batch_op.drop_index('ix_plan_events_plan_at')

    op.drop_table('plan_events')
    with op.batch_alter_table('plan_tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_plan_tasks_plan_position')
        batch_op.drop_index(batch_op.f('ix_plan_tasks_enterprise_id'))
        batch_op.drop_index(batch_op.f('ix_plan_tasks_community_id'))

    op.drop_table('plan_tasks')
    op.drop_table('plan_inspectors')
    op.drop_table('plan_communities')
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plans_community_id'))

    op.drop_table('plans')
