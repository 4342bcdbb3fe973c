"""CT dose: TID 10011 CT Radiation Dose and its sub-templates (PS3.16).

TID 10011 (CtRadiationDose) holds TID 10012 accumulated data (CtAccumulatedDoseData) and one
TID 10013 irradiation event (CtIrradiationEventData) per acquisition, each with its X-ray
source parameters, TID 10014 scanning length, size-specific dose estimation and TID 10015
dose check details.

``total_number_of_irradiation_events`` and ``number_of_xray_sources`` are counts and stored as
integers, although OpenREM's reference dumps show them as decimal strings.
"""
import datetime

from sqlalchemy import Boolean, DateTime, Double, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .codes import ContextID
from .columns import LO, UI, children, code_key, coded, parent, parent_key


class CtRadiationDose(db.Model):
    """TID 10011 CT Radiation Dose: the root of one CT dose report."""

    __tablename__ = "ct_radiation_dose"

    id: Mapped[int] = mapped_column(primary_key=True)
    general_study_module_attr_id: Mapped[int] = parent_key("general_study_module_attr")
    general_study_module_attr: Mapped["GeneralStudyModuleAttr"] = parent(
        "GeneralStudyModuleAttr", "ctradiationdose_set")
    procedure_reported_id: Mapped[int | None] = code_key()
    procedure_reported: Mapped[ContextID | None] = coded(procedure_reported_id)
    has_intent_id: Mapped[int | None] = code_key()  # CID 3629
    has_intent: Mapped[ContextID | None] = coded(has_intent_id)
    start_of_xray_irradiation: Mapped[datetime.datetime | None] = mapped_column(DateTime)
    end_of_xray_irradiation: Mapped[datetime.datetime | None] = mapped_column(DateTime)
    scope_of_accumulation_id: Mapped[int | None] = code_key()  # CID 10000
    scope_of_accumulation: Mapped[ContextID | None] = coded(scope_of_accumulation_id)
    uid_type_id: Mapped[int | None] = code_key()  # CID 10001
    uid_type: Mapped[ContextID | None] = coded(uid_type_id)
    comment: Mapped[str | None] = mapped_column(Text)
    # The first Source of Dose Information; all of them are in sourceofctdoseinformation_set.
    source_of_dose_information_id: Mapped[int | None] = code_key()  # CID 10021
    source_of_dose_information: Mapped[ContextID | None] = coded(source_of_dose_information_id)

    ctaccumulateddosedata_set: Mapped[list["CtAccumulatedDoseData"]] = children(
        "CtAccumulatedDoseData", "ct_radiation_dose")
    ctirradiationeventdata_set: Mapped[list["CtIrradiationEventData"]] = children(
        "CtIrradiationEventData", "ct_radiation_dose")
    sourceofctdoseinformation_set: Mapped[list["SourceOfCTDoseInformation"]] = children(
        "SourceOfCTDoseInformation", "ct_radiation_dose")
    observercontext_set: Mapped[list["ObserverContext"]] = children(
        "ObserverContext", "ct_radiation_dose")
    personparticipant_set: Mapped[list["PersonParticipant"]] = children(
        "PersonParticipant", "ct_radiation_dose")


class SourceOfCTDoseInformation(db.Model):
    """One Source of Dose Information (CID 10021) of a CT dose report; the item may repeat."""

    __tablename__ = "source_of_ct_dose_information"

    id: Mapped[int] = mapped_column(primary_key=True)
    ct_radiation_dose_id: Mapped[int] = parent_key("ct_radiation_dose")
    ct_radiation_dose: Mapped[CtRadiationDose] = parent(
        "CtRadiationDose", "sourceofctdoseinformation_set")
    source_of_dose_information_id: Mapped[int | None] = code_key()
    source_of_dose_information: Mapped[ContextID | None] = coded(source_of_dose_information_id)


