"""Setting or removing a device's localizer calibration, and recomputing the studies it
affects.

The ``flask ssde calibrate`` command and the localizer calibration page both come here, so a
calibration is checked, audited and applied the same way whichever sets it.
"""
import datetime
import io
import os
from dataclasses import dataclass

from pydicom import Dataset, dcmread
from pydicom.errors import InvalidDicomError
from sqlalchemy import distinct, func, select

from ..audit import record_audit
from ..extensions import db
from ..importing.equipment import unique_equipment
from ..models.ssde import CtLocalizerProfile, LocalizerCalibration
from ..models.study import UniqueEquipmentNames
from .events import recompute_study
from .localizer import LocalizerError, calibrate, is_localizer
from .sources import calibration_for, same_device_ids

#: The audit actions of calibration changes (docs/audit.md).
SET_ACTION, REMOVE_ACTION = "ssde.calibration", "ssde.calibration_remove"


class CalibrationError(ValueError):
    """The calibration cannot be set; the message says why."""


def phantom_name(phantom, name=None) -> str:
    """What messages call the phantom: the given name, else the path or stream's name."""
    if name:
        return str(name)
    if isinstance(phantom, (str, os.PathLike)):
        return str(phantom)
    return str(getattr(phantom, "name", None) or getattr(phantom, "filename", None)
               or "the phantom localizer")


def read_phantom(phantom, name=None) -> Dataset:
    """The phantom localizer as a Dataset, from a Dataset, bytes, a binary stream or a path.

    A file without the DICOM preamble is still read (as ``dcmread(force=True)`` does), but
    only when it then holds a SOP Class UID: arbitrary bytes are "not a DICOM file", not a
    dataset of garbage elements. Every failure is a CalibrationError naming the file.
    """
    name = phantom_name(phantom, name)
    if isinstance(phantom, Dataset):
        ds = phantom
    else:
        data = phantom if isinstance(phantom, (bytes, bytearray)) else None
        if data is None and not isinstance(phantom, (str, os.PathLike)):
            data = phantom.read()
        source = (lambda: io.BytesIO(data)) if data is not None else (lambda: phantom)
        try:
            try:
                ds = dcmread(source())
            except InvalidDicomError:
                ds = dcmread(source(), force=True)
                if "SOPClassUID" not in ds:
                    raise CalibrationError(f"{name}: it is not a DICOM file") from None
        except CalibrationError:
            raise
        except OSError as exc:
            raise CalibrationError(f"{name}: cannot be read ({exc.strerror or exc})") from exc
        except Exception as exc:  # noqa: BLE001 - a damaged file is reported, not raised
            raise CalibrationError(f"{name}: it is not a readable DICOM file "
                                   f"({type(exc).__name__})") from exc
    try:
        localizer = is_localizer(ds)
    except Exception:  # noqa: BLE001 - a malformed Image Type is no localizer
        localizer = False
    if not localizer:
        raise CalibrationError(f"{name}: it is not a CT localizer (its Image Type does not "
                               "name LOCALIZER)")
    return ds


def phantom_calibration(phantom, phantom_diameter, name=None) -> tuple[float, float, Dataset]:
    """(slope, intercept, dataset) fitted to a water phantom localizer of the given diameter."""
    name = phantom_name(phantom, name)
    if not phantom_diameter or phantom_diameter <= 0:
        raise CalibrationError("a phantom localizer needs the phantom's diameter (mm), above 0")
    ds = read_phantom(phantom, name)
    try:
        slope, intercept = calibrate(ds, phantom_diameter)
    except LocalizerError as exc:
        raise CalibrationError(f"{name}: {exc}") from exc
    except Exception as exc:  # noqa: BLE001 - a damaged file is reported, not raised
        raise CalibrationError(f"{name}: its image cannot be read ({type(exc).__name__})") from exc
    return slope, intercept, ds


