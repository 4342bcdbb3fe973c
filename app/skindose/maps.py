"""Computing and storing the skin dose map of one stored RF study."""
import datetime
import io
import logging
from collections import Counter

import numpy as np
from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models.projection import (
    DoseRelatedDistanceMeasurements,
    IrradEventXRayData,
    IrradEventXRayMechanicalData,
    IrradEventXRaySourceData,
    ProjectionXRayRadiationDose,
)
from ..models.skindose import COMPUTED, NOT_COMPUTED, SkinDoseMap
from ..models.study import GeneralStudyModuleAttr
from . import METHOD_VERSION, factors, phantom
from .calculation import Beams, skin_dose
from .geometry import beam

MODALITY = "RF"
log = logging.getLogger(__name__)


def encode(grid: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.savez_compressed(buffer, dose=grid.astype(np.float32))
    return buffer.getvalue()


def decode(data: bytes) -> np.ndarray:
    with np.load(io.BytesIO(data)) as stored:
        return stored["dose"]


def _events(study_id):
    return db.session.scalars(
        select(IrradEventXRayData)
        .join(ProjectionXRayRadiationDose)
        .where(ProjectionXRayRadiationDose.general_study_module_attr_id == study_id)
        .order_by(IrradEventXRayData.date_time_started, IrradEventXRayData.id)
        .options(
            selectinload(IrradEventXRayData.irradeventxraysourcedata_set).selectinload(
                IrradEventXRaySourceData.kvp_set),
            selectinload(IrradEventXRayData.irradeventxraysourcedata_set).selectinload(
                IrradEventXRaySourceData.xrayfilters_set),
            selectinload(IrradEventXRayData.irradeventxraymechanicaldata_set).selectinload(
                IrradEventXRayMechanicalData.doserelateddistancemeasurements_set),
            selectinload(IrradEventXRayData.patient_table_relationship_cid),
            selectinload(IrradEventXRayData.patient_orientation_modifier_cid),
        )).all()


def _size(study):
    for patient in study.patientstudymoduleattr_set:
        return patient.patient_size, patient.patient_weight
    return None, None


def calculate(events, height_m=None, weight_kg=None,
              table_transmission=factors.TABLE_TRANSMISSION) -> dict:
    """The map of these events (rows or anything with the same attributes), as the
    ``SkinDoseMap`` fields; pure apart from reading the events. ``table_transmission`` is
    the table and mattress's for a beam crossing them at right angles."""
    beams, lacking = [], Counter()
    for event in events:
        found, missing = beam(event)
        if found is None:
            lacking.update(missing)
        else:
            beams.append(found)
    body = phantom.build(height_m, weight_kg)
    used_h, used_w, defaulted = phantom.size(height_m, weight_kg)
    fields = {"phantom_width": body.width, "phantom_depth": body.depth,
              "phantom_length": body.length, "patient_height": used_h,
              "patient_weight": used_w, "size_defaulted": defaulted,
              "events_used": len(beams)}
    skipped = len(events) - len(beams)
    fields["events_skipped"] = skipped
    lacks = ", ".join(f"{name} ({count})" for name, count in lacking.most_common())
    if not beams:
        fields.update(status=NOT_COMPUTED, peak_skin_dose=None, grid=None, grid_rows=None,
                      grid_columns=None, dose_rp_used=None,
                      message=(f"no event has the geometry needed; missing: {lacks}"
                               if events else "the study has no irradiation events"))
        return fields
    grid = skin_dose(body, Beams.of(beams), table_transmission)
    message = f"{skipped} of {len(events)} events skipped; missing: {lacks}" if skipped else None
    fields.update(status=COMPUTED, message=message, peak_skin_dose=float(grid.max()),
                  grid=encode(grid), grid_rows=body.rows, grid_columns=body.columns,
                  dose_rp_used=float(sum(b["dose_rp"] for b in beams)))
    return fields


def _table_transmission() -> float:
    """The site's table and mattress transmission (``SKIN_DOSE_TABLE_TRANSMISSION``), or the
    typical value when the setting is not a fraction between 0 and 1."""
    setting = current_app.config.get("SKIN_DOSE_TABLE_TRANSMISSION", factors.TABLE_TRANSMISSION)
    try:
        value = float(setting)
    except (TypeError, ValueError):
        value = None
    if value is None or not 0.0 < value <= 1.0:
        log.warning("SKIN_DOSE_TABLE_TRANSMISSION %r is not a fraction between 0 and 1; "
                    "using %s", setting, factors.TABLE_TRANSMISSION)
        return factors.TABLE_TRANSMISSION
    return value


def compute_study(study_id: int) -> SkinDoseMap | None:
    """Compute and store (replace) the map of one study; None when the study is gone or is
    not RF. The caller commits."""
    study = db.session.get(GeneralStudyModuleAttr, study_id)
    if study is None or study.modality_type != MODALITY:
        return None
    height, weight = _size(study)
    fields = calculate(_events(study_id), height, weight, _table_transmission())
    row = db.session.scalars(select(SkinDoseMap).where(
        SkinDoseMap.general_study_module_attr_id == study_id)).first()
    if row is None:
        row = SkinDoseMap(general_study_module_attr_id=study_id)
        db.session.add(row)
    for name, value in fields.items():
        setattr(row, name, value)
    row.method_version = METHOD_VERSION
    row.computed_at = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    db.session.flush()
    return row


def study_ids(after_id: int = 0, limit: int = 100, missing_only: bool = False) -> list[int]:
    """Ids of stored RF studies after ``after_id``, in order; only those without a map of
    this method version when ``missing_only``."""
    query = (select(GeneralStudyModuleAttr.id)
             .where(GeneralStudyModuleAttr.modality_type == MODALITY,
                    GeneralStudyModuleAttr.id > after_id)
             .order_by(GeneralStudyModuleAttr.id).limit(limit))
    if missing_only:
        current = select(SkinDoseMap.general_study_module_attr_id).where(
            SkinDoseMap.method_version == METHOD_VERSION)
        query = query.where(GeneralStudyModuleAttr.id.not_in(current))
    return list(db.session.scalars(query))


def compute_all(batch: int = 100, missing_only: bool = False, progress=None) -> tuple[int, int]:
    """(Re)compute every stored RF study's map in batches, each committed; (studies, computed)."""
    seen = computed = last = 0
    while True:
        ids = study_ids(last, batch, missing_only)
        if not ids:
            return seen, computed
        for study_id in ids:
            row = compute_study(study_id)
            computed += row is not None and row.status == COMPUTED
        db.session.commit()
        db.session.expunge_all()
        seen += len(ids)
        last = ids[-1]
        if progress is not None:
            progress(len(ids))
