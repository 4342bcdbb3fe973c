"""Skin dose maps of fluoroscopy studies

One row per RF study: the peak skin dose, the map (compressed array), the phantom it was
computed on, the method version and time, or why it could not be computed.

Revision ID: c4e1a7d9b3f2
Revises: d5e8a1c7f302
Create Date: 2026-12-07 08:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4e1a7d9b3f2'
down_revision = 'd5e8a1c7f302'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'skin_dose_map',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('general_study_module_attr_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('message', sa.Text(), nullable=True),
        sa.Column('peak_skin_dose', sa.Double(), nullable=True),
        sa.Column('grid', sa.LargeBinary(), nullable=True),
        sa.Column('grid_rows', sa.Integer(), nullable=True),
        sa.Column('grid_columns', sa.Integer(), nullable=True),
        sa.Column('phantom_width', sa.Double(), nullable=True),
        sa.Column('phantom_depth', sa.Double(), nullable=True),
        sa.Column('phantom_length', sa.Double(), nullable=True),
        sa.Column('patient_height', sa.Double(), nullable=True),
        sa.Column('patient_weight', sa.Double(), nullable=True),
        sa.Column('size_defaulted', sa.Boolean(), nullable=True),
        sa.Column('events_used', sa.Integer(), nullable=False),
        sa.Column('events_skipped', sa.Integer(), nullable=False),
        sa.Column('dose_rp_used', sa.Double(), nullable=True),
        sa.Column('method_version', sa.String(length=16), nullable=False),
        sa.Column('computed_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['general_study_module_attr_id'],
                                ['general_study_module_attr.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('general_study_module_attr_id'),
    )


def downgrade():
    op.drop_table('skin_dose_map')
