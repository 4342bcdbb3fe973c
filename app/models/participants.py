"""Observers and participants: TID 1002 Observer Context, TID 1021 Device Participant and
TID 1020 Person Participant (PS3.16).

These templates are included from several dose templates, so each table has one nullable
foreign key per possible owner; exactly one is set on any row. ``legacy_is_orphan`` makes a
row an orphan only when it has no owner at all, rather than when any one owner is missing.
"""
from sqlalchemy import Boolean, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .codes import ContextID
from .columns import CS, LO, PN, UI, code_key, coded, parent, parent_key


class ObserverContext(db.Model):
    """TID 1002 Observer Context: the person or device that recorded the report.

    ``radiopharmaceutical_administration_is_pre_observer`` tells the observer of the activity
    measured before administration (True) from the one after it (False) in TID 10022.
    """

    __tablename__ = "observer_context"
    __mapper_args__ = {"legacy_is_orphan": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    ct_radiation_dose_id: Mapped[int | None] = parent_key("ct_radiation_dose", nullable=True)
    ct_radiation_dose: Mapped["CtRadiationDose | None"] = parent(
        "CtRadiationDose", "observercontext_set")
    projection_xray_radiation_dose_id: Mapped[int | None] = parent_key(
        "projection_xray_radiation_dose", nullable=True)
    projection_xray_radiation_dose: Mapped["ProjectionXRayRadiationDose | None"] = parent(
        "ProjectionXRayRadiationDose", "observercontext_set")
    radiopharmaceutical_administration_event_data_id: Mapped[int | None] = parent_key(
        "radiopharmaceutical_administration_event_data", nullable=True)
    radiopharmaceutical_administration_event_data: Mapped[
        "RadiopharmaceuticalAdministrationEventData | None"] = parent(
        "RadiopharmaceuticalAdministrationEventData", "observercontext_set")

    radiopharmaceutical_administration_is_pre_observer: Mapped[bool | None] = mapped_column(
        Boolean)
    observer_type_id: Mapped[int | None] = code_key()  # CID 270
    observer_type: Mapped[ContextID | None] = coded(observer_type_id)
    person_observer_name: Mapped[str | None] = mapped_column(PN)
    person_observer_organization_name: Mapped[str | None] = mapped_column(LO)
    person_observer_role_in_organization_id: Mapped[int | None] = code_key()  # CID 7452
    person_observer_role_in_organization: Mapped[ContextID | None] = coded(
        person_observer_role_in_organization_id)
    person_observer_role_in_procedure_id: Mapped[int | None] = code_key()  # CID 7453
    person_observer_role_in_procedure: Mapped[ContextID | None] = coded(
        person_observer_role_in_procedure_id)
    device_observer_uid: Mapped[str | None] = mapped_column(UI, index=True)
    device_observer_name: Mapped[str | None] = mapped_column(LO)
    device_observer_manufacturer: Mapped[str | None] = mapped_column(LO)
    device_observer_model_name: Mapped[str | None] = mapped_column(LO)
    device_observer_serial_number: Mapped[str | None] = mapped_column(LO)
    device_observer_physical_location_during_observation: Mapped[str | None] = mapped_column(
        Text)
    device_role_in_procedure_id: Mapped[int | None] = code_key()  # CID 7445
    device_role_in_procedure: Mapped[ContextID | None] = coded(device_role_in_procedure_id)


class DeviceParticipant(db.Model):
    """TID 1021 Device Participant: a device taking part, e.g. the irradiating device."""

    __tablename__ = "device_participant"
    __mapper_args__ = {"legacy_is_orphan": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    accum_xray_dose_id: Mapped[int | None] = parent_key("accum_xray_dose", nullable=True)
    accum_xray_dose: Mapped["AccumXRayDose | None"] = parent(
        "AccumXRayDose", "deviceparticipant_set")
    irrad_event_xray_detector_data_id: Mapped[int | None] = parent_key(
        "irrad_event_xray_detector_data", nullable=True)
    irrad_event_xray_detector_data: Mapped["IrradEventXRayDetectorData | None"] = parent(
        "IrradEventXRayDetectorData", "deviceparticipant_set")
    irrad_event_xray_source_data_id: Mapped[int | None] = parent_key(
        "irrad_event_xray_source_data", nullable=True)
    irrad_event_xray_source_data: Mapped["IrradEventXRaySourceData | None"] = parent(
        "IrradEventXRaySourceData", "deviceparticipant_set")
    ct_accumulated_dose_data_id: Mapped[int | None] = parent_key(
        "ct_accumulated_dose_data", nullable=True)
    ct_accumulated_dose_data: Mapped["CtAccumulatedDoseData | None"] = parent(
        "CtAccumulatedDoseData", "deviceparticipant_set")
    ct_irradiation_event_data_id: Mapped[int | None] = parent_key(
        "ct_irradiation_event_data", nullable=True)
    ct_irradiation_event_data: Mapped["CtIrradiationEventData | None"] = parent(
        "CtIrradiationEventData", "deviceparticipant_set")

    device_role_in_procedure_id: Mapped[int | None] = code_key()  # CID 7445
    device_role_in_procedure: Mapped[ContextID | None] = coded(device_role_in_procedure_id)
    device_name: Mapped[str | None] = mapped_column(LO)
    device_manufacturer: Mapped[str | None] = mapped_column(LO)
    device_model_name: Mapped[str | None] = mapped_column(LO)
    device_serial_number: Mapped[str | None] = mapped_column(LO)
    device_observer_uid: Mapped[str | None] = mapped_column(UI)


class PersonParticipant(db.Model):
    """TID 1020 Person Participant: a person taking part, e.g. the one who irradiated.

    On a CT dose check the person who authorised proceeding is linked through
    ``ct_dose_check_details_alert`` or ``ct_dose_check_details_notification``.
    ``person_role_in_procedure`` and ``person_role_in_organization`` are free-text forms kept
    for OpenREM parity; the coded forms are the ``*_cid`` fields.
    """

    __tablename__ = "person_participant"
    __mapper_args__ = {"legacy_is_orphan": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    projection_xray_radiation_dose_id: Mapped[int | None] = parent_key(
        "projection_xray_radiation_dose", nullable=True)
    projection_xray_radiation_dose: Mapped["ProjectionXRayRadiationDose | None"] = parent(
        "ProjectionXRayRadiationDose", "personparticipant_set")
    ct_radiation_dose_id: Mapped[int | None] = parent_key("ct_radiation_dose", nullable=True)
    ct_radiation_dose: Mapped["CtRadiationDose | None"] = parent(
        "CtRadiationDose", "personparticipant_set")
    irrad_event_xray_data_id: Mapped[int | None] = parent_key(
        "irrad_event_xray_data", nullable=True)
    irrad_event_xray_data: Mapped["IrradEventXRayData | None"] = parent(
        "IrradEventXRayData", "personparticipant_set")
    ct_accumulated_dose_data_id: Mapped[int | None] = parent_key(
        "ct_accumulated_dose_data", nullable=True)
    ct_accumulated_dose_data: Mapped["CtAccumulatedDoseData | None"] = parent(
        "CtAccumulatedDoseData", "personparticipant_set")
    ct_irradiation_event_data_id: Mapped[int | None] = parent_key(
        "ct_irradiation_event_data", nullable=True)
    ct_irradiation_event_data: Mapped["CtIrradiationEventData | None"] = parent(
        "CtIrradiationEventData", "personparticipant_set")
    radiopharmaceutical_administration_event_data_id: Mapped[int | None] = parent_key(
        "radiopharmaceutical_administration_event_data", nullable=True)
    radiopharmaceutical_administration_event_data: Mapped[
        "RadiopharmaceuticalAdministrationEventData | None"] = parent(
        "RadiopharmaceuticalAdministrationEventData", "personparticipant_set")
    ct_dose_check_details_alert_id: Mapped[int | None] = parent_key(
        "ct_dose_check_details", nullable=True)
    ct_dose_check_details_alert: Mapped["CtDoseCheckDetails | None"] = parent(
        "CtDoseCheckDetails", "tid1020_alert", foreign_keys=[ct_dose_check_details_alert_id])
    ct_dose_check_details_notification_id: Mapped[int | None] = parent_key(
        "ct_dose_check_details", nullable=True)
    ct_dose_check_details_notification: Mapped["CtDoseCheckDetails | None"] = parent(
        "CtDoseCheckDetails", "tid1020_notification",
        foreign_keys=[ct_dose_check_details_notification_id])

    person_name: Mapped[str | None] = mapped_column(PN)
    person_role_in_procedure: Mapped[str | None] = mapped_column(CS)
    person_role_in_procedure_cid_id: Mapped[int | None] = code_key()
    person_role_in_procedure_cid: Mapped[ContextID | None] = coded(
        person_role_in_procedure_cid_id)
    person_id: Mapped[str | None] = mapped_column(LO)
    person_id_issuer: Mapped[str | None] = mapped_column(LO)
    organization_name: Mapped[str | None] = mapped_column(LO)
    person_role_in_organization: Mapped[str | None] = mapped_column(Text)
    person_role_in_organization_cid_id: Mapped[int | None] = code_key()  # CID 7452
    person_role_in_organization_cid: Mapped[ContextID | None] = coded(
        person_role_in_organization_cid_id)
