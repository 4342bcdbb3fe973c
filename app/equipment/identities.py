"""Device identities as an administrator sees and changes them.

A study reaches its device through its equipment row's identity (``UniqueEquipmentNames``).
Lists, filters, the home page, charts and exports read the display name through that link
at query time, so renaming identities is one UPDATE of the identity rows, whatever the
number of studies; identities sharing a display name are one system everywhere.

A user-defined modality is different: the modality lists select on the study's own
``modality_type``, so forcing one rewrites the studies of the device, keeping what the device
sent in ``modality_type_as_sent`` so that clearing it restores it. The setting is saved (and
applies to every later import) at once; the stored studies are rewritten in chunks of
``CHUNK`` studies, each committed, with progress reported after each, then the study tally
(home page) is recounted for the systems concerned. Rewriting is idempotent: run again after
an interruption, it moves what is left.
"""
import datetime
from dataclasses import dataclass, field

from sqlalchemy import case, delete, func, insert, literal, select, update

from ..audit import record_audit
from ..extensions import db
from ..importing.lookups import settings_changed
from ..importing.store import PROJECTION_TYPES
from ..models.study import GeneralEquipmentModuleAttr as Equipment
from ..models.study import GeneralStudyModuleAttr as Study
from ..models.study import UniqueEquipmentNames as Identity
from ..models.tally import NO_DATE, NO_DEVICE, StudyTally

#: Modality types an administrator can force on a device. Only projection studies change:
#: a CT or NM study keeps its modality whatever its device's override says.
USER_MODALITIES = PROJECTION_TYPES

#: Studies rewritten per transaction when a user-defined modality is applied.
CHUNK = 10_000

#: The identity fields the Equipment page shows, in order.
SHOWN_FIELDS = (
    ("manufacturer", "Manufacturer"), ("manufacturer_model_name", "Model"),
    ("station_name", "Station name"), ("institution_name", "Institution"),
    ("institutional_department_name", "Department"),
    ("device_serial_number", "Serial number"), ("software_versions", "Software versions"),
)


@dataclass
class IdentityRow:
    """One identity with its studies per modality type and its latest study date."""

    identity: Identity
    studies: dict = field(default_factory=dict)
    latest: datetime.date | None = None

    @property
    def total(self) -> int:
        """Studies of every modality type counted under this identity."""
        return sum(self.studies.values())


class EquipmentError(ValueError):
    """A change that cannot be made (unknown identity, modality not offered)."""


def identity_rows(new_only: bool = False, search: str = "") -> list[IdentityRow]:
    """Every identity (or only those not yet reviewed), with counts from the study tally.

    The tally counts each study under its lowest identity, as the home page does.
    """
    query = select(Identity).order_by(func.lower(func.coalesce(Identity.display_name, "")),
                                      Identity.id)
    if new_only:
        query = query.where(Identity.reviewed.is_(False))
    if search:
        query = query.where(func.coalesce(Identity.display_name, "").icontains(
            search, autoescape=True) | func.coalesce(Identity.manufacturer, "").icontains(
            search, autoescape=True) | func.coalesce(Identity.station_name, "").icontains(
            search, autoescape=True) | func.coalesce(Identity.manufacturer_model_name, "")
            .icontains(search, autoescape=True))
    rows = {identity.id: IdentityRow(identity) for identity in db.session.scalars(query)}
    if not rows:
        return []
    counts = db.session.execute(
        select(StudyTally.unique_equipment_name_id, StudyTally.modality_type,
               func.sum(StudyTally.studies),
               func.max(case((StudyTally.study_date != NO_DATE, StudyTally.study_date))))
        .where(StudyTally.studies > 0, StudyTally.unique_equipment_name_id.in_(list(rows)))
        .group_by(StudyTally.unique_equipment_name_id, StudyTally.modality_type))
    for identity_id, modality_type, studies, latest in counts:
        row = rows[identity_id]
        row.studies[modality_type or "?"] = int(studies)
        if latest is not None and (row.latest is None or latest > row.latest):
            row.latest = latest
    return list(rows.values())


