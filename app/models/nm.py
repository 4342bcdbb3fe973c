"""Nuclear medicine: TID 10021 Radiopharmaceutical Radiation Dose and its sub-templates
(PS3.16), plus the PET series details read from PET image headers.

TID 10021 (RadiopharmaceuticalRadiationDose) holds the TID 10022 administration events
(RadiopharmaceuticalAdministrationEventData, with TID 10024 organ doses and the repeatable
identifiers), the TID 10023 patient characteristics and the PET series of the study.
Activities are in MBq, half lives in s, organ doses in mGy, effective doses in mSv.

``number_of_slices`` and the other PET counts are integers, although OpenREM's reference
dumps show ``number_of_slices`` as a decimal string.
"""
import datetime

from sqlalchemy import DateTime, Double, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .codes import ContextID
from .columns import CS, LO, UI, children, code_key, coded, parent, parent_key


class RadiopharmaceuticalRadiationDose(db.Model):
    """TID 10021 Radiopharmaceutical Radiation Dose: the root of one NM/PET dose record."""

    __tablename__ = "radiopharmaceutical_radiation_dose"

    id: Mapped[int] = mapped_column(primary_key=True)
    general_study_module_attr_id: Mapped[int] = parent_key("general_study_module_attr")
    general_study_module_attr: Mapped["GeneralStudyModuleAttr"] = parent(
        "GeneralStudyModuleAttr", "radiopharmaceuticalradiationdose_set")
    associated_procedure_id: Mapped[int | None] = code_key()
    associated_procedure: Mapped[ContextID | None] = coded(associated_procedure_id)
    has_intent_id: Mapped[int | None] = code_key()  # CID 3629
    has_intent: Mapped[ContextID | None] = coded(has_intent_id)
    comment: Mapped[str | None] = mapped_column(Text)

    radiopharmaceuticaladministrationeventdata_set: Mapped[
        list["RadiopharmaceuticalAdministrationEventData"]] = children(
        "RadiopharmaceuticalAdministrationEventData", "radiopharmaceutical_radiation_dose")
    radiopharmaceuticaladministrationpatientcharacteristics_set: Mapped[
        list["RadiopharmaceuticalAdministrationPatientCharacteristics"]] = children(
        "RadiopharmaceuticalAdministrationPatientCharacteristics",
        "radiopharmaceutical_radiation_dose")
    petseries_set: Mapped[list["PETSeries"]] = children(
        "PETSeries", "radiopharmaceutical_radiation_dose")
    languageofcontentitemanddescendants_set: Mapped[
        list["LanguageofContentItemandDescendants"]] = children(
        "LanguageofContentItemandDescendants", "radiopharmaceutical_radiation_dose")


class LanguageofContentItemandDescendants(db.Model):
    """Language of Content Item and Descendants (TID 1204): language and country codes."""

    __tablename__ = "language_of_content_item_and_descendants"

    id: Mapped[int] = mapped_column(primary_key=True)
    radiopharmaceutical_radiation_dose_id: Mapped[int] = parent_key(
        "radiopharmaceutical_radiation_dose")
    radiopharmaceutical_radiation_dose: Mapped[RadiopharmaceuticalRadiationDose] = parent(
        "RadiopharmaceuticalRadiationDose", "languageofcontentitemanddescendants_set")
    language_of_contentitem_and_descendants_id: Mapped[int | None] = code_key()  # CID 5000
    language_of_contentitem_and_descendants: Mapped[ContextID | None] = coded(
        language_of_contentitem_and_descendants_id)
    country_of_language_id: Mapped[int | None] = code_key()  # CID 5001
    country_of_language: Mapped[ContextID | None] = coded(country_of_language_id)


