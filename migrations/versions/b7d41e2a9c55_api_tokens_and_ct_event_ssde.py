"""API tokens, kept as digests, for programs calling the JSON API; SSDE of CT events

The SSDE columns start empty: `flask ssde recompute` fills them for the events already
stored (docs/ssde.md).

Revision ID: b7d41e2a9c55
Revises: ce9e224b6f2f
Create Date: 2026-12-07 02:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7d41e2a9c55'
down_revision = 'ce9e224b6f2f'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'api_token',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('prefix', sa.String(length=16), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created', sa.DateTime(), nullable=False),
        sa.Column('last_used', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_api_token_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_api_token')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_api_token_token_hash')),
    )
    op.create_index(op.f('ix_api_token_user_id'), 'api_token', ['user_id'], unique=False)
    # Plain nullable columns: SQLite adds them in place, without copying the table.
    op.add_column('ct_irradiation_event_data', sa.Column('ssde', sa.Double(), nullable=True))
    op.add_column('ct_irradiation_event_data',
                  sa.Column('ssde_method', sa.String(length=32), nullable=True))
    op.add_column('ct_irradiation_event_data',
                  sa.Column('ssde_diameter', sa.Double(), nullable=True))


def downgrade():
    # Not in batch mode: on SQLite that copies the table, and dropping the old copy would
    # delete every event's child rows with it.
    for column in ('ssde_diameter', 'ssde_method', 'ssde'):
        op.drop_column('ct_irradiation_event_data', column)
    op.drop_index(op.f('ix_api_token_user_id'), table_name='api_token')
    op.drop_table('api_token')
