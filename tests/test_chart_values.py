"""The chart values kept on each projection X-ray event (app/importing/chart_values.py) equal
those computed from the source tables: after import, merge, re-import, deletion and a
modality override."""
import statistics

import pytest
from sqlalchemy import select, true

from app.charts.data import chart_rows
from app.charts.definitions import CHARTS
from app.equipment.identities import set_user_modality
from app.extensions import db
from app.importing import import_file
from app.importing.chart_values import refresh
from app.models.projection import IrradEventXRayData
from app.models.study import GeneralStudyModuleAttr as Study
from app.modalities.deletion import delete_study
from test_chart_kinds import DICOM, FILES, imported


def from_sources():
    """Per event id: (study id, mean kVp, summed exposure) from the dose report and the
    source, kVp and exposure rows."""
    result = {}
    for event in db.session.scalars(select(IrradEventXRayData)):
        sources = event.irradeventxraysourcedata_set
        kvps = [k.kvp for s in sources for k in s.kvp_set if k.kvp is not None]
        exposures = [e.exposure for s in sources for e in s.exposure_set if e.exposure is not None]
        result[event.id] = (event.projection_xray_radiation_dose.general_study_module_attr_id,
                            statistics.fmean(kvps) if kvps else None,
                            sum(exposures) if exposures else None)
    return result


def stored():
    return {row.id: (row.chart_study_id, row.chart_kvp, row.chart_exposure)
            for row in db.session.execute(select(IrradEventXRayData.id,
                                                 IrradEventXRayData.chart_study_id,
                                                 IrradEventXRayData.chart_kvp,
                                                 IrradEventXRayData.chart_exposure))}


def assert_consistent():
    expected, got = from_sources(), stored()
    assert set(got) == set(expected)
    for event_id, (study_id, kvp, exposure) in expected.items():
        assert got[event_id][0] == study_id, event_id
        assert got[event_id][1] == (pytest.approx(kvp) if kvp is not None else None), event_id
        assert got[event_id][2] == (pytest.approx(exposure) if exposure is not None else None)
    return expected


def exposures_per_protocol(modality):
    chart = next(c for c in CHARTS[modality] if c.key == "exposures_protocol")
    return sum(row["n"] for row in chart_rows(db.session, chart,
                                              Study.modality_type.in_(("DX", "CR", "PX"))
                                              if modality == "dx" else Study.modality_type == "MG"))


def test_values_after_import_and_merge(app):
    imported(app, "dx")
    imported(app, "mg")
    imported(app, "rf")
    with app.app_context():
        expected = assert_consistent()
        assert len(expected) > 20
        assert sum(1 for _, kvp, _ in expected.values() if kvp is not None) >= 10
        assert sum(1 for _, _, exposure in expected.values() if exposure is not None) >= 10
        # The header-built DX studies gain events by merging; every one is counted.
        events = sum(1 for study_id, _, _ in expected.values()
                     if db.session.get(Study, study_id).modality_type in ("DX", "CR", "PX"))
        assert exposures_per_protocol("dx") == events


def test_values_after_reimport_and_deletion(app):
    imported(app, "dx")
    with app.app_context():
        before = assert_consistent()
        study = db.session.scalars(select(Study).order_by(Study.id)).first()
        gone = {event for event, (study_id, _, _) in before.items() if study_id == study.id}
        assert gone
        delete_study(study)
        db.session.commit()
        after = assert_consistent()
        assert not gone & set(after)
        assert all(study_id != study.id for study_id, _, _ in after.values())
        for name in FILES["dx"]:  # again: the deleted study comes back, the rest are duplicates
            import_file(DICOM / name)
        again = assert_consistent()
        assert len(again) == len(before)
        assert (sorted(v[1:] for v in again.values() if v[1] is not None)
                == sorted(v[1:] for v in before.values() if v[1] is not None))


def test_values_follow_a_modality_override_through_the_study(app):
    imported(app, "dx")
    with app.app_context():
        before = assert_consistent()
        dx_events = exposures_per_protocol("dx")
        assert dx_events == len(before)
        identities = sorted({s.unique_equipment_name_id for s in db.session.scalars(select(Study))})
        moved = set_user_modality(identities[:1], "MG")
        assert moved >= 1
        moved_events = sum(1 for study_id, _, _ in before.values()
                           if db.session.get(Study, study_id).modality_type == "MG")
        assert moved_events >= 1
        assert exposures_per_protocol("dx") == dx_events - moved_events
        assert exposures_per_protocol("mg") == moved_events
        assert assert_consistent() == before  # nothing on the events changed


def test_refresh_of_all_studies_changes_nothing_after_import(app):
    imported(app, "dx")
    with app.app_context():
        before = stored()
        db.session.execute(IrradEventXRayData.__table__.update().values(
            chart_study_id=None, chart_kvp=None, chart_exposure=None))
        refresh(db.session)
        assert stored() == before
        assert_consistent()
        assert chart_rows(db.session, CHARTS["dx"][0], true())
