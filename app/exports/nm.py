"""Nuclear medicine export (TID 10021 and NM/PET image headers): one row per study with its
first administration and patient characteristics, then repeated blocks for the persons,
organ doses, patient states, glomerular filtration rates and PET series.

The xlsx has one sheet per study description (there are no acquisition protocols), one row
per study, as OpenREM has.
"""
from ..models.nm import (
    RadiopharmaceuticalAdministrationEventData as Administration,
    RadiopharmaceuticalAdministrationPatientCharacteristics as Characteristics,
    RadiopharmaceuticalRadiationDose as Root,
)
from . import columns as c
from .columns import Block
from .common import ModalityExport
from .loading import RootQuery, Shape, StudyChildQuery, max_children, study_shape

ADMINISTRATIONS = (Root.radiopharmaceuticaladministrationeventdata_set,)
CHARACTERISTICS = (Root.radiopharmaceuticaladministrationpatientcharacteristics_set,)
ROOTS = RootQuery(Root, ("id", "comment", "associated_procedure", "has_intent"))
ADMINISTRATION = StudyChildQuery(ADMINISTRATIONS, (
    "radiopharmaceutical_agent", "radiopharmaceutical_agent_string", "radionuclide",
    "radionuclide_half_life", "administered_activity", "effective_dose",
    "radiopharmaceutical_start_datetime", "radiopharmaceutical_stop_datetime",
    "route_of_administration", "laterality", "comment"))
PATIENT = StudyChildQuery(CHARACTERISTICS, (
    "body_surface_area", "body_surface_area_formula", "body_mass_index", "equation", "glucose",
    "fasting_duration", "hydration_volume", "recent_physical_activity", "serum_creatinine"))
PERSONS = StudyChildQuery(ADMINISTRATIONS + (Administration.personparticipant_set,),
                     ("person_name", "person_role_in_procedure_cid", "person_role_in_procedure"))
ORGANS = StudyChildQuery(ADMINISTRATIONS + (Administration.organdose_set,), (
    "finding_site", "laterality", "organ_dose", "mass", "measurement_method",
    "reference_authority_code", "reference_authority_text"))
STATES = StudyChildQuery(CHARACTERISTICS + (Characteristics.patientstate_set,), ("patient_state",))
RATES = StudyChildQuery(CHARACTERISTICS + (Characteristics.glomerularfiltrationrate_set,), (
    "glomerular_filtration_rate", "measurement_method", "equivalent_meaning_of_concept_name"))
SERIES = StudyChildQuery((Root.petseries_set,), (
    "series_datetime", "number_of_slices", "reconstruction_method", "coincidence_window_width",
    "energy_window_lower_limit", "energy_window_upper_limit", "scan_progression_direction",
    "number_of_rr_intervals", "number_of_time_slots", "number_of_time_slices"))

# Study-level values leave out the rows' keys, which both tables have.
STUDY_SHAPE = study_shape(root_fields=ROOTS.fields,
                          more_fields=(*ADMINISTRATION.fields[2:], *PATIENT.fields[2:]))
BLOCK_QUERIES = {"persons": PERSONS, "organs": ORGANS, "states": STATES, "rates": RATES,
                 "series": SERIES}
SHAPES = {name: Shape(item=query.fields) for name, query in BLOCK_QUERIES.items()}
SHAPES["persons"] = Shape(item=("person_name", "role", "role_text"))
DESCRIPTION = STUDY_SHAPE.position("study.study_description")


def load(session, ids, studies):
    """Each study's first report root, administration and patient characteristics, and the
    rows of its repeated blocks."""
    for study_id, root in ROOTS.first(session, ids).items():
        studies[study_id].root = root
    administrations = ADMINISTRATION.by_study(session, ids)
    patients = PATIENT.by_study(session, ids)
    empty_administration = (None,) * (len(ADMINISTRATION.fields) - 2)
    empty_patient = (None,) * (len(PATIENT.fields) - 2)
    blocks = {name: query.by_study(session, ids) for name, query in BLOCK_QUERIES.items()}
    for study_id, study in studies.items():
        first = administrations.get(study_id)
        characteristics = patients.get(study_id)
        study.more = ((first[0][2:] if first else empty_administration)
                      + (characteristics[0][2:] if characteristics else empty_patient))
        study.extra = {name: rows.get(study_id, []) for name, rows in blocks.items()}
        # A role given as text only (not coded) stands in for the coded one.
        study.extra["persons"] = [(name, coded or text, text)
                                  for _parent, _study, name, coded, _code, text
                                  in study.extra["persons"]]