class CtAccumulatedDoseData(db.Model):
    """TID 10012 CT Accumulated Dose Data: totals over the scope of accumulation."""

    __tablename__ = "ct_accumulated_dose_data"

    id: Mapped[int] = mapped_column(primary_key=True)
    ct_radiation_dose_id: Mapped[int] = parent_key("ct_radiation_dose")
    ct_radiation_dose: Mapped[CtRadiationDose] = parent(
        "CtRadiationDose", "ctaccumulateddosedata_set")
    total_number_of_irradiation_events: Mapped[int | None] = mapped_column(Integer)
    ct_dose_length_product_total: Mapped[float | None] = mapped_column(Double)  # mGy.cm
    ct_effective_dose_total: Mapped[float | None] = mapped_column(Double)  # mSv
    reference_authority_code_id: Mapped[int | None] = code_key()  # CID 10015
    reference_authority_code: Mapped[ContextID | None] = coded(reference_authority_code_id)
    reference_authority_text: Mapped[str | None] = mapped_column(Text)
    measurement_method_id: Mapped[int | None] = code_key()  # CID 10011
    measurement_method: Mapped[ContextID | None] = coded(measurement_method_id)
    patient_model: Mapped[str | None] = mapped_column(Text)
    effective_dose_phantom_type: Mapped[str | None] = mapped_column(Text)
    dosimeter_type: Mapped[str | None] = mapped_column(Text)
    comment: Mapped[str | None] = mapped_column(Text)

    deviceparticipant_set: Mapped[list["DeviceParticipant"]] = children(
        "DeviceParticipant", "ct_accumulated_dose_data")
    personparticipant_set: Mapped[list["PersonParticipant"]] = children(
        "PersonParticipant", "ct_accumulated_dose_data")


class CtIrradiationEventData(db.Model):
    """TID 10013 CT Irradiation Event Data: one acquisition (a scan, a localizer).

    Beyond the template: ``date_time_started`` and ``series_description``, and the SSDE
    Kerma computes (``ssde``, ``ssde_method``, ``ssde_diameter``; docs/ssde.md).
    """

    __tablename__ = "ct_irradiation_event_data"

    id: Mapped[int] = mapped_column(primary_key=True)
    ct_radiation_dose_id: Mapped[int] = parent_key("ct_radiation_dose")
    ct_radiation_dose: Mapped[CtRadiationDose] = parent(
        "CtRadiationDose", "ctirradiationeventdata_set")
    acquisition_protocol: Mapped[str | None] = mapped_column(Text)
    target_region_id: Mapped[int | None] = code_key()  # CID 4030
    target_region: Mapped[ContextID | None] = coded(target_region_id)
    ct_acquisition_type_id: Mapped[int | None] = code_key()  # CID 10013
    ct_acquisition_type: Mapped[ContextID | None] = coded(ct_acquisition_type_id)
    procedure_context_id: Mapped[int | None] = code_key()  # CID 10014
    procedure_context: Mapped[ContextID | None] = coded(procedure_context_id)
    irradiation_event_uid: Mapped[str | None] = mapped_column(UI, index=True)
    irradiation_event_label: Mapped[str | None] = mapped_column(LO)
    label_type_id: Mapped[int | None] = code_key()  # CID 10022
    label_type: Mapped[ContextID | None] = coded(label_type_id)
    exposure_time: Mapped[float | None] = mapped_column(Double)  # s
    nominal_single_collimation_width: Mapped[float | None] = mapped_column(Double)  # mm
    nominal_total_collimation_width: Mapped[float | None] = mapped_column(Double)  # mm
    pitch_factor: Mapped[float | None] = mapped_column(Double)
    number_of_xray_sources: Mapped[int | None] = mapped_column(Integer)
    mean_ctdivol: Mapped[float | None] = mapped_column(Double)  # mGy
    ctdiw_phantom_type_id: Mapped[int | None] = code_key()  # CID 4052
    ctdiw_phantom_type: Mapped[ContextID | None] = coded(ctdiw_phantom_type_id)
    ctdifreeair_calculation_factor: Mapped[float | None] = mapped_column(Double)  # mGy/mAs
    mean_ctdifreeair: Mapped[float | None] = mapped_column(Double)  # mGy
    dlp: Mapped[float | None] = mapped_column(Double)  # mGy.cm
    effective_dose: Mapped[float | None] = mapped_column(Double)  # mSv
    measurement_method_id: Mapped[int | None] = code_key()  # CID 10011
    measurement_method: Mapped[ContextID | None] = coded(measurement_method_id)
    effective_dose_conversion_factor: Mapped[float | None] = mapped_column(Double)  # mSv/mGy.cm
    xray_modulation_type: Mapped[str | None] = mapped_column(LO)
    comment: Mapped[str | None] = mapped_column(Text)
    date_time_started: Mapped[datetime.datetime | None] = mapped_column(DateTime)
    series_description: Mapped[str | None] = mapped_column(Text)
    # Kerma's own size-specific dose estimate (AAPM Reports 204 and 220, app/ssde): the value,
    # how the patient size was found (app.ssde.aapm.METHODS) and the diameter used.
    ssde: Mapped[float | None] = mapped_column(Double)  # mGy
    ssde_method: Mapped[str | None] = mapped_column(String(32))
    ssde_diameter: Mapped[float | None] = mapped_column(Double)  # mm

    ctxraysourceparameters_set: Mapped[list["CtXRaySourceParameters"]] = children(
        "CtXRaySourceParameters", "ct_irradiation_event_data")
    scanninglength_set: Mapped[list["ScanningLength"]] = children(
        "ScanningLength", "ct_irradiation_event_data")
    ctreconstructionalgorithm_set: Mapped[list["CtReconstructionAlgorithm"]] = children(
        "CtReconstructionAlgorithm", "ct_irradiation_event_data")
    sizespecificdoseestimation_set: Mapped[list["SizeSpecificDoseEstimation"]] = children(
        "SizeSpecificDoseEstimation", "ct_irradiation_event_data")
    ctdosecheckdetails_set: Mapped[list["CtDoseCheckDetails"]] = children(
        "CtDoseCheckDetails", "ct_irradiation_event_data")
    deviceparticipant_set: Mapped[list["DeviceParticipant"]] = children(
        "DeviceParticipant", "ct_irradiation_event_data")
    personparticipant_set: Mapped[list["PersonParticipant"]] = children(
        "PersonParticipant", "ct_irradiation_event_data")


