"""Synthetic study records (docs/architecture.md) for export tests, stored through the
importer so summary fields and equipment identities are filled as for real objects."""
import datetime
import itertools

from app.extractors.codes import Code
from app.importing import persist

_uids = itertools.count(1)

SPIRAL = Code("116152004", "Spiral Acquisition", "SCT")
LOCALIZER = Code("113805", "Constant Angle Acquisition", "DCM")
BODY_PHANTOM = Code("113691", "IEC Body Dosimetry Phantom", "DCM")
FLUOROSCOPY = Code("P5-06000", "Fluoroscopy", "SRT")
STATIONARY = Code("113611", "Stationary Acquisition", "DCM")
PLANE_A = Code("113620", "Plane A", "DCM")
PLANE_B = Code("113621", "Plane B", "DCM")
SINGLE_PLANE = Code("113622", "Single Plane", "DCM")
COPPER = Code("C-127F9", "Copper or Copper compound", "SRT")
ALUMINIUM = Code("C-120F9", "Aluminum or Aluminum compound", "SRT")
TUNGSTEN = Code("C-164F9", "Tungsten or Tungsten compound", "SRT")
SILVER = Code("C-137F9", "Silver or Silver compound", "SRT")
RIGHT = Code("G-A100", "Right", "SRT")
LEFT = Code("G-A101", "Left", "SRT")
CRANIO_CAUDAL = Code("R-10242", "cranio-caudal", "SRT")
MLO = Code("R-10226", "medio-lateral oblique", "SRT")


def _common(modality, description, date, patient, uid):
    uid = uid or f"1.2.826.0.1.3680043.10.1.{next(_uids)}"
    return {
        "study_instance_uid": uid,
        "study_date": date,
        "study_time": datetime.time(10, 30, 15),
        "modality_type": modality,
        "study_description": description,
        "accession_number": f"ACC{uid.rsplit('.', 1)[-1]}",
        "patientmoduleattr_set": [{"patient_sex": "F", **(patient or {})}],
        "patientstudymoduleattr_set": [{"patient_age_decimal": 54.2, "patient_size": 1.68,
                                        "patient_weight": 71.5}],
        "generalequipmentmoduleattr_set": [{
            "manufacturer": "Vendor", "institution_name": "Kerma Hospital",
            "station_name": f"{modality}1", "manufacturer_model_name": "Model X"}],
        "_meta": {"importer": "rdsr", "sop_instance_uid": uid + ".9",
                  "device_observer_uid": f"1.2.3.{modality}"},
    }


def ct_event(protocol, ctdivol, dlp, kind=SPIRAL, kvp=120.0, length=250.0, uid=None):
    """One CT acquisition."""
    return {
        "acquisition_protocol": protocol, "ct_acquisition_type": kind,
        "irradiation_event_uid": uid or f"2.25.{next(_uids)}", "mean_ctdivol": ctdivol,
        "dlp": dlp, "ctdiw_phantom_type": BODY_PHANTOM, "exposure_time": 4.5,
        "nominal_single_collimation_width": 0.6, "nominal_total_collimation_width": 38.4,
        "pitch_factor": 0.9, "number_of_xray_sources": 1,
        "ctxraysourceparameters_set": [{"identification_of_the_xray_source": "A", "kvp": kvp,
                                        "maximum_xray_tube_current": 500.0,
                                        "xray_tube_current": 210.0,
                                        "exposure_time_per_rotation": 0.5}],
        "scanninglength_set": [{"scanning_length": length,
                                "top_z_location_of_scanning_length": 10.0,
                                "bottom_z_location_of_scanning_length": 10.0 - length}],
    }


def ct_record(events, description="CT Chest", date=datetime.date(2024, 3, 4), patient=None,
              uid=None):
    """A CT study with ``events`` (from ``ct_event``)."""
    record = _common("CT", description, date, patient, uid)
    record["ctradiationdose_set"] = [{
        "ctaccumulateddosedata_set": [{
            "ct_dose_length_product_total": round(sum(e["dlp"] for e in events), 6),
            "total_number_of_irradiation_events": len(events)}],
        "ctirradiationeventdata_set": list(events),
    }]
    return record


