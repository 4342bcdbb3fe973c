"""Each study's test-data mark, for the lists' default filter

Whether the study's Patient Module row carries a not-patient indicator, kept on the study
and at the end of the modality and date index, so that the lists' default of leaving
possible test data out is answered from that index rather than by an anti-join with the
patient rows. Filled here for the studies already stored.

Revision ID: a9d3f6c2e815
Revises: c4e1a7d9b3f2
Create Date: 2026-12-07 14:05:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a9d3f6c2e815'
down_revision = 'c4e1a7d9b3f2'
branch_labels = None
depends_on = None


def upgrade():
    # NOT NULL with a constant default: SQLite adds it in place without copying the table.
    op.add_column('general_study_module_attr',
                  sa.Column('not_patient', sa.Boolean(), server_default=sa.false(),
                            nullable=False))
    op.execute(
        "UPDATE general_study_module_attr SET not_patient = "
        + ("true" if op.get_bind().dialect.name == "postgresql" else "1")
        + " WHERE id IN (SELECT p.general_study_module_attr_id FROM patient_module_attr p "
        "WHERE p.not_patient_indicator IS NOT NULL)")
    op.drop_index('ix_general_study_module_attr_modality_date_time',
                  table_name='general_study_module_attr')
    op.create_index('ix_general_study_module_attr_modality_date_time', 'general_study_module_attr',
                    ['modality_type', 'study_date', 'study_time', 'id', 'unique_equipment_name_id',
                     'not_patient'])


def downgrade():
    op.drop_index('ix_general_study_module_attr_modality_date_time',
                  table_name='general_study_module_attr')
    op.create_index('ix_general_study_module_attr_modality_date_time', 'general_study_module_attr',
                    ['modality_type', 'study_date', 'study_time', 'id', 'unique_equipment_name_id'])
    op.drop_column('general_study_module_attr', 'not_patient')