class RadiopharmaceuticalAdministrationEventData(db.Model):
    """TID 10022 Radiopharmaceutical Administration Event Data: one administration.

    ``radiopharmaceutical_agent_string`` holds the agent when it arrives as text (image
    headers) rather than as a code.
    """

    __tablename__ = "radiopharmaceutical_administration_event_data"

    id: Mapped[int] = mapped_column(primary_key=True)
    radiopharmaceutical_radiation_dose_id: Mapped[int] = parent_key(
        "radiopharmaceutical_radiation_dose")
    radiopharmaceutical_radiation_dose: Mapped[RadiopharmaceuticalRadiationDose] = parent(
        "RadiopharmaceuticalRadiationDose", "radiopharmaceuticaladministrationeventdata_set")
    radiopharmaceutical_agent_id: Mapped[int | None] = code_key()  # CID 25 / 4021
    radiopharmaceutical_agent: Mapped[ContextID | None] = coded(radiopharmaceutical_agent_id)
    radiopharmaceutical_agent_string: Mapped[str | None] = mapped_column(LO)
    radionuclide_id: Mapped[int | None] = code_key()  # CID 18 / 4020
    radionuclide: Mapped[ContextID | None] = coded(radionuclide_id)
    radionuclide_half_life: Mapped[float | None] = mapped_column(Double)  # s
    radiopharmaceutical_specific_activity: Mapped[float | None] = mapped_column(Double)  # Bq/mol
    radiopharmaceutical_administration_event_uid: Mapped[str | None] = mapped_column(
        UI, index=True)
    estimated_extravasation_activity: Mapped[float | None] = mapped_column(Double)  # MBq
    radiopharmaceutical_start_datetime: Mapped[datetime.datetime | None] = mapped_column(
        DateTime)
    radiopharmaceutical_stop_datetime: Mapped[datetime.datetime | None] = mapped_column(
        DateTime)
    administered_activity: Mapped[float | None] = mapped_column(Double)  # MBq
    effective_dose: Mapped[float | None] = mapped_column(Double)  # mSv
    radiopharmaceutical_volume: Mapped[float | None] = mapped_column(Double)  # cm3
    pre_administration_measured_activity: Mapped[float | None] = mapped_column(Double)  # MBq
    pre_activity_measurement_device_id: Mapped[int | None] = code_key()
    pre_activity_measurement_device: Mapped[ContextID | None] = coded(
        pre_activity_measurement_device_id)
    post_administration_measured_activity: Mapped[float | None] = mapped_column(Double)  # MBq
    post_activity_measurement_device_id: Mapped[int | None] = code_key()
    post_activity_measurement_device: Mapped[ContextID | None] = coded(
        post_activity_measurement_device_id)
    route_of_administration_id: Mapped[int | None] = code_key()  # CID 11
    route_of_administration: Mapped[ContextID | None] = coded(route_of_administration_id)
    site_of_id: Mapped[int | None] = code_key()
    site_of: Mapped[ContextID | None] = coded(site_of_id)
    laterality_id: Mapped[int | None] = code_key()  # CID 244
    laterality: Mapped[ContextID | None] = coded(laterality_id)
    brand_name: Mapped[str | None] = mapped_column(LO)
    radiopharmaceutical_dispense_unit_identifier: Mapped[str | None] = mapped_column(LO)
    prescription_identifier: Mapped[str | None] = mapped_column(LO)
    comment: Mapped[str | None] = mapped_column(Text)

    organdose_set: Mapped[list["OrganDose"]] = children(
        "OrganDose", "radiopharmaceutical_administration_event_data")
    intravenousextravasationsymptoms_set: Mapped[list["IntravenousExtravasationSymptoms"]] = (
        children("IntravenousExtravasationSymptoms",
                 "radiopharmaceutical_administration_event_data"))
    billingcode_set: Mapped[list["BillingCode"]] = children(
        "BillingCode", "radiopharmaceutical_administration_event_data")
    drugproductidentifier_set: Mapped[list["DrugProductIdentifier"]] = children(
        "DrugProductIdentifier", "radiopharmaceutical_administration_event_data")
    radiopharmaceuticallotidentifier_set: Mapped[list["RadiopharmaceuticalLotIdentifier"]] = (
        children("RadiopharmaceuticalLotIdentifier",
                 "radiopharmaceutical_administration_event_data"))
    reagentvialidentifier_set: Mapped[list["ReagentVialIdentifier"]] = children(
        "ReagentVialIdentifier", "radiopharmaceutical_administration_event_data")
    radionuclideidentifier_set: Mapped[list["RadionuclideIdentifier"]] = children(
        "RadionuclideIdentifier", "radiopharmaceutical_administration_event_data")
    observercontext_set: Mapped[list["ObserverContext"]] = children(
        "ObserverContext", "radiopharmaceutical_administration_event_data")
    personparticipant_set: Mapped[list["PersonParticipant"]] = children(
        "PersonParticipant", "radiopharmaceutical_administration_event_data")