def rf_event(protocol, dap, dose_rp, kind=FLUOROSCOPY, plane=SINGLE_PLANE, kvps=(75.0,),
             currents=(10.0,), widths=(5.0,), pulse_rate=7.5, field=220, copper=0.6,
             angles=(0.0, 0.0), when=None):
    """One fluoroscopy or acquisition exposure; DAP in Gy·m², dose at RP in Gy."""
    return {
        "acquisition_plane": plane, "irradiation_event_type": kind,
        "acquisition_protocol": protocol, "dose_area_product": dap,
        "irradiation_event_uid": f"2.25.{next(_uids)}",
        "date_time_started": when or datetime.datetime(2024, 3, 4, 10, 31, 0),
        "irradeventxraysourcedata_set": [{
            "dose_rp": dose_rp, "pulse_rate": pulse_rate, "ii_field_size": field,
            "number_of_pulses": 30.0, "exposure_time": 120.0, "irradiation_duration": 4.0,
            "kvp_set": [{"kvp": v} for v in kvps],
            "xraytubecurrent_set": [{"xray_tube_current": v} for v in currents],
            "pulsewidth_set": [{"pulse_width": v} for v in widths],
            "xrayfilters_set": [{"xray_filter_material": COPPER,
                                 "xray_filter_thickness_minimum": copper,
                                 "xray_filter_thickness_maximum": copper}],
        }],
        "irradeventxraymechanicaldata_set": [{"positioner_primary_angle": angles[0],
                                              "positioner_secondary_angle": angles[1]}],
    }


def rf_record(events, totals, description="Coronary angiogram", date=datetime.date(2024, 3, 4),
              plane=SINGLE_PLANE, patient=None):
    """A fluoroscopy study; ``totals`` are the TID 10004 fields of its one plane."""
    record = _common("RF", description, date, patient, None)
    record["performing_physician_name"] = "Dr^Who"
    record["projectionxrayradiationdose_set"] = [{
        "accumxraydose_set": [{"acquisition_plane": plane, "accumprojxraydose_set": [totals]}],
        "irradeventxraydata_set": list(events),
    }]
    return record


def mg_event(view, laterality, agd, kvps, currents, widths=(), exposures=(), protocol="ROUTINE",
             thickness=52.0):
    """One mammography exposure; several values per list make a per-pulse (DBT) event."""
    return {
        "acquisition_plane": SINGLE_PLANE, "irradiation_event_type": STATIONARY,
        "acquisition_protocol": protocol, "image_view": view, "laterality": laterality,
        "irradiation_event_uid": f"2.25.{next(_uids)}", "entrance_exposure_at_rp": 6.1,
        "irradeventxraysourcedata_set": [{
            "average_glandular_dose": agd, "exposure_time": 600.0, "focal_spot_size": 0.3,
            "anode_target_material": TUNGSTEN, "exposure_control_mode": "AUTOMATIC",
            "number_of_pulses": float(len(kvps)) if len(kvps) > 1 else None,
            "kvp_set": [{"kvp": v} for v in kvps],
            "xraytubecurrent_set": [{"xray_tube_current": v} for v in currents],
            "pulsewidth_set": [{"pulse_width": v} for v in widths],
            "exposure_set": [{"exposure": v} for v in exposures],
            "xrayfilters_set": [{"xray_filter_material": SILVER,
                                 "xray_filter_thickness_minimum": 0.05,
                                 "xray_filter_thickness_maximum": 0.05}],
        }],
        "irradeventxraymechanicaldata_set": [{"compression_thickness": thickness,
                                              "compression_force": 90.0}],
    }


BREASTS = {"G-A100": Code("T-04020", "Right breast", "SRT"),
           "G-A101": Code("T-04030", "Left breast", "SRT")}


def mg_record(events, description="Bilateral mammography", patient=None):
    """A mammography study with its accumulated AGD per breast (TID 10005)."""
    record = _common("MG", description, datetime.date(2024, 3, 5), patient, None)
    totals = {}
    for event in events:
        breast = BREASTS[event["laterality"].code_value]
        agd = event["irradeventxraysourcedata_set"][0]["average_glandular_dose"]
        totals[breast] = totals.get(breast, 0.0) + agd
    record["projectionxrayradiationdose_set"] = [{
        "accumxraydose_set": [{"acquisition_plane": SINGLE_PLANE, "accummammographyxraydose_set": [
            {"laterality": breast, "accumulated_average_glandular_dose": agd}
            for breast, agd in totals.items()]}],
        "irradeventxraydata_set": list(events),
    }]
    return record


def store(record):
    """Store ``record`` in the current application's database; the Outcome."""
    from app.extensions import db

    outcome = persist(record, "synthetic")
    assert outcome.status == "imported", outcome.line()
    db.session.commit()
    return outcome


def dx_record(events, description="XR Chest", modality="DX", procedure=None):
    """A radiography study (events from ``rf_event``, with stationary acquisitions)."""
    record = _common(modality, description, datetime.date(2024, 3, 6), None, None)
    record["procedure_code_meaning"] = procedure
    record["projectionxrayradiationdose_set"] = [{"irradeventxraydata_set": list(events)}]
    return record
