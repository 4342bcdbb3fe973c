"""Storing a study record: duplicates, cumulative reports, merges, all in one transaction.

Decisions, for an object whose Study Instance UID is already stored:

- its SOP Instance UID was imported before into a study with this Study Instance UID: nothing
  to do;
- a dose report whose irradiation events equal, or are a subset of, a stored study's: a
  duplicate (its SOP Instance UID is recorded against that study);
- a dose report whose events include all of a stored study's and more (a cumulative report,
  sent after every acquisition): it replaces the stored study;
- a dose report whose events share none with the stored studies (a study continued after a
  restart): a second study with the same UID;
- a dose report for a study stored from image headers: the report replaces the image-derived
  study, because it is the better source and holding both would count the dose twice;
- an image header for a study stored from a dose report: a duplicate, for the same reason;
- an image header for a study stored from image headers: its event joins that study, unless an
  event with the same acquisition date-time is there already (a for-processing /
  for-presentation pair of the same exposure);
- NM and PET image headers fill gaps in a stored NM study and never overwrite.
"""
from sqlalchemy import select

from .. import tally
from .chart_values import refresh as refresh_chart_values
from ..models.study import GeneralStudyModuleAttr, ObjectUIDsProcessed
from .equipment import unique_equipment
from .identity import apply_policy
from .outcome import DUPLICATE, IMPORTED, Outcome
from .rows import CodeCache, RecordRow, check_uid, insert, parent_counts
from .merging import merge_image_events, merge_nm
from .summary import fill_summary
from ..ssde.events import apply_to_study as apply_ssde
from .transaction import open_study

REPORT_IMPORTERS = {"rdsr"}
#: Modality types a user-defined modality may replace, and replace them with.
PROJECTION_TYPES = ("DX", "CR", "PX", "RF", "MG")
UID_LENGTH = ObjectUIDsProcessed.__table__.c.sop_instance_uid.type.length
IMAGE_IMPORTERS = {"mg", "dx", "ct-philips"}
NM_IMAGE_IMPORTER = "nm"


def store(session, record: dict, source: str) -> Outcome:
    """Write ``record`` to the database in the caller's transaction; return what happened."""
    meta = record.get("_meta", {})
    sop_uid = meta.get("sop_instance_uid")
    study_uid = record["study_instance_uid"]
    check_uid("Study Instance UID", study_uid, UID_LENGTH)
    check_uid("SOP Instance UID", sop_uid, UID_LENGTH)
    outcome = Outcome(source, IMPORTED, study_instance_uid=study_uid,
                      modality_type=record.get("modality_type"),
                      warnings=list(meta.get("warnings", ())))

    # Most objects start a new study: ask for ids first (and take ids for its rows), and
    # build ORM objects only for studies already stored.
    opening = open_study(session, study_uid, parent_counts(GeneralStudyModuleAttr, record))
    existing = session.scalars(
        select(GeneralStudyModuleAttr).where(GeneralStudyModuleAttr.id.in_(opening.stored_ids))
        .order_by(GeneralStudyModuleAttr.id)).all() if opening.stored_ids else []
    # Scoped to the study: an object edited under another Study Instance UID (keeping its SOP
    # Instance UID) is a new study, as OpenREM stores it.
    imported_into = sop_uid and existing and session.scalars(
        select(ObjectUIDsProcessed.general_study_module_attr_id)
        .where(ObjectUIDsProcessed.sop_instance_uid == sop_uid,
               ObjectUIDsProcessed.general_study_module_attr_id.in_([s.id for s in existing]))
    ).first()
    if imported_into:
        outcome.status, outcome.message = DUPLICATE, "this object was imported before"
        outcome.study_id = imported_into
        return outcome

    apply_policy(record, session)
    importer = meta.get("importer")
    family = _family(record)
    carried_uids = []
    for study in existing:
        if _family_of(study) != family:
            continue
        decision = _decide(study, record, importer, meta)
        if decision == "duplicate":
            _record_sop(study, sop_uid)
            outcome.status = DUPLICATE
            outcome.message = _duplicate_reason(study, importer)
            outcome.study_id = study.id
            return outcome
        if decision == "replace":
            carried_uids += [o.sop_instance_uid for o in study.objectuidsprocessed_set]
            tally.count(session, [tally.key_of_study(study)], -1)
            session.delete(study)
            session.flush()
            outcome.message = "replaced an earlier, smaller report of the same study"
            break
        if decision == "merge":
            codes = CodeCache(session)
            counted_as = tally.key_of_study(study)
            if importer == NM_IMAGE_IMPORTER or family == "nm":
                merge_nm(study, record, codes, importer)
            else:
                merge_image_events(study, record, codes)
            _record_sop(study, sop_uid)
            fill_summary(study)
            apply_ssde(study)
            if tally.key_of_study(study) != counted_as:  # e.g. a CT study that became NM
                tally.count(session, [counted_as], -1)
                tally.count(session, [tally.key_of_study(study)])
            session.flush()
            _refresh_chart_values(session, record, study.id)
            outcome.study_id = study.id
            outcome.message = "added to the stored study"
            outcome.merged = True
            return outcome

    outcome.study_id = _insert_study(session, record, [*carried_uids, sop_uid], opening.reserved)
    return outcome