def new_count() -> int:
    """How many identities no administrator has reviewed yet."""
    return db.session.scalar(select(func.count(Identity.id)).where(Identity.reviewed.is_(False)))


def display_names() -> list[str]:
    """Every display name in use, for choosing one to merge identities under."""
    return list(db.session.scalars(
        select(Identity.display_name).where(Identity.display_name.is_not(None))
        .distinct().order_by(Identity.display_name)))


def _identities(ids) -> list[Identity]:
    ids = sorted({int(i) for i in ids})
    found = db.session.scalars(select(Identity).where(Identity.id.in_(ids))
                               .order_by(Identity.id)).all()
    missing = sorted(set(ids) - {identity.id for identity in found})
    if missing:
        raise EquipmentError(f"no device identity {', '.join(map(str, missing))}")
    return found


def set_display_name(ids, display_name: str) -> int:
    """Give every identity in ``ids`` this display name (and mark it reviewed); audited.

    Returns how many identities changed name.
    """
    name = (display_name or "").strip()[:256]
    if not name:
        raise EquipmentError("a display name cannot be empty")
    identities = _identities(ids)
    changed = [i for i in identities if i.display_name != name]
    if changed:
        record_audit("equipment.display_name", _target(changed), "\n".join(
            f"identity {i.id}: {i.display_name!r} -> {name!r}" for i in changed))
    db.session.execute(update(Identity).where(Identity.id.in_([i.id for i in identities]))
                       .values(display_name=name, reviewed=True))
    settings_changed(db.session)
    db.session.commit()
    return len(changed)


def mark_reviewed(ids, reviewed: bool = True) -> int:
    """Mark identities reviewed (no longer listed as new), or new again; audited."""
    identities = [i for i in _identities(ids) if i.reviewed != reviewed]
    if identities:
        record_audit("equipment.review", _target(identities),
                     "\n".join(f"identity {i.id}: reviewed {not reviewed} -> {reviewed}"
                               for i in identities))
        db.session.execute(update(Identity).where(Identity.id.in_([i.id for i in identities]))
                           .values(reviewed=reviewed))
    db.session.commit()
    return len(identities)


def set_user_modality(ids, modality: str | None, progress=None) -> int:
    """Force ``modality`` (one of USER_MODALITIES; None or "" clears it) on the identities and
    on the projection studies of their devices, stored ones included; audited.

    Returns how many studies changed modality type. ``progress(done, total)`` is called after
    each chunk of stored studies.
    """
    identity_ids, modality = save_user_modality(ids, modality)
    return apply_user_modality(identity_ids, modality, progress=progress)


def save_user_modality(ids, modality: str | None) -> tuple[list[int], str | None]:
    """Save the override on the identities (later imports follow it at once); audited.

    Returns the identity ids and the modality as saved, for ``apply_user_modality``.
    """
    modality = (modality or "").strip().upper() or None
    if modality is not None and modality not in USER_MODALITIES:
        raise EquipmentError(
            f"a user-defined modality is one of {', '.join(USER_MODALITIES)}, not {modality!r}")
    identities = _identities(ids)
    identity_ids = [i.id for i in identities]
    changed = [i for i in identities if i.user_defined_modality != modality]
    if changed:
        record_audit("equipment.modality", _target(changed), "\n".join(
            f"identity {i.id}: {i.user_defined_modality or '(as sent)'} -> "
            f"{modality or '(as sent)'}" for i in changed))
    db.session.execute(update(Identity).where(Identity.id.in_(identity_ids))
                       .values(user_defined_modality=modality, reviewed=True))
    settings_changed(db.session)
    db.session.commit()
    return identity_ids, modality


