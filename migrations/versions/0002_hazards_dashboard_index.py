"""hazards: covering index for the dashboard's grouped counts

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 12:30:00

"""
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('hazards', schema=None) as batch_op:
        batch_op.create_index('ix_hazards_dashboard', ['found_at', 'community_id', 'enterprise_id',
                                                       'state', 'level', 'category', 'deadline',
                                                       'verified_at', 'closed_at'], unique=False)


def downgrade():
    with op.batch_alter_table('hazards', schema=None) as batch_op:
        batch_op.drop_index('ix_hazards_dashboard')
