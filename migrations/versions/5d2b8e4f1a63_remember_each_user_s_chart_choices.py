"""Remember each user's chart choices

The Charts view shows a user the charts, statistic, split and order they chose last.

Revision ID: 5d2b8e4f1a63
Revises: 147246020ef9
Create Date: 2026-12-06 14:58:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5d2b8e4f1a63'
down_revision = '147246020ef9'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('chart_options', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('chart_options')