def studies_to_move(identity_ids) -> int:
    """How many stored studies the identities' devices have (what applying may rewrite)."""
    return db.session.scalar(select(func.count()).select_from(Equipment).where(
        Equipment.unique_equipment_name_id.in_(list(identity_ids)))) or 0


def apply_user_modality(identity_ids, modality: str | None, progress=None) -> int:
    """Set (or, with None, restore) the modality type of the identities' stored projection
    studies, ``CHUNK`` studies per committed transaction, then recount their systems in the
    tally; audited with the number of studies moved.

    Only identities whose saved override is still ``modality`` are applied, so an override
    changed again meanwhile is left to its own application.
    """
    identity_ids = list(db.session.scalars(select(Identity.id).where(
        Identity.id.in_(list(identity_ids)),
        Identity.user_defined_modality.is_(None) if modality is None
        else Identity.user_defined_modality == modality)))
    total = studies_to_move(identity_ids) if identity_ids else 0
    moved = done = last = 0
    while identity_ids:
        chunk = db.session.scalars(
            select(Equipment.general_study_module_attr_id)
            .where(Equipment.unique_equipment_name_id.in_(identity_ids),
                   Equipment.general_study_module_attr_id > last)
            .order_by(Equipment.general_study_module_attr_id).limit(CHUNK)).all()
        if not chunk:
            break
        moved += _move(chunk, modality)
        db.session.commit()
        done += len(chunk)
        last = chunk[-1]
        if progress is not None:
            progress(done, total)
    if identity_ids:
        recount_systems(select(Study.unique_equipment_name_id).where(Study.id.in_(
            select(Equipment.general_study_module_attr_id).where(
                Equipment.unique_equipment_name_id.in_(identity_ids)))).distinct())
        record_audit("equipment.modality_applied", _target(_identities(identity_ids)),
                     f"{modality or '(as sent)'}: {moved} studies changed")
        db.session.commit()
    return moved


def _move(study_ids, modality: str | None) -> int:
    """Rewrite the modality type of these studies; how many changed."""
    as_sent = func.coalesce(Study.modality_type_as_sent, Study.modality_type)
    if modality is None:
        statement = (update(Study)
                     .where(Study.id.in_(study_ids), Study.modality_type_as_sent.is_not(None))
                     .values(modality_type=Study.modality_type_as_sent,
                             modality_type_as_sent=None))
    else:
        statement = (update(Study)
                     .where(Study.id.in_(study_ids), as_sent.in_(PROJECTION_TYPES),
                            func.coalesce(Study.modality_type, "") != modality)
                     .values(modality_type=modality,
                             modality_type_as_sent=case((as_sent == modality, None),
                                                        else_=as_sent)))
    return db.session.execute(statement.execution_options(synchronize_session=False)).rowcount


def recount_systems(systems) -> None:
    """Recount the tally rows of these systems (a select of identity ids) from their studies."""
    tally = StudyTally.__table__
    system_ids = [row for row in db.session.scalars(systems)]
    ids = [i for i in system_ids if i is not None]
    counted = [*ids, NO_DEVICE] if None in system_ids else ids
    if not counted:
        return
    db.session.execute(delete(tally).where(tally.c.unique_equipment_name_id.in_(counted)))
    # Each key expression is built once and grouped by itself: PostgreSQL matches GROUP BY
    # terms by their parameters too.
    keys = (func.coalesce(Study.modality_type, literal("")),
            func.coalesce(Study.unique_equipment_name_id, literal(NO_DEVICE)),
            func.coalesce(Study.study_date, literal(NO_DATE)))
    per_key = select(*keys, func.count()).where(keys[1].in_(counted)).group_by(*keys)
    db.session.execute(insert(tally).from_select(
        ["modality_type", "unique_equipment_name_id", "study_date", "studies"], per_key))


def _target(identities) -> str:
    if len(identities) == 1:
        return f"device identity {identities[0].id}"
    return f"device identities {', '.join(str(i.id) for i in identities)}"
