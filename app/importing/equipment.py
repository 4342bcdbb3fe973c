"""Equipment identity: each distinct device gets one UniqueEquipmentNames row and a display name."""
import hashlib

from sqlalchemy import select

from ..models.study import UniqueEquipmentNames

IDENTITY_FIELDS = (
    "manufacturer", "institution_name", "station_name", "institutional_department_name",
    "manufacturer_model_name", "device_serial_number", "software_versions", "gantry_id",
)


def _digest(value) -> str:
    return hashlib.sha256((value or "").encode("utf-8")).hexdigest()


def default_display_name(equipment: dict) -> str:
    """"Institution Station", or whichever of the two exists, else "Blank"."""
    parts = [equipment.get("institution_name"), equipment.get("station_name")]
    return " ".join(p for p in parts if p) or "Blank"


def identity_hashes(equipment: dict, device_observer_uid: str | None) -> dict:
    """The ``<field>_hash`` columns that identify a device, as the unique constraint sees them."""
    hashes = {f"{name}_hash": _digest(equipment.get(name)) for name in IDENTITY_FIELDS}
    hashes["device_observer_uid_hash"] = _digest(device_observer_uid)
    return hashes


def unique_equipment(session, equipment: dict, device_observer_uid: str | None):
    """The identity row for this device, created (with its display name) if new."""
    hashes = identity_hashes(equipment, device_observer_uid)
    query = select(UniqueEquipmentNames).filter_by(**hashes)
    with session.no_autoflush:
        found = session.scalars(query).first()
        if found is not None:
            return found
        # A device seen before with another Device Observer UID keeps its display name.
        same_device = {k: v for k, v in hashes.items() if k != "device_observer_uid_hash"}
        sibling = session.scalars(
            select(UniqueEquipmentNames).filter_by(**same_device).order_by(UniqueEquipmentNames.id)
        ).first()
    row = UniqueEquipmentNames(
        **{name: (equipment.get(name) or None) and equipment[name][:256] for name in IDENTITY_FIELDS},
        **hashes,
        device_observer_uid=device_observer_uid and device_observer_uid[:128],
        display_name=sibling.display_name if sibling else default_display_name(equipment)[:256],
        user_defined_modality=sibling.user_defined_modality if sibling else None,
        hash_generated=True,
    )
    session.add(row)
    return row
