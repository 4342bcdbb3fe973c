"""SSDE sizes beyond the dose report: CT localizer profiles, their calibration, size imports

Revision ID: d5e8a1c7f302
Revises: c7e1d4a9b2f3
Create Date: 2026-12-07 08:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'd5e8a1c7f302'
down_revision = 'c7e1d4a9b2f3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'ct_localizer_profile',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('study_instance_uid', sa.String(length=128), nullable=False),
        sa.Column('sop_instance_uid', sa.String(length=128), nullable=False),
        sa.Column('unique_equipment_name_id', sa.Integer(), nullable=True),
        sa.Column('source', sa.String(length=1000), nullable=True),
        sa.Column('rows', sa.Text(), nullable=False),
        sa.Column('received', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['unique_equipment_name_id'], ['unique_equipment_names.id'],
                                name=op.f('fk_ct_localizer_profile_unique_equipment_name_id_unique_equipment_names')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_ct_localizer_profile')),
        sa.UniqueConstraint('sop_instance_uid', name=op.f('uq_ct_localizer_profile_sop_instance_uid')),
    )
    op.create_index(op.f('ix_ct_localizer_profile_study_instance_uid'), 'ct_localizer_profile',
                    ['study_instance_uid'], unique=False)
    op.create_index(op.f('ix_ct_localizer_profile_unique_equipment_name_id'),
                    'ct_localizer_profile', ['unique_equipment_name_id'], unique=False)
    op.create_table(
        'localizer_calibration',
        sa.Column('unique_equipment_name_id', sa.Integer(), nullable=False),
        sa.Column('slope', sa.Double(), nullable=False),
        sa.Column('intercept', sa.Double(), nullable=False),
        sa.Column('phantom_diameter', sa.Double(), nullable=True),
        sa.Column('updated', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['unique_equipment_name_id'], ['unique_equipment_names.id'],
                                name=op.f('fk_localizer_calibration_unique_equipment_name_id_unique_equipment_names'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('unique_equipment_name_id', name=op.f('pk_localizer_calibration')),
    )
    op.create_table(
        'study_size_import',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('study_instance_uid', sa.String(length=128), nullable=False),
        sa.Column('ap_dimension', sa.Double(), nullable=True),
        sa.Column('lateral_dimension', sa.Double(), nullable=True),
        sa.Column('water_equivalent_diameter', sa.Double(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_study_size_import')),
        sa.UniqueConstraint('study_instance_uid', name=op.f('uq_study_size_import_study_instance_uid')),
    )


def downgrade():
    op.drop_table('study_size_import')
    op.drop_table('localizer_calibration')
    op.drop_index(op.f('ix_ct_localizer_profile_unique_equipment_name_id'),
                  table_name='ct_localizer_profile')
    op.drop_index(op.f('ix_ct_localizer_profile_study_instance_uid'),
                  table_name='ct_localizer_profile')
    op.drop_table('ct_localizer_profile')