def _insert_study(session, record, sop_uids, reserved) -> int:
    """Store the record as a new study, with its equipment identities, processed objects and
    summary fields; its id."""
    device_uid = record.get("_meta", {}).get("device_observer_uid")
    study = RecordRow(record)
    identities = []
    for equipment in record.get("generalequipmentmoduleattr_set") or ():
        identity = unique_equipment(session, equipment, device_uid)
        equipment["unique_equipment_name"] = identity
        identities.append(identity.id)
        _apply_user_defined_modality(study, identity)
    # A record may name objects it was built from (a study restored from a dump); keep them.
    given = [row.get("sop_instance_uid") for row in record.get("objectuidsprocessed_set") or ()]
    record["objectuidsprocessed_set"] = [
        {"sop_instance_uid": uid} for uid in dict.fromkeys([*given, *sop_uids]) if uid]
    fill_summary(study)
    apply_ssde(study)
    # The study's system, as the tally counts it: its lowest identity.
    record["unique_equipment_name_id"] = min(identities, default=None)
    counted_as = tally.key(record.get("modality_type"), record["unique_equipment_name_id"],
                           record.get("study_date"))
    study_id = insert(session, GeneralStudyModuleAttr, record, CodeCache(session), reserved,
                      then=[tally.upsert(counted_as)])
    _refresh_chart_values(session, record, study_id)
    return study_id


def _refresh_chart_values(session, record, study_id) -> None:
    """Fill the per-exposure chart values when the object brought projection events (CT and
    NM objects cost no statement)."""
    if record.get("projectionxrayradiationdose_set"):
        refresh_chart_values(session, [study_id])


def _apply_user_defined_modality(study, identity):
    """A site's per-device override wins over the modality type a projection device sent;
    what it sent is kept, so that clearing the override restores it."""
    override = (identity.user_defined_modality or "").upper()
    if override not in PROJECTION_TYPES or study.modality_type not in PROJECTION_TYPES:
        return
    if study.modality_type != override:
        study.modality_type_as_sent = study.modality_type_as_sent or study.modality_type
        study.modality_type = override


def _record_sop(study, sop_uid):
    if sop_uid and sop_uid not in {o.sop_instance_uid for o in study.objectuidsprocessed_set}:
        study.objectuidsprocessed_set.append(ObjectUIDsProcessed(sop_instance_uid=sop_uid))


def _family(record) -> str:
    if record.get("radiopharmaceuticalradiationdose_set") or record.get("modality_type") == "NM":
        return "nm"
    if record.get("ctradiationdose_set"):
        return "ct"
    return "projection"


def _family_of(study) -> str:
    if study.modality_type == "NM" or study.radiopharmaceuticalradiationdose_set:
        return "nm"
    if study.ctradiationdose_set:
        return "ct"
    return "projection"


def record_event_uids(record) -> set:
    """Irradiation event UIDs in a record (CT and projection events)."""
    uids = set()
    for dose in record.get("ctradiationdose_set") or ():
        uids.update(e.get("irradiation_event_uid") for e in dose.get("ctirradiationeventdata_set") or ())
    for dose in record.get("projectionxrayradiationdose_set") or ():
        uids.update(e.get("irradiation_event_uid") for e in dose.get("irradeventxraydata_set") or ())
    uids.discard(None)
    return uids


def study_event_uids(study) -> set:
    """Irradiation event UIDs stored for a study."""
    uids = {e.irradiation_event_uid for d in study.ctradiationdose_set
            for e in d.ctirradiationeventdata_set}
    uids |= {e.irradiation_event_uid for d in study.projectionxrayradiationdose_set
             for e in d.irradeventxraydata_set}
    uids.discard(None)
    return uids


def _from_images(study) -> bool:
    """Whether a stored projection or CT study was built from image headers.

    Image-derived events take the image's SOP Instance UID as their event UID, so a study is
    image-derived when every event UID is one of its processed objects.
    """
    events = study_event_uids(study)
    processed = {o.sop_instance_uid for o in study.objectuidsprocessed_set}
    return bool(events) and events <= processed


def _decide(study, record, importer, meta) -> str | None:
    """duplicate, replace, merge, or None (not this study)."""
    if importer == NM_IMAGE_IMPORTER or _family(record) == "nm":
        return _decide_nm(study, record, importer)
    new_events = record_event_uids(record)
    old_events = study_event_uids(study)
    if importer in REPORT_IMPORTERS:
        if _from_images(study):
            return "replace"
        if not new_events:
            return None
        if new_events <= old_events:
            return "duplicate"
        if old_events < new_events:
            return "replace"
        return None
    # Image headers (DX, MG, Philips CT dose screens).
    if not _from_images(study):
        return "duplicate" if old_events else None
    if new_events and new_events <= old_events:
        return "duplicate"
    when = meta.get("acquisition_datetime")
    if when is not None and not meta.get("skip_time_duplicate_check"):
        stored = {e.date_time_started for d in study.projectionxrayradiationdose_set
                  for e in d.irradeventxraydata_set}
        if when in stored:
            return "duplicate"
    return "merge"


def _decide_nm(study, record, importer) -> str | None:
    from_report = any(
        e.radiopharmaceutical_administration_event_uid
        for r in study.radiopharmaceuticalradiationdose_set
        for e in r.radiopharmaceuticaladministrationeventdata_set
    )
    if importer == NM_IMAGE_IMPORTER:
        return "merge"
    # A radiopharmaceutical report for a study stored from images takes over its data.
    if not from_report:
        return "merge"
    new = {e.get("radiopharmaceutical_administration_event_uid")
           for r in record.get("radiopharmaceuticalradiationdose_set") or ()
           for e in r.get("radiopharmaceuticaladministrationeventdata_set") or ()}
    old = {e.radiopharmaceutical_administration_event_uid
           for r in study.radiopharmaceuticalradiationdose_set
           for e in r.radiopharmaceuticaladministrationeventdata_set}
    new.discard(None)
    if new and new <= old:
        return "duplicate"
    return None


def _duplicate_reason(study, importer) -> str:
    if importer in IMAGE_IMPORTERS and not _from_images(study):
        return "the study's dose report already records this exposure"
    return "its irradiation events are already stored"
