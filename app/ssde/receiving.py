"""Storing a CT localizer's size profile and recomputing its study's SSDE.

A localizer is not a dose object: nothing of it joins the study tree. Its profile is kept by
Study Instance UID, so it works whether it arrives before or after the dose report; a second
copy of the same SOP Instance UID changes nothing.
"""
import datetime
import json

from sqlalchemy import select

from ..extensions import db
from ..importing.equipment import IDENTITY_FIELDS, unique_equipment
from ..importing.outcome import DUPLICATE, FAILED, IMPORTED, Outcome
from ..models.ssde import CtLocalizerProfile
from .events import recompute_study
from .localizer import LocalizerError, profile
from .sources import calibration_for

NO_CALIBRATION = ("the device has no localizer calibration: the size profile is stored, "
                  "but gives no SSDE until one is set (Equipment → Localizer calibration, "
                  "or flask ssde calibrate)")


def equipment_of(ds) -> dict:
    """The General Equipment identity fields of a dataset, as the importers name them."""
    keywords = {"manufacturer": "Manufacturer", "institution_name": "InstitutionName",
                "station_name": "StationName",
                "institutional_department_name": "InstitutionalDepartmentName",
                "manufacturer_model_name": "ManufacturerModelName",
                "device_serial_number": "DeviceSerialNumber",
                "software_versions": "SoftwareVersions", "gantry_id": "GantryID"}
    found = {}
    for name in IDENTITY_FIELDS:
        try:
            value = ds.get(keywords[name])
        except Exception:  # noqa: BLE001 - a malformed header value is as good as none
            value = None
        if value is not None and not isinstance(value, str):
            value = "\\".join(str(v) for v in value) if hasattr(value, "__iter__") else str(value)
        found[name] = (value or "").strip() or None
    return found


def store_localizer(ds, source: str) -> Outcome:
    """Store the localizer's profile and recompute its study's SSDE, in one transaction."""
    try:
        found = profile(ds)
    except LocalizerError as exc:
        return Outcome(source, FAILED, f"CT localizer not used: {exc}")
    session = db.session
    outcome = Outcome(source, IMPORTED, "CT localizer: size profile stored",
                      study_instance_uid=found.study_instance_uid, modality_type="CT")
    try:
        known = session.scalars(select(CtLocalizerProfile.id).where(
            CtLocalizerProfile.sop_instance_uid == found.sop_instance_uid)).first()
        if known is not None:
            outcome.status, outcome.message = DUPLICATE, "this localizer was imported before"
            return outcome
        if not found.rows:
            outcome.warnings.append("the localizer shows no patient: no size profile")
        identity = unique_equipment(session, equipment_of(ds), None)
        session.add(CtLocalizerProfile(
            study_instance_uid=found.study_instance_uid,
            sop_instance_uid=found.sop_instance_uid, unique_equipment_name_id=identity.id,
            source=source[:1000], rows=json.dumps(found.rows),
            received=datetime.datetime.now(datetime.UTC).replace(tzinfo=None)))
        session.flush()
        if calibration_for(identity.id, session) is None:
            outcome.warnings.append(NO_CALIBRATION)
        recompute_study(found.study_instance_uid)
        session.commit()
    except Exception as exc:  # noqa: BLE001 - report, never crash the import
        session.rollback()
        return Outcome(source, FAILED, f"CT localizer could not be stored ({type(exc).__name__})")
    return outcome
