"""Adding an object's data to a study already stored (image headers, NM objects)."""
from ..models.nm import RadiopharmaceuticalRadiationDose
from ..models.projection import (
    AccumIntegratedProjRadiogDose,
    AccumMammographyXRayDose,
    IrradEventXRayData,
)
from ..models.tree import child_collections, coded_fields, value_fields
from .rows import build


def merge_image_events(study, record, codes):
    """Append the record's image-derived events to the study and update its accumulated dose."""
    doses = record.get("projectionxrayradiationdose_set") or ()
    if not study.projectionxrayradiationdose_set or not doses:
        return
    target = study.projectionxrayradiationdose_set[0]
    for dose in doses:
        for event in dose.get("irradeventxraydata_set") or ():
            target.irradeventxraydata_set.append(build(IrradEventXRayData, event, codes))
    _reaccumulate(target, codes)


def _reaccumulate(dose, codes):
    """Accumulated values of an image-derived study are sums over its events."""
    events = list(dose.irradeventxraydata_set)
    for plane in dose.accumxraydose_set:
        if plane.accummammographyxraydose_set or _is_mammography(events):
            by_side = {}
            for event in events:
                side = event.laterality
                agd = sum(s.average_glandular_dose or 0.0 for s in event.irradeventxraysourcedata_set)
                if side is not None:
                    key = side.code_value
                    total, code = by_side.get(key, (0.0, side))
                    by_side[key] = (total + agd, code)
            existing = {row.laterality.code_value: row for row in plane.accummammographyxraydose_set
                        if row.laterality is not None}
            for key, (total, code) in by_side.items():
                row = existing.get(key)
                if row is None:
                    row = AccumMammographyXRayDose(laterality=code)
                    plane.accummammographyxraydose_set.append(row)
                row.accumulated_average_glandular_dose = total
        else:
            daps = [e.dose_area_product for e in events if e.dose_area_product is not None]
            totals = plane.accumintegratedprojradiogdose_set
            if not totals:
                totals.append(AccumIntegratedProjRadiogDose())
            for total in totals:
                total.dose_area_product_total = sum(daps) if daps else None
                total.total_number_of_radiographic_frames = len(events)
            for total in plane.accumprojxraydose_set:
                total.dose_area_product_total = sum(daps) if daps else None


def _is_mammography(events):
    return any(s.average_glandular_dose is not None for e in events
               for s in e.irradeventxraysourcedata_set)


def merge_nm(study, record, codes, importer):
    """Merge an NM object into a stored NM study.

    The study, patient and equipment rows stay as first stored. A radiopharmaceutical dose
    report replaces the administration data that images supplied (the report is the
    authoritative source) and keeps the PET series the images described. Image headers only
    fill administration fields the study does not have yet, and add PET series not yet
    recorded; they never overwrite.
    """
    incoming = record.get("radiopharmaceuticalradiationdose_set") or ()
    if not incoming:
        return
    if importer == "rdsr":
        kept_series = [s for r in study.radiopharmaceuticalradiationdose_set for s in r.petseries_set]
        for old in list(study.radiopharmaceuticalradiationdose_set):
            for series in list(old.petseries_set):
                old.petseries_set.remove(series)
            study.radiopharmaceuticalradiationdose_set.remove(old)
        for dose in incoming:
            study.radiopharmaceuticalradiationdose_set.append(
                build(RadiopharmaceuticalRadiationDose, dose, codes))
        target = study.radiopharmaceuticalradiationdose_set[0]
        known = {s.series_uid for s in target.petseries_set}
        for series in kept_series:
            if series.series_uid not in known:
                target.petseries_set.append(series)
        if study.modality_type != "NM":
            study.modality_type = "NM"
        return
    if not study.radiopharmaceuticalradiationdose_set:
        for dose in incoming:
            study.radiopharmaceuticalradiationdose_set.append(
                build(RadiopharmaceuticalRadiationDose, dose, codes))
        return
    target = study.radiopharmaceuticalradiationdose_set[0]
    for dose in incoming:
        _fill_gaps(target, dose, codes, skip={"petseries_set"})
        known = {s.series_uid for s in target.petseries_set}
        series_cls = child_collections(RadiopharmaceuticalRadiationDose)["petseries_set"]
        for series in dose.get("petseries_set") or ():
            if series.get("series_uid") not in known:
                target.petseries_set.append(build(series_cls, series, codes))
                known.add(series.get("series_uid"))


def _fill_gaps(row, record, codes, skip=frozenset()):
    """Set the fields of ``row`` that are empty from ``record``; recurse into first children."""
    cls = type(row)
    coded = coded_fields(cls)
    for name in value_fields(cls):
        value = record.get(name)
        if value is not None and getattr(row, name) is None:
            setattr(row, name, value)
    for name in coded:
        value = record.get(name)
        if value is not None and getattr(row, name) is None:
            setattr(row, name, codes.get(value))
    for name, child_cls in child_collections(cls).items():
        if name in skip or name == "objectuidsprocessed_set":
            continue
        incoming = record.get(name) or ()
        existing = getattr(row, name)
        if not incoming:
            continue
        if not existing:
            for child in incoming:
                existing.append(build(child_cls, child, codes))
        else:
            _fill_gaps(existing[0], incoming[0], codes)
