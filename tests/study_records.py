"""Small, realistic study records of every modality, and storing them as an import would.

``study_record("ct", dlp=500.0, ...)`` returns a record in the layout of
docs/architecture.md; ``store_records(app, records)`` stores them through the importer's own
``store`` (identifier policy, equipment identities and display names, summary fields), all
in one transaction so a test can make hundreds quickly.
"""
import datetime
import itertools

from app.extensions import db
from app.extractors.codes import Code
from app.importing.store import store
from app.models.study import GeneralStudyModuleAttr

_serial = itertools.count(1)

SPIRAL = Code("116152004", "Spiral Acquisition", "SCT")
AXIAL = Code("113804", "Sequenced Acquisition", "DCM")
LOCALISER = Code("113805", "Constant Angle Acquisition", "DCM")
STATIONARY = Code("113806", "Stationary Acquisition", "DCM")
CT_TYPES = {"spiral": SPIRAL, "axial": AXIAL, "localiser": LOCALISER, "stationary": STATIONARY}

PLANE_A = Code("113620", "Plane A", "DCM")
PLANE_B = Code("113621", "Plane B", "DCM")
SINGLE_PLANE = Code("113622", "Single Plane", "DCM")
FLUOROSCOPY = Code("P5-06000", "Fluoroscopy", "SRT")
STATIONARY_ACQUISITION = Code("113611", "Stationary Acquisition", "DCM")
LEFT_BREAST = Code("T-04030", "Left breast", "SRT")
RIGHT_BREAST = Code("T-04020", "Right breast", "SRT")
CRANIO_CAUDAL = Code("R-10242", "cranio-caudal", "SRT")
MEDIO_LATERAL_OBLIQUE = Code("R-10226", "medio-lateral oblique", "SRT")
BODY_PHANTOM = Code("113691", "IEC Body Dosimetry Phantom", "DCM")
FDG = Code("C-B1031", "Fluorodeoxyglucose F^18^", "SRT")
TECHNETIUM = Code("C-B1108", "Technetium Tc^99m^ medronate", "SRT")

MODALITY_TYPE = {"ct": "CT", "rf": "RF", "mg": "MG", "dx": "DX", "nm": "NM"}


def _uid(kind: str) -> str:
    return f"1.2.826.0.1.3680043.10.999.{kind}.{next(_serial)}"


def study_record(modality: str, *, date=datetime.date(2024, 3, 5), time=datetime.time(9, 30),
                 description="Chest", accession=None, procedure=None,
                 requested_procedure=None, physician=None, institution="General Hospital",
                 manufacturer="Acme Medical", model="Imager 9000", station="ROOM1",
                 patient_name="DOE^JANE", patient_id="PID-1", age=50.0, weight=70.0,
                 modality_type=None, uid=None, **dose) -> dict:
    """A study record of ``modality`` (ct, rf, mg, dx, nm) with its dose part from ``dose``.

    Dose keywords by modality: ct ``dlp``, ``events`` (kinds: spiral, axial, localiser,
    stationary), ``ctdivol``; rf ``dap_a``/``dap_b`` (Gy·m²), ``rp_a``/``rp_b`` (Gy),
    ``events``; dx ``dap`` (Gy·m²), ``event_daps``; mg ``agd_left``/``agd_right`` (mGy),
    ``views``, ``thickness``, ``exposure_control``; nm ``activity`` (MBq), ``agent``.
    """
    record = {
        "study_instance_uid": uid or _uid("study"),
        "study_date": date,
        "study_time": time,
        "accession_number": accession if accession is not None else f"ACC{next(_serial)}",
        "study_description": description,
        "modality_type": modality_type or MODALITY_TYPE[modality],
        "procedure_code_meaning": procedure,
        "requested_procedure_code_meaning": requested_procedure,
        "performing_physician_name": physician,
        "patientmoduleattr_set": [{"patient_name": patient_name, "patient_id": patient_id,
                                   "patient_sex": "F"}],
        "patientstudymoduleattr_set": [{"patient_age_decimal": age, "patient_weight": weight}],
        "generalequipmentmoduleattr_set": [{
            "manufacturer": manufacturer, "institution_name": institution,
            "station_name": station, "manufacturer_model_name": model,
        }],
        "_meta": {"importer": "rdsr", "sop_instance_uid": _uid("sop")},
    }
    record.update(_DOSE[modality](**dose))
    return record


def _ct(dlp=100.0, events=("spiral",), ctdivol=10.0):
    per_event = dlp / len(events) if events else None
    return {"ctradiationdose_set": [{
        "ctaccumulateddosedata_set": [{
            "ct_dose_length_product_total": dlp, "total_number_of_irradiation_events": len(events),
        }],
        "ctirradiationeventdata_set": [{
            "acquisition_protocol": f"Protocol {kind}",
            "ct_acquisition_type": CT_TYPES[kind],
            "irradiation_event_uid": _uid("event"),
            "mean_ctdivol": ctdivol,
            "ctdiw_phantom_type": BODY_PHANTOM,
            "dlp": per_event,
            "pitch_factor": 0.9,
            "ctxraysourceparameters_set": [{"identification_of_the_xray_source": "1",
                                            "kvp": 120.0, "xray_tube_current": 200.0}],
        } for kind in events],
    }]}


