"""Projection X-ray dose (fluoroscopy, radiography, mammography): TID 10001 and its
sub-templates (PS3.16).

TID 10001 (ProjectionXRayRadiationDose) holds one TID 10002 accumulation per plane
(AccumXRayDose, with the TID 10004-10007 totals beneath it) and one TID 10003 irradiation event
(IrradEventXRayData) per exposure or fluoroscopy run, each with its TID 10003a detector,
10003b source and 10003c mechanical data. Image-header importers (DX, CR, MG) fill the same
tables, one event per image.

``total_number_of_radiographic_frames`` is a count and stored as an integer, although
OpenREM's reference dumps show it as a decimal string.
"""
import datetime

from sqlalchemy import DateTime, Double, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .codes import ContextID
from .columns import CS, LO, UI, children, code_key, coded, parent, parent_key


class ProjectionXRayRadiationDose(db.Model):
    """TID 10001 Projection X-Ray Radiation Dose: the root of one projection dose report."""

    __tablename__ = "projection_xray_radiation_dose"

    id: Mapped[int] = mapped_column(primary_key=True)
    general_study_module_attr_id: Mapped[int] = parent_key("general_study_module_attr")
    general_study_module_attr: Mapped["GeneralStudyModuleAttr"] = parent(
        "GeneralStudyModuleAttr", "projectionxrayradiationdose_set")
    procedure_reported_id: Mapped[int | None] = code_key()
    procedure_reported: Mapped[ContextID | None] = coded(procedure_reported_id)
    has_intent_id: Mapped[int | None] = code_key()  # CID 3629
    has_intent: Mapped[ContextID | None] = coded(has_intent_id)
    acquisition_device_type_cid_id: Mapped[int | None] = code_key()  # CID 10032
    acquisition_device_type_cid: Mapped[ContextID | None] = coded(acquisition_device_type_cid_id)
    scope_of_accumulation_id: Mapped[int | None] = code_key()  # CID 10000
    scope_of_accumulation: Mapped[ContextID | None] = coded(scope_of_accumulation_id)
    xray_detector_data_available_id: Mapped[int | None] = code_key()  # CID 230
    xray_detector_data_available: Mapped[ContextID | None] = coded(
        xray_detector_data_available_id)
    xray_source_data_available_id: Mapped[int | None] = code_key()  # CID 230
    xray_source_data_available: Mapped[ContextID | None] = coded(xray_source_data_available_id)
    xray_mechanical_data_available_id: Mapped[int | None] = code_key()  # CID 230
    xray_mechanical_data_available: Mapped[ContextID | None] = coded(
        xray_mechanical_data_available_id)
    comment: Mapped[str | None] = mapped_column(Text)
    source_of_dose_information_id: Mapped[int | None] = code_key()  # CID 10020
    source_of_dose_information: Mapped[ContextID | None] = coded(source_of_dose_information_id)

    accumxraydose_set: Mapped[list["AccumXRayDose"]] = children(
        "AccumXRayDose", "projection_xray_radiation_dose")
    irradeventxraydata_set: Mapped[list["IrradEventXRayData"]] = children(
        "IrradEventXRayData", "projection_xray_radiation_dose")
    observercontext_set: Mapped[list["ObserverContext"]] = children(
        "ObserverContext", "projection_xray_radiation_dose")
    personparticipant_set: Mapped[list["PersonParticipant"]] = children(
        "PersonParticipant", "projection_xray_radiation_dose")


class AccumXRayDose(db.Model):
    """TID 10002 Accumulated X-Ray Dose: the accumulation for one acquisition plane."""

    __tablename__ = "accum_xray_dose"

    id: Mapped[int] = mapped_column(primary_key=True)
    projection_xray_radiation_dose_id: Mapped[int] = parent_key("projection_xray_radiation_dose")
    projection_xray_radiation_dose: Mapped[ProjectionXRayRadiationDose] = parent(
        "ProjectionXRayRadiationDose", "accumxraydose_set")
    acquisition_plane_id: Mapped[int | None] = code_key()  # CID 10003
    acquisition_plane: Mapped[ContextID | None] = coded(acquisition_plane_id)

    accumprojxraydose_set: Mapped[list["AccumProjXRayDose"]] = children(
        "AccumProjXRayDose", "accum_xray_dose")
    accummammographyxraydose_set: Mapped[list["AccumMammographyXRayDose"]] = children(
        "AccumMammographyXRayDose", "accum_xray_dose")
    accumcassettebsdprojradiogdose_set: Mapped[list["AccumCassetteBsdProjRadiogDose"]] = (
        children("AccumCassetteBsdProjRadiogDose", "accum_xray_dose"))
    accumintegratedprojradiogdose_set: Mapped[list["AccumIntegratedProjRadiogDose"]] = (
        children("AccumIntegratedProjRadiogDose", "accum_xray_dose"))
    calibration_set: Mapped[list["Calibration"]] = children("Calibration", "accum_xray_dose")
    deviceparticipant_set: Mapped[list["DeviceParticipant"]] = children(
        "DeviceParticipant", "accum_xray_dose")


