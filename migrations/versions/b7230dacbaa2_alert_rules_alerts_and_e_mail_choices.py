"""Alert rules, alerts and e-mail choices

High-dose alert rules per modality and system, the alerts they raise with their
acknowledgement, the modalities each user is e-mailed about and the user's address; patient
IDs indexed for cumulative rules and the patient view, audit entries by user.

Revision ID: b7230dacbaa2
Revises: 3e7a91c4d2b6
Create Date: 2026-12-07 01:49:27.095650

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7230dacbaa2'
down_revision = '3e7a91c4d2b6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('alert_rule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=256), nullable=False),
    sa.Column('modality', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('threshold', sa.Double(), nullable=True),
    sa.Column('weeks', sa.Integer(), nullable=True),
    sa.Column('unique_equipment_name_id', sa.Integer(), nullable=True),
    sa.Column('enabled', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('source', sa.Text(), nullable=True),
    sa.Column('created', sa.DateTime(), nullable=False),
    sa.Column('changed', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['unique_equipment_name_id'], ['unique_equipment_names.id'], name=op.f('fk_alert_rule_unique_equipment_name_id_unique_equipment_names'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_rule'))
    )
    op.create_index(op.f('ix_alert_rule_modality'), 'alert_rule', ['modality'], unique=False)

    op.create_table('alert_subscription',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('modality', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_alert_subscription_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'modality', name=op.f('pk_alert_subscription'))
    )
    op.create_table('alert',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('alert_rule_id', sa.Integer(), nullable=False),
    sa.Column('general_study_module_attr_id', sa.Integer(), nullable=False),
    sa.Column('modality', sa.String(length=64), nullable=False),
    sa.Column('patient_id', sa.String(length=256), nullable=True),
    sa.Column('patient_id_hashed', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('value', sa.Double(), nullable=True),
    sa.Column('threshold', sa.Double(), nullable=True),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.Column('created', sa.DateTime(), nullable=False),
    sa.Column('acknowledged', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('acknowledged_by', sa.String(length=150), nullable=True),
    sa.Column('acknowledged_at', sa.DateTime(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('mail_state', sa.String(length=16), server_default='none', nullable=False),
    sa.ForeignKeyConstraint(['alert_rule_id'], ['alert_rule.id'], name=op.f('fk_alert_alert_rule_id_alert_rule'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['general_study_module_attr_id'], ['general_study_module_attr.id'], name=op.f('fk_alert_general_study_module_attr_id_general_study_module_attr'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert')),
    sa.UniqueConstraint('alert_rule_id', 'general_study_module_attr_id', name='uq_alert_rule_study')
    )
    op.create_index(op.f('ix_alert_alert_rule_id'), 'alert', ['alert_rule_id'], unique=False)
    op.create_index(op.f('ix_alert_general_study_module_attr_id'), 'alert', ['general_study_module_attr_id'], unique=False)
    op.create_index(op.f('ix_alert_mail_state'), 'alert', ['mail_state'], unique=False)
    op.create_index('ix_alert_open_created', 'alert', ['acknowledged', 'created'], unique=False)

    op.create_index(op.f('ix_audit_log_username'), 'audit_log', ['username'], unique=False)

    op.create_index(op.f('ix_patient_module_attr_patient_id'), 'patient_module_attr', ['patient_id'], unique=False)

    op.add_column('users', sa.Column('email', sa.String(length=254), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('email')

    op.drop_index(op.f('ix_patient_module_attr_patient_id'), table_name='patient_module_attr')

    op.drop_index(op.f('ix_audit_log_username'), table_name='audit_log')

    op.drop_index('ix_alert_open_created', table_name='alert')
    op.drop_index(op.f('ix_alert_mail_state'), table_name='alert')
    op.drop_index(op.f('ix_alert_general_study_module_attr_id'), table_name='alert')
    op.drop_index(op.f('ix_alert_alert_rule_id'), table_name='alert')

    op.drop_table('alert')
    op.drop_table('alert_subscription')
    op.drop_index(op.f('ix_alert_rule_modality'), table_name='alert_rule')

    op.drop_table('alert_rule')
