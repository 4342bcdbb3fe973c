"""Stored studies as the API's JSON: a list entry, and the whole dose tree.

Patient name, ID, birth date and other IDs appear only for callers holding the pid role, as
on the pages; everything else a page shows is here, in the stored units of
docs/data-model.md.
"""
from flask import url_for

from ..importing.rows import plain
from ..studies import dump_study

#: Patient Module fields that identify the patient: shown only with the pid role.
PATIENT_IDENTIFIERS = ("patient_name", "patient_id", "patient_birth_date", "other_patient_ids")

#: Study summary fields of the list entry, all modalities (None where they do not apply).
SUMMARY_FIELDS = (
    "number_of_events", "number_of_axial", "number_of_spiral", "number_of_stationary",
    "number_of_const_angle", "number_of_planes", "total_dlp", "total_dap", "total_dap_a",
    "total_dap_b", "total_rp_dose_a", "total_rp_dose_b", "total_agd_left", "total_agd_right",
    "total_agd_both",
)


def _first(rows):
    return rows[0] if rows else None


def study_entry(study, modality_key: str, pid: bool) -> dict:
    """One study of a list: identity, equipment, patient, summary fields and links."""
    equipment = _first(study.generalequipmentmoduleattr_set)
    identity = equipment.unique_equipment_name if equipment is not None else None
    patient = _first(study.patientmoduleattr_set)
    patient_study = _first(study.patientstudymoduleattr_set)
    entry = {
        "id": study.id,
        "modality_type": study.modality_type,
        "study_instance_uid": study.study_instance_uid,
        "study_date": plain(study.study_date),
        "study_time": plain(study.study_time),
        "accession_number": study.accession_number,
        "accession_hashed": study.accession_hashed,
        "study_description": study.study_description,
        "procedure": study.procedure_code_meaning,
        "requested_procedure": study.requested_procedure_code_meaning,
        "equipment": None if equipment is None else {
            "display_name": identity.display_name if identity is not None else None,
            "manufacturer": equipment.manufacturer,
            "manufacturer_model_name": equipment.manufacturer_model_name,
            "institution_name": equipment.institution_name,
            "station_name": equipment.station_name,
        },
        "patient": _patient(patient, patient_study, pid),
        "summary": {name: getattr(study, name) for name in SUMMARY_FIELDS},
        "links": {
            "self": url_for("api.study", study_id=study.id),
            "fhir": url_for("api.study_fhir", study_id=study.id),
            "page": url_for(f"{modality_key}.study", study_id=study.id),
        },
    }
    return entry


def _patient(patient, patient_study, pid):
    out = {
        "patient_sex": patient.patient_sex if patient is not None else None,
        "patient_age_decimal": patient_study.patient_age_decimal if patient_study else None,
        "patient_size": patient_study.patient_size if patient_study else None,
        "patient_weight": patient_study.patient_weight if patient_study else None,
    }
    if pid:
        for name in ("patient_name", "patient_id", "patient_birth_date"):
            out[name] = plain(getattr(patient, name)) if patient is not None else None
    return out


def study_tree(study, pid: bool) -> dict:
    """The whole stored study in the layout of ``flask studies dump --json``.

    Without the pid role the patient identifiers are left out; the digests that make device
    identities unique are internal and always left out.
    """
    tree = dump_study(study)
    tree["id"] = study.id
    if not pid:
        for patient in tree.get("patientmoduleattr_set", ()):
            for name in PATIENT_IDENTIFIERS:
                patient.pop(name, None)
    for equipment in tree.get("generalequipmentmoduleattr_set", ()):
        identity = equipment.get("unique_equipment_name")
        if identity:
            for name in [key for key in identity if key.endswith("_hash")]:
                del identity[name]
    return tree


def comparison_entry(row) -> dict:
    """One system's median against one DRL entry."""
    return {
        "system": row.system,
        "modality": row.drl.modality,
        "examination": row.drl.examination,
        "quantity": row.drl.quantity,
        "patient_group": row.drl.patient_group,
        "studies": row.count,
        "median": row.median_in_drl_unit,
        "median_stored_unit": row.median,
        "drl": row.drl.value,
        "unit": row.drl.unit,
        "ratio": row.ratio,
        "above_drl": row.above,
    }
