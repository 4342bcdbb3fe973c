"""DRL sets, values and standard names

DRLs are data an admin loads and edits; standard names map the names devices write to the
examinations DRLs are given for.

Revision ID: 147246020ef9
Revises: 2887df7133cb
Create Date: 2026-12-06 13:33:18.537499

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '147246020ef9'
down_revision = '2887df7133cb'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('drl_set',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=256), nullable=False),
    sa.Column('source', sa.Text(), nullable=True),
    sa.Column('created', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_drl_set')),
    sa.UniqueConstraint('name', name=op.f('uq_drl_set_name'))
    )
    op.create_table('standard_name',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('modality', sa.String(length=64), nullable=False),
    sa.Column('field', sa.String(length=64), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('standard_name', sa.String(length=256), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_standard_name')),
    sa.UniqueConstraint('modality', 'field', 'name', name='uq_standard_name_name')
    )
    with op.batch_alter_table('standard_name', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_standard_name_standard_name'), ['standard_name'], unique=False)

    op.create_table('drl_value',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('drl_set_id', sa.Integer(), nullable=False),
    sa.Column('modality', sa.String(length=64), nullable=False),
    sa.Column('examination', sa.String(length=256), nullable=False),
    sa.Column('quantity', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Double(), nullable=False),
    sa.Column('unit', sa.String(length=64), nullable=False),
    sa.Column('patient_group', sa.String(length=256), server_default='adult', nullable=False),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['drl_set_id'], ['drl_set.id'], name=op.f('fk_drl_value_drl_set_id_drl_set'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_drl_value')),
    sa.UniqueConstraint('drl_set_id', 'modality', 'examination', 'quantity', 'patient_group', name='uq_drl_value_entry')
    )
    with op.batch_alter_table('drl_value', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_drl_value_drl_set_id'), ['drl_set_id'], unique=False)



def downgrade():
    with op.batch_alter_table('drl_value', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_drl_value_drl_set_id'))

    op.drop_table('drl_value')
    with op.batch_alter_table('standard_name', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_standard_name_standard_name'))

    op.drop_table('standard_name')
    op.drop_table('drl_set')
