"""Patient sizes of a study from outside its dose report: CT localizers and size imports.

``StudySizes`` gathers, for one Study Instance UID, the calibrated localizer profiles and the
imported dimensions; ``fallbacks(event)`` turns them into the (diameter mm, method) pairs
``aapm.estimate`` tries after the report's own sizes: the localizer first, then the size
import's water equivalent diameter, then its √(AP × lateral).
"""
import json
import math
from dataclasses import dataclass, field

from sqlalchemy import select

from ..extensions import db
from ..models.ssde import CtLocalizerProfile, LocalizerCalibration, StudySizeImport
from ..models.study import UniqueEquipmentNames
from .aapm import LOCALIZER, SIZE_IMPORT_AP_LATERAL, SIZE_IMPORT_WED
from .localizer import mean_diameter

_SAME_DEVICE = ("manufacturer_hash", "institution_name_hash", "station_name_hash",
                "institutional_department_name_hash", "manufacturer_model_name_hash",
                "device_serial_number_hash", "software_versions_hash", "gantry_id_hash")


@dataclass
class StudySizes:
    """What is known of one study's patient size besides its dose report."""

    #: (rows, slope, intercept) of each localizer whose device has a calibration.
    localizers: list = field(default_factory=list)
    #: Localizers stored without a calibration for their device.
    uncalibrated: int = 0
    imported: StudySizeImport | None = None

    def fallbacks(self, event) -> list[tuple[float, str]]:
        """(diameter mm, method) pairs for one CT event (row or RecordRow), best first."""
        found = []
        z_range = scanned_range(event)
        diameters = []
        for rows, slope, intercept in self.localizers:
            value, _ = mean_diameter(rows, slope, intercept, z_range)
            if value is not None:
                diameters.append(value)
        if diameters:
            found.append((sum(diameters) / len(diameters), LOCALIZER))
        imported = self.imported
        if imported is not None:
            if imported.water_equivalent_diameter:
                found.append((imported.water_equivalent_diameter, SIZE_IMPORT_WED))
            if imported.ap_dimension and imported.lateral_dimension:
                found.append((math.sqrt(imported.ap_dimension * imported.lateral_dimension),
                              SIZE_IMPORT_AP_LATERAL))
        return found


def scanned_range(event):
    """(z, z) mm of the event's scanning length, else its reconstructable volume, else None."""
    for length in event.scanninglength_set:
        for top, bottom in (
                (length.top_z_location_of_scanning_length,
                 length.bottom_z_location_of_scanning_length),
                (length.top_z_location_of_reconstructable_volume,
                 length.bottom_z_location_of_reconstructable_volume)):
            if top is not None and bottom is not None:
                return (top, bottom)
    return None


def calibration_for(identity_id, session=None):
    """The calibration of a device identity, or of another with the same eight fields."""
    session = session or db.session
    if identity_id is None:
        return None
    own = session.get(LocalizerCalibration, identity_id)
    if own is not None:
        return own
    identity = session.get(UniqueEquipmentNames, identity_id)
    if identity is None:
        return None
    return session.scalars(
        select(LocalizerCalibration)
        .join(UniqueEquipmentNames,
              UniqueEquipmentNames.id == LocalizerCalibration.unique_equipment_name_id)
        .where(*(getattr(UniqueEquipmentNames, name) == getattr(identity, name)
                 for name in _SAME_DEVICE))
        .order_by(LocalizerCalibration.unique_equipment_name_id)).first()


def same_device_ids(identity_id, session=None) -> list[int]:
    """The identity and every other with its eight equipment fields: the identities whose
    localizers a calibration of ``identity_id`` may apply to (``calibration_for``)."""
    session = session or db.session
    identity = session.get(UniqueEquipmentNames, identity_id)
    if identity is None:
        return []
    return session.scalars(
        select(UniqueEquipmentNames.id)
        .where(*(getattr(UniqueEquipmentNames, name) == getattr(identity, name)
                 for name in _SAME_DEVICE))).all()


def study_sizes(study_instance_uid, session=None) -> StudySizes:
    """The localizers and size import stored for a Study Instance UID."""
    session = session or db.session
    sizes = StudySizes()
    if not study_instance_uid:
        return sizes
    profiles = session.scalars(
        select(CtLocalizerProfile)
        .where(CtLocalizerProfile.study_instance_uid == study_instance_uid)
        .order_by(CtLocalizerProfile.id)).all()
    for profile in profiles:
        calibration = calibration_for(profile.unique_equipment_name_id, session)
        if calibration is None:
            sizes.uncalibrated += 1
            continue
        sizes.localizers.append((json.loads(profile.rows), calibration.slope,
                                 calibration.intercept))
    sizes.imported = session.scalars(
        select(StudySizeImport)
        .where(StudySizeImport.study_instance_uid == study_instance_uid)).first()
    return sizes
