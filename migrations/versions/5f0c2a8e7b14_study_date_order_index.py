"""Studies in date order, whatever their modality

The radiography list selects three modality types (DX, CR, PX) and sorts newest first; the
modality index cannot give that order across three values, so the database read and sorted
every radiography study for each page (about half a second at 700,000). An index on the
date, time and id alone gives the order directly.

Revision ID: 5f0c2a8e7b14
Revises: 18a303085fd4
Create Date: 2026-12-07 08:10:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '5f0c2a8e7b14'
down_revision = '18a303085fd4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_general_study_module_attr_date_time', 'general_study_module_attr',
                    ['study_date', 'study_time', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_general_study_module_attr_date_time',
                  table_name='general_study_module_attr')
