"""Each study's system, for charts and comparisons per system

A study's system is its lowest device identity, as the study tally counts it; kept on the
study so that grouping by system does not read every equipment row. Filled here for the
studies already stored. The modality and date index also carries the study id and system,
so that aggregates over one modality's studies read the index alone.

Revision ID: ce9e224b6f2f
Revises: 5d2b8e4f1a63
Create Date: 2026-12-06 19:27:54

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ce9e224b6f2f'
down_revision = '5d2b8e4f1a63'
branch_labels = None
depends_on = None


def upgrade():
    # A plain column (no constraint), so SQLite adds it in place without copying the table.
    op.add_column('general_study_module_attr',
                  sa.Column('unique_equipment_name_id', sa.Integer(), nullable=True))
    op.execute(
        "UPDATE general_study_module_attr SET unique_equipment_name_id = ("
        "SELECT min(e.unique_equipment_name_id) FROM general_equipment_module_attr e "
        "WHERE e.general_study_module_attr_id = general_study_module_attr.id)")
    op.drop_index('ix_general_study_module_attr_modality_date_time',
                  table_name='general_study_module_attr')
    op.create_index('ix_general_study_module_attr_modality_date_time', 'general_study_module_attr',
                    ['modality_type', 'study_date', 'study_time', 'id', 'unique_equipment_name_id'])


def downgrade():
    op.drop_index('ix_general_study_module_attr_modality_date_time',
                  table_name='general_study_module_attr')
    op.create_index('ix_general_study_module_attr_modality_date_time', 'general_study_module_attr',
                    ['modality_type', 'study_date', 'study_time'])
    op.drop_column('general_study_module_attr', 'unique_equipment_name_id')