class IntravenousExtravasationSymptoms(db.Model):
    """An Intravenous Extravasation Symptom (coded) seen at an administration."""

    __tablename__ = "intravenous_extravasation_symptoms"

    id: Mapped[int] = mapped_column(primary_key=True)
    radiopharmaceutical_administration_event_data_id: Mapped[int] = parent_key(
        "radiopharmaceutical_administration_event_data")
    radiopharmaceutical_administration_event_data: Mapped[
        RadiopharmaceuticalAdministrationEventData] = parent(
        "RadiopharmaceuticalAdministrationEventData", "intravenousextravasationsymptoms_set")
    intravenous_extravasation_symptoms_id: Mapped[int | None] = code_key()
    intravenous_extravasation_symptoms: Mapped[ContextID | None] = coded(
        intravenous_extravasation_symptoms_id)


class BillingCode(db.Model):
    """A Billing Code of an administration (coded)."""

    __tablename__ = "billing_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    radiopharmaceutical_administration_event_data_id: Mapped[int] = parent_key(
        "radiopharmaceutical_administration_event_data")
    radiopharmaceutical_administration_event_data: Mapped[
        RadiopharmaceuticalAdministrationEventData] = parent(
        "RadiopharmaceuticalAdministrationEventData", "billingcode_set")
    billing_code_id: Mapped[int | None] = code_key()
    billing_code: Mapped[ContextID | None] = coded(billing_code_id)


class DrugProductIdentifier(db.Model):
    """A Drug Product Identifier of an administration (coded)."""

    __tablename__ = "drug_product_identifier"

    id: Mapped[int] = mapped_column(primary_key=True)
    radiopharmaceutical_administration_event_data_id: Mapped[int] = parent_key(
        "radiopharmaceutical_administration_event_data")
    radiopharmaceutical_administration_event_data: Mapped[
        RadiopharmaceuticalAdministrationEventData] = parent(
        "RadiopharmaceuticalAdministrationEventData", "drugproductidentifier_set")
    drug_product_identifier_id: Mapped[int | None] = code_key()
    drug_product_identifier: Mapped[ContextID | None] = coded(drug_product_identifier_id)


class RadiopharmaceuticalLotIdentifier(db.Model):
    """A Radiopharmaceutical Lot Identifier of an administration (text)."""

    __tablename__ = "radiopharmaceutical_lot_identifier"

    id: Mapped[int] = mapped_column(primary_key=True)
    radiopharmaceutical_administration_event_data_id: Mapped[int] = parent_key(
        "radiopharmaceutical_administration_event_data")
    radiopharmaceutical_administration_event_data: Mapped[
        RadiopharmaceuticalAdministrationEventData] = parent(
        "RadiopharmaceuticalAdministrationEventData", "radiopharmaceuticallotidentifier_set")
    radiopharmaceutical_lot_identifier: Mapped[str | None] = mapped_column(LO)


class ReagentVialIdentifier(db.Model):
    """A Reagent Vial Identifier of an administration (text)."""

    __tablename__ = "reagent_vial_identifier"

    id: Mapped[int] = mapped_column(primary_key=True)
    radiopharmaceutical_administration_event_data_id: Mapped[int] = parent_key(
        "radiopharmaceutical_administration_event_data")
    radiopharmaceutical_administration_event_data: Mapped[
        RadiopharmaceuticalAdministrationEventData] = parent(
        "RadiopharmaceuticalAdministrationEventData", "reagentvialidentifier_set")
    reagent_vial_identifier: Mapped[str | None] = mapped_column(LO)


class RadionuclideIdentifier(db.Model):
    """A Radionuclide (vial) Identifier of an administration (text)."""

    __tablename__ = "radionuclide_identifier"

    id: Mapped[int] = mapped_column(primary_key=True)
    radiopharmaceutical_administration_event_data_id: Mapped[int] = parent_key(
        "radiopharmaceutical_administration_event_data")
    radiopharmaceutical_administration_event_data: Mapped[
        RadiopharmaceuticalAdministrationEventData] = parent(
        "RadiopharmaceuticalAdministrationEventData", "radionuclideidentifier_set")
    radionuclide_identifier: Mapped[str | None] = mapped_column(LO)


