"""Equipment identity: each distinct device gets one UniqueEquipmentNames row and a display name."""
import hashlib
from typing import NamedTuple

from sqlalchemy import insert, select

from ..models.study import UniqueEquipmentNames
from . import lookups

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


class Identity(NamedTuple):
    """What an import needs of a device's identity row."""

    id: int
    display_name: str | None
    user_defined_modality: str | None


def identity_hashes(equipment: dict, device_observer_uid: str | None) -> dict:
    """The ``<field>_hash`` columns that identify a device, as the unique constraint sees them."""
    hashes = {f"{name}_hash": _digest(equipment.get(name)) for name in IDENTITY_FIELDS}
    hashes["device_observer_uid_hash"] = _digest(device_observer_uid)
    return hashes


def unique_equipment(session, equipment: dict, device_observer_uid: str | None) -> Identity:
    """The identity row for this device, created (with its display name) if new."""
    table = UniqueEquipmentNames.__table__
    hashes = identity_hashes(equipment, device_observer_uid)
    key = tuple(hashes.values())
    known = lookups.known_identity(session, key)
    if known is not None:
        return known
    # One query finds the device and its siblings: the same eight fields under another
    # Device Observer UID, whose display name a new row inherits.
    same_device = session.execute(
        select(table.c.id, table.c.device_observer_uid_hash, table.c.display_name,
               table.c.user_defined_modality)
        .where(*(table.c[name] == value for name, value in hashes.items()
                 if name != "device_observer_uid_hash"))
        .order_by(table.c.id)
    ).all()
    for row in same_device:
        if row.device_observer_uid_hash == hashes["device_observer_uid_hash"]:
            identity = Identity(row.id, row.display_name, row.user_defined_modality)
            lookups.stage(session, "identities", key, identity)
            return identity
    sibling = same_device[0] if same_device else None
    values = dict(
        **{name: (equipment.get(name) or None) and equipment[name][:256] for name in IDENTITY_FIELDS},
        **hashes,
        device_observer_uid=device_observer_uid and device_observer_uid[:128],
        display_name=sibling.display_name if sibling else default_display_name(equipment)[:256],
        user_defined_modality=sibling.user_defined_modality if sibling else None,
        hash_generated=True,
    )
    row_id = session.execute(insert(table).returning(table.c.id), values).scalar_one()
    identity = Identity(row_id, values["display_name"], values["user_defined_modality"])
    lookups.stage(session, "identities", key, identity)
    return identity