class CtReconstructionAlgorithm(db.Model):
    """A reconstruction algorithm (CID 10033) used for images from a CT irradiation event."""

    __tablename__ = "ct_reconstruction_algorithm"

    id: Mapped[int] = mapped_column(primary_key=True)
    ct_irradiation_event_data_id: Mapped[int] = parent_key("ct_irradiation_event_data")
    ct_irradiation_event_data: Mapped[CtIrradiationEventData] = parent(
        "CtIrradiationEventData", "ctreconstructionalgorithm_set")
    reconstruction_algorithm_id: Mapped[int | None] = code_key()
    reconstruction_algorithm: Mapped[ContextID | None] = coded(reconstruction_algorithm_id)


class CtXRaySourceParameters(db.Model):
    """CT X-Ray Source Parameters container of TID 10013: one per X-ray source (tube)."""

    __tablename__ = "ct_xray_source_parameters"

    id: Mapped[int] = mapped_column(primary_key=True)
    ct_irradiation_event_data_id: Mapped[int] = parent_key("ct_irradiation_event_data")
    ct_irradiation_event_data: Mapped[CtIrradiationEventData] = parent(
        "CtIrradiationEventData", "ctxraysourceparameters_set")
    identification_of_the_xray_source: Mapped[str | None] = mapped_column(LO)
    kvp: Mapped[float | None] = mapped_column(Double)  # kV
    maximum_xray_tube_current: Mapped[float | None] = mapped_column(Double)  # mA
    xray_tube_current: Mapped[float | None] = mapped_column(Double)  # mA
    exposure_time_per_rotation: Mapped[float | None] = mapped_column(Double)  # s
    xray_filter_aluminum_equivalent: Mapped[float | None] = mapped_column(Double)  # mm


class ScanningLength(db.Model):
    """TID 10014 Scanning Length: scanned and reconstructable lengths and z positions (mm)."""

    __tablename__ = "scanning_length"

    id: Mapped[int] = mapped_column(primary_key=True)
    ct_irradiation_event_data_id: Mapped[int] = parent_key("ct_irradiation_event_data")
    ct_irradiation_event_data: Mapped[CtIrradiationEventData] = parent(
        "CtIrradiationEventData", "scanninglength_set")
    scanning_length: Mapped[float | None] = mapped_column(Double)
    length_of_reconstructable_volume: Mapped[float | None] = mapped_column(Double)
    exposed_range: Mapped[float | None] = mapped_column(Double)
    top_z_location_of_reconstructable_volume: Mapped[float | None] = mapped_column(Double)
    bottom_z_location_of_reconstructable_volume: Mapped[float | None] = mapped_column(Double)
    top_z_location_of_scanning_length: Mapped[float | None] = mapped_column(Double)
    bottom_z_location_of_scanning_length: Mapped[float | None] = mapped_column(Double)
    frame_of_reference_uid: Mapped[str | None] = mapped_column(UI)