def _block(label, name, columns):
    return Block(label, lambda study: study.extra[name], SHAPES[name], columns)


STUDY_COLUMNS = (
    c.text("Radiopharmaceutical", "more.radiopharmaceutical_agent"),
    c.text("Radiopharmaceutical (as sent)", "more.radiopharmaceutical_agent_string"),
    c.text("Radionuclide", "more.radionuclide"),
    c.number("Radionuclide half-life (s)", "more.radionuclide_half_life"),
    c.number("Administered activity (MBq)", "more.administered_activity"),
    c.number("Effective dose (mSv)", "more.effective_dose"),
    c.text("Associated procedure", "root.associated_procedure"),
    c.text("Intent", "root.has_intent"),
    c.datetime("Radiopharmaceutical start", "more.radiopharmaceutical_start_datetime"),
    c.datetime("Radiopharmaceutical stop", "more.radiopharmaceutical_stop_datetime"),
    c.text("Route of administration", "more.route_of_administration"),
    c.text("Route of administration laterality", "more.laterality"),
    c.text("Administration comment", "more.comment"),
    c.number("Body surface area (m²)", "more.body_surface_area"),
    c.text("Body surface area formula", "more.body_surface_area_formula"),
    c.number("Body mass index (kg/m²)", "more.body_mass_index"),
    c.text("Body mass index equation", "more.equation"),
    c.number("Glucose (mmol/l)", "more.glucose"),
    c.number("Fasting duration (hours)", "more.fasting_duration"),
    c.number("Hydration volume (ml)", "more.hydration_volume"),
    c.text("Recent physical activity", "more.recent_physical_activity"),
    c.number("Serum creatinine (mg/dl)", "more.serum_creatinine"),
)

BLOCKS = (
    _block("Person {n}", "persons", (
        c.text("name", "item.person_name"),
        c.text("role", "item.role"),
    )),
    _block("Organ {n}", "organs", (
        c.text("finding site", "item.finding_site"),
        c.text("laterality", "item.laterality"),
        c.number("dose (mGy)", "item.organ_dose"),
        c.number("mass (g)", "item.mass"),
        c.text("measurement method", "item.measurement_method"),
        c.text("reference authority", "item.reference_authority_code"),
    )),
    _block("Patient state {n}", "states", (c.text("", "item.patient_state"),)),
    _block("GFR {n}", "rates", (
        c.number("(ml/min/1.73m²)", "item.glomerular_filtration_rate"),
        c.text("measurement method", "item.measurement_method"),
        c.text("equivalent meaning", "item.equivalent_meaning_of_concept_name"),
    )),
    _block("Series {n}", "series", (
        c.datetime("date and time", "item.series_datetime"),
        c.number("number of slices", "item.number_of_slices"),
        c.text("reconstruction method", "item.reconstruction_method"),
        c.number("coincidence window width (ns)", "item.coincidence_window_width"),
        c.number("energy window lower limit (keV)", "item.energy_window_lower_limit"),
        c.number("energy window upper limit (keV)", "item.energy_window_upper_limit"),
        c.text("scan progression direction", "item.scan_progression_direction"),
        c.number("number of RR intervals", "item.number_of_rr_intervals"),
        c.number("number of time slots", "item.number_of_time_slots"),
        c.number("number of time slices", "item.number_of_time_slices"),
    )),
)


def block_counts(session, query):
    """The most persons, organ doses, patient states, GFRs and PET series of any study."""
    return [max_children(session, query, path) for path in (
        ADMINISTRATIONS + (Administration.personparticipant_set,),
        ADMINISTRATIONS + (Administration.organdose_set,),
        CHARACTERISTICS + (Characteristics.patientstate_set,),
        CHARACTERISTICS + (Characteristics.glomerularfiltrationrate_set,),
        (Root.petseries_set,),
    )]


EXPORT = ModalityExport(
    key="nm",
    title="Nuclear medicine",
    load=load,
    study_shape=STUDY_SHAPE,
    event_shape=STUDY_SHAPE,
    study_columns=STUDY_COLUMNS,
    event_columns=(),
    # One row per study on the sheet of its study description.
    events=lambda study: (study.values,),
    protocol=lambda values: values[DESCRIPTION],
    csv_blocks=BLOCKS,
    xlsx_blocks=BLOCKS,
    block_counts=block_counts,
    event_count=False,
    protocol_label="Study description (sheet)",
)