class Calibration(db.Model):
    """Calibration container of TID 10002: the DAP meter or dosimeter calibration."""

    __tablename__ = "calibration"

    id: Mapped[int] = mapped_column(primary_key=True)
    accum_xray_dose_id: Mapped[int] = parent_key("accum_xray_dose")
    accum_xray_dose: Mapped[AccumXRayDose] = parent("AccumXRayDose", "calibration_set")
    dose_measurement_device_id: Mapped[int | None] = code_key()  # CID 10010
    dose_measurement_device: Mapped[ContextID | None] = coded(dose_measurement_device_id)
    calibration_date: Mapped[datetime.datetime | None] = mapped_column(DateTime)
    calibration_factor: Mapped[float | None] = mapped_column(Double)
    calibration_uncertainty: Mapped[float | None] = mapped_column(Double)  # %
    calibration_responsible_party: Mapped[str | None] = mapped_column(Text)


class AccumProjXRayDose(db.Model):
    """TID 10004 Accumulated Fluoroscopy and Acquisition Projection X-Ray Dose, per plane.

    ``dose_area_product_total``, ``dose_rp_total``, ``total_number_of_radiographic_frames``
    and the reference point definition are here as OpenREM's reference data has them; the
    TID 10007 table holds the same totals for integrated radiography systems.
    """

    __tablename__ = "accum_proj_xray_dose"

    id: Mapped[int] = mapped_column(primary_key=True)
    accum_xray_dose_id: Mapped[int] = parent_key("accum_xray_dose")
    accum_xray_dose: Mapped[AccumXRayDose] = parent("AccumXRayDose", "accumprojxraydose_set")
    fluoro_dose_area_product_total: Mapped[float | None] = mapped_column(Double)  # Gy.m2
    fluoro_dose_rp_total: Mapped[float | None] = mapped_column(Double)  # Gy
    total_fluoro_time: Mapped[float | None] = mapped_column(Double)  # s
    acquisition_dose_area_product_total: Mapped[float | None] = mapped_column(Double)  # Gy.m2
    acquisition_dose_rp_total: Mapped[float | None] = mapped_column(Double)  # Gy
    total_acquisition_time: Mapped[float | None] = mapped_column(Double)  # s
    dose_area_product_total: Mapped[float | None] = mapped_column(Double)  # Gy.m2
    dose_rp_total: Mapped[float | None] = mapped_column(Double)  # Gy
    total_number_of_radiographic_frames: Mapped[int | None] = mapped_column(Integer)
    reference_point_definition: Mapped[str | None] = mapped_column(Text)
    reference_point_definition_code_id: Mapped[int | None] = code_key()  # CID 10025
    reference_point_definition_code: Mapped[ContextID | None] = coded(
        reference_point_definition_code_id)


class AccumMammographyXRayDose(db.Model):
    """TID 10005 Accumulated Mammography X-Ray Dose: average glandular dose per breast."""

    __tablename__ = "accum_mammography_xray_dose"

    id: Mapped[int] = mapped_column(primary_key=True)
    accum_xray_dose_id: Mapped[int] = parent_key("accum_xray_dose")
    accum_xray_dose: Mapped[AccumXRayDose] = parent(
        "AccumXRayDose", "accummammographyxraydose_set")
    accumulated_average_glandular_dose: Mapped[float | None] = mapped_column(Double)  # mGy
    laterality_id: Mapped[int | None] = code_key()  # CID 6022
    laterality: Mapped[ContextID | None] = coded(laterality_id)