def calibrate_device(device_id=None, slope=None, intercept=0.0, phantom=None,
                     phantom_diameter=None, phantom_file_name=None):
    """Store (and commit, audited) a calibration; (the calibration, studies recomputed).

    ``phantom`` is a water phantom localizer (a path, bytes, a binary stream or a pydicom
    Dataset; ``phantom_file_name`` names it in messages); without ``device_id`` the
    calibration goes to the phantom's own device.
    """
    intercept = 0.0 if intercept is None else intercept
    if phantom is not None:
        slope, intercept, ds = phantom_calibration(phantom, phantom_diameter, phantom_file_name)
        if device_id is None:
            from .receiving import equipment_of

            device_id = unique_equipment(db.session, equipment_of(ds), None).id
    elif slope is None:
        raise CalibrationError("give --slope (and --intercept), or --phantom and --phantom-diameter")
    if slope is None or not slope > 0:
        raise CalibrationError("the slope must be positive")
    if device_id is None or db.session.get(UniqueEquipmentNames, device_id) is None:
        raise CalibrationError(f"no equipment identity {device_id}")
    calibration = db.session.get(LocalizerCalibration, device_id)
    before = describe(calibration)
    if calibration is None:
        calibration = LocalizerCalibration(unique_equipment_name_id=device_id)
    calibration.slope, calibration.intercept = slope, intercept
    calibration.phantom_diameter = phantom_diameter if phantom is not None else None
    calibration.updated = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    db.session.add(calibration)
    record_audit(SET_ACTION, _target(device_id), f"{before} -> {describe(calibration)}")
    db.session.flush()
    studies = _recompute(device_id)
    db.session.commit()
    return calibration, studies


def remove_calibration(device_id) -> int:
    """Remove (and commit, audited) a device's calibration; the studies recomputed."""
    calibration = db.session.get(LocalizerCalibration, device_id)
    if calibration is None:
        raise CalibrationError(f"equipment identity {device_id} has no localizer calibration")
    record_audit(REMOVE_ACTION, _target(device_id), f"{describe(calibration)} -> none")
    db.session.delete(calibration)
    db.session.flush()
    studies = _recompute(device_id)
    db.session.commit()
    return studies


def describe(calibration) -> str:
    """A calibration's values as the audit log records them ("none" when there is none)."""
    if calibration is None:
        return "none"
    text = f"slope {calibration.slope:.6g} mm, intercept {calibration.intercept:.6g} mm"
    if calibration.phantom_diameter:
        text += f" (phantom {calibration.phantom_diameter:.6g} mm)"
    return text


def formula(calibration) -> str:
    """The calibration as pages write it: "0.1 mm × pixel value − 10 mm"."""
    sign = "−" if calibration.intercept < 0 else "+"
    return (f"{calibration.slope:.6g} mm × pixel value {sign} "
            f"{abs(calibration.intercept):.6g} mm")


def _target(device_id) -> str:
    return f"device identity {device_id}"


def _recompute(device_id) -> int:
    """Recompute the studies with localizers from this device or from an identity with its
    eight equipment fields (which may use its calibration); how many studies."""
    uids = db.session.scalars(
        select(CtLocalizerProfile.study_instance_uid).distinct()
        .where(CtLocalizerProfile.unique_equipment_name_id.in_(same_device_ids(device_id)))).all()
    for uid in uids:
        recompute_study(uid)
    return len(uids)


@dataclass
class DeviceCalibration:
    """One device identity on the calibration page: its own calibration, else the one of an
    identity with its eight fields it uses, and its localizer studies."""

    identity: UniqueEquipmentNames
    calibration: LocalizerCalibration | None
    localizer_studies: int

    @property
    def borrowed(self) -> bool:
        """True when the calibration shown is another identity's (same device fields)."""
        return (self.calibration is not None
                and self.calibration.unique_equipment_name_id != self.identity.id)


def device_calibrations() -> list[DeviceCalibration]:
    """The identities that sent localizers or have a calibration, by display name and id."""
    studies = dict(db.session.execute(
        select(CtLocalizerProfile.unique_equipment_name_id,
               func.count(distinct(CtLocalizerProfile.study_instance_uid)))
        .where(CtLocalizerProfile.unique_equipment_name_id.is_not(None))
        .group_by(CtLocalizerProfile.unique_equipment_name_id)).all())
    ids = set(studies) | set(db.session.scalars(
        select(LocalizerCalibration.unique_equipment_name_id)))
    if not ids:
        return []
    identities = db.session.scalars(
        select(UniqueEquipmentNames).where(UniqueEquipmentNames.id.in_(ids))
        .order_by(func.lower(func.coalesce(UniqueEquipmentNames.display_name, "")),
                  UniqueEquipmentNames.id)).all()
    return [device_calibration(identity, studies.get(identity.id, 0)) for identity in identities]


def device_calibration(identity, localizer_studies=None) -> DeviceCalibration:
    """One identity's calibration row; counts its localizer studies unless given."""
    if localizer_studies is None:
        localizer_studies = db.session.scalar(
            select(func.count(distinct(CtLocalizerProfile.study_instance_uid)))
            .where(CtLocalizerProfile.unique_equipment_name_id == identity.id))
    return DeviceCalibration(identity, calibration_for(identity.id), localizer_studies)
