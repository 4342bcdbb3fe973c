"""Initial schema: the dose data model, equipment identities and site settings.

Revision ID: ae62f82eea77
Revises:
Create Date: 2026-11-22 01:27:57.184236

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ae62f82eea77'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('context_id',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code_value', sa.String(length=128), nullable=False),
    sa.Column('code_meaning', sa.String(length=256), nullable=False),
    sa.Column('coding_scheme_designator', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_context_id')),
    sa.UniqueConstraint('code_value', 'code_meaning', name=op.f('uq_context_id_code_value'))
    )
    op.create_table('general_study_module_attr',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('study_instance_uid', sa.String(length=128), nullable=True),
    sa.Column('study_date', sa.Date(), nullable=True),
    sa.Column('study_time', sa.Time(), nullable=True),
    sa.Column('referring_physician_name', sa.String(length=1024), nullable=True),
    sa.Column('referring_physician_identification', sa.String(length=256), nullable=True),
    sa.Column('study_id', sa.String(length=64), nullable=True),
    sa.Column('accession_number', sa.String(length=256), nullable=True),
    sa.Column('accession_hashed', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('study_description', sa.Text(), nullable=True),
    sa.Column('physician_of_record', sa.String(length=1024), nullable=True),
    sa.Column('name_of_physician_reading_study', sa.String(length=1024), nullable=True),
    sa.Column('performing_physician_name', sa.String(length=1024), nullable=True),
    sa.Column('operator_name', sa.String(length=1024), nullable=True),
    sa.Column('modality_type', sa.String(length=64), nullable=True),
    sa.Column('procedure_code_value', sa.String(length=256), nullable=True),
    sa.Column('procedure_code_meaning', sa.String(length=256), nullable=True),
    sa.Column('requested_procedure_code_value', sa.String(length=256), nullable=True),
    sa.Column('requested_procedure_code_meaning', sa.String(length=256), nullable=True),
    sa.Column('series_instance_uid', sa.String(length=128), nullable=True),
    sa.Column('series_time', sa.Time(), nullable=True),
    sa.Column('content_time', sa.Time(), nullable=True),
    sa.Column('number_of_events', sa.Integer(), nullable=True),
    sa.Column('number_of_events_a', sa.Integer(), nullable=True),
    sa.Column('number_of_events_b', sa.Integer(), nullable=True),
    sa.Column('number_of_axial', sa.Integer(), nullable=True),
    sa.Column('number_of_spiral', sa.Integer(), nullable=True),
    sa.Column('number_of_stationary', sa.Integer(), nullable=True),
    sa.Column('number_of_const_angle', sa.Integer(), nullable=True),
    sa.Column('total_dlp', sa.Double(), nullable=True),
    sa.Column('total_dap_a', sa.Double(), nullable=True),
    sa.Column('total_dap_b', sa.Double(), nullable=True),
    sa.Column('total_dap', sa.Double(), nullable=True),
    sa.Column('total_rp_dose_a', sa.Double(), nullable=True),
    sa.Column('total_rp_dose_b', sa.Double(), nullable=True),
    sa.Column('total_dap_delta_weeks', sa.Double(), nullable=True),
    sa.Column('total_rp_dose_delta_weeks', sa.Double(), nullable=True),
    sa.Column('total_agd_left', sa.Double(), nullable=True),
    sa.Column('total_agd_right', sa.Double(), nullable=True),
    sa.Column('total_agd_both', sa.Double(), nullable=True),
    sa.Column('number_of_planes', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_general_study_module_attr'))
    )
    with op.batch_alter_table('general_study_module_attr', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_general_study_module_attr_accession_number'), ['accession_number'], unique=False)
        batch_op.create_index('ix_general_study_module_attr_modality_date_time', ['modality_type', 'study_date', 'study_time'], unique=False)
        batch_op.create_index(batch_op.f('ix_general_study_module_attr_study_instance_uid'), ['study_instance_uid'], unique=False)

    op.create_table('not_patient_indicators_id',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('not_patient_id', sa.String(length=256), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_not_patient_indicators_id'))
    )
    op.create_table('not_patient_indicators_name',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('not_patient_name', sa.String(length=256), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_not_patient_indicators_name'))
    )
    op.create_table('patient_id_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name_stored', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('name_hashed', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('id_stored', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('id_hashed', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('accession_hashed', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('dob_stored', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patient_id_settings'))
    )
    op.create_table('size_upload',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=256), nullable=True),
    sa.Column('id_field', sa.String(length=256), nullable=True),
    sa.Column('height_field', sa.String(length=256), nullable=True),
    sa.Column('weight_field', sa.String(length=256), nullable=True),
    sa.Column('id_type', sa.String(length=32), nullable=True),
    sa.Column('overwrite', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=True),
    sa.Column('num_records', sa.Integer(), nullable=True),
    sa.Column('log', sa.Text(), nullable=True),
    sa.Column('created', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_size_upload'))
    )
    op.create_table('unique_equipment_names',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('manufacturer', sa.String(length=256), nullable=True),
    sa.Column('manufacturer_hash', sa.String(length=64), nullable=False),
    sa.Column('institution_name', sa.String(length=256), nullable=True),
    sa.Column('institution_name_hash', sa.String(length=64), nullable=False),
    sa.Column('station_name', sa.String(length=256), nullable=True),
    sa.Column('station_name_hash', sa.String(length=64), nullable=False),
    sa.Column('institutional_department_name', sa.String(length=256), nullable=True),
    sa.Column('institutional_department_name_hash', sa.String(length=64), nullable=False),
    sa.Column('manufacturer_model_name', sa.String(length=256), nullable=True),
    sa.Column('manufacturer_model_name_hash', sa.String(length=64), nullable=False),
    sa.Column('device_serial_number', sa.String(length=256), nullable=True),
    sa.Column('device_serial_number_hash', sa.String(length=64), nullable=False),
    sa.Column('software_versions', sa.Text(), nullable=True),
    sa.Column('software_versions_hash', sa.String(length=64), nullable=False),
    sa.Column('gantry_id', sa.String(length=256), nullable=True),
    sa.Column('gantry_id_hash', sa.String(length=64), nullable=False),
    sa.Column('device_observer_uid', sa.String(length=128), nullable=True),
    sa.Column('device_observer_uid_hash', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=256), nullable=True),
    sa.Column('user_defined_modality', sa.String(length=64), nullable=True),
    sa.Column('hash_generated', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unique_equipment_names')),
    sa.UniqueConstraint('manufacturer_hash', 'institution_name_hash', 'station_name_hash', 'institutional_department_name_hash', 'manufacturer_model_name_hash', 'device_serial_number_hash', 'software_versions_hash', 'gantry_id_hash', 'device_observer_uid_hash', name='uq_unique_equipment_names_identity')
    )
    with op.batch_alter_table('unique_equipment_names', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unique_equipment_names_display_name'), ['display_name'], unique=False)

    op.create_table('ct_radiation_dose',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('general_study_module_attr_id', sa.Integer(), nullable=False),
    sa.Column('procedure_reported_id', sa.Integer(), nullable=True),
    sa.Column('has_intent_id', sa.Integer(), nullable=True),
    sa.Column('start_of_xray_irradiation', sa.DateTime(), nullable=True),
    sa.Column('end_of_xray_irradiation', sa.DateTime(), nullable=True),
    sa.Column('scope_of_accumulation_id', sa.Integer(), nullable=True),
    sa.Column('uid_type_id', sa.Integer(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('source_of_dose_information_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['general_study_module_attr_id'], ['general_study_module_attr.id'], name=op.f('fk_ct_radiation_dose_general_study_module_attr_id_general_study_module_attr'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['has_intent_id'], ['context_id.id'], name=op.f('fk_ct_radiation_dose_has_intent_id_context_id')),
    sa.ForeignKeyConstraint(['procedure_reported_id'], ['context_id.id'], name=op.f('fk_ct_radiation_dose_procedure_reported_id_context_id')),
    sa.ForeignKeyConstraint(['scope_of_accumulation_id'], ['context_id.id'], name=op.f('fk_ct_radiation_dose_scope_of_accumulation_id_context_id')),
    sa.ForeignKeyConstraint(['source_of_dose_information_id'], ['context_id.id'], name=op.f('fk_ct_radiation_dose_source_of_dose_information_id_context_id')),
    sa.ForeignKeyConstraint(['uid_type_id'], ['context_id.id'], name=op.f('fk_ct_radiation_dose_uid_type_id_context_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ct_radiation_dose'))
    )
    with op.batch_alter_table('ct_radiation_dose', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ct_radiation_dose_general_study_module_attr_id'), ['general_study_module_attr_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ct_radiation_dose_has_intent_id'), ['has_intent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ct_radiation_dose_procedure_reported_id'), ['procedure_reported_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ct_radiation_dose_scope_of_accumulation_id'), ['scope_of_accumulation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ct_radiation_dose_source_of_dose_information_id'), ['source_of_dose_information_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ct_radiation_dose_uid_type_id'), ['uid_type_id'], unique=False)

    op.create_table('general_equipment_module_attr',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('general_study_module_attr_id', sa.Integer(), nullable=False),
    sa.Column('manufacturer', sa.String(length=256), nullable=True),
    sa.Column('institution_name', sa.String(length=256), nullable=True),
    sa.Column('institution_address', sa.Text(), nullable=True),
    sa.Column('station_name', sa.String(length=256), nullable=True),
    sa.Column('institutional_department_name', sa.String(length=256), nullable=True),
    sa.Column('manufacturer_model_name', sa.String(length=256), nullable=True),
    sa.Column('device_serial_number', sa.String(length=256), nullable=True),
    sa.Column('software_versions', sa.Text(), nullable=True),
    sa.Column('gantry_id', sa.String(length=256), nullable=True),
    sa.Column('spatial_resolution', sa.Double(), nullable=True),
    sa.Column('date_of_last_calibration', sa.DateTime(), nullable=True),
    sa.Column('time_of_last_calibration', sa.DateTime(), nullable=True),
    sa.Column('unique_equipment_name_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['general_study_module_attr_id'], ['general_study_module_attr.id'], name=op.f('fk_general_equipment_module_attr_general_study_module_attr_id_general_study_module_attr'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unique_equipment_name_id'], ['unique_equipment_names.id'], name=op.f('fk_general_equipment_module_attr_unique_equipment_name_id_unique_equipment_names')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_general_equipment_module_attr'))
    )
    with op.batch_alter_table('general_equipment_module_attr', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_general_equipment_module_attr_general_study_module_attr_id'), ['general_study_module_attr_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_general_equipment_module_attr_unique_equipment_name_id'), ['unique_equipment_name_id'], unique=False)

    op.create_table('object_uids_processed',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('general_study_module_attr_id', sa.Integer(), nullable=False),
    sa.Column('sop_instance_uid', sa.String(length=128), nullable=True),
    sa.ForeignKeyConstraint(['general_study_module_attr_id'], ['general_study_module_attr.id'], name=op.f('fk_object_uids_processed_general_study_module_attr_id_general_study_module_attr'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_object_uids_processed'))
    )
    with op.batch_alter_table('object_uids_processed', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_object_uids_processed_general_study_module_attr_id'), ['general_study_module_attr_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_object_uids_processed_sop_instance_uid'), ['sop_instance_uid'], unique=False)

    op.create_table('patient_module_attr',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('general_study_module_attr_id', sa.Integer(), nullable=False),
    sa.Column('patient_name', sa.String(length=1024), nullable=True),
    sa.Column('name_hashed', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('patient_id', sa.String(length=256), nullable=True),
    sa.Column('id_hashed', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('patient_birth_date', sa.Date(), nullable=True),
    sa.Column('patient_sex', sa.String(length=64), nullable=True),
    sa.Column('other_patient_ids', sa.Text(), nullable=True),
    sa.Column('not_patient_indicator', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['general_study_module_attr_id'], ['general_study_module_attr.id'], name=op.f('fk_patient_module_attr_general_study_module_attr_id_general_study_module_attr'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patient_module_attr'))
    )
    with op.batch_alter_table('patient_module_attr', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_patient_module_attr_general_study_module_attr_id'), ['general_study_module_attr_id'], unique=False)

    op.create_table('patient_study_module_attr',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('general_study_module_attr_id', sa.Integer(), nullable=False),
    sa.Column('admitting_diagnosis_description', sa.Text(), nullable=True),
    sa.Column('admitting_diagnosis_code_sequence', sa.Text(), nullable=True),
    sa.Column('patient_age', sa.String(length=64), nullable=True),
    sa.Column('patient_age_decimal', sa.Double(), nullable=True),
    sa.Column('patient_size', sa.Double(), nullable=True),
    sa.Column('patient_weight', sa.Double(), nullable=True),
    sa.ForeignKeyConstraint(['general_study_module_attr_id'], ['general_study_module_attr.id'], name=op.f('fk_patient_study_module_attr_general_study_module_attr_id_general_study_module_attr'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patient_study_module_attr'))
    )
    with op.batch_alter_table('patient_study_module_attr', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_patient_study_module_attr_general_study_module_attr_id'), ['general_study_module_attr_id'], unique=False)

    op.create_table('projection_xray_radiation_dose',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('general_study_module_attr_id', sa.Integer(), nullable=False),
    sa.Column('procedure_reported_id', sa.Integer(), nullable=True),
    sa.Column('has_intent_id', sa.Integer(), nullable=True),
    sa.Column('acquisition_device_type_cid_id', sa.Integer(), nullable=True),
    sa.Column('scope_of_accumulation_id', sa.Integer(), nullable=True),
    sa.Column('xray_detector_data_available_id', sa.Integer(), nullable=True),
    sa.Column('xray_source_data_available_id', sa.Integer(), nullable=True),
    sa.Column('xray_mechanical_data_available_id', sa.Integer(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('source_of_dose_information_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['acquisition_device_type_cid_id'], ['context_id.id'], name=op.f('fk_projection_xray_radiation_dose_acquisition_device_type_cid_id_context_id')),
    sa.ForeignKeyConstraint(['general_study_module_attr_id'], ['general_study_module_attr.id'], name=op.f('fk_projection_xray_radiation_dose_general_study_module_attr_id_general_study_module_attr'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['has_intent_id'], ['context_id.id'], name=op.f('fk_projection_xray_radiation_dose_has_intent_id_context_id')),
    sa.ForeignKeyConstraint(['procedure_reported_id'], ['context_id.id'], name=op.f('fk_projection_xray_radiation_dose_procedure_reported_id_context_id')),
    sa.ForeignKeyConstraint(['scope_of_accumulation_id'], ['context_id.id'], name=op.f('fk_projection_xray_radiation_dose_scope_of_accumulation_id_context_id')),
    sa.ForeignKeyConstraint(['source_of_dose_information_id'], ['context_id.id'], name=op.f('fk_projection_xray_radiation_dose_source_of_dose_information_id_context_id')),
    sa.ForeignKeyConstraint(['xray_detector_data_available_id'], ['context_id.id'], name=op.f('fk_projection_xray_radiation_dose_xray_detector_data_available_id_context_id')),
    sa.ForeignKeyConstraint(['xray_mechanical_data_available_id'], ['context_id.id'], name=op.f('fk_projection_xray_radiation_dose_xray_mechanical_data_available_id_context_id')),
    sa.ForeignKeyConstraint(['xray_source_data_available_id'], ['context_id.id'], name=op.f('fk_projection_xray_radiation_dose_xray_source_data_available_id_context_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_projection_xray_radiation_dose'))
    )
    with op.batch_alter_table('projection_xray_radiation_dose', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_projection_xray_radiation_dose_acquisition_device_type_cid_id'), ['acquisition_device_type_cid_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_projection_xray_radiation_dose_general_study_module_attr_id'), ['general_study_module_attr_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_projection_xray_radiation_dose_has_intent_id'), ['has_intent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_projection_xray_radiation_dose_procedure_reported_id'), ['procedure_reported_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_projection_xray_radiation_dose_scope_of_accumulation_id'), ['scope_of_accumulation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_projection_xray_radiation_dose_source_of_dose_information_id'), ['source_of_dose_information_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_projection_xray_radiation_dose_xray_detector_data_available_id'), ['xray_detector_data_available_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_projection_xray_radiation_dose_xray_mechanical_data_available_id'), ['xray_mechanical_data_available_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_projection_xray_radiation_dose_xray_source_data_available_id'), ['xray_source_data_available_id'], unique=False)

    op.create_table('radiopharmaceutical_radiation_dose',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('general_study_module_attr_id', sa.Integer(), nullable=False),
    sa.Column('associated_procedure_id', sa.Integer(), nullable=True),
    sa.Column('has_intent_id', sa.Integer(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['associated_procedure_id'], ['context_id.id'], name=op.f('fk_radiopharmaceutical_radiation_dose_associated_procedure_id_context_id')),
    sa.ForeignKeyConstraint(['general_study_module_attr_id'], ['general_study_module_attr.id'], name=op.f('fk_radiopharmaceutical_radiation_dose_general_study_module_attr_id_general_study_module_attr'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['has_intent_id'], ['context_id.id'], name=op.f('fk_radiopharmaceutical_radiation_dose_has_intent_id_context_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_radiopharmaceutical_radiation_dose'))
    )
    with op.batch_alter_table('radiopharmaceutical_radiation_dose', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_radiopharmaceutical_radiation_dose_associated_procedure_id'), ['associated_procedure_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_radiopharmaceutical_radiation_dose_general_study_module_attr_id'), ['general_study_module_attr_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_radiopharmaceutical_radiation_dose_has_intent_id'), ['has_intent_id'], unique=False)

    op.create_table('accum_xray_dose',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('projection_xray_radiation_dose_id', sa.Integer(), nullable=False),
    sa.Column('acquisition_plane_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['acquisition_plane_id'], ['context_id.id'], name=op.f('fk_accum_xray_dose_acquisition_plane_id_context_id')),
    sa.ForeignKeyConstraint(['projection_xray_radiation_dose_id'], ['projection_xray_radiation_dose.id'], name=op.f('fk_accum_xray_dose_projection_xray_radiation_dose_id_projection_xray_radiation_dose'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accum_xray_dose'))
    )
    with op.batch_alter_table('accum_xray_dose', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_accum_xray_dose_acquisition_plane_id'), ['acquisition_plane_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_accum_xray_dose_projection_xray_radiation_dose_id'), ['projection_xray_radiation_dose_id'], unique=False)

    op.create_table('ct_accumulated_dose_data',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ct_radiation_dose_id', sa.Integer(), nullable=False),
    sa.Column('total_number_of_irradiation_events', sa.Integer(), nullable=True),
    sa.Column('ct_dose_length_product_total', sa.Double(), nullable=True),
    sa.Column('ct_effective_dose_total', sa.Double(), nullable=True),
    sa.Column('reference_authority_code_id', sa.Integer(), nullable=True),
    sa.Column('reference_authority_text', sa.Text(), nullable=True),
    sa.Column('measurement_method_id', sa.Integer(), nullable=True),
    sa.Column('patient_model', sa.Text(), nullable=True),
    sa.Column('effective_dose_phantom_type', sa.Text(), nullable=True),
    sa.Column('dosimeter_type', sa.Text(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['ct_radiation_dose_id'], ['ct_radiation_dose.id'], name=op.f('fk_ct_accumulated_dose_data_ct_radiation_dose_id_ct_radiation_dose'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['measurement_method_id'], ['context_id.id'], name=op.f('fk_ct_accumulated_dose_data_measurement_method_id_context_id')),
    sa.ForeignKeyConstraint(['reference_authority_code_id'], ['context_id.id'], name=op.f('fk_ct_accumulated_dose_data_reference_authority_code_id_context_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ct_accumulated_dose_data'))
    )
    with op.batch_alter_table('ct_accumulated_dose_data', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ct_accumulated_dose_data_ct_radiation_dose_id'), ['ct_radiation_dose_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ct_accumulated_dose_data_measurement_method_id'), ['measurement_method_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ct_accumulated_dose_data_reference_authority_code_id'), ['reference_authority_code_id'], unique=False)

    op.create_table('ct_irradiation_event_data',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ct_radiation_dose_id', sa.Integer(), nullable=False),
    sa.Column('acquisition_protocol', sa.Text(), nullable=True),
    sa.Column('target_region_id', sa.Integer(), nullable=True),
    sa.Column('ct_acquisition_type_id', sa.Integer(), nullable=True),
    sa.Column('procedure_context_id', sa.Integer(), nullable=True),
    sa.Column('irradiation_event_uid', sa.String(length=128), nullable=True),
    sa.Column('irradiation_event_label', sa.String(length=256), nullable=True),
    sa.Column('label_type_id', sa.Integer(), nullable=True),
    sa.Column('exposure_time', sa.Double(), nullable=True),
    sa.Column('nominal_single_collimation_width', sa.Double(), nullable=True),
    sa.Column('nominal_total_collimation_width', sa.Double(), nullable=True),
    sa.Column('pitch_factor', sa.Double(), nullable=True),
    sa.Column('number_of_xray_sources', sa.Integer(), nullable=True),
    sa.Column('mean_ctdivol', sa.Double(), nullable=True),
    sa.Column('ctdiw_phantom_type_id', sa.Integer(), nullable=True),
    sa.Column('ctdifreeair_calculation_factor', sa.Double(), nullable=True),
    sa.Column('mean_ctdifreeair', sa.Double(), nullable=True),
    sa.Column('dlp', sa.Double(), nullable=True),
    sa.Column('effective_dose', sa.Double(), nullable=True),
    sa.Column('measurement_method_id', sa.Integer(), nullable=True),
    sa.Column('effective_dose_conversion_factor', sa.Double(), nullable=True),
    sa.Column('xray_modulation_type', sa.String(length=256), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('date_time_started', sa.DateTime(), nullable=True),
    sa.Column('series_description', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['ct_acquisition_type_id'], ['context_id.id'], name=op.f('fk_ct_irradiation_event_data_ct_acquisition_type_id_context_id')),
    sa.ForeignKeyConstraint(['ct_radiation_dose_id'], ['ct_radiation_dose.id'], name=op.f('fk_ct_irradiation_event_data_ct_radiation_dose_id_ct_radiation_dose'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['ctdiw_phantom_type_id'], ['context_id.id'], name=op.f('fk_ct_irradiation_event_data_ctdiw_phantom_type_id_context_id')),
    sa.ForeignKeyConstraint(['label_type_id'], ['context_id.id'], name=op.f('fk_ct_irradiation_event_data_label_type_id_context_id')),
    sa.ForeignKeyConstraint(['measurement_method_id'], ['context_id.id'], name=op.f('fk_ct_irradiation_event_data_measurement_method_id_context_id')),
    sa.ForeignKeyConstraint(['procedure_context_id'], ['context_id.id'], name=op.f('fk_ct_irradiation_event_data_procedure_context_id_context_id')),
    sa.ForeignKeyConstraint(['target_region_id'], ['context_id.id'], name=op.f('fk_ct_irradiation_event_data_target_region_id_context_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ct_irradiation_event_data'))
    )
    with op.batch_alter_table('ct_irradiation_event_data', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ct_irradiation_event_data_ct_acquisition_type_id'), ['ct_acquisition_type_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ct_irradiation_event_data_ct_radiation_dose_id'), ['ct_radiation_dose_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ct_irradiation_event_data_ctdiw_phantom_type_id'), ['ctdiw_phantom_type_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ct_irradiation_event_data_irradiation_event_uid'), ['irradiation_event_uid'], unique=False)
        batch_op.create_index(batch_op.f('ix_ct_irradiation_event_data_label_type_id'), ['label_type_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ct_irradiation_event_data_measurement_method_id'), ['measurement_method_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ct_irradiation_event_data_procedure_context_id'), ['procedure_context_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ct_irradiation_event_data_target_region_id'), ['target_region_id'], unique=False)

    op.create_table('irrad_event_xray_data',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('projection_xray_radiation_dose_id', sa.Integer(), nullable=False),
    sa.Column('acquisition_plane_id', sa.Integer(), nullable=True),
    sa.Column('irradiation_event_uid', sa.String(length=128), nullable=True),
    sa.Column('irradiation_event_label', sa.String(length=256), nullable=True),
    sa.Column('label_type_id', sa.Integer(), nullable=True),
    sa.Column('date_time_started', sa.DateTime(), nullable=True),
    sa.Column('irradiation_event_type_id', sa.Integer(), nullable=True),
    sa.Column('acquisition_protocol', sa.Text(), nullable=True),
    sa.Column('anatomical_structure_id', sa.Integer(), nullable=True),
    sa.Column('laterality_id', sa.Integer(), nullable=True),
    sa.Column('image_view_id', sa.Integer(), nullable=True),
    sa.Column('projection_eponymous_name', sa.String(length=64), nullable=True),
    sa.Column('patient_table_relationship', sa.String(length=64), nullable=True),
    sa.Column('patient_orientation', sa.String(length=64), nullable=True),
    sa.Column('patient_orientation_modifier', sa.String(length=64), nullable=True),
    sa.Column('projection_eponymous_name_cid_id', sa.Integer(), nullable=True),
    sa.Column('patient_table_relationship_cid_id', sa.Integer(), nullable=True),
    sa.Column('patient_orientation_cid_id', sa.Integer(), nullable=True),
    sa.Column('patient_orientation_modifier_cid_id', sa.Integer(), nullable=True),
    sa.Column('target_region_id', sa.Integer(), nullable=True),
    sa.Column('dose_area_product', sa.Double(), nullable=True),
    sa.Column('half_value_layer', sa.Double(), nullable=True),
    sa.Column('patient_equivalent_thickness', sa.Double(), nullable=True),
    sa.Column('entrance_exposure_at_rp', sa.Double(), nullable=True),
    sa.Column('reference_point_definition_text', sa.Text(), nullable=True),
    sa.Column('reference_point_definition_id', sa.Integer(), nullable=True),
    sa.Column('breast_composition', sa.String(length=64), nullable=True),
    sa.Column('breast_composition_cid_id', sa.Integer(), nullable=True),
    sa.Column('percent_fibroglandular_tissue', sa.Double(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['acquisition_plane_id'], ['context_id.id'], name=op.f('fk_irrad_event_xray_data_acquisition_plane_id_context_id')),
    sa.ForeignKeyConstraint(['anatomical_structure_id'], ['context_id.id'], name=op.f('fk_irrad_event_xray_data_anatomical_structure_id_context_id')),
    sa.ForeignKeyConstraint(['breast_composition_cid_id'], ['context_id.id'], name=op.f('fk_irrad_event_xray_data_breast_composition_cid_id_context_id')),
    sa.ForeignKeyConstraint(['image_view_id'], ['context_id.id'], name=op.f('fk_irrad_event_xray_data_image_view_id_context_id')),
    sa.ForeignKeyConstraint(['irradiation_event_type_id'], ['context_id.id'], name=op.f('fk_irrad_event_xray_data_irradiation_event_type_id_context_id')),
    sa.ForeignKeyConstraint(['label_type_id'], ['context_id.id'], name=op.f('fk_irrad_event_xray_data_label_type_id_context_id')),
    sa.ForeignKeyConstraint(['laterality_id'], ['context_id.id'], name=op.f('fk_irrad_event_xray_data_laterality_id_context_id')),
    sa.ForeignKeyConstraint(['patient_orientation_cid_id'], ['context_id.id'], name=op.f('fk_irrad_event_xray_data_patient_orientation_cid_id_context_id')),
    sa.ForeignKeyConstraint(['patient_orientation_modifier_cid_id'], ['context_id.id'], name=op.f('fk_irrad_event_xray_data_patient_orientation_modifier_cid_id_context_id')),
    sa.ForeignKeyConstraint(['patient_table_relationship_cid_id'], ['context_id.id'], name=op.f('fk_irrad_event_xray_data_patient_table_relationship_cid_id_context_id')),
    sa.ForeignKeyConstraint(['projection_eponymous_name_cid_id'], ['context_id.id'], name=op.f('fk_irrad_event_xray_data_projection_eponymous_name_cid_id_context_id')),
    sa.ForeignKeyConstraint(['projection_xray_radiation_dose_id'], ['projection_xray_radiation_dose.id'], name=op.f('fk_irrad_event_xray_data_projection_xray_radiation_dose_id_projection_xray_radiation_dose'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reference_point_definition_id'], ['context_id.id'], name=op.f('fk_irrad_event_xray_data_reference_point_definition_id_context_id')),
    sa.ForeignKeyConstraint(['target_region_id'], ['context_id.id'], name=op.f('fk_irrad_event_xray_data_target_region_id_context_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_irrad_event_xray_data'))
    )
    with op.batch_alter_table('irrad_event_xray_data', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_irrad_event_xray_data_acquisition_plane_id'), ['acquisition_plane_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_irrad_event_xray_data_anatomical_structure_id'), ['anatomical_structure_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_irrad_event_xray_data_breast_composition_cid_id'), ['breast_composition_cid_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_irrad_event_xray_data_image_view_id'), ['image_view_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_irrad_event_xray_data_irradiation_event_type_id'), ['irradiation_event_type_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_irrad_event_xray_data_irradiation_event_uid'), ['irradiation_event_uid'], unique=False)
        batch_op.create_index(batch_op.f('ix_irrad_event_xray_data_label_type_id'), ['label_type_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_irrad_event_xray_data_laterality_id'), ['laterality_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_irrad_event_xray_data_patient_orientation_cid_id'), ['patient_orientation_cid_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_irrad_event_xray_data_patient_orientation_modifier_cid_id'), ['patient_orientation_modifier_cid_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_irrad_event_xray_data_patient_table_relationship_cid_id'), ['patient_table_relationship_cid_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_irrad_event_xray_data_projection_eponymous_name_cid_id'), ['projection_eponymous_name_cid_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_irrad_event_xray_data_projection_xray_radiation_dose_id'), ['projection_xray_radiation_dose_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_irrad_event_xray_data_reference_point_definition_id'), ['reference_point_definition_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_irrad_event_xray_data_target_region_id'), ['target_region_id'], unique=False)

    op.create_table('language_of_content_item_and_descendants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('radiopharmaceutical_radiation_dose_id', sa.Integer(), nullable=False),
    sa.Column('language_of_contentitem_and_descendants_id', sa.Integer(), nullable=True),
    sa.Column('country_of_language_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['country_of_language_id'], ['context_id.id'], name=op.f('fk_language_of_content_item_and_descendants_country_of_language_id_context_id')),
    sa.ForeignKeyConstraint(['language_of_contentitem_and_descendants_id'], ['context_id.id'], name=op.f('fk_language_of_content_item_and_descendants_language_of_contentitem_and_descendants_id_context_id')),
    sa.ForeignKeyConstraint(['radiopharmaceutical_radiation_dose_id'], ['radiopharmaceutical_radiation_dose.id'], name=op.f('fk_language_of_content_item_and_descendants_radiopharmaceutical_radiation_dose_id_radiopharmaceutical_radiation_dose'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_language_of_content_item_and_descendants'))
    )
    with op.batch_alter_table('language_of_content_item_and_descendants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_language_of_content_item_and_descendants_country_of_language_id'), ['country_of_language_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_language_of_content_item_and_descendants_language_of_contentitem_and_descendants_id'), ['language_of_contentitem_and_descendants_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_language_of_content_item_and_descendants_radiopharmaceutical_radiation_dose_id'), ['radiopharmaceutical_radiation_dose_id'], unique=False)

    op.create_table('pet_series',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('radiopharmaceutical_radiation_dose_id', sa.Integer(), nullable=False),
    sa.Column('series_uid', sa.String(length=128), nullable=True),
    sa.Column('series_datetime', sa.DateTime(), nullable=True),
    sa.Column('number_of_rr_intervals', sa.Integer(), nullable=True),
    sa.Column('number_of_time_slots', sa.Integer(), nullable=True),
    sa.Column('number_of_time_slices', sa.Integer(), nullable=True),
    sa.Column('number_of_slices', sa.Integer(), nullable=True),
    sa.Column('reconstruction_method', sa.String(length=256), nullable=True),
    sa.Column('coincidence_window_width', sa.Double(), nullable=True),
    sa.Column('energy_window_lower_limit', sa.Double(), nullable=True),
    sa.Column('energy_window_upper_limit', sa.Double(), nullable=True),
    sa.Column('scan_progression_direction', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['radiopharmaceutical_radiation_dose_id'], ['radiopharmaceutical_radiation_dose.id'], name=op.f('fk_pet_series_radiopharmaceutical_radiation_dose_id_radiopharmaceutical_radiation_dose'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pet_series'))
    )
    with op.batch_alter_table('pet_series', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pet_series_radiopharmaceutical_radiation_dose_id'), ['radiopharmaceutical_radiation_dose_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pet_series_series_uid'), ['series_uid'], unique=False)

    op.create_table('radiopharmaceutical_administration_event_data',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('radiopharmaceutical_radiation_dose_id', sa.Integer(), nullable=False),
    sa.Column('radiopharmaceutical_agent_id', sa.Integer(), nullable=True),
    sa.Column('radiopharmaceutical_agent_string', sa.String(length=256), nullable=True),
    sa.Column('radionuclide_id', sa.Integer(), nullable=True),
    sa.Column('radionuclide_half_life', sa.Double(), nullable=True),
    sa.Column('radiopharmaceutical_specific_activity', sa.Double(), nullable=True),
    sa.Column('radiopharmaceutical_administration_event_uid', sa.String(length=128), nullable=True),
    sa.Column('estimated_extravasation_activity', sa.Double(), nullable=True),
    sa.Column('radiopharmaceutical_start_datetime', sa.DateTime(), nullable=True),
    sa.Column('radiopharmaceutical_stop_datetime', sa.DateTime(), nullable=True),
    sa.Column('administered_activity', sa.Double(), nullable=True),
    sa.Column('effective_dose', sa.Double(), nullable=True),
    sa.Column('radiopharmaceutical_volume', sa.Double(), nullable=True),
    sa.Column('pre_administration_measured_activity', sa.Double(), nullable=True),
    sa.Column('pre_activity_measurement_device_id', sa.Integer(), nullable=True),
    sa.Column('post_administration_measured_activity', sa.Double(), nullable=True),
    sa.Column('post_activity_measurement_device_id', sa.Integer(), nullable=True),
    sa.Column('route_of_administration_id', sa.Integer(), nullable=True),
    sa.Column('site_of_id', sa.Integer(), nullable=True),
    sa.Column('laterality_id', sa.Integer(), nullable=True),
    sa.Column('brand_name', sa.String(length=256), nullable=True),
    sa.Column('radiopharmaceutical_dispense_unit_identifier', sa.String(length=256), nullable=True),
    sa.Column('prescription_identifier', sa.String(length=256), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['laterality_id'], ['context_id.id'], name=op.f('fk_radiopharmaceutical_administration_event_data_laterality_id_context_id')),
    sa.ForeignKeyConstraint(['post_activity_measurement_device_id'], ['context_id.id'], name=op.f('fk_radiopharmaceutical_administration_event_data_post_activity_measurement_device_id_context_id')),
    sa.ForeignKeyConstraint(['pre_activity_measurement_device_id'], ['context_id.id'], name=op.f('fk_radiopharmaceutical_administration_event_data_pre_activity_measurement_device_id_context_id')),
    sa.ForeignKeyConstraint(['radionuclide_id'], ['context_id.id'], name=op.f('fk_radiopharmaceutical_administration_event_data_radionuclide_id_context_id')),
    sa.ForeignKeyConstraint(['radiopharmaceutical_agent_id'], ['context_id.id'], name=op.f('fk_radiopharmaceutical_administration_event_data_radiopharmaceutical_agent_id_context_id')),
    sa.ForeignKeyConstraint(['radiopharmaceutical_radiation_dose_id'], ['radiopharmaceutical_radiation_dose.id'], name=op.f('fk_radiopharmaceutical_administration_event_data_radiopharmaceutical_radiation_dose_id_radiopharmaceutical_radiation_dose'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['route_of_administration_id'], ['context_id.id'], name=op.f('fk_radiopharmaceutical_administration_event_data_route_of_administration_id_context_id')),
    sa.ForeignKeyConstraint(['site_of_id'], ['context_id.id'], name=op.f('fk_radiopharmaceutical_administration_event_data_site_of_id_context_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_radiopharmaceutical_administration_event_data'))
    )
    with op.batch_alter_table('radiopharmaceutical_administration_event_data', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_radiopharmaceutical_administration_event_data_laterality_id'), ['laterality_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_radiopharmaceutical_administration_event_data_post_activity_measurement_device_id'), ['post_activity_measurement_device_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_radiopharmaceutical_administration_event_data_pre_activity_measurement_device_id'), ['pre_activity_measurement_device_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_radiopharmaceutical_administration_event_data_radionuclide_id'), ['radionuclide_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_radiopharmaceutical_administration_event_data_radiopharmaceutical_administration_event_uid'), ['radiopharmaceutical_administration_event_uid'], unique=False)
        batch_op.create_index(batch_op.f('ix_radiopharmaceutical_administration_event_data_radiopharmaceutical_agent_id'), ['radiopharmaceutical_agent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_radiopharmaceutical_administration_event_data_radiopharmaceutical_radiation_dose_id'), ['radiopharmaceutical_radiation_dose_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_radiopharmaceutical_administration_event_data_route_of_administration_id'), ['route_of_administration_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_radiopharmaceutical_administration_event_data_site_of_id'), ['site_of_id'], unique=False)

    op.create_table('radiopharmaceutical_administration_patient_characteristics',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('radiopharmaceutical_radiation_dose_id', sa.Integer(), nullable=False),
    sa.Column('subject_age', sa.Double(), nullable=True),
    sa.Column('subject_sex_id', sa.Integer(), nullable=True),
    sa.Column('patient_height', sa.Double(), nullable=True),
    sa.Column('patient_weight', sa.Double(), nullable=True),
    sa.Column('body_surface_area', sa.Double(), nullable=True),
    sa.Column('body_surface_area_formula_id', sa.Integer(), nullable=True),
    sa.Column('body_mass_index', sa.Double(), nullable=True),
    sa.Column('equation_id', sa.Integer(), nullable=True),
    sa.Column('glucose', sa.Double(), nullable=True),
    sa.Column('fasting_duration', sa.Double(), nullable=True),
    sa.Column('hydration_volume', sa.Double(), nullable=True),
    sa.Column('recent_physical_activity', sa.Text(), nullable=True),
    sa.Column('serum_creatinine', sa.Double(), nullable=True),
    sa.ForeignKeyConstraint(['body_surface_area_formula_id'], ['context_id.id'], name=op.f('fk_radiopharmaceutical_administration_patient_characteristics_body_surface_area_formula_id_context_id')),
    sa.ForeignKeyConstraint(['equation_id'], ['context_id.id'], name=op.f('fk_radiopharmaceutical_administration_patient_characteristics_equation_id_context_id')),
    sa.ForeignKeyConstraint(['radiopharmaceutical_radiation_dose_id'], ['radiopharmaceutical_radiation_dose.id'], name=op.f('fk_radiopharmaceutical_administration_patient_characteristics_radiopharmaceutical_radiation_dose_id_radiopharmaceutical_radiation_dose'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['subject_sex_id'], ['context_id.id'], name=op.f('fk_radiopharmaceutical_administration_patient_characteristics_subject_sex_id_context_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_radiopharmaceutical_administration_patient_characteristics'))
    )
    with op.batch_alter_table('radiopharmaceutical_administration_patient_characteristics', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_radiopharmaceutical_administration_patient_characteristics_body_surface_area_formula_id'), ['body_surface_area_formula_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_radiopharmaceutical_administration_patient_characteristics_equation_id'), ['equation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_radiopharmaceutical_administration_patient_characteristics_radiopharmaceutical_radiation_dose_id'), ['radiopharmaceutical_radiation_dose_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_radiopharmaceutical_administration_patient_characteristics_subject_sex_id'), ['subject_sex_id'], unique=False)

    op.create_table('source_of_ct_dose_information',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ct_radiation_dose_id', sa.Integer(), nullable=False),
    sa.Column('source_of_dose_information_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['ct_radiation_dose_id'], ['ct_radiation_dose.id'], name=op.f('fk_source_of_ct_dose_information_ct_radiation_dose_id_ct_radiation_dose'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['source_of_dose_information_id'], ['context_id.id'], name=op.f('fk_source_of_ct_dose_information_source_of_dose_information_id_context_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_source_of_ct_dose_information'))
    )
    with op.batch_alter_table('source_of_ct_dose_information', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_source_of_ct_dose_information_ct_radiation_dose_id'), ['ct_radiation_dose_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_source_of_ct_dose_information_source_of_dose_information_id'), ['source_of_dose_information_id'], unique=False)

    op.create_table('accum_cassette_bsd_proj_radiog_dose',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('accum_xray_dose_id', sa.Integer(), nullable=False),
    sa.Column('detector_type_id', sa.Integer(), nullable=True),
    sa.Column('total_number_of_radiographic_frames', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['accum_xray_dose_id'], ['accum_xray_dose.id'], name=op.f('fk_accum_cassette_bsd_proj_radiog_dose_accum_xray_dose_id_accum_xray_dose'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['detector_type_id'], ['context_id.id'], name=op.f('fk_accum_cassette_bsd_proj_radiog_dose_detector_type_id_context_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accum_cassette_bsd_proj_radiog_dose'))
    )
    with op.batch_alter_table('accum_cassette_bsd_proj_radiog_dose', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_accum_cassette_bsd_proj_radiog_dose_accum_xray_dose_id'), ['accum_xray_dose_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_accum_cassette_bsd_proj_radiog_dose_detector_type_id'), ['detector_type_id'], unique=False)

    op.create_table('accum_integrated_proj_radiog_dose',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('accum_xray_dose_id', sa.Integer(), nullable=False),
    sa.Column('dose_area_product_total', sa.Double(), nullable=True),
    sa.Column('dose_rp_total', sa.Double(), nullable=True),
    sa.Column('total_number_of_radiographic_frames', sa.Integer(), nullable=True),
    sa.Column('reference_point_definition_code_id', sa.Integer(), nullable=True),
    sa.Column('reference_point_definition', sa.Text(), nullable=True),
    sa.Column('dose_area_product_total_over_delta_weeks', sa.Double(), nullable=True),
    sa.Column('dose_rp_total_over_delta_weeks', sa.Double(), nullable=True),
    sa.ForeignKeyConstraint(['accum_xray_dose_id'], ['accum_xray_dose.id'], name=op.f('fk_accum_integrated_proj_radiog_dose_accum_xray_dose_id_accum_xray_dose'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reference_point_definition_code_id'], ['context_id.id'], name=op.f('fk_accum_integrated_proj_radiog_dose_reference_point_definition_code_id_context_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accum_integrated_proj_radiog_dose'))
    )
    with op.batch_alter_table('accum_integrated_proj_radiog_dose', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_accum_integrated_proj_radiog_dose_accum_xray_dose_id'), ['accum_xray_dose_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_accum_integrated_proj_radiog_dose_reference_point_definition_code_id'), ['reference_point_definition_code_id'], unique=False)

    op.create_table('accum_mammography_xray_dose',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('accum_xray_dose_id', sa.Integer(), nullable=False),
    sa.Column('accumulated_average_glandular_dose', sa.Double(), nullable=True),
    sa.Column('laterality_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['accum_xray_dose_id'], ['accum_xray_dose.id'], name=op.f('fk_accum_mammography_xray_dose_accum_xray_dose_id_accum_xray_dose'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['laterality_id'], ['context_id.id'], name=op.f('fk_accum_mammography_xray_dose_laterality_id_context_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accum_mammography_xray_dose'))
    )
    with op.batch_alter_table('accum_mammography_xray_dose', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_accum_mammography_xray_dose_accum_xray_dose_id'), ['accum_xray_dose_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_accum_mammography_xray_dose_laterality_id'), ['laterality_id'], unique=False)

    op.create_table('accum_proj_xray_dose',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('accum_xray_dose_id', sa.Integer(), nullable=False),
    sa.Column('fluoro_dose_area_product_total', sa.Double(), nullable=True),
    sa.Column('fluoro_dose_rp_total', sa.Double(), nullable=True),
    sa.Column('total_fluoro_time', sa.Double(), nullable=True),
    sa.Column('acquisition_dose_area_product_total', sa.Double(), nullable=True),
    sa.Column('acquisition_dose_rp_total', sa.Double(), nullable=True),
    sa.Column('total_acquisition_time', sa.Double(), nullable=True),
    sa.Column('dose_area_product_total', sa.Double(), nullable=True),
    sa.Column('dose_rp_total', sa.Double(), nullable=True),
    sa.Column('total_number_of_radiographic_frames', sa.Integer(), nullable=True),
    sa.Column('reference_point_definition', sa.Text(), nullable=True),
    sa.Column('reference_point_definition_code_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['accum_xray_dose_id'], ['accum_xray_dose.id'], name=op.f('fk_accum_proj_xray_dose_accum_xray_dose_id_accum_xray_dose'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reference_point_definition_code_id'], ['context_id.id'], name=op.f('fk_accum_proj_xray_dose_reference_point_definition_code_id_context_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accum_proj_xray_dose'))
    )
    with op.batch_alter_table('accum_proj_xray_dose', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_accum_proj_xray_dose_accum_xray_dose_id'), ['accum_xray_dose_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_accum_proj_xray_dose_reference_point_definition_code_id'), ['reference_point_definition_code_id'], unique=False)

    op.create_table('billing_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('radiopharmaceutical_administration_event_data_id', sa.Integer(), nullable=False),
    sa.Column('billing_code_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['billing_code_id'], ['context_id.id'], name=op.f('fk_billing_code_billing_code_id_context_id')),
    sa.ForeignKeyConstraint(['radiopharmaceutical_administration_event_data_id'], ['radiopharmaceutical_administration_event_data.id'], name=op.f('fk_billing_code_radiopharmaceutical_administration_event_data_id_radiopharmaceutical_administration_event_data'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_billing_code'))
    )
    with op.batch_alter_table('billing_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_billing_code_billing_code_id'), ['billing_code_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_billing_code_radiopharmaceutical_administration_event_data_id'), ['radiopharmaceutical_administration_event_data_id'], unique=False)

    op.create_table('calibration',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('accum_xray_dose_id', sa.Integer(), nullable=False),
    sa.Column('dose_measurement_device_id', sa.Integer(), nullable=True),
    sa.Column('calibration_date', sa.DateTime(), nullable=True),
    sa.Column('calibration_factor', sa.Double(), nullable=True),
    sa.Column('calibration_uncertainty', sa.Double(), nullable=True),
    sa.Column('calibration_responsible_party', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['accum_xray_dose_id'], ['accum_xray_dose.id'], name=op.f('fk_calibration_accum_xray_dose_id_accum_xray_dose'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['dose_measurement_device_id'], ['context_id.id'], name=op.f('fk_calibration_dose_measurement_device_id_context_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calibration'))
    )
    with op.batch_alter_table('calibration', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calibration_accum_xray_dose_id'), ['accum_xray_dose_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_calibration_dose_measurement_device_id'), ['dose_measurement_device_id'], unique=False)

    op.create_table('ct_dose_check_details',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ct_irradiation_event_data_id', sa.Integer(), nullable=False),
    sa.Column('dlp_alert_value_configured', sa.Boolean(), nullable=True),
    sa.Column('ctdivol_alert_value_configured', sa.Boolean(), nullable=True),
    sa.Column('dlp_alert_value', sa.Double(), nullable=True),
    sa.Column('ctdivol_alert_value', sa.Double(), nullable=True),
    sa.Column('accumulated_dlp_forward_estimate', sa.Double(), nullable=True),
    sa.Column('accumulated_ctdivol_forward_estimate', sa.Double(), nullable=True),
    sa.Column('alert_reason_for_proceeding', sa.Text(), nullable=True),
    sa.Column('dlp_notification_value_configured', sa.Boolean(), nullable=True),
    sa.Column('ctdivol_notification_value_configured', sa.Boolean(), nullable=True),
    sa.Column('dlp_notification_value', sa.Double(), nullable=True),
    sa.Column('ctdivol_notification_value', sa.Double(), nullable=True),
    sa.Column('dlp_forward_estimate', sa.Double(), nullable=True),
    sa.Column('ctdivol_forward_estimate', sa.Double(), nullable=True),
    sa.Column('notification_reason_for_proceeding', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['ct_irradiation_event_data_id'], ['ct_irradiation_event_data.id'], name=op.f('fk_ct_dose_check_details_ct_irradiation_event_data_id_ct_irradiation_event_data'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ct_dose_check_details'))
    )
    with op.batch_alter_table('ct_dose_check_details', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ct_dose_check_details_ct_irradiation_event_data_id'), ['ct_irradiation_event_data_id'], unique=False)

    op.create_table('ct_reconstruction_algorithm',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ct_irradiation_event_data_id', sa.Integer(), nullable=False),
    sa.Column('reconstruction_algorithm_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['ct_irradiation_event_data_id'], ['ct_irradiation_event_data.id'], name=op.f('fk_ct_reconstruction_algorithm_ct_irradiation_event_data_id_ct_irradiation_event_data'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reconstruction_algorithm_id'], ['context_id.id'], name=op.f('fk_ct_reconstruction_algorithm_reconstruction_algorithm_id_context_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ct_reconstruction_algorithm'))
    )
    with op.batch_alter_table('ct_reconstruction_algorithm', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ct_reconstruction_algorithm_ct_irradiation_event_data_id'), ['ct_irradiation_event_data_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ct_reconstruction_algorithm_reconstruction_algorithm_id'), ['reconstruction_algorithm_id'], unique=False)

    op.create_table('ct_xray_source_parameters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ct_irradiation_event_data_id', sa.Integer(), nullable=False),
    sa.Column('identification_of_the_xray_source', sa.String(length=256), nullable=True),
    sa.Column('kvp', sa.Double(), nullable=True),
    sa.Column('maximum_xray_tube_current', sa.Double(), nullable=True),
    sa.Column('xray_tube_current', sa.Double(), nullable=True),
    sa.Column('exposure_time_per_rotation', sa.Double(), nullable=True),
    sa.Column('xray_filter_aluminum_equivalent', sa.Double(), nullable=True),
    sa.ForeignKeyConstraint(['ct_irradiation_event_data_id'], ['ct_irradiation_event_data.id'], name=op.f('fk_ct_xray_source_parameters_ct_irradiation_event_data_id_ct_irradiation_event_data'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ct_xray_source_parameters'))
    )
    with op.batch_alter_table('ct_xray_source_parameters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ct_xray_source_parameters_ct_irradiation_event_data_id'), ['ct_irradiation_event_data_id'], unique=False)

    op.create_table('drug_product_identifier',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('radiopharmaceutical_administration_event_data_id', sa.Integer(), nullable=False),
    sa.Column('drug_product_identifier_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['drug_product_identifier_id'], ['context_id.id'], name=op.f('fk_drug_product_identifier_drug_product_identifier_id_context_id')),
    sa.ForeignKeyConstraint(['radiopharmaceutical_administration_event_data_id'], ['radiopharmaceutical_administration_event_data.id'], name=op.f('fk_drug_product_identifier_radiopharmaceutical_administration_event_data_id_radiopharmaceutical_administration_event_data'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_drug_product_identifier'))
    )
    with op.batch_alter_table('drug_product_identifier', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_drug_product_identifier_drug_product_identifier_id'), ['drug_product_identifier_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_drug_product_identifier_radiopharmaceutical_administration_event_data_id'), ['radiopharmaceutical_administration_event_data_id'], unique=False)

    op.create_table('glomerular_filtration_rate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('radiopharmaceutical_administration_patient_characteristics_id', sa.Integer(), nullable=False),
    sa.Column('glomerular_filtration_rate', sa.Double(), nullable=True),
    sa.Column('measurement_method_id', sa.Integer(), nullable=True),
    sa.Column('equivalent_meaning_of_concept_name_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['equivalent_meaning_of_concept_name_id'], ['context_id.id'], name=op.f('fk_glomerular_filtration_rate_equivalent_meaning_of_concept_name_id_context_id')),
    sa.ForeignKeyConstraint(['measurement_method_id'], ['context_id.id'], name=op.f('fk_glomerular_filtration_rate_measurement_method_id_context_id')),
    sa.ForeignKeyConstraint(['radiopharmaceutical_administration_patient_characteristics_id'], ['radiopharmaceutical_administration_patient_characteristics.id'], name=op.f('fk_glomerular_filtration_rate_radiopharmaceutical_administration_patient_characteristics_id_radiopharmaceutical_administration_patient_characteristics'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_glomerular_filtration_rate'))
    )
    with op.batch_alter_table('glomerular_filtration_rate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_glomerular_filtration_rate_equivalent_meaning_of_concept_name_id'), ['equivalent_meaning_of_concept_name_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_glomerular_filtration_rate_measurement_method_id'), ['measurement_method_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_glomerular_filtration_rate_radiopharmaceutical_administration_patient_characteristics_id'), ['radiopharmaceutical_administration_patient_characteristics_id'], unique=False)

    op.create_table('image_view_modifier',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('irrad_event_xray_data_id', sa.Integer(), nullable=False),
    sa.Column('image_view_modifier_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['image_view_modifier_id'], ['context_id.id'], name=op.f('fk_image_view_modifier_image_view_modifier_id_context_id')),
    sa.ForeignKeyConstraint(['irrad_event_xray_data_id'], ['irrad_event_xray_data.id'], name=op.f('fk_image_view_modifier_irrad_event_xray_data_id_irrad_event_xray_data'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_image_view_modifier'))
    )
    with op.batch_alter_table('image_view_modifier', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_image_view_modifier_image_view_modifier_id'), ['image_view_modifier_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_image_view_modifier_irrad_event_xray_data_id'), ['irrad_event_xray_data_id'], unique=False)

    op.create_table('intravenous_extravasation_symptoms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('radiopharmaceutical_administration_event_data_id', sa.Integer(), nullable=False),
    sa.Column('intravenous_extravasation_symptoms_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['intravenous_extravasation_symptoms_id'], ['context_id.id'], name=op.f('fk_intravenous_extravasation_symptoms_intravenous_extravasation_symptoms_id_context_id')),
    sa.ForeignKeyConstraint(['radiopharmaceutical_administration_event_data_id'], ['radiopharmaceutical_administration_event_data.id'], name=op.f('fk_intravenous_extravasation_symptoms_radiopharmaceutical_administration_event_data_id_radiopharmaceutical_administration_event_data'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_intravenous_extravasation_symptoms'))
    )
    with op.batch_alter_table('intravenous_extravasation_symptoms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_intravenous_extravasation_symptoms_intravenous_extravasation_symptoms_id'), ['intravenous_extravasation_symptoms_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_intravenous_extravasation_symptoms_radiopharmaceutical_administration_event_data_id'), ['radiopharmaceutical_administration_event_data_id'], unique=False)

    op.create_table('irrad_event_xray_detector_data',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('irrad_event_xray_data_id', sa.Integer(), nullable=False),
    sa.Column('exposure_index', sa.Double(), nullable=True),
    sa.Column('target_exposure_index', sa.Double(), nullable=True),
    sa.Column('deviation_index', sa.Double(), nullable=True),
    sa.Column('relative_xray_exposure', sa.Double(), nullable=True),
    sa.Column('relative_exposure_unit', sa.String(length=64), nullable=True),
    sa.Column('sensitivity', sa.Double(), nullable=True),
    sa.ForeignKeyConstraint(['irrad_event_xray_data_id'], ['irrad_event_xray_data.id'], name=op.f('fk_irrad_event_xray_detector_data_irrad_event_xray_data_id_irrad_event_xray_data'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_irrad_event_xray_detector_data'))
    )
    with op.batch_alter_table('irrad_event_xray_detector_data', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_irrad_event_xray_detector_data_irrad_event_xray_data_id'), ['irrad_event_xray_data_id'], unique=False)

    op.create_table('irrad_event_xray_mechanical_data',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('irrad_event_xray_data_id', sa.Integer(), nullable=False),
    sa.Column('crdr_mechanical_configuration_id', sa.Integer(), nullable=True),
    sa.Column('positioner_primary_angle', sa.Double(), nullable=True),
    sa.Column('positioner_secondary_angle', sa.Double(), nullable=True),
    sa.Column('positioner_primary_end_angle', sa.Double(), nullable=True),
    sa.Column('positioner_secondary_end_angle', sa.Double(), nullable=True),
    sa.Column('column_angulation', sa.Double(), nullable=True),
    sa.Column('table_head_tilt_angle', sa.Double(), nullable=True),
    sa.Column('table_horizontal_rotation_angle', sa.Double(), nullable=True),
    sa.Column('table_cradle_tilt_angle', sa.Double(), nullable=True),
    sa.Column('compression_thickness', sa.Double(), nullable=True),
    sa.Column('compression_force', sa.Double(), nullable=True),
    sa.Column('compression_pressure', sa.Double(), nullable=True),
    sa.Column('compression_contact_area', sa.Double(), nullable=True),
    sa.Column('magnification_factor', sa.Double(), nullable=True),
    sa.ForeignKeyConstraint(['crdr_mechanical_configuration_id'], ['context_id.id'], name=op.f('fk_irrad_event_xray_mechanical_data_crdr_mechanical_configuration_id_context_id')),
    sa.ForeignKeyConstraint(['irrad_event_xray_data_id'], ['irrad_event_xray_data.id'], name=op.f('fk_irrad_event_xray_mechanical_data_irrad_event_xray_data_id_irrad_event_xray_data'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_irrad_event_xray_mechanical_data'))
    )
    with op.batch_alter_table('irrad_event_xray_mechanical_data', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_irrad_event_xray_mechanical_data_crdr_mechanical_configuration_id'), ['crdr_mechanical_configuration_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_irrad_event_xray_mechanical_data_irrad_event_xray_data_id'), ['irrad_event_xray_data_id'], unique=False)

    op.create_table('irrad_event_xray_source_data',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('irrad_event_xray_data_id', sa.Integer(), nullable=False),
    sa.Column('dose_rp', sa.Double(), nullable=True),
    sa.Column('reference_point_definition', sa.Text(), nullable=True),
    sa.Column('reference_point_definition_code_id', sa.Integer(), nullable=True),
    sa.Column('average_glandular_dose', sa.Double(), nullable=True),
    sa.Column('fluoro_mode_id', sa.Integer(), nullable=True),
    sa.Column('pulse_rate', sa.Double(), nullable=True),
    sa.Column('number_of_pulses', sa.Double(), nullable=True),
    sa.Column('derivation', sa.String(length=64), nullable=True),
    sa.Column('derivation_cid_id', sa.Integer(), nullable=True),
    sa.Column('irradiation_duration', sa.Double(), nullable=True),
    sa.Column('average_xray_tube_current', sa.Double(), nullable=True),
    sa.Column('exposure_time', sa.Double(), nullable=True),
    sa.Column('focal_spot_size', sa.Double(), nullable=True),
    sa.Column('anode_target_material_id', sa.Integer(), nullable=True),
    sa.Column('collimated_field_area', sa.Double(), nullable=True),
    sa.Column('collimated_field_height', sa.Double(), nullable=True),
    sa.Column('collimated_field_width', sa.Double(), nullable=True),
    sa.Column('ii_field_size', sa.Integer(), nullable=True),
    sa.Column('exposure_control_mode', sa.String(length=64), nullable=True),
    sa.Column('grid_absorbing_material', sa.Text(), nullable=True),
    sa.Column('grid_spacing_material', sa.Text(), nullable=True),
    sa.Column('grid_thickness', sa.Double(), nullable=True),
    sa.Column('grid_pitch', sa.Double(), nullable=True),
    sa.Column('grid_aspect_ratio', sa.String(length=64), nullable=True),
    sa.Column('grid_period', sa.Double(), nullable=True),
    sa.Column('grid_focal_distance', sa.Double(), nullable=True),
    sa.ForeignKeyConstraint(['anode_target_material_id'], ['context_id.id'], name=op.f('fk_irrad_event_xray_source_data_anode_target_material_id_context_id')),
    sa.ForeignKeyConstraint(['derivation_cid_id'], ['context_id.id'], name=op.f('fk_irrad_event_xray_source_data_derivation_cid_id_context_id')),
    sa.ForeignKeyConstraint(['fluoro_mode_id'], ['context_id.id'], name=op.f('fk_irrad_event_xray_source_data_fluoro_mode_id_context_id')),
    sa.ForeignKeyConstraint(['irrad_event_xray_data_id'], ['irrad_event_xray_data.id'], name=op.f('fk_irrad_event_xray_source_data_irrad_event_xray_data_id_irrad_event_xray_data'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reference_point_definition_code_id'], ['context_id.id'], name=op.f('fk_irrad_event_xray_source_data_reference_point_definition_code_id_context_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_irrad_event_xray_source_data'))
    )
    with op.batch_alter_table('irrad_event_xray_source_data', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_irrad_event_xray_source_data_anode_target_material_id'), ['anode_target_material_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_irrad_event_xray_source_data_derivation_cid_id'), ['derivation_cid_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_irrad_event_xray_source_data_fluoro_mode_id'), ['fluoro_mode_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_irrad_event_xray_source_data_irrad_event_xray_data_id'), ['irrad_event_xray_data_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_irrad_event_xray_source_data_reference_point_definition_code_id'), ['reference_point_definition_code_id'], unique=False)

    op.create_table('observer_context',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ct_radiation_dose_id', sa.Integer(), nullable=True),
    sa.Column('projection_xray_radiation_dose_id', sa.Integer(), nullable=True),
    sa.Column('radiopharmaceutical_administration_event_data_id', sa.Integer(), nullable=True),
    sa.Column('radiopharmaceutical_administration_is_pre_observer', sa.Boolean(), nullable=True),
    sa.Column('observer_type_id', sa.Integer(), nullable=True),
    sa.Column('person_observer_name', sa.String(length=1024), nullable=True),
    sa.Column('person_observer_organization_name', sa.String(length=256), nullable=True),
    sa.Column('person_observer_role_in_organization_id', sa.Integer(), nullable=True),
    sa.Column('person_observer_role_in_procedure_id', sa.Integer(), nullable=True),
    sa.Column('device_observer_uid', sa.String(length=128), nullable=True),
    sa.Column('device_observer_name', sa.String(length=256), nullable=True),
    sa.Column('device_observer_manufacturer', sa.String(length=256), nullable=True),
    sa.Column('device_observer_model_name', sa.String(length=256), nullable=True),
    sa.Column('device_observer_serial_number', sa.String(length=256), nullable=True),
    sa.Column('device_observer_physical_location_during_observation', sa.Text(), nullable=True),
    sa.Column('device_role_in_procedure_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['ct_radiation_dose_id'], ['ct_radiation_dose.id'], name=op.f('fk_observer_context_ct_radiation_dose_id_ct_radiation_dose'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['device_role_in_procedure_id'], ['context_id.id'], name=op.f('fk_observer_context_device_role_in_procedure_id_context_id')),
    sa.ForeignKeyConstraint(['observer_type_id'], ['context_id.id'], name=op.f('fk_observer_context_observer_type_id_context_id')),
    sa.ForeignKeyConstraint(['person_observer_role_in_organization_id'], ['context_id.id'], name=op.f('fk_observer_context_person_observer_role_in_organization_id_context_id')),
    sa.ForeignKeyConstraint(['person_observer_role_in_procedure_id'], ['context_id.id'], name=op.f('fk_observer_context_person_observer_role_in_procedure_id_context_id')),
    sa.ForeignKeyConstraint(['projection_xray_radiation_dose_id'], ['projection_xray_radiation_dose.id'], name=op.f('fk_observer_context_projection_xray_radiation_dose_id_projection_xray_radiation_dose'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['radiopharmaceutical_administration_event_data_id'], ['radiopharmaceutical_administration_event_data.id'], name=op.f('fk_observer_context_radiopharmaceutical_administration_event_data_id_radiopharmaceutical_administration_event_data'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_observer_context'))
    )
    with op.batch_alter_table('observer_context', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_observer_context_ct_radiation_dose_id'), ['ct_radiation_dose_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_observer_context_device_observer_uid'), ['device_observer_uid'], unique=False)
        batch_op.create_index(batch_op.f('ix_observer_context_device_role_in_procedure_id'), ['device_role_in_procedure_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_observer_context_observer_type_id'), ['observer_type_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_observer_context_person_observer_role_in_organization_id'), ['person_observer_role_in_organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_observer_context_person_observer_role_in_procedure_id'), ['person_observer_role_in_procedure_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_observer_context_projection_xray_radiation_dose_id'), ['projection_xray_radiation_dose_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_observer_context_radiopharmaceutical_administration_event_data_id'), ['radiopharmaceutical_administration_event_data_id'], unique=False)

    op.create_table('organ_dose',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('radiopharmaceutical_administration_event_data_id', sa.Integer(), nullable=False),
    sa.Column('finding_site_id', sa.Integer(), nullable=True),
    sa.Column('laterality_id', sa.Integer(), nullable=True),
    sa.Column('mass', sa.Double(), nullable=True),
    sa.Column('measurement_method', sa.Text(), nullable=True),
    sa.Column('organ_dose', sa.Double(), nullable=True),
    sa.Column('reference_authority_code_id', sa.Integer(), nullable=True),
    sa.Column('reference_authority_text', sa.Text(), nullable=True),
    sa.Column('type_of_detector_motion', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['finding_site_id'], ['context_id.id'], name=op.f('fk_organ_dose_finding_site_id_context_id')),
    sa.ForeignKeyConstraint(['laterality_id'], ['context_id.id'], name=op.f('fk_organ_dose_laterality_id_context_id')),
    sa.ForeignKeyConstraint(['radiopharmaceutical_administration_event_data_id'], ['radiopharmaceutical_administration_event_data.id'], name=op.f('fk_organ_dose_radiopharmaceutical_administration_event_data_id_radiopharmaceutical_administration_event_data'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reference_authority_code_id'], ['context_id.id'], name=op.f('fk_organ_dose_reference_authority_code_id_context_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organ_dose'))
    )
    with op.batch_alter_table('organ_dose', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organ_dose_finding_site_id'), ['finding_site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_organ_dose_laterality_id'), ['laterality_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_organ_dose_radiopharmaceutical_administration_event_data_id'), ['radiopharmaceutical_administration_event_data_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_organ_dose_reference_authority_code_id'), ['reference_authority_code_id'], unique=False)

    op.create_table('patient_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('radiopharmaceutical_administration_patient_characteristics_id', sa.Integer(), nullable=False),
    sa.Column('patient_state_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['patient_state_id'], ['context_id.id'], name=op.f('fk_patient_state_patient_state_id_context_id')),
    sa.ForeignKeyConstraint(['radiopharmaceutical_administration_patient_characteristics_id'], ['radiopharmaceutical_administration_patient_characteristics.id'], name=op.f('fk_patient_state_radiopharmaceutical_administration_patient_characteristics_id_radiopharmaceutical_administration_patient_characteristics'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patient_state'))
    )
    with op.batch_alter_table('patient_state', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_patient_state_patient_state_id'), ['patient_state_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_patient_state_radiopharmaceutical_administration_patient_characteristics_id'), ['radiopharmaceutical_administration_patient_characteristics_id'], unique=False)

    op.create_table('pet_series_correction',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pet_series_id', sa.Integer(), nullable=False),
    sa.Column('corrected_image', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['pet_series_id'], ['pet_series.id'], name=op.f('fk_pet_series_correction_pet_series_id_pet_series'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pet_series_correction'))
    )
    with op.batch_alter_table('pet_series_correction', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pet_series_correction_pet_series_id'), ['pet_series_id'], unique=False)

    op.create_table('pet_series_type',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pet_series_id', sa.Integer(), nullable=False),
    sa.Column('series_type', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['pet_series_id'], ['pet_series.id'], name=op.f('fk_pet_series_type_pet_series_id_pet_series'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pet_series_type'))
    )
    with op.batch_alter_table('pet_series_type', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pet_series_type_pet_series_id'), ['pet_series_id'], unique=False)

    op.create_table('radionuclide_identifier',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('radiopharmaceutical_administration_event_data_id', sa.Integer(), nullable=False),
    sa.Column('radionuclide_identifier', sa.String(length=256), nullable=True),
    sa.ForeignKeyConstraint(['radiopharmaceutical_administration_event_data_id'], ['radiopharmaceutical_administration_event_data.id'], name=op.f('fk_radionuclide_identifier_radiopharmaceutical_administration_event_data_id_radiopharmaceutical_administration_event_data'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_radionuclide_identifier'))
    )
    with op.batch_alter_table('radionuclide_identifier', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_radionuclide_identifier_radiopharmaceutical_administration_event_data_id'), ['radiopharmaceutical_administration_event_data_id'], unique=False)

    op.create_table('radiopharmaceutical_lot_identifier',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('radiopharmaceutical_administration_event_data_id', sa.Integer(), nullable=False),
    sa.Column('radiopharmaceutical_lot_identifier', sa.String(length=256), nullable=True),
    sa.ForeignKeyConstraint(['radiopharmaceutical_administration_event_data_id'], ['radiopharmaceutical_administration_event_data.id'], name=op.f('fk_radiopharmaceutical_lot_identifier_radiopharmaceutical_administration_event_data_id_radiopharmaceutical_administration_event_data'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_radiopharmaceutical_lot_identifier'))
    )
    with op.batch_alter_table('radiopharmaceutical_lot_identifier', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_radiopharmaceutical_lot_identifier_radiopharmaceutical_administration_event_data_id'), ['radiopharmaceutical_administration_event_data_id'], unique=False)

    op.create_table('reagent_vial_identifier',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('radiopharmaceutical_administration_event_data_id', sa.Integer(), nullable=False),
    sa.Column('reagent_vial_identifier', sa.String(length=256), nullable=True),
    sa.ForeignKeyConstraint(['radiopharmaceutical_administration_event_data_id'], ['radiopharmaceutical_administration_event_data.id'], name=op.f('fk_reagent_vial_identifier_radiopharmaceutical_administration_event_data_id_radiopharmaceutical_administration_event_data'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reagent_vial_identifier'))
    )
    with op.batch_alter_table('reagent_vial_identifier', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reagent_vial_identifier_radiopharmaceutical_administration_event_data_id'), ['radiopharmaceutical_administration_event_data_id'], unique=False)

    op.create_table('scanning_length',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ct_irradiation_event_data_id', sa.Integer(), nullable=False),
    sa.Column('scanning_length', sa.Double(), nullable=True),
    sa.Column('length_of_reconstructable_volume', sa.Double(), nullable=True),
    sa.Column('exposed_range', sa.Double(), nullable=True),
    sa.Column('top_z_location_of_reconstructable_volume', sa.Double(), nullable=True),
    sa.Column('bottom_z_location_of_reconstructable_volume', sa.Double(), nullable=True),
    sa.Column('top_z_location_of_scanning_length', sa.Double(), nullable=True),
    sa.Column('bottom_z_location_of_scanning_length', sa.Double(), nullable=True),
    sa.Column('frame_of_reference_uid', sa.String(length=128), nullable=True),
    sa.ForeignKeyConstraint(['ct_irradiation_event_data_id'], ['ct_irradiation_event_data.id'], name=op.f('fk_scanning_length_ct_irradiation_event_data_id_ct_irradiation_event_data'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scanning_length'))
    )
    with op.batch_alter_table('scanning_length', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scanning_length_ct_irradiation_event_data_id'), ['ct_irradiation_event_data_id'], unique=False)

    op.create_table('size_specific_dose_estimation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ct_irradiation_event_data_id', sa.Integer(), nullable=False),
    sa.Column('size_specific_dose_estimate', sa.Double(), nullable=True),
    sa.Column('measurement_method_id', sa.Integer(), nullable=True),
    sa.Column('measured_lateral_dimension', sa.Double(), nullable=True),
    sa.Column('measured_ap_dimension', sa.Double(), nullable=True),
    sa.Column('derived_effective_diameter', sa.Double(), nullable=True),
    sa.Column('water_equivalent_diameter', sa.Double(), nullable=True),
    sa.Column('water_equivalent_diameter_method_id', sa.Integer(), nullable=True),
    sa.Column('wed_estimate_location_z', sa.Double(), nullable=True),
    sa.ForeignKeyConstraint(['ct_irradiation_event_data_id'], ['ct_irradiation_event_data.id'], name=op.f('fk_size_specific_dose_estimation_ct_irradiation_event_data_id_ct_irradiation_event_data'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['measurement_method_id'], ['context_id.id'], name=op.f('fk_size_specific_dose_estimation_measurement_method_id_context_id')),
    sa.ForeignKeyConstraint(['water_equivalent_diameter_method_id'], ['context_id.id'], name=op.f('fk_size_specific_dose_estimation_water_equivalent_diameter_method_id_context_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_size_specific_dose_estimation'))
    )
    with op.batch_alter_table('size_specific_dose_estimation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_size_specific_dose_estimation_ct_irradiation_event_data_id'), ['ct_irradiation_event_data_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_size_specific_dose_estimation_measurement_method_id'), ['measurement_method_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_size_specific_dose_estimation_water_equivalent_diameter_method_id'), ['water_equivalent_diameter_method_id'], unique=False)

    op.create_table('device_participant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('accum_xray_dose_id', sa.Integer(), nullable=True),
    sa.Column('irrad_event_xray_detector_data_id', sa.Integer(), nullable=True),
    sa.Column('irrad_event_xray_source_data_id', sa.Integer(), nullable=True),
    sa.Column('ct_accumulated_dose_data_id', sa.Integer(), nullable=True),
    sa.Column('ct_irradiation_event_data_id', sa.Integer(), nullable=True),
    sa.Column('device_role_in_procedure_id', sa.Integer(), nullable=True),
    sa.Column('device_name', sa.String(length=256), nullable=True),
    sa.Column('device_manufacturer', sa.String(length=256), nullable=True),
    sa.Column('device_model_name', sa.String(length=256), nullable=True),
    sa.Column('device_serial_number', sa.String(length=256), nullable=True),
    sa.Column('device_observer_uid', sa.String(length=128), nullable=True),
    sa.ForeignKeyConstraint(['accum_xray_dose_id'], ['accum_xray_dose.id'], name=op.f('fk_device_participant_accum_xray_dose_id_accum_xray_dose'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['ct_accumulated_dose_data_id'], ['ct_accumulated_dose_data.id'], name=op.f('fk_device_participant_ct_accumulated_dose_data_id_ct_accumulated_dose_data'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['ct_irradiation_event_data_id'], ['ct_irradiation_event_data.id'], name=op.f('fk_device_participant_ct_irradiation_event_data_id_ct_irradiation_event_data'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['device_role_in_procedure_id'], ['context_id.id'], name=op.f('fk_device_participant_device_role_in_procedure_id_context_id')),
    sa.ForeignKeyConstraint(['irrad_event_xray_detector_data_id'], ['irrad_event_xray_detector_data.id'], name=op.f('fk_device_participant_irrad_event_xray_detector_data_id_irrad_event_xray_detector_data'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['irrad_event_xray_source_data_id'], ['irrad_event_xray_source_data.id'], name=op.f('fk_device_participant_irrad_event_xray_source_data_id_irrad_event_xray_source_data'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_device_participant'))
    )
    with op.batch_alter_table('device_participant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_device_participant_accum_xray_dose_id'), ['accum_xray_dose_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_device_participant_ct_accumulated_dose_data_id'), ['ct_accumulated_dose_data_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_device_participant_ct_irradiation_event_data_id'), ['ct_irradiation_event_data_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_device_participant_device_role_in_procedure_id'), ['device_role_in_procedure_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_device_participant_irrad_event_xray_detector_data_id'), ['irrad_event_xray_detector_data_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_device_participant_irrad_event_xray_source_data_id'), ['irrad_event_xray_source_data_id'], unique=False)

    op.create_table('dose_related_distance_measurements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('irrad_event_xray_mechanical_data_id', sa.Integer(), nullable=False),
    sa.Column('distance_source_to_isocenter', sa.Double(), nullable=True),
    sa.Column('distance_source_to_reference_point', sa.Double(), nullable=True),
    sa.Column('distance_source_to_detector', sa.Double(), nullable=True),
    sa.Column('table_longitudinal_position', sa.Double(), nullable=True),
    sa.Column('table_lateral_position', sa.Double(), nullable=True),
    sa.Column('table_height_position', sa.Double(), nullable=True),
    sa.Column('distance_source_to_table_plane', sa.Double(), nullable=True),
    sa.Column('table_longitudinal_end_position', sa.Double(), nullable=True),
    sa.Column('table_lateral_end_position', sa.Double(), nullable=True),
    sa.Column('table_height_end_position', sa.Double(), nullable=True),
    sa.Column('distance_source_to_entrance_surface', sa.Double(), nullable=True),
    sa.Column('radiological_thickness', sa.Double(), nullable=True),
    sa.ForeignKeyConstraint(['irrad_event_xray_mechanical_data_id'], ['irrad_event_xray_mechanical_data.id'], name=op.f('fk_dose_related_distance_measurements_irrad_event_xray_mechanical_data_id_irrad_event_xray_mechanical_data'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dose_related_distance_measurements'))
    )
    with op.batch_alter_table('dose_related_distance_measurements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dose_related_distance_measurements_irrad_event_xray_mechanical_data_id'), ['irrad_event_xray_mechanical_data_id'], unique=False)

    op.create_table('exposure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('irrad_event_xray_source_data_id', sa.Integer(), nullable=False),
    sa.Column('exposure', sa.Double(), nullable=True),
    sa.ForeignKeyConstraint(['irrad_event_xray_source_data_id'], ['irrad_event_xray_source_data.id'], name=op.f('fk_exposure_irrad_event_xray_source_data_id_irrad_event_xray_source_data'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exposure'))
    )
    with op.batch_alter_table('exposure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exposure_irrad_event_xray_source_data_id'), ['irrad_event_xray_source_data_id'], unique=False)

    op.create_table('kvp',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('irrad_event_xray_source_data_id', sa.Integer(), nullable=False),
    sa.Column('kvp', sa.Double(), nullable=True),
    sa.ForeignKeyConstraint(['irrad_event_xray_source_data_id'], ['irrad_event_xray_source_data.id'], name=op.f('fk_kvp_irrad_event_xray_source_data_id_irrad_event_xray_source_data'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kvp'))
    )
    with op.batch_alter_table('kvp', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kvp_irrad_event_xray_source_data_id'), ['irrad_event_xray_source_data_id'], unique=False)

    op.create_table('person_participant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('projection_xray_radiation_dose_id', sa.Integer(), nullable=True),
    sa.Column('ct_radiation_dose_id', sa.Integer(), nullable=True),
    sa.Column('irrad_event_xray_data_id', sa.Integer(), nullable=True),
    sa.Column('ct_accumulated_dose_data_id', sa.Integer(), nullable=True),
    sa.Column('ct_irradiation_event_data_id', sa.Integer(), nullable=True),
    sa.Column('radiopharmaceutical_administration_event_data_id', sa.Integer(), nullable=True),
    sa.Column('ct_dose_check_details_alert_id', sa.Integer(), nullable=True),
    sa.Column('ct_dose_check_details_notification_id', sa.Integer(), nullable=True),
    sa.Column('person_name', sa.String(length=1024), nullable=True),
    sa.Column('person_role_in_procedure', sa.String(length=64), nullable=True),
    sa.Column('person_role_in_procedure_cid_id', sa.Integer(), nullable=True),
    sa.Column('person_id', sa.String(length=256), nullable=True),
    sa.Column('person_id_issuer', sa.String(length=256), nullable=True),
    sa.Column('organization_name', sa.String(length=256), nullable=True),
    sa.Column('person_role_in_organization', sa.Text(), nullable=True),
    sa.Column('person_role_in_organization_cid_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['ct_accumulated_dose_data_id'], ['ct_accumulated_dose_data.id'], name=op.f('fk_person_participant_ct_accumulated_dose_data_id_ct_accumulated_dose_data'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['ct_dose_check_details_alert_id'], ['ct_dose_check_details.id'], name=op.f('fk_person_participant_ct_dose_check_details_alert_id_ct_dose_check_details'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['ct_dose_check_details_notification_id'], ['ct_dose_check_details.id'], name=op.f('fk_person_participant_ct_dose_check_details_notification_id_ct_dose_check_details'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['ct_irradiation_event_data_id'], ['ct_irradiation_event_data.id'], name=op.f('fk_person_participant_ct_irradiation_event_data_id_ct_irradiation_event_data'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['ct_radiation_dose_id'], ['ct_radiation_dose.id'], name=op.f('fk_person_participant_ct_radiation_dose_id_ct_radiation_dose'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['irrad_event_xray_data_id'], ['irrad_event_xray_data.id'], name=op.f('fk_person_participant_irrad_event_xray_data_id_irrad_event_xray_data'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_role_in_organization_cid_id'], ['context_id.id'], name=op.f('fk_person_participant_person_role_in_organization_cid_id_context_id')),
    sa.ForeignKeyConstraint(['person_role_in_procedure_cid_id'], ['context_id.id'], name=op.f('fk_person_participant_person_role_in_procedure_cid_id_context_id')),
    sa.ForeignKeyConstraint(['projection_xray_radiation_dose_id'], ['projection_xray_radiation_dose.id'], name=op.f('fk_person_participant_projection_xray_radiation_dose_id_projection_xray_radiation_dose'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['radiopharmaceutical_administration_event_data_id'], ['radiopharmaceutical_administration_event_data.id'], name=op.f('fk_person_participant_radiopharmaceutical_administration_event_data_id_radiopharmaceutical_administration_event_data'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person_participant'))
    )
    with op.batch_alter_table('person_participant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_participant_ct_accumulated_dose_data_id'), ['ct_accumulated_dose_data_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_person_participant_ct_dose_check_details_alert_id'), ['ct_dose_check_details_alert_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_person_participant_ct_dose_check_details_notification_id'), ['ct_dose_check_details_notification_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_person_participant_ct_irradiation_event_data_id'), ['ct_irradiation_event_data_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_person_participant_ct_radiation_dose_id'), ['ct_radiation_dose_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_person_participant_irrad_event_xray_data_id'), ['irrad_event_xray_data_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_person_participant_person_role_in_organization_cid_id'), ['person_role_in_organization_cid_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_person_participant_person_role_in_procedure_cid_id'), ['person_role_in_procedure_cid_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_person_participant_projection_xray_radiation_dose_id'), ['projection_xray_radiation_dose_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_person_participant_radiopharmaceutical_administration_event_data_id'), ['radiopharmaceutical_administration_event_data_id'], unique=False)

    op.create_table('pulse_width',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('irrad_event_xray_source_data_id', sa.Integer(), nullable=False),
    sa.Column('pulse_width', sa.Double(), nullable=True),
    sa.ForeignKeyConstraint(['irrad_event_xray_source_data_id'], ['irrad_event_xray_source_data.id'], name=op.f('fk_pulse_width_irrad_event_xray_source_data_id_irrad_event_xray_source_data'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pulse_width'))
    )
    with op.batch_alter_table('pulse_width', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pulse_width_irrad_event_xray_source_data_id'), ['irrad_event_xray_source_data_id'], unique=False)

    op.create_table('wed_series_or_instances',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('size_specific_dose_estimation_id', sa.Integer(), nullable=False),
    sa.Column('wed_series_or_instance', sa.String(length=128), nullable=True),
    sa.ForeignKeyConstraint(['size_specific_dose_estimation_id'], ['size_specific_dose_estimation.id'], name=op.f('fk_wed_series_or_instances_size_specific_dose_estimation_id_size_specific_dose_estimation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wed_series_or_instances'))
    )
    with op.batch_alter_table('wed_series_or_instances', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wed_series_or_instances_size_specific_dose_estimation_id'), ['size_specific_dose_estimation_id'], unique=False)

    op.create_table('xray_filters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('irrad_event_xray_source_data_id', sa.Integer(), nullable=False),
    sa.Column('xray_filter_type_id', sa.Integer(), nullable=True),
    sa.Column('xray_filter_material_id', sa.Integer(), nullable=True),
    sa.Column('xray_filter_thickness_minimum', sa.Double(), nullable=True),
    sa.Column('xray_filter_thickness_maximum', sa.Double(), nullable=True),
    sa.ForeignKeyConstraint(['irrad_event_xray_source_data_id'], ['irrad_event_xray_source_data.id'], name=op.f('fk_xray_filters_irrad_event_xray_source_data_id_irrad_event_xray_source_data'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['xray_filter_material_id'], ['context_id.id'], name=op.f('fk_xray_filters_xray_filter_material_id_context_id')),
    sa.ForeignKeyConstraint(['xray_filter_type_id'], ['context_id.id'], name=op.f('fk_xray_filters_xray_filter_type_id_context_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_xray_filters'))
    )
    with op.batch_alter_table('xray_filters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_xray_filters_irrad_event_xray_source_data_id'), ['irrad_event_xray_source_data_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_xray_filters_xray_filter_material_id'), ['xray_filter_material_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_xray_filters_xray_filter_type_id'), ['xray_filter_type_id'], unique=False)

    op.create_table('xray_grid',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('irrad_event_xray_source_data_id', sa.Integer(), nullable=False),
    sa.Column('xray_grid_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['irrad_event_xray_source_data_id'], ['irrad_event_xray_source_data.id'], name=op.f('fk_xray_grid_irrad_event_xray_source_data_id_irrad_event_xray_source_data'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['xray_grid_id'], ['context_id.id'], name=op.f('fk_xray_grid_xray_grid_id_context_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_xray_grid'))
    )
    with op.batch_alter_table('xray_grid', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_xray_grid_irrad_event_xray_source_data_id'), ['irrad_event_xray_source_data_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_xray_grid_xray_grid_id'), ['xray_grid_id'], unique=False)

    op.create_table('xray_tube_current',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('irrad_event_xray_source_data_id', sa.Integer(), nullable=False),
    sa.Column('xray_tube_current', sa.Double(), nullable=True),
    sa.ForeignKeyConstraint(['irrad_event_xray_source_data_id'], ['irrad_event_xray_source_data.id'], name=op.f('fk_xray_tube_current_irrad_event_xray_source_data_id_irrad_event_xray_source_data'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_xray_tube_current'))
    )
    with op.batch_alter_table('xray_tube_current', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_xray_tube_current_irrad_event_xray_source_data_id'), ['irrad_event_xray_source_data_id'], unique=False)


def downgrade():
    # Children before parents; each table takes its indexes with it.
    for table in (
        'xray_tube_current',
        'xray_grid',
        'xray_filters',
        'wed_series_or_instances',
        'pulse_width',
        'person_participant',
        'kvp',
        'exposure',
        'dose_related_distance_measurements',
        'device_participant',
        'size_specific_dose_estimation',
        'scanning_length',
        'reagent_vial_identifier',
        'radiopharmaceutical_lot_identifier',
        'radionuclide_identifier',
        'pet_series_type',
        'pet_series_correction',
        'patient_state',
        'organ_dose',
        'observer_context',
        'irrad_event_xray_source_data',
        'irrad_event_xray_mechanical_data',
        'irrad_event_xray_detector_data',
        'intravenous_extravasation_symptoms',
        'image_view_modifier',
        'glomerular_filtration_rate',
        'drug_product_identifier',
        'ct_xray_source_parameters',
        'ct_reconstruction_algorithm',
        'ct_dose_check_details',
        'calibration',
        'billing_code',
        'accum_proj_xray_dose',
        'accum_mammography_xray_dose',
        'accum_integrated_proj_radiog_dose',
        'accum_cassette_bsd_proj_radiog_dose',
        'source_of_ct_dose_information',
        'radiopharmaceutical_administration_patient_characteristics',
        'radiopharmaceutical_administration_event_data',
        'pet_series',
        'language_of_content_item_and_descendants',
        'irrad_event_xray_data',
        'ct_irradiation_event_data',
        'ct_accumulated_dose_data',
        'accum_xray_dose',
        'radiopharmaceutical_radiation_dose',
        'projection_xray_radiation_dose',
        'patient_study_module_attr',
        'patient_module_attr',
        'object_uids_processed',
        'general_equipment_module_attr',
        'ct_radiation_dose',
        'unique_equipment_names',
        'size_upload',
        'patient_id_settings',
        'not_patient_indicators_name',
        'not_patient_indicators_id',
        'general_study_module_attr',
        'context_id',
    ):
        op.drop_table(table)
