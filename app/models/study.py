"""Study, patient and equipment: the DICOM General Study, Patient, Patient Study and General
Equipment modules (PS3.3 C.7.2.1, C.7.1.1, C.7.2.2, C.7.5.1), plus the equipment identity
table that gives each device its display name and the list of objects already imported.

Every study tree hangs from ``GeneralStudyModuleAttr``; its ``<child>_set`` collections hold
the per-template roots (``ctradiationdose_set``, ``projectionxrayradiationdose_set``,
``radiopharmaceuticalradiationdose_set``) and the module rows.
"""
import datetime

from sqlalchemy import Boolean, Date, DateTime, Double, ForeignKey, Index, Integer, Text, Time
from sqlalchemy import UniqueConstraint, false, func, literal, text
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship

from ..extensions import db
from .columns import CS, HASH, LO, PN, SH, UI, children, parent, parent_key

# The date OpenREM puts in front of the study time so a chart can plot time of day.
_WORKLOAD_CHART_DATE = datetime.date(1900, 1, 1)


class GeneralStudyModuleAttr(db.Model):
    """One study: General Study Module attributes plus Kerma's study-level summary fields.

    Beyond the module: performing physician and operator names, ``modality_type`` (CT, RF, MG,
    DX, CR, PX, NM), the procedure and requested-procedure codes, the series and content times
    used to tell cumulative dose reports apart, and the summary fields filled at import
    (docs/data-model.md defines each one).
    """

    __tablename__ = "general_study_module_attr"
    __table_args__ = (
        # Modality lists filter on modality and sort newest first; with the id, the system
        # and the test-data mark in the index too, list counts, charts and DRL medians of a
        # modality's studies read the index alone, not the wide study rows.
        Index(
            "ix_general_study_module_attr_modality_date_time",
            "modality_type", "study_date", "study_time", "id", "unique_equipment_name_id",
            "not_patient",
        ),
        # A list of several modality types (radiography is DX, CR and PX) cannot read the
        # index above in date order; newest first, the database walks this one backwards
        # and skips the other modalities' studies.
        Index("ix_general_study_module_attr_date_time", "study_date", "study_time", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    study_instance_uid: Mapped[str | None] = mapped_column(UI, index=True)
    study_date: Mapped[datetime.date | None] = mapped_column(Date)
    study_time: Mapped[datetime.time | None] = mapped_column(Time)
    referring_physician_name: Mapped[str | None] = mapped_column(PN)
    referring_physician_identification: Mapped[str | None] = mapped_column(LO)
    study_id: Mapped[str | None] = mapped_column(SH)
    # Room for an accession number or its SHA-256 hex digest.
    accession_number: Mapped[str | None] = mapped_column(LO, index=True)
    accession_hashed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    study_description: Mapped[str | None] = mapped_column(Text)
    physician_of_record: Mapped[str | None] = mapped_column(PN)
    name_of_physician_reading_study: Mapped[str | None] = mapped_column(PN)
    performing_physician_name: Mapped[str | None] = mapped_column(PN)
    operator_name: Mapped[str | None] = mapped_column(PN)
    modality_type: Mapped[str | None] = mapped_column(CS)
    procedure_code_value: Mapped[str | None] = mapped_column(LO)
    procedure_code_meaning: Mapped[str | None] = mapped_column(LO)
    requested_procedure_code_value: Mapped[str | None] = mapped_column(LO)
    requested_procedure_code_meaning: Mapped[str | None] = mapped_column(LO)
    series_instance_uid: Mapped[str | None] = mapped_column(UI)
    series_time: Mapped[datetime.time | None] = mapped_column(Time)
    content_time: Mapped[datetime.time | None] = mapped_column(Time)

    # Summary fields, filled at import (definitions in docs/data-model.md).
    number_of_events: Mapped[int | None] = mapped_column(Integer)
    number_of_events_a: Mapped[int | None] = mapped_column(Integer)
    number_of_events_b: Mapped[int | None] = mapped_column(Integer)
    number_of_axial: Mapped[int | None] = mapped_column(Integer)
    number_of_spiral: Mapped[int | None] = mapped_column(Integer)
    number_of_stationary: Mapped[int | None] = mapped_column(Integer)
    number_of_const_angle: Mapped[int | None] = mapped_column(Integer)
    total_dlp: Mapped[float | None] = mapped_column(Double)
    #: The highest SSDE (mGy) of the study's CT events, where a query asks for it
    #: (``app.modalities.loading.SSDE_VALUES``); None otherwise.
    highest_ssde: Mapped[float | None] = query_expression()
    #: The peak skin dose (Gy) of the study's skin dose map, where a query asks for it
    #: (``app.modalities.loading.SKIN_DOSE``); None otherwise.
    peak_skin_dose: Mapped[float | None] = query_expression()
    total_dap_a: Mapped[float | None] = mapped_column(Double)
    total_dap_b: Mapped[float | None] = mapped_column(Double)
    total_dap: Mapped[float | None] = mapped_column(Double)
    total_rp_dose_a: Mapped[float | None] = mapped_column(Double)
    total_rp_dose_b: Mapped[float | None] = mapped_column(Double)
    total_dap_delta_weeks: Mapped[float | None] = mapped_column(Double)
    total_rp_dose_delta_weeks: Mapped[float | None] = mapped_column(Double)
    total_agd_left: Mapped[float | None] = mapped_column(Double)
    total_agd_right: Mapped[float | None] = mapped_column(Double)
    total_agd_both: Mapped[float | None] = mapped_column(Double)
    number_of_planes: Mapped[int | None] = mapped_column(Integer)
    # The study's system: the id of its lowest device identity (UniqueEquipmentNames), as the
    # tally counts it. Set at import so that charts and DRL comparisons split per system
    # without reading equipment rows. A plain column, as the tally's: identities are never
    # deleted, and SQLite can add it to a stored database in place.
    unique_equipment_name_id: Mapped[int | None] = mapped_column(Integer)
    # The modality type the device sent, kept when a user-defined modality of one of its
    # devices replaced ``modality_type``; NULL when nothing was replaced. Clearing the
    # override puts it back (app/equipment/identities.py).
    modality_type_as_sent: Mapped[str | None] = mapped_column(CS)
    # Whether the study's Patient Module row carries a not-patient indicator (a possible
    # test or QA object): kept with the study, as the summary fields are, so that the lists'
    # default "no test data" filter reads the modality index instead of joining the patient
    # rows. Set at import and by re-evaluation (app/patients/indicators.py).
    not_patient: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    patientmoduleattr_set: Mapped[list["PatientModuleAttr"]] = children(
        "PatientModuleAttr", "general_study_module_attr")
    patientstudymoduleattr_set: Mapped[list["PatientStudyModuleAttr"]] = children(
        "PatientStudyModuleAttr", "general_study_module_attr")
    generalequipmentmoduleattr_set: Mapped[list["GeneralEquipmentModuleAttr"]] = children(
        "GeneralEquipmentModuleAttr", "general_study_module_attr")
    objectuidsprocessed_set: Mapped[list["ObjectUIDsProcessed"]] = children(
        "ObjectUIDsProcessed", "general_study_module_attr")
    ctradiationdose_set: Mapped[list["CtRadiationDose"]] = children(
        "CtRadiationDose", "general_study_module_attr")
    projectionxrayradiationdose_set: Mapped[list["ProjectionXRayRadiationDose"]] = children(
        "ProjectionXRayRadiationDose", "general_study_module_attr")
    radiopharmaceuticalradiationdose_set: Mapped[list["RadiopharmaceuticalRadiationDose"]] = (
        children("RadiopharmaceuticalRadiationDose", "general_study_module_attr"))

    @property
    def study_workload_chart_time(self) -> datetime.datetime | None:
        """The study time on 1900-01-01, for time-of-day charts (derived, not stored)."""
        if self.study_time is None:
            return None
        return datetime.datetime.combine(_WORKLOAD_CHART_DATE, self.study_time)

    def __repr__(self):
        return f"<GeneralStudyModuleAttr {self.id} {self.modality_type} {self.study_instance_uid}>"


class PatientModuleAttr(db.Model):
    """Patient Module: name, ID, birth date and sex as the patient-identifier settings allow.

    ``name_hashed``/``id_hashed`` record that the stored value is a SHA-256 digest;
    ``not_patient_indicator`` names the pattern that marked the study as a test or QA object.
    """

    __tablename__ = "patient_module_attr"
    __table_args__ = (
        # Lists, charts and exports leave test studies out by default: the few marked ones
        # are found in this small index instead of by reading every patient row.
        Index("ix_patient_module_attr_not_patient", "general_study_module_attr_id",
              postgresql_where=text("not_patient_indicator IS NOT NULL"),
              sqlite_where=text("not_patient_indicator IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    general_study_module_attr_id: Mapped[int] = parent_key("general_study_module_attr")
    general_study_module_attr: Mapped[GeneralStudyModuleAttr] = parent(
        "GeneralStudyModuleAttr", "patientmoduleattr_set")
    patient_name: Mapped[str | None] = mapped_column(PN)
    name_hashed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    patient_id: Mapped[str | None] = mapped_column(LO, index=True)
    id_hashed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    patient_birth_date: Mapped[datetime.date | None] = mapped_column(Date)
    patient_sex: Mapped[str | None] = mapped_column(CS)
    other_patient_ids: Mapped[str | None] = mapped_column(Text)
    not_patient_indicator: Mapped[str | None] = mapped_column(Text)


class PatientStudyModuleAttr(db.Model):
    """Patient Study Module: the patient at the time of the study (age, height, weight)."""

    __tablename__ = "patient_study_module_attr"

    id: Mapped[int] = mapped_column(primary_key=True)
    general_study_module_attr_id: Mapped[int] = parent_key("general_study_module_attr")
    general_study_module_attr: Mapped[GeneralStudyModuleAttr] = parent(
        "GeneralStudyModuleAttr", "patientstudymoduleattr_set")
    admitting_diagnosis_description: Mapped[str | None] = mapped_column(Text)
    admitting_diagnosis_code_sequence: Mapped[str | None] = mapped_column(Text)
    # Age String as sent, e.g. "042Y".
    patient_age: Mapped[str | None] = mapped_column(CS)
    patient_age_decimal: Mapped[float | None] = mapped_column(Double)  # years
    patient_size: Mapped[float | None] = mapped_column(Double)  # m
    patient_weight: Mapped[float | None] = mapped_column(Double)  # kg


class GeneralEquipmentModuleAttr(db.Model):
    """General Equipment Module: the device that produced the object, as sent.

    ``unique_equipment_name`` links the row to the device identity that carries its display
    name and any user-defined modality.
    """

    __tablename__ = "general_equipment_module_attr"
    __table_args__ = (
        # The display-name filter of every list asks, per study, whether one of its devices
        # is among the chosen identities: with both columns in one index the database answers
        # from the index alone (docs/performance.md).
        Index(
            "ix_general_equipment_module_attr_study_identity",
            "general_study_module_attr_id", "unique_equipment_name_id",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    general_study_module_attr_id: Mapped[int] = parent_key("general_study_module_attr")
    general_study_module_attr: Mapped[GeneralStudyModuleAttr] = parent(
        "GeneralStudyModuleAttr", "generalequipmentmoduleattr_set")
    manufacturer: Mapped[str | None] = mapped_column(LO)
    institution_name: Mapped[str | None] = mapped_column(LO)
    institution_address: Mapped[str | None] = mapped_column(Text)
    station_name: Mapped[str | None] = mapped_column(LO)
    institutional_department_name: Mapped[str | None] = mapped_column(LO)
    manufacturer_model_name: Mapped[str | None] = mapped_column(LO)
    device_serial_number: Mapped[str | None] = mapped_column(LO)
    software_versions: Mapped[str | None] = mapped_column(Text)  # multi-valued, can be long
    gantry_id: Mapped[str | None] = mapped_column(LO)
    spatial_resolution: Mapped[float | None] = mapped_column(Double)  # mm
    date_of_last_calibration: Mapped[datetime.datetime | None] = mapped_column(DateTime)
    time_of_last_calibration: Mapped[datetime.datetime | None] = mapped_column(DateTime)
    # Equipment identities are shared between studies: deleting a study leaves it in place,
    # and an identity still in use cannot be deleted.
    unique_equipment_name_id: Mapped[int | None] = mapped_column(
        ForeignKey("unique_equipment_names.id"), index=True)
    unique_equipment_name: Mapped["UniqueEquipmentNames | None"] = relationship(
        back_populates="general_equipment_module_attrs")


class UniqueEquipmentNames(db.Model):
    """One device identity: eight General Equipment attributes plus the Device Observer UID.

    Each identity field has a ``<field>_hash`` column, the SHA-256 hex digest of the value
    (of "" when the value is absent), so one unique constraint over the nine digests prevents
    duplicate identities however long or missing the raw strings are.
    """

    __tablename__ = "unique_equipment_names"
    __table_args__ = (
        UniqueConstraint(
            "manufacturer_hash", "institution_name_hash", "station_name_hash",
            "institutional_department_name_hash", "manufacturer_model_name_hash",
            "device_serial_number_hash", "software_versions_hash", "gantry_id_hash",
            "device_observer_uid_hash",
            name="uq_unique_equipment_names_identity",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    manufacturer: Mapped[str | None] = mapped_column(LO)
    manufacturer_hash: Mapped[str] = mapped_column(HASH)
    institution_name: Mapped[str | None] = mapped_column(LO)
    institution_name_hash: Mapped[str] = mapped_column(HASH)
    station_name: Mapped[str | None] = mapped_column(LO)
    station_name_hash: Mapped[str] = mapped_column(HASH)
    institutional_department_name: Mapped[str | None] = mapped_column(LO)
    institutional_department_name_hash: Mapped[str] = mapped_column(HASH)
    manufacturer_model_name: Mapped[str | None] = mapped_column(LO)
    manufacturer_model_name_hash: Mapped[str] = mapped_column(HASH)
    device_serial_number: Mapped[str | None] = mapped_column(LO)
    device_serial_number_hash: Mapped[str] = mapped_column(HASH)
    software_versions: Mapped[str | None] = mapped_column(Text)  # multi-valued, can be long
    software_versions_hash: Mapped[str] = mapped_column(HASH)
    gantry_id: Mapped[str | None] = mapped_column(LO)
    gantry_id_hash: Mapped[str] = mapped_column(HASH)
    device_observer_uid: Mapped[str | None] = mapped_column(UI)
    device_observer_uid_hash: Mapped[str] = mapped_column(HASH)
    display_name: Mapped[str | None] = mapped_column(LO, index=True)
    # The modality type (DX, CR, PX, RF, MG) an administrator forces on this device's
    # projection studies, whatever the device wrote; NULL keeps what it sent.
    user_defined_modality: Mapped[str | None] = mapped_column(CS)
    # False until an administrator has looked at the identity on the Equipment page: a device
    # seen for the first time is listed as new.
    reviewed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    hash_generated: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    general_equipment_module_attrs: Mapped[list[GeneralEquipmentModuleAttr]] = relationship(
        back_populates="unique_equipment_name", order_by=GeneralEquipmentModuleAttr.id)

    def __repr__(self):
        return f"<UniqueEquipmentNames {self.id} {self.display_name!r}>"


class ObjectUIDsProcessed(db.Model):
    """The SOP Instance UID of an object imported into this study, for duplicate detection."""

    __tablename__ = "object_uids_processed"

    id: Mapped[int] = mapped_column(primary_key=True)
    general_study_module_attr_id: Mapped[int] = parent_key("general_study_module_attr")
    general_study_module_attr: Mapped[GeneralStudyModuleAttr] = parent(
        "GeneralStudyModuleAttr", "objectuidsprocessed_set")
    sop_instance_uid: Mapped[str | None] = mapped_column(UI, index=True)


#: What lists, charts and DRL comparisons call a study's system when it has no device identity
#: or the identity no display name.
UNKNOWN_SYSTEM = "Unknown system"


def system_name():
    """A study's system as people read it: its identity's display name (outer-join
    ``UniqueEquipmentNames``), else ``UNKNOWN_SYSTEM``."""
    return func.coalesce(UniqueEquipmentNames.display_name, literal(UNKNOWN_SYSTEM))
