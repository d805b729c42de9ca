"""dashboard rollups: hazard counts by community/state/level/category, open hazards by
enterprise, and counts by day (with ten-day and month sums), filled from the hazards already
there; indexes for the hazard list by state, newest first, and the dashboard's other figures

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 19:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'hazard_counts',
        sa.Column('community_id', sa.String(length=36), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('level', sa.String(length=10), nullable=False),
        sa.Column('category', sa.String(length=50), nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('community_id', 'state', 'level', 'category'))
    op.create_table(
        'hazard_open_counts',
        sa.Column('enterprise_id', sa.String(length=36), nullable=False),
        sa.Column('community_id', sa.String(length=36), nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.Column('major', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('enterprise_id', 'community_id'))
    op.create_index('ix_hazard_open_counts_community_n', 'hazard_open_counts',
                    ['community_id', 'n'])
    op.create_table(
        'hazard_day_counts',
        sa.Column('grain', sa.String(length=1), nullable=False),
        sa.Column('dimension', sa.String(length=8), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('community_id', sa.String(length=36), nullable=False),
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.Column('on_time', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('grain', 'dimension', 'day', 'community_id', 'key'))

    # the hazard list filtered by state, newest first
    op.create_index('ix_hazards_state_found', 'hazards', ['state', 'found_at', 'deadline'])
    # the dashboard's other figures read their few rows, not a period's hazards or inspections
    op.create_index('ix_hazards_self_check_missed_found', 'hazards',
                    ['self_check_missed', 'found_at'])
    op.create_index('ix_inspections_kind_started', 'inspections', ['kind', 'started_at'])
    op.create_index('ix_inspections_checklist_ended', 'inspections',
                    ['checklist_version_id', 'ended_at'])
    op.create_index('ix_inspection_answers_answered_at', 'inspection_answers', ['answered_at'])

    # Count the hazards and escalations already recorded, on this migration's connection (and
    # so in its transaction): the rollup functions take anything with execute() and get_bind().
    # The app's own counting (one definition of what is counted), imported when this runs.
    from app.escalation.counting import all_facts  # noqa: PLC0415
    from app.hazards import rollups  # noqa: PLC0415
    connection = op.get_bind()

    class _OnConnection:
        execute = staticmethod(connection.execute)

        @staticmethod
        def get_bind():
            return connection

    rollups.rebuild(others=all_facts(session=_OnConnection), session=_OnConnection)


def downgrade():
    op.drop_index('ix_inspection_answers_answered_at', table_name='inspection_answers')
    op.drop_index('ix_inspections_checklist_ended', table_name='inspections')
    op.drop_index('ix_inspections_kind_started', table_name='inspections')
    op.drop_index('ix_hazards_self_check_missed_found', table_name='hazards')
    op.drop_index('ix_hazards_state_found', table_name='hazards')
    op.drop_table('hazard_day_counts')
    op.drop_index('ix_hazard_open_counts_community_n', table_name='hazard_open_counts')
    op.drop_table('hazard_open_counts')
    op.drop_table('hazard_counts')