class OrganDose(db.Model):
    """TID 10024 Organ Dose: the dose to one organ from an administration, in mGy."""

    __tablename__ = "organ_dose"

    id: Mapped[int] = mapped_column(primary_key=True)
    radiopharmaceutical_administration_event_data_id: Mapped[int] = parent_key(
        "radiopharmaceutical_administration_event_data")
    radiopharmaceutical_administration_event_data: Mapped[
        RadiopharmaceuticalAdministrationEventData] = parent(
        "RadiopharmaceuticalAdministrationEventData", "organdose_set")
    finding_site_id: Mapped[int | None] = code_key()
    finding_site: Mapped[ContextID | None] = coded(finding_site_id)
    laterality_id: Mapped[int | None] = code_key()  # CID 244
    laterality: Mapped[ContextID | None] = coded(laterality_id)
    mass: Mapped[float | None] = mapped_column(Double)  # g
    measurement_method: Mapped[str | None] = mapped_column(Text)
    organ_dose: Mapped[float | None] = mapped_column(Double)  # mGy
    reference_authority_code_id: Mapped[int | None] = code_key()
    reference_authority_code: Mapped[ContextID | None] = coded(reference_authority_code_id)
    reference_authority_text: Mapped[str | None] = mapped_column(Text)
    type_of_detector_motion: Mapped[str | None] = mapped_column(CS)


class RadiopharmaceuticalAdministrationPatientCharacteristics(db.Model):
    """TID 10023 Radiopharmaceutical Administration Patient Characteristics.

    Age in years, height in m, weight in kg, body surface area in m², glucose in mmol/l,
    fasting duration in hours, hydration volume in ml, serum creatinine in mg/dl.
    """

    __tablename__ = "radiopharmaceutical_administration_patient_characteristics"

    id: Mapped[int] = mapped_column(primary_key=True)
    radiopharmaceutical_radiation_dose_id: Mapped[int] = parent_key(
        "radiopharmaceutical_radiation_dose")
    radiopharmaceutical_radiation_dose: Mapped[RadiopharmaceuticalRadiationDose] = parent(
        "RadiopharmaceuticalRadiationDose",
        "radiopharmaceuticaladministrationpatientcharacteristics_set")
    subject_age: Mapped[float | None] = mapped_column(Double)
    subject_sex_id: Mapped[int | None] = code_key()  # CID 7455
    subject_sex: Mapped[ContextID | None] = coded(subject_sex_id)
    patient_height: Mapped[float | None] = mapped_column(Double)
    patient_weight: Mapped[float | None] = mapped_column(Double)
    body_surface_area: Mapped[float | None] = mapped_column(Double)
    body_surface_area_formula_id: Mapped[int | None] = code_key()  # CID 3663
    body_surface_area_formula: Mapped[ContextID | None] = coded(body_surface_area_formula_id)
    body_mass_index: Mapped[float | None] = mapped_column(Double)  # kg/m2
    equation_id: Mapped[int | None] = code_key()
    equation: Mapped[ContextID | None] = coded(equation_id)
    glucose: Mapped[float | None] = mapped_column(Double)
    fasting_duration: Mapped[float | None] = mapped_column(Double)
    hydration_volume: Mapped[float | None] = mapped_column(Double)
    recent_physical_activity: Mapped[str | None] = mapped_column(Text)
    serum_creatinine: Mapped[float | None] = mapped_column(Double)

    glomerularfiltrationrate_set: Mapped[list["GlomerularFiltrationRate"]] = children(
        "GlomerularFiltrationRate", "radiopharmaceutical_administration_patient_characteristics")
    patientstate_set: Mapped[list["PatientState"]] = children(
        "PatientState", "radiopharmaceutical_administration_patient_characteristics")