class AccumCassetteBsdProjRadiogDose(db.Model):
    """TID 10006 Accumulated Cassette-based Projection Radiography Dose (CR)."""

    __tablename__ = "accum_cassette_bsd_proj_radiog_dose"

    id: Mapped[int] = mapped_column(primary_key=True)
    accum_xray_dose_id: Mapped[int] = parent_key("accum_xray_dose")
    accum_xray_dose: Mapped[AccumXRayDose] = parent(
        "AccumXRayDose", "accumcassettebsdprojradiogdose_set")
    detector_type_id: Mapped[int | None] = code_key()  # CID 10030
    detector_type: Mapped[ContextID | None] = coded(detector_type_id)
    total_number_of_radiographic_frames: Mapped[int | None] = mapped_column(Integer)


class AccumIntegratedProjRadiogDose(db.Model):
    """TID 10007 Accumulated Integrated Projection Radiography Dose (DR with a DAP meter).

    The ``_over_delta_weeks`` totals sum this patient's studies over the alert period.
    """

    __tablename__ = "accum_integrated_proj_radiog_dose"

    id: Mapped[int] = mapped_column(primary_key=True)
    accum_xray_dose_id: Mapped[int] = parent_key("accum_xray_dose")
    accum_xray_dose: Mapped[AccumXRayDose] = parent(
        "AccumXRayDose", "accumintegratedprojradiogdose_set")
    dose_area_product_total: Mapped[float | None] = mapped_column(Double)  # Gy.m2
    dose_rp_total: Mapped[float | None] = mapped_column(Double)  # Gy
    total_number_of_radiographic_frames: Mapped[int | None] = mapped_column(Integer)
    reference_point_definition_code_id: Mapped[int | None] = code_key()  # CID 10025
    reference_point_definition_code: Mapped[ContextID | None] = coded(
        reference_point_definition_code_id)
    reference_point_definition: Mapped[str | None] = mapped_column(Text)
    dose_area_product_total_over_delta_weeks: Mapped[float | None] = mapped_column(Double)
    dose_rp_total_over_delta_weeks: Mapped[float | None] = mapped_column(Double)