def _rf(dap_a=1e-4, dap_b=None, rp_a=0.01, rp_b=None, events=2, protocol="Abdomen fluoro"):
    planes = [(SINGLE_PLANE if dap_b is None and rp_b is None else PLANE_A, dap_a, rp_a)]
    if dap_b is not None or rp_b is not None:
        planes.append((PLANE_B, dap_b, rp_b))
    event_rows = []
    for plane, dap, rp in planes:
        for index in range(events):
            event_rows.append({
                "acquisition_plane": plane,
                "irradiation_event_type": FLUOROSCOPY if index % 2 == 0 else STATIONARY_ACQUISITION,
                "irradiation_event_uid": _uid("event"),
                "acquisition_protocol": protocol,
                "date_time_started": datetime.datetime(2024, 3, 5, 9, 31, index),
                "dose_area_product": None if dap is None else dap / events,
                "irradeventxraysourcedata_set": [{
                    "dose_rp": None if rp is None else rp / events,
                    "irradiation_duration": 2.0,
                    "pulse_rate": 7.5,
                    "kvp_set": [{"kvp": 70.0}, {"kvp": 72.0}],
                }],
            })
    return {"projectionxrayradiationdose_set": [{
        "accumxraydose_set": [{
            "acquisition_plane": plane,
            "accumprojxraydose_set": [{"dose_area_product_total": dap, "dose_rp_total": rp}],
        } for plane, dap, rp in planes],
        "irradeventxraydata_set": event_rows,
    }]}


def _dx(dap=2e-5, event_daps=None, protocol="Chest PA"):
    event_daps = event_daps if event_daps is not None else (dap,)
    return {"projectionxrayradiationdose_set": [{
        "accumxraydose_set": [{
            "acquisition_plane": SINGLE_PLANE,
            "accumintegratedprojradiogdose_set": [{"dose_area_product_total": dap}],
        }],
        "irradeventxraydata_set": [{
            "acquisition_plane": SINGLE_PLANE,
            "irradiation_event_uid": _uid("event"),
            "acquisition_protocol": protocol,
            "dose_area_product": event_dap,
            "irradeventxraysourcedata_set": [{"kvp_set": [{"kvp": 125.0}],
                                              "exposure_set": [{"exposure": 2500.0}]}],
        } for event_dap in event_daps],
    }]}


def _mg(agd_left=1.2, agd_right=1.4, views=(CRANIO_CAUDAL,), thickness=50.0,
        exposure_control="AUTO_FILTER", protocol="Routine"):
    planes = []
    for laterality, agd in ((LEFT_BREAST, agd_left), (RIGHT_BREAST, agd_right)):
        if agd is not None:
            planes.append({"laterality": laterality, "accumulated_average_glandular_dose": agd})
    return {"projectionxrayradiationdose_set": [{
        "accumxraydose_set": [{
            "acquisition_plane": SINGLE_PLANE,
            "accummammographyxraydose_set": planes,
        }],
        "irradeventxraydata_set": [{
            "irradiation_event_uid": _uid("event"),
            "acquisition_protocol": protocol,
            "image_view": view,
            "laterality": LEFT_BREAST,
            "irradeventxraysourcedata_set": [{"average_glandular_dose": 0.6,
                                              "exposure_control_mode": exposure_control}],
            "irradeventxraymechanicaldata_set": [{"compression_thickness": thickness}],
        } for view in views],
    }]}


def _nm(activity=350.0, agent=FDG):
    return {"radiopharmaceuticalradiationdose_set": [{
        "radiopharmaceuticaladministrationeventdata_set": [{
            "radiopharmaceutical_agent": agent,
            "administered_activity": activity,
            "radiopharmaceutical_administration_event_uid": _uid("administration"),
            "organdose_set": [{"organ_dose": 12.5, "finding_site": Code("T-74000", "Bladder")}],
        }],
    }]}


_DOSE = {"ct": _ct, "rf": _rf, "mg": _mg, "dx": _dx, "nm": _nm}


def store_records(app, records) -> list[int]:
    """Store records as the importer does, in one transaction; returns the new study ids."""
    ids = []
    with app.app_context():
        for record in records:
            outcome = store(db.session, record, "test")
            assert outcome.status == "imported", outcome.line()
            ids.append(outcome.study_id)
        db.session.commit()
    return ids


def make_studies(app, modality, *variants, **common) -> list[int]:
    """Store one study of ``modality`` per dict of keywords in ``variants``."""
    return store_records(app, [study_record(modality, **{**common, **variant})
                               for variant in (variants or ({},))])


def study_ids(app, query) -> list[int]:
    """The ids a study query selects, in its order."""
    with app.app_context():
        return list(db.session.scalars(query.with_only_columns(GeneralStudyModuleAttr.id)))


def study_id_set(app, query) -> set[int]:
    """The ids a study query selects, as a set."""
    return set(study_ids(app, query))
