"""Setting a device's localizer calibration, and recomputing the studies it affects."""
import datetime

from pydicom import dcmread
from sqlalchemy import select

from ..extensions import db
from ..importing.equipment import unique_equipment
from ..models.ssde import CtLocalizerProfile, LocalizerCalibration
from ..models.study import UniqueEquipmentNames
from .events import recompute_study
from .localizer import LocalizerError, calibrate


class CalibrationError(ValueError):
    """The calibration cannot be set; the message says why."""


def calibrate_device(device_id=None, slope=None, intercept=0.0, phantom_file=None,
                     phantom_diameter=None):
    """Store (and commit) a calibration; (the calibration, studies recomputed)."""
    if phantom_file is not None:
        if not phantom_diameter:
            raise CalibrationError("--phantom needs --phantom-diameter (mm)")
        try:
            ds = dcmread(phantom_file, force=True)
            slope, intercept = calibrate(ds, phantom_diameter)
        except LocalizerError as exc:
            raise CalibrationError(f"{phantom_file}: {exc}") from exc
        except Exception as exc:  # noqa: BLE001 - a damaged file is reported, not raised
            raise CalibrationError(f"{phantom_file}: cannot be read ({type(exc).__name__})") from exc
        if device_id is None:
            from .receiving import equipment_of

            device_id = unique_equipment(db.session, equipment_of(ds), None).id
    elif slope is None:
        raise CalibrationError("give --slope (and --intercept), or --phantom and --phantom-diameter")
    if slope is None or slope <= 0:
        raise CalibrationError("the slope must be positive")
    if device_id is None or db.session.get(UniqueEquipmentNames, device_id) is None:
        raise CalibrationError(f"no equipment identity {device_id}")
    calibration = db.session.get(LocalizerCalibration, device_id) or LocalizerCalibration(
        unique_equipment_name_id=device_id)
    calibration.slope, calibration.intercept = slope, intercept
    calibration.phantom_diameter = phantom_diameter if phantom_file else None
    calibration.updated = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    db.session.add(calibration)
    db.session.flush()
    uids = db.session.scalars(select(CtLocalizerProfile.study_instance_uid).distinct()).all()
    # Every study with a localizer: a sibling identity of this device may have sent it.
    for uid in uids:
        recompute_study(uid)
    db.session.commit()
    return calibration, len(uids)
