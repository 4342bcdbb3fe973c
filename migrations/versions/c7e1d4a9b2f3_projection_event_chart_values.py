"""Chart values kept on each projection X-ray event

The radiography charts read one value per event: its study's id, the mean kVp and the summed
exposure of its sources (app/importing/chart_values.py). Kept on the event and covered by one
index, they are read without walking the dose report and the source, kVp and exposure rows.
Stored events are filled here; on PostgreSQL run VACUUM ANALYZE irrad_event_xray_data
afterwards so the charts can read the index alone.

Revision ID: c7e1d4a9b2f3
Revises: 5f0c2a8e7b14
Create Date: 2026-12-07 08:05:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c7e1d4a9b2f3'
down_revision = '5f0c2a8e7b14'
branch_labels = None
depends_on = None

BACKFILL = sa.text("""
UPDATE irrad_event_xray_data
SET chart_study_id = projection_xray_radiation_dose.general_study_module_attr_id,
    chart_kvp = (SELECT avg(kvp.kvp) FROM irrad_event_xray_source_data
                 JOIN kvp ON kvp.irrad_event_xray_source_data_id = irrad_event_xray_source_data.id
                 WHERE irrad_event_xray_source_data.irrad_event_xray_data_id
                       = irrad_event_xray_data.id),
    chart_exposure = (SELECT sum(exposure.exposure) FROM irrad_event_xray_source_data
                      JOIN exposure
                        ON exposure.irrad_event_xray_source_data_id = irrad_event_xray_source_data.id
                      WHERE irrad_event_xray_source_data.irrad_event_xray_data_id
                            = irrad_event_xray_data.id)
FROM projection_xray_radiation_dose
WHERE projection_xray_radiation_dose.id = irrad_event_xray_data.projection_xray_radiation_dose_id
""")


def upgrade():
    with op.batch_alter_table('irrad_event_xray_data', schema=None) as batch_op:
        batch_op.add_column(sa.Column('chart_study_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('chart_kvp', sa.Double(), nullable=True))
        batch_op.add_column(sa.Column('chart_exposure', sa.Double(), nullable=True))
    op.execute(BACKFILL)
    op.create_index('ix_irrad_event_xray_data_chart', 'irrad_event_xray_data',
                    ['chart_study_id', 'acquisition_protocol', 'dose_area_product', 'chart_kvp',
                     'chart_exposure', 'anatomical_structure_id'], unique=False)


def downgrade():
    op.drop_index('ix_irrad_event_xray_data_chart', table_name='irrad_event_xray_data')
    with op.batch_alter_table('irrad_event_xray_data', schema=None) as batch_op:
        batch_op.drop_column('chart_exposure')
        batch_op.drop_column('chart_kvp')
        batch_op.drop_column('chart_study_id')