class SizeSpecificDoseEstimation(db.Model):
    """Size-specific dose estimation of TID 10013: SSDE and the patient size it is based on.

    ``size_specific_dose_estimate`` (113930, mGy) is the SSDE value itself; the dimensions
    and water-equivalent diameter are in mm.
    """

    __tablename__ = "size_specific_dose_estimation"

    id: Mapped[int] = mapped_column(primary_key=True)
    ct_irradiation_event_data_id: Mapped[int] = parent_key("ct_irradiation_event_data")
    ct_irradiation_event_data: Mapped[CtIrradiationEventData] = parent(
        "CtIrradiationEventData", "sizespecificdoseestimation_set")
    size_specific_dose_estimate: Mapped[float | None] = mapped_column(Double)  # mGy
    measurement_method_id: Mapped[int | None] = code_key()  # CID 10023
    measurement_method: Mapped[ContextID | None] = coded(measurement_method_id)
    measured_lateral_dimension: Mapped[float | None] = mapped_column(Double)
    measured_ap_dimension: Mapped[float | None] = mapped_column(Double)
    derived_effective_diameter: Mapped[float | None] = mapped_column(Double)
    water_equivalent_diameter: Mapped[float | None] = mapped_column(Double)
    water_equivalent_diameter_method_id: Mapped[int | None] = code_key()  # CID 10024
    water_equivalent_diameter_method: Mapped[ContextID | None] = coded(
        water_equivalent_diameter_method_id)
    wed_estimate_location_z: Mapped[float | None] = mapped_column(Double)

    wedseriesorinstances_set: Mapped[list["WEDSeriesOrInstances"]] = children(
        "WEDSeriesOrInstances", "size_specific_dose_estimation")


class WEDSeriesOrInstances(db.Model):
    """A series or instance UID used to estimate the water-equivalent diameter."""

    __tablename__ = "wed_series_or_instances"

    id: Mapped[int] = mapped_column(primary_key=True)
    size_specific_dose_estimation_id: Mapped[int] = parent_key("size_specific_dose_estimation")
    size_specific_dose_estimation: Mapped[SizeSpecificDoseEstimation] = parent(
        "SizeSpecificDoseEstimation", "wedseriesorinstances_set")
    wed_series_or_instance: Mapped[str | None] = mapped_column(UI)


class CtDoseCheckDetails(db.Model):
    """TID 10015 CT Dose Check Details (NEMA XR 25): alert and notification values.

    The persons who authorised proceeding past an alert or a notification are
    ``PersonParticipant`` rows in ``tid1020_alert`` and ``tid1020_notification``.
    """

    __tablename__ = "ct_dose_check_details"

    id: Mapped[int] = mapped_column(primary_key=True)
    ct_irradiation_event_data_id: Mapped[int] = parent_key("ct_irradiation_event_data")
    ct_irradiation_event_data: Mapped[CtIrradiationEventData] = parent(
        "CtIrradiationEventData", "ctdosecheckdetails_set")
    dlp_alert_value_configured: Mapped[bool | None] = mapped_column(Boolean)
    ctdivol_alert_value_configured: Mapped[bool | None] = mapped_column(Boolean)
    dlp_alert_value: Mapped[float | None] = mapped_column(Double)  # mGy.cm
    ctdivol_alert_value: Mapped[float | None] = mapped_column(Double)  # mGy
    accumulated_dlp_forward_estimate: Mapped[float | None] = mapped_column(Double)  # mGy.cm
    accumulated_ctdivol_forward_estimate: Mapped[float | None] = mapped_column(Double)  # mGy
    # "alert_"/"notification_" prefixes tell apart two items of the same name in the template.
    alert_reason_for_proceeding: Mapped[str | None] = mapped_column(Text)
    dlp_notification_value_configured: Mapped[bool | None] = mapped_column(Boolean)
    ctdivol_notification_value_configured: Mapped[bool | None] = mapped_column(Boolean)
    dlp_notification_value: Mapped[float | None] = mapped_column(Double)  # mGy.cm
    ctdivol_notification_value: Mapped[float | None] = mapped_column(Double)  # mGy
    dlp_forward_estimate: Mapped[float | None] = mapped_column(Double)  # mGy.cm
    ctdivol_forward_estimate: Mapped[float | None] = mapped_column(Double)  # mGy
    notification_reason_for_proceeding: Mapped[str | None] = mapped_column(Text)

    tid1020_alert: Mapped[list["PersonParticipant"]] = relationship(
        "PersonParticipant",
        back_populates="ct_dose_check_details_alert",
        foreign_keys="PersonParticipant.ct_dose_check_details_alert_id",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="PersonParticipant.id",
    )
    tid1020_notification: Mapped[list["PersonParticipant"]] = relationship(
        "PersonParticipant",
        back_populates="ct_dose_check_details_notification",
        foreign_keys="PersonParticipant.ct_dose_check_details_notification_id",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="PersonParticipant.id",
    )
