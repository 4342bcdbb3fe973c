"""Test studies found by a partial index

Lists, charts and exports leave studies marked as test or QA patients out by default; a
partial index of the few marked patient rows lets the database find them without reading
every patient row.

Revision ID: 18a303085fd4
Revises: 1323da9efe82
Create Date: 2026-12-07 02:56:20

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '18a303085fd4'
down_revision = '1323da9efe82'
branch_labels = None
depends_on = None

MARKED = sa.text('not_patient_indicator IS NOT NULL')


def upgrade():
    op.create_index('ix_patient_module_attr_not_patient', 'patient_module_attr',
                    ['general_study_module_attr_id'], unique=False,
                    postgresql_where=MARKED, sqlite_where=MARKED)


def downgrade():
    op.drop_index('ix_patient_module_attr_not_patient', table_name='patient_module_attr')