class IrradEventXRayData(db.Model):
    """TID 10003 Irradiation Event X-Ray Data: one exposure, acquisition run or fluoro run.

    ``projection_eponymous_name``, ``patient_table_relationship``, ``patient_orientation``,
    ``patient_orientation_modifier``, ``breast_composition`` are free-text forms kept for
    OpenREM parity; the coded forms are the ``*_cid`` fields.
    """

    __tablename__ = "irrad_event_xray_data"
    __table_args__ = (
        # The radiography charts read their values from this index alone, joined to the
        # filtered studies by id (app/importing/chart_values.py).
        Index("ix_irrad_event_xray_data_chart", "chart_study_id", "acquisition_protocol",
              "dose_area_product", "chart_kvp", "chart_exposure", "anatomical_structure_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    projection_xray_radiation_dose_id: Mapped[int] = parent_key("projection_xray_radiation_dose")
    projection_xray_radiation_dose: Mapped[ProjectionXRayRadiationDose] = parent(
        "ProjectionXRayRadiationDose", "irradeventxraydata_set")
    acquisition_plane_id: Mapped[int | None] = code_key()  # CID 10003
    acquisition_plane: Mapped[ContextID | None] = coded(acquisition_plane_id)
    irradiation_event_uid: Mapped[str | None] = mapped_column(UI, index=True)
    irradiation_event_label: Mapped[str | None] = mapped_column(LO)
    label_type_id: Mapped[int | None] = code_key()  # CID 10022
    label_type: Mapped[ContextID | None] = coded(label_type_id)
    date_time_started: Mapped[datetime.datetime | None] = mapped_column(DateTime)
    irradiation_event_type_id: Mapped[int | None] = code_key()  # CID 10002
    irradiation_event_type: Mapped[ContextID | None] = coded(irradiation_event_type_id)
    acquisition_protocol: Mapped[str | None] = mapped_column(Text)
    anatomical_structure_id: Mapped[int | None] = code_key()  # CID 4009
    anatomical_structure: Mapped[ContextID | None] = coded(anatomical_structure_id)
    laterality_id: Mapped[int | None] = code_key()  # CID 244
    laterality: Mapped[ContextID | None] = coded(laterality_id)
    image_view_id: Mapped[int | None] = code_key()  # CID 4010 or 4014
    image_view: Mapped[ContextID | None] = coded(image_view_id)
    projection_eponymous_name: Mapped[str | None] = mapped_column(CS)
    patient_table_relationship: Mapped[str | None] = mapped_column(CS)
    patient_orientation: Mapped[str | None] = mapped_column(CS)
    patient_orientation_modifier: Mapped[str | None] = mapped_column(CS)
    projection_eponymous_name_cid_id: Mapped[int | None] = code_key()  # CID 4012
    projection_eponymous_name_cid: Mapped[ContextID | None] = coded(
        projection_eponymous_name_cid_id)
    patient_table_relationship_cid_id: Mapped[int | None] = code_key()  # CID 21
    patient_table_relationship_cid: Mapped[ContextID | None] = coded(
        patient_table_relationship_cid_id)
    patient_orientation_cid_id: Mapped[int | None] = code_key()  # CID 19
    patient_orientation_cid: Mapped[ContextID | None] = coded(patient_orientation_cid_id)
    patient_orientation_modifier_cid_id: Mapped[int | None] = code_key()  # CID 20
    patient_orientation_modifier_cid: Mapped[ContextID | None] = coded(
        patient_orientation_modifier_cid_id)
    target_region_id: Mapped[int | None] = code_key()  # CID 4031
    target_region: Mapped[ContextID | None] = coded(target_region_id)
    dose_area_product: Mapped[float | None] = mapped_column(Double)  # Gy.m2
    half_value_layer: Mapped[float | None] = mapped_column(Double)  # mm Al
    patient_equivalent_thickness: Mapped[float | None] = mapped_column(Double)  # mm
    entrance_exposure_at_rp: Mapped[float | None] = mapped_column(Double)  # mGy
    reference_point_definition_text: Mapped[str | None] = mapped_column(Text)
    reference_point_definition_id: Mapped[int | None] = code_key()  # CID 10025
    reference_point_definition: Mapped[ContextID | None] = coded(reference_point_definition_id)
    breast_composition: Mapped[str | None] = mapped_column(CS)
    breast_composition_cid_id: Mapped[int | None] = code_key()  # CID 6000/6001
    breast_composition_cid: Mapped[ContextID | None] = coded(breast_composition_cid_id)
    percent_fibroglandular_tissue: Mapped[float | None] = mapped_column(Double)  # %
    comment: Mapped[str | None] = mapped_column(Text)
    # Chart values kept ready at import (app/importing/chart_values.py): the study's id, the mean
    # kVp (kV) and the summed exposure (µA·s) of the event's sources.
    chart_study_id: Mapped[int | None] = mapped_column(Integer)
    chart_kvp: Mapped[float | None] = mapped_column(Double)
    chart_exposure: Mapped[float | None] = mapped_column(Double)

    imageviewmodifier_set: Mapped[list["ImageViewModifier"]] = children(
        "ImageViewModifier", "irrad_event_xray_data")
    irradeventxraydetectordata_set: Mapped[list["IrradEventXRayDetectorData"]] = children(
        "IrradEventXRayDetectorData", "irrad_event_xray_data")
    irradeventxraysourcedata_set: Mapped[list["IrradEventXRaySourceData"]] = children(
        "IrradEventXRaySourceData", "irrad_event_xray_data")
    irradeventxraymechanicaldata_set: Mapped[list["IrradEventXRayMechanicalData"]] = children(
        "IrradEventXRayMechanicalData", "irrad_event_xray_data")
    personparticipant_set: Mapped[list["PersonParticipant"]] = children(
        "PersonParticipant", "irrad_event_xray_data")


class ImageViewModifier(db.Model):
    """An Image View Modifier (111032; CID 4011 or 4015) of an irradiation event."""

    __tablename__ = "image_view_modifier"

    id: Mapped[int] = mapped_column(primary_key=True)
    irrad_event_xray_data_id: Mapped[int] = parent_key("irrad_event_xray_data")
    irrad_event_xray_data: Mapped[IrradEventXRayData] = parent(
        "IrradEventXRayData", "imageviewmodifier_set")
    image_view_modifier_id: Mapped[int | None] = code_key()
    image_view_modifier: Mapped[ContextID | None] = coded(image_view_modifier_id)


class IrradEventXRayDetectorData(db.Model):
    """TID 10003a Irradiation Event X-Ray Detector Data: exposure and deviation indices.

    Beyond the template: the vendor ``relative_xray_exposure`` and ``sensitivity`` of CR/DX
    image headers.
    """

    __tablename__ = "irrad_event_xray_detector_data"

    id: Mapped[int] = mapped_column(primary_key=True)
    irrad_event_xray_data_id: Mapped[int] = parent_key("irrad_event_xray_data")
    irrad_event_xray_data: Mapped[IrradEventXRayData] = parent(
        "IrradEventXRayData", "irradeventxraydetectordata_set")
    exposure_index: Mapped[float | None] = mapped_column(Double)
    target_exposure_index: Mapped[float | None] = mapped_column(Double)
    deviation_index: Mapped[float | None] = mapped_column(Double)
    relative_xray_exposure: Mapped[float | None] = mapped_column(Double)
    relative_exposure_unit: Mapped[str | None] = mapped_column(CS)
    sensitivity: Mapped[float | None] = mapped_column(Double)

    deviceparticipant_set: Mapped[list["DeviceParticipant"]] = children(
        "DeviceParticipant", "irrad_event_xray_detector_data")


class IrradEventXRaySourceData(db.Model):
    """TID 10003b Irradiation Event X-Ray Source Data: dose at RP, AGD, timing, field, grid.

    Beyond the template: ``ii_field_size`` (mm), ``exposure_control_mode`` and the grid
    details after the grid type. kVp, tube current, exposure, pulse width, filters and grids
    are child rows because the template lets them repeat (per pulse, per filter).
    """

    __tablename__ = "irrad_event_xray_source_data"

    id: Mapped[int] = mapped_column(primary_key=True)
    irrad_event_xray_data_id: Mapped[int] = parent_key("irrad_event_xray_data")
    irrad_event_xray_data: Mapped[IrradEventXRayData] = parent(
        "IrradEventXRayData", "irradeventxraysourcedata_set")
    dose_rp: Mapped[float | None] = mapped_column(Double)  # Gy
    reference_point_definition: Mapped[str | None] = mapped_column(Text)
    reference_point_definition_code_id: Mapped[int | None] = code_key()  # CID 10025
    reference_point_definition_code: Mapped[ContextID | None] = coded(
        reference_point_definition_code_id)
    average_glandular_dose: Mapped[float | None] = mapped_column(Double)  # mGy
    fluoro_mode_id: Mapped[int | None] = code_key()  # CID 10004
    fluoro_mode: Mapped[ContextID | None] = coded(fluoro_mode_id)
    pulse_rate: Mapped[float | None] = mapped_column(Double)  # pulse/s
    number_of_pulses: Mapped[float | None] = mapped_column(Double)
    derivation: Mapped[str | None] = mapped_column(CS)
    derivation_cid_id: Mapped[int | None] = code_key()
    derivation_cid: Mapped[ContextID | None] = coded(derivation_cid_id)
    irradiation_duration: Mapped[float | None] = mapped_column(Double)  # s
    average_xray_tube_current: Mapped[float | None] = mapped_column(Double)  # mA
    exposure_time: Mapped[float | None] = mapped_column(Double)  # ms
    focal_spot_size: Mapped[float | None] = mapped_column(Double)  # mm
    anode_target_material_id: Mapped[int | None] = code_key()  # CID 10016
    anode_target_material: Mapped[ContextID | None] = coded(anode_target_material_id)
    collimated_field_area: Mapped[float | None] = mapped_column(Double)  # m2
    collimated_field_height: Mapped[float | None] = mapped_column(Double)  # mm
    collimated_field_width: Mapped[float | None] = mapped_column(Double)  # mm
    ii_field_size: Mapped[int | None] = mapped_column(Integer)  # mm
    exposure_control_mode: Mapped[str | None] = mapped_column(CS)
    grid_absorbing_material: Mapped[str | None] = mapped_column(Text)
    grid_spacing_material: Mapped[str | None] = mapped_column(Text)
    grid_thickness: Mapped[float | None] = mapped_column(Double)  # mm
    grid_pitch: Mapped[float | None] = mapped_column(Double)  # mm
    grid_aspect_ratio: Mapped[str | None] = mapped_column(String(64))
    grid_period: Mapped[float | None] = mapped_column(Double)  # ms
    grid_focal_distance: Mapped[float | None] = mapped_column(Double)  # mm

    kvp_set: Mapped[list["Kvp"]] = children("Kvp", "irrad_event_xray_source_data")
    xraytubecurrent_set: Mapped[list["XrayTubeCurrent"]] = children(
        "XrayTubeCurrent", "irrad_event_xray_source_data")
    exposure_set: Mapped[list["Exposure"]] = children(
        "Exposure", "irrad_event_xray_source_data")
    pulsewidth_set: Mapped[list["PulseWidth"]] = children(
        "PulseWidth", "irrad_event_xray_source_data")
    xrayfilters_set: Mapped[list["XrayFilters"]] = children(
        "XrayFilters", "irrad_event_xray_source_data")
    xraygrid_set: Mapped[list["XrayGrid"]] = children(
        "XrayGrid", "irrad_event_xray_source_data")
    deviceparticipant_set: Mapped[list["DeviceParticipant"]] = children(
        "DeviceParticipant", "irrad_event_xray_source_data")


class Kvp(db.Model):
    """KVP (113733) of an irradiation event, in kV; one row per value sent."""

    __tablename__ = "kvp"

    id: Mapped[int] = mapped_column(primary_key=True)
    irrad_event_xray_source_data_id: Mapped[int] = parent_key("irrad_event_xray_source_data")
    irrad_event_xray_source_data: Mapped[IrradEventXRaySourceData] = parent(
        "IrradEventXRaySourceData", "kvp_set")
    kvp: Mapped[float | None] = mapped_column(Double)


class XrayTubeCurrent(db.Model):
    """X-Ray Tube Current (113734) of an irradiation event, in mA."""

    __tablename__ = "xray_tube_current"

    id: Mapped[int] = mapped_column(primary_key=True)
    irrad_event_xray_source_data_id: Mapped[int] = parent_key("irrad_event_xray_source_data")
    irrad_event_xray_source_data: Mapped[IrradEventXRaySourceData] = parent(
        "IrradEventXRaySourceData", "xraytubecurrent_set")
    xray_tube_current: Mapped[float | None] = mapped_column(Double)


class Exposure(db.Model):
    """Exposure (113736) of an irradiation event, in µA·s."""

    __tablename__ = "exposure"

    id: Mapped[int] = mapped_column(primary_key=True)
    irrad_event_xray_source_data_id: Mapped[int] = parent_key("irrad_event_xray_source_data")
    irrad_event_xray_source_data: Mapped[IrradEventXRaySourceData] = parent(
        "IrradEventXRaySourceData", "exposure_set")
    exposure: Mapped[float | None] = mapped_column(Double)


class PulseWidth(db.Model):
    """Pulse Width (113793) of an irradiation event, in ms."""

    __tablename__ = "pulse_width"

    id: Mapped[int] = mapped_column(primary_key=True)
    irrad_event_xray_source_data_id: Mapped[int] = parent_key("irrad_event_xray_source_data")
    irrad_event_xray_source_data: Mapped[IrradEventXRaySourceData] = parent(
        "IrradEventXRaySourceData", "pulsewidth_set")
    pulse_width: Mapped[float | None] = mapped_column(Double)


class XrayFilters(db.Model):
    """X-Ray Filters container (113771): one filter's type, material and thickness (mm)."""

    __tablename__ = "xray_filters"

    id: Mapped[int] = mapped_column(primary_key=True)
    irrad_event_xray_source_data_id: Mapped[int] = parent_key("irrad_event_xray_source_data")
    irrad_event_xray_source_data: Mapped[IrradEventXRaySourceData] = parent(
        "IrradEventXRaySourceData", "xrayfilters_set")
    xray_filter_type_id: Mapped[int | None] = code_key()  # CID 10007
    xray_filter_type: Mapped[ContextID | None] = coded(xray_filter_type_id)
    xray_filter_material_id: Mapped[int | None] = code_key()  # CID 10006
    xray_filter_material: Mapped[ContextID | None] = coded(xray_filter_material_id)
    xray_filter_thickness_minimum: Mapped[float | None] = mapped_column(Double)
    xray_filter_thickness_maximum: Mapped[float | None] = mapped_column(Double)


class XrayGrid(db.Model):
    """X-Ray Grid (CID 10017) of an irradiation event; one row per grid code sent."""

    __tablename__ = "xray_grid"

    id: Mapped[int] = mapped_column(primary_key=True)
    irrad_event_xray_source_data_id: Mapped[int] = parent_key("irrad_event_xray_source_data")
    irrad_event_xray_source_data: Mapped[IrradEventXRaySourceData] = parent(
        "IrradEventXRaySourceData", "xraygrid_set")
    xray_grid_id: Mapped[int | None] = code_key()
    xray_grid: Mapped[ContextID | None] = coded(xray_grid_id)


class IrradEventXRayMechanicalData(db.Model):
    """TID 10003c Irradiation Event X-Ray Mechanical Data: angles (degrees), compression.

    Beyond the template: ``compression_force`` (N) and ``magnification_factor``.
    """

    __tablename__ = "irrad_event_xray_mechanical_data"

    id: Mapped[int] = mapped_column(primary_key=True)
    irrad_event_xray_data_id: Mapped[int] = parent_key("irrad_event_xray_data")
    irrad_event_xray_data: Mapped[IrradEventXRayData] = parent(
        "IrradEventXRayData", "irradeventxraymechanicaldata_set")
    crdr_mechanical_configuration_id: Mapped[int | None] = code_key()  # CID 10031
    crdr_mechanical_configuration: Mapped[ContextID | None] = coded(
        crdr_mechanical_configuration_id)
    positioner_primary_angle: Mapped[float | None] = mapped_column(Double)
    positioner_secondary_angle: Mapped[float | None] = mapped_column(Double)
    positioner_primary_end_angle: Mapped[float | None] = mapped_column(Double)
    positioner_secondary_end_angle: Mapped[float | None] = mapped_column(Double)
    column_angulation: Mapped[float | None] = mapped_column(Double)
    table_head_tilt_angle: Mapped[float | None] = mapped_column(Double)
    table_horizontal_rotation_angle: Mapped[float | None] = mapped_column(Double)
    table_cradle_tilt_angle: Mapped[float | None] = mapped_column(Double)
    compression_thickness: Mapped[float | None] = mapped_column(Double)  # mm
    compression_force: Mapped[float | None] = mapped_column(Double)  # N
    compression_pressure: Mapped[float | None] = mapped_column(Double)
    compression_contact_area: Mapped[float | None] = mapped_column(Double)
    magnification_factor: Mapped[float | None] = mapped_column(Double)

    doserelateddistancemeasurements_set: Mapped[list["DoseRelatedDistanceMeasurements"]] = (
        children("DoseRelatedDistanceMeasurements", "irrad_event_xray_mechanical_data"))


class DoseRelatedDistanceMeasurements(db.Model):
    """Dose Related Distance Measurements (CID 10008) of TID 10003c, all in mm.

    Beyond the template: ``distance_source_to_entrance_surface`` and
    ``radiological_thickness`` from mammography and radiography image headers.
    """

    __tablename__ = "dose_related_distance_measurements"

    id: Mapped[int] = mapped_column(primary_key=True)
    irrad_event_xray_mechanical_data_id: Mapped[int] = parent_key(
        "irrad_event_xray_mechanical_data")
    irrad_event_xray_mechanical_data: Mapped[IrradEventXRayMechanicalData] = parent(
        "IrradEventXRayMechanicalData", "doserelateddistancemeasurements_set")
    distance_source_to_isocenter: Mapped[float | None] = mapped_column(Double)
    distance_source_to_reference_point: Mapped[float | None] = mapped_column(Double)
    distance_source_to_detector: Mapped[float | None] = mapped_column(Double)
    table_longitudinal_position: Mapped[float | None] = mapped_column(Double)
    table_lateral_position: Mapped[float | None] = mapped_column(Double)
    table_height_position: Mapped[float | None] = mapped_column(Double)
    distance_source_to_table_plane: Mapped[float | None] = mapped_column(Double)
    table_longitudinal_end_position: Mapped[float | None] = mapped_column(Double)
    table_lateral_end_position: Mapped[float | None] = mapped_column(Double)
    table_height_end_position: Mapped[float | None] = mapped_column(Double)
    distance_source_to_entrance_surface: Mapped[float | None] = mapped_column(Double)
    radiological_thickness: Mapped[float | None] = mapped_column(Double)
