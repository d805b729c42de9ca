"""enterprise visits: each enterprise's last visit (an inspection not of kind self), for the
dashboard's coverage, filled from the inspections already there

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 22:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'enterprise_visits',
        sa.Column('enterprise_id', sa.String(length=36), nullable=False),
        sa.Column('last_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('enterprise_id'))
    op.execute("INSERT INTO enterprise_visits (enterprise_id, last_at) "
               "SELECT enterprise_id, max(started_at) FROM inspections WHERE kind <> 'self' "
               "GROUP BY enterprise_id")


def downgrade():
    op.drop_table('enterprise_visits')
