"""Equipment review, the modality type as sent, default test-patient patterns

Each device identity records whether an administrator has reviewed it (devices seen for the
first time are listed as new); each study keeps the modality type its device sent when a
user-defined modality replaced it, so that clearing the override restores it. A database without any not-patient pattern gets
the default ones (the Test patients page could not set any before).

Revision ID: 3e7a91c4d2b6
Revises: b7d41e2a9c55
Create Date: 2026-12-07 01:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3e7a91c4d2b6'
down_revision = 'b7d41e2a9c55'
branch_labels = None
depends_on = None


def upgrade():
    # Plain columns added in place: no table copy on SQLite (general_study_module_attr must
    # never be rebuilt there, its children would be deleted with it).
    op.add_column('unique_equipment_names',
                  sa.Column('reviewed', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('general_study_module_attr',
                  sa.Column('modality_type_as_sent', sa.String(length=64), nullable=True))
    connection = op.get_bind()
    empty = all(connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar() == 0
                for table in ('not_patient_indicators_id', 'not_patient_indicators_name'))
    if empty:
        # The defaults of app/importing/identity.py, written out: a migration must not
        # change when the application's constants do.
        for pattern in ('*phy*', '*test*', '*qa*'):
            connection.execute(sa.text(
                "INSERT INTO not_patient_indicators_id (not_patient_id) VALUES (:p)"), {"p": pattern})
        for pattern in ('*phys*', '*test*', '*qa*'):
            connection.execute(sa.text(
                "INSERT INTO not_patient_indicators_name (not_patient_name) VALUES (:p)"),
                {"p": pattern})


def downgrade():
    op.drop_column('general_study_module_attr', 'modality_type_as_sent')
    op.drop_column('unique_equipment_names', 'reviewed')