class GlomerularFiltrationRate(db.Model):
    """A Glomerular Filtration Rate (ml/min/1.73m²) with its measurement method."""

    __tablename__ = "glomerular_filtration_rate"

    id: Mapped[int] = mapped_column(primary_key=True)
    radiopharmaceutical_administration_patient_characteristics_id: Mapped[int] = parent_key(
        "radiopharmaceutical_administration_patient_characteristics")
    radiopharmaceutical_administration_patient_characteristics: Mapped[
        RadiopharmaceuticalAdministrationPatientCharacteristics] = parent(
        "RadiopharmaceuticalAdministrationPatientCharacteristics",
        "glomerularfiltrationrate_set")
    glomerular_filtration_rate: Mapped[float | None] = mapped_column(Double)
    measurement_method_id: Mapped[int | None] = code_key()
    measurement_method: Mapped[ContextID | None] = coded(measurement_method_id)
    equivalent_meaning_of_concept_name_id: Mapped[int | None] = code_key()
    equivalent_meaning_of_concept_name: Mapped[ContextID | None] = coded(
        equivalent_meaning_of_concept_name_id)


class PatientState(db.Model):
    """A Patient State (coded) at administration, e.g. fasting or hydrated."""

    __tablename__ = "patient_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    radiopharmaceutical_administration_patient_characteristics_id: Mapped[int] = parent_key(
        "radiopharmaceutical_administration_patient_characteristics")
    radiopharmaceutical_administration_patient_characteristics: Mapped[
        RadiopharmaceuticalAdministrationPatientCharacteristics] = parent(
        "RadiopharmaceuticalAdministrationPatientCharacteristics", "patientstate_set")
    patient_state_id: Mapped[int | None] = code_key()
    patient_state: Mapped[ContextID | None] = coded(patient_state_id)


class PETSeries(db.Model):
    """A PET series of the study, from the PET image headers.

    Energy window limits in keV, coincidence window width in ns.
    """

    __tablename__ = "pet_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    radiopharmaceutical_radiation_dose_id: Mapped[int] = parent_key(
        "radiopharmaceutical_radiation_dose")
    radiopharmaceutical_radiation_dose: Mapped[RadiopharmaceuticalRadiationDose] = parent(
        "RadiopharmaceuticalRadiationDose", "petseries_set")
    series_uid: Mapped[str | None] = mapped_column(UI, index=True)
    series_datetime: Mapped[datetime.datetime | None] = mapped_column(DateTime)
    number_of_rr_intervals: Mapped[int | None] = mapped_column(Integer)
    number_of_time_slots: Mapped[int | None] = mapped_column(Integer)
    number_of_time_slices: Mapped[int | None] = mapped_column(Integer)
    number_of_slices: Mapped[int | None] = mapped_column(Integer)
    reconstruction_method: Mapped[str | None] = mapped_column(LO)
    coincidence_window_width: Mapped[float | None] = mapped_column(Double)
    energy_window_lower_limit: Mapped[float | None] = mapped_column(Double)
    energy_window_upper_limit: Mapped[float | None] = mapped_column(Double)
    scan_progression_direction: Mapped[str | None] = mapped_column(CS)

    petseriescorrection_set: Mapped[list["PETSeriesCorrection"]] = children(
        "PETSeriesCorrection", "pet_series")
    petseriestype_set: Mapped[list["PETSeriesType"]] = children("PETSeriesType", "pet_series")


class PETSeriesCorrection(db.Model):
    """One Corrected Image value (e.g. ATTN, DECY, SCAT) of a PET series."""

    __tablename__ = "pet_series_correction"

    id: Mapped[int] = mapped_column(primary_key=True)
    pet_series_id: Mapped[int] = parent_key("pet_series")
    pet_series: Mapped[PETSeries] = parent("PETSeries", "petseriescorrection_set")
    corrected_image: Mapped[str | None] = mapped_column(CS)


class PETSeriesType(db.Model):
    """One Series Type value (e.g. WHOLE BODY, IMAGE) of a PET series."""

    __tablename__ = "pet_series_type"

    id: Mapped[int] = mapped_column(primary_key=True)
    pet_series_id: Mapped[int] = parent_key("pet_series")
    pet_series: Mapped[PETSeries] = parent("PETSeries", "petseriestype_set")
    series_type: Mapped[str | None] = mapped_column(CS)
