"""Observers and participants (TID 1002 Observer Context, TID 1020 Person, TID 1021 Device).

Every dose template records who or what observed and took part; the same content items appear
at the report root, in accumulated data and in events, so one reader serves them all.
"""
from pydicom.sr.codedict import codes

from .sr import Children, ContentItem

OBSERVER_TYPE = codes.DCM.ObserverType.value  # 121005
PERSON_OBSERVER_NAME = codes.DCM.PersonObserverName.value  # 121008
PERSON_OBSERVER_ORGANIZATION = "121009"
PERSON_OBSERVER_ROLE_IN_ORGANIZATION = "121010"
PERSON_OBSERVER_ROLE_IN_PROCEDURE = "121011"
DEVICE_OBSERVER_UID = codes.DCM.DeviceObserverUID.value  # 121012
DEVICE_OBSERVER_NAME = "121013"
DEVICE_OBSERVER_MANUFACTURER = "121014"
DEVICE_OBSERVER_MODEL_NAME = "121015"
DEVICE_OBSERVER_SERIAL_NUMBER = "121016"
DEVICE_OBSERVER_LOCATION = "121017"
DEVICE_ROLE_IN_PROCEDURE = "113876"
PERSON_ROLE_IN_PROCEDURE = "113875"
PERSON_ID = "113871"
PERSON_ID_ISSUER = "113872"
ORGANIZATION_NAME = "113873"
PERSON_ROLE_IN_ORGANIZATION = "113874"
DEVICE_NAME = "113877"
DEVICE_MANUFACTURER = "113878"
DEVICE_MODEL_NAME = "113879"
DEVICE_SERIAL_NUMBER = "113880"
PERSON_PARTICIPANT = "113870"  # Person Name, the TID 1020 root item
DEVICE_PARTICIPANT = "113876"  # Device Role in Procedure, the TID 1021 root item


def observer_contexts(children: Children) -> list[dict]:
    """Observer Context rows from a container's children: one per Observer Type item.

    The observer's identifying items follow its Observer Type item as siblings, so the
    children are read in document order and split at each Observer Type. Some devices list
    both Observer Type items first and the person and device items after them; a person item
    then belongs to the last person observer, a device item to the last device observer.
    """
    observers, current, latest = [], None, {}
    for item in children:
        concept = item.code_value
        if concept == OBSERVER_TYPE:
            observer_type = item.code()
            current = {"observer_type": observer_type}
            observers.append(current)
            kind = _OBSERVER_KINDS.get(observer_type.code_value if observer_type else None)
            if kind:
                latest[kind] = current
        elif current is not None and concept in _OBSERVER_FIELDS:
            field, reader = _OBSERVER_FIELDS[concept]
            kind = PERSON_KIND if concept in _PERSON_OBSERVER_ITEMS else DEVICE_KIND
            current_type = current["observer_type"]
            current_kind = _OBSERVER_KINDS.get(current_type.code_value if current_type else None)
            target = current if current_kind in (None, kind) else latest.get(kind, current)
            target[field] = reader(item)
    return observers


PERSON_KIND, DEVICE_KIND = "person", "device"
_OBSERVER_KINDS = {
    codes.DCM.Person.value: PERSON_KIND,  # 121006
    codes.DCM.Device.value: DEVICE_KIND,  # 121007
}
_PERSON_OBSERVER_ITEMS = {
    PERSON_OBSERVER_NAME, PERSON_OBSERVER_ORGANIZATION, PERSON_OBSERVER_ROLE_IN_ORGANIZATION,
    PERSON_OBSERVER_ROLE_IN_PROCEDURE,
}


_OBSERVER_FIELDS = {
    PERSON_OBSERVER_NAME: ("person_observer_name", ContentItem.person_name),
    PERSON_OBSERVER_ORGANIZATION: ("person_observer_organization_name", ContentItem.text),
    PERSON_OBSERVER_ROLE_IN_ORGANIZATION: (
        "person_observer_role_in_organization", ContentItem.code),
    PERSON_OBSERVER_ROLE_IN_PROCEDURE: ("person_observer_role_in_procedure", ContentItem.code),
    DEVICE_OBSERVER_UID: ("device_observer_uid", lambda item: uid_of(item)),
    DEVICE_OBSERVER_NAME: ("device_observer_name", ContentItem.text),
    DEVICE_OBSERVER_MANUFACTURER: ("device_observer_manufacturer", ContentItem.text),
    DEVICE_OBSERVER_MODEL_NAME: ("device_observer_model_name", ContentItem.text),
    DEVICE_OBSERVER_SERIAL_NUMBER: ("device_observer_serial_number", ContentItem.text),
    DEVICE_OBSERVER_LOCATION: (
        "device_observer_physical_location_during_observation", ContentItem.text),
    DEVICE_ROLE_IN_PROCEDURE: ("device_role_in_procedure", ContentItem.code),
}


def uid_of(item: ContentItem | None) -> str | None:
    """A UIDREF item's value; some GE systems send the Device Observer UID as TEXT."""
    if item is None:
        return None
    return item.uid() or item.text()


def person_participants(children: Children) -> list[dict]:
    """Person Participant rows (TID 1020) for every Person Name item among the children."""
    return [person_participant(item) for item in children.all(PERSON_PARTICIPANT)]


def person_participant(item: ContentItem) -> dict:
    """One Person Participant: the name item and the details nested below it."""
    below = item.children
    role = below.code(PERSON_ROLE_IN_PROCEDURE)
    return {
        "person_name": item.person_name(),
        "person_role_in_procedure_cid": role,
        "person_id": below.text(PERSON_ID),
        "person_id_issuer": below.text(PERSON_ID_ISSUER),
        "organization_name": below.text(ORGANIZATION_NAME),
        "person_role_in_organization_cid": below.code(PERSON_ROLE_IN_ORGANIZATION),
    }


def device_participants(children: Children) -> list[dict]:
    """Device Participant rows (TID 1021) for every Device Role in Procedure item."""
    return [device_participant(item) for item in children.all(DEVICE_PARTICIPANT)]


def device_participant(item: ContentItem) -> dict:
    """One Device Participant: the role item and the details nested below it."""
    below = item.children
    return {
        "device_role_in_procedure": item.code(),
        "device_name": below.text(DEVICE_NAME),
        "device_manufacturer": below.text(DEVICE_MANUFACTURER),
        "device_model_name": below.text(DEVICE_MODEL_NAME),
        "device_serial_number": below.text(DEVICE_SERIAL_NUMBER),
        "device_observer_uid": uid_of(below.first(DEVICE_OBSERVER_UID)),
    }
