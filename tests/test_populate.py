"""``flask dev populate``: synthetic studies that look like a hospital group's, written in bulk."""
import datetime as dt
from collections import Counter

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import selectinload

from app.dev import catalogue
from app.dev.populate import (
    COLUMNS,
    SUMMARY_FIELDS,
    TABLES,
    StudyGenerator,
    catalogue_codes,
    populate,
)
from app.extensions import db
from app.importing.equipment import identity_hashes
from app.importing.summary import fill_summary
from app.models import (
    CtIrradiationEventData,
    GeneralEquipmentModuleAttr,
    GeneralStudyModuleAttr,
    IrradEventXRayData,
    IrradEventXRaySourceData,
    RadiopharmaceuticalAdministrationEventData,
    UniqueEquipmentNames,
)
from app.studies import dump_study

UNTIL = dt.date(2024, 12, 31)


def _populate(app, studies=200, seed=1, **options):
    with app.app_context():
        return populate(studies, seed=seed, until=UNTIL, **options)


def _dumps(app, ids):
    with app.app_context():
        return [dump_study(db.session.get(GeneralStudyModuleAttr, i)) for i in ids]


def _empty(app):
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                if table.name in COLUMNS or table.name in ("unique_equipment_names", "context_id"):
                    connection.execute(table.delete())


def _generator(seed, count):
    codes = {(value, meaning): n for n, (value, meaning, _) in enumerate(catalogue_codes(), 1)}
    units = {unit.key: n for n, unit in enumerate(catalogue.UNITS, 1)}
    return StudyGenerator(seed, count, UNTIL, units, codes)


def test_same_seed_gives_identical_studies_and_another_seed_does_not(app):
    _populate(app, seed=1)
    first = _dumps(app, (1, 57, 200))
    _empty(app)
    _populate(app, seed=1, batch=7)
    again = _dumps(app, (1, 57, 200))
    _empty(app)
    _populate(app, seed=2)
    other = _dumps(app, (1, 57, 200))

    assert again == first
    assert other != first
    assert first[0]["study_instance_uid"].startswith("2.25.")


def test_generation_does_not_depend_on_batch_size():
    generator = _generator(5, 300)
    base = dict.fromkeys(TABLES, 1)
    whole = generator.rows(0, 300, base)
    first = generator.rows(0, 120, base)
    rest = generator.rows(120, 300, {t: base[t] + len(first[t]) for t in TABLES})

    assert {t: first[t] + rest[t] for t in TABLES} == whole


def test_modality_mix_follows_the_hospital_workload(app):
    _populate(app)
    with app.app_context():
        mix = dict(db.session.execute(
            select(GeneralStudyModuleAttr.modality_type, func.count())
            .group_by(GeneralStudyModuleAttr.modality_type)).all())

    assert sum(mix.values()) == 200
    assert set(mix) == {"CT", "DX", "MG", "RF", "NM"}
    assert 120 <= mix["DX"] <= 165 and 22 <= mix["CT"] <= 50


def test_large_mix_and_test_patients_in_generated_rows():
    rows = _generator(3, 8000).rows(0, 8000, dict.fromkeys(TABLES, 1))
    at = COLUMNS["general_study_module_attr"].index("modality_type")
    mix = Counter(study[at] for study in rows["general_study_module_attr"])
    indicator = COLUMNS["patient_module_attr"].index("not_patient_indicator")
    tests = Counter(p[indicator] for p in rows["patient_module_attr"] if p[indicator])
    columns = COLUMNS["general_study_module_attr"]
    rf = [dict(zip(columns, study)) for study in rows["general_study_module_attr"]
          if study[at] == "RF"]

    assert round(mix["DX"] / 8000, 2) == 0.70 and round(mix["CT"] / 8000, 2) == 0.18
    assert round(mix["MG"] / 8000, 2) == 0.08 and mix["RF"] > 150 and mix["NM"] > 80
    assert set(tests) <= {"IDs: *phy*, *qa* | Names: *phys*, *qa*", "IDs: *test* | Names: *test*",
                          "IDs: *qa* | Names: *qa*"}
    assert 5 <= sum(tests.values()) <= 35
    # The study rows carry the same mark, for the lists' filter.
    patient_of = {p[1]: p[indicator] for p in rows["patient_module_attr"]}
    flag = columns.index("not_patient")
    assert all(study[flag] == (patient_of[study[0]] is not None)
               for study in rows["general_study_module_attr"])
    # Fluoroscopy: up to hundreds of events, some biplane studies with events in plane B.
    assert max(study["number_of_events"] for study in rf) >= 150
    biplane = [study for study in rf if study["number_of_planes"] == 2]
    assert 0.05 < len(biplane) / len(rf) < 0.3
    assert all(study["number_of_events_b"] and study["total_dap_b"] for study in biplane)


def test_only_the_modalities_asked_for(app, runner):
    result = runner.invoke(args=["dev", "populate", "--studies", "40", "--seed", "3",
                                 "--modalities", "ct,nm", "--until", "2024-12-31"])

    assert result.exit_code == 0, result.output
    assert "Added 40 studies (" in result.output and "up to 2024-12-31" in result.output
    with app.app_context():
        kinds = set(db.session.scalars(select(GeneralStudyModuleAttr.modality_type)))
    assert kinds == {"CT", "NM"}


def test_unknown_modality_is_refused(runner):
    result = runner.invoke(args=["dev", "populate", "--studies", "5", "--modalities", "ct,xa"])

    assert result.exit_code == 2
    assert "choose from ct, rf, mg, dx, nm" in result.output


def test_summary_fields_are_what_importing_computes(app):
    _populate(app)
    with app.app_context():
        studies = db.session.scalars(select(GeneralStudyModuleAttr).options(
            selectinload("*"))).unique().all()
        stored = {s.id: tuple(getattr(s, f) for f in SUMMARY_FIELDS) for s in studies}
        with db.session.no_autoflush:
            for study in studies:
                fill_summary(study)
        recomputed = {s.id: tuple(getattr(s, f) for f in SUMMARY_FIELDS) for s in studies}
        db.session.rollback()

    assert len(stored) == 200
    assert recomputed == stored
    # A CT study counts its localisers and spirals; a fluoroscopy study its planes.
    assert any(values[SUMMARY_FIELDS.index("number_of_const_angle")] for values in stored.values())
    assert any(values[SUMMARY_FIELDS.index("number_of_planes")] == 1 for values in stored.values())


def test_values_lie_in_realistic_ranges(app):
    _populate(app)
    with app.app_context():
        session = db.session
        ctdi = session.scalars(select(CtIrradiationEventData.mean_ctdivol)).all()
        dlp = session.scalars(select(CtIrradiationEventData.dlp)).all()
        ct_events = session.scalars(select(GeneralStudyModuleAttr.number_of_events)
                                    .where(GeneralStudyModuleAttr.modality_type == "CT")).all()
        dx_events = session.scalars(select(GeneralStudyModuleAttr.number_of_events)
                                    .where(GeneralStudyModuleAttr.modality_type == "DX")).all()
        dx_dap = session.scalars(select(GeneralStudyModuleAttr.total_dap)
                                 .where(GeneralStudyModuleAttr.modality_type == "DX")).all()
        rf = session.execute(select(GeneralStudyModuleAttr.number_of_events,
                                    GeneralStudyModuleAttr.total_dap,
                                    GeneralStudyModuleAttr.total_rp_dose_a)
                             .where(GeneralStudyModuleAttr.modality_type == "RF")).all()
        agd = session.scalars(select(IrradEventXRaySourceData.average_glandular_dose)
                              .where(IrradEventXRaySourceData.average_glandular_dose.is_not(None))
                              ).all()
        mg_events = session.scalars(select(GeneralStudyModuleAttr.number_of_events)
                                    .where(GeneralStudyModuleAttr.modality_type == "MG")).all()
        activity = session.scalars(
            select(RadiopharmaceuticalAdministrationEventData.administered_activity)).all()
        dates = session.execute(select(func.min(GeneralStudyModuleAttr.study_date),
                                       func.max(GeneralStudyModuleAttr.study_date))).one()
        mg_view = session.scalars(
            select(IrradEventXRayData.acquisition_protocol)
            .where(IrradEventXRayData.entrance_exposure_at_rp.is_not(None))).all()

    assert ctdi and all(0 < value < 200 for value in ctdi)
    assert all(0 < value < 10000 for value in dlp)
    assert all(1 <= n <= 10 for n in ct_events)
    assert all(1 <= n <= 6 for n in dx_events)
    # DAP in Gy·m²: 0.005 to 50 Gy·cm² for a radiograph series.
    assert all(5e-8 < value < 5e-3 for value in dx_dap)
    assert rf and all(n >= 1 and dap > 0 and rp > 0 for n, dap, rp in rf)
    assert max(n for n, _, _ in rf) > 10
    assert all(0.3 < value < 5.0 for value in agd)
    assert Counter(mg_events).most_common(1)[0][0] == 4
    assert set(mg_view) <= {"R CC", "L CC", "R MLO", "L MLO"}
    assert activity and all(20 < value < 1200 for value in activity)
    assert UNTIL - dt.timedelta(days=3653) <= dates[0] < dates[1] <= UNTIL


def test_every_foreign_key_points_at_a_row(app):
    _populate(app, studies=60)
    with app.app_context():
        orphans = {}
        for name in COLUMNS:
            table = db.metadata.tables[name]
            for key in table.foreign_keys:
                column, target = key.parent, key.column
                orphans[f"{name}.{column.name}"] = db.session.scalar(text(
                    f"SELECT count(*) FROM {name} x WHERE x.{column.name} IS NOT NULL AND NOT"
                    f" EXISTS (SELECT 1 FROM {target.table.name} y"
                    f" WHERE y.{target.name} = x.{column.name})"))

    assert set(orphans.values()) == {0}


def test_equipment_identities_have_display_names(app):
    _populate(app)
    with app.app_context():
        identities = db.session.scalars(select(UniqueEquipmentNames)).all()
        used = Counter(db.session.scalars(
            select(UniqueEquipmentNames.display_name)
            .join(GeneralEquipmentModuleAttr.unique_equipment_name)))
        ct2 = db.session.scalars(select(UniqueEquipmentNames)
                                 .where(UniqueEquipmentNames.display_name == "NGH CT2")).all()

    assert len(identities) == len(catalogue.UNITS) == 46
    by_serial = {unit.serial: unit for unit in catalogue.UNITS}
    for identity in identities:
        unit = by_serial[identity.device_serial_number]
        assert identity.display_name == unit.display_name
        expected = identity_hashes(unit.equipment(), unit.uid)
        assert {k: getattr(identity, k) for k in expected} == expected
    assert sum(used.values()) == 200 and len(used) > 20
    # A replaced scanner and its successor share the display name the site gave the room.
    assert sorted(i.manufacturer_model_name for i in ct2) == ["SOMATOM Definition AS+",
                                                             "SOMATOM X.cite"]


def test_populating_again_adds_to_what_is_there(app):
    _populate(app, studies=30, seed=4)
    _populate(app, studies=20, seed=5)
    with app.app_context():
        assert db.session.scalar(select(func.count(GeneralStudyModuleAttr.id))) == 50
        assert db.session.scalar(select(func.count(UniqueEquipmentNames.id))) == 46
        # Ids handed out later by the database continue after the bulk-written rows.
        study = GeneralStudyModuleAttr(study_instance_uid="1.2.3", modality_type="CT")
        db.session.add(study)
        db.session.commit()
        assert study.id == 51


@pytest.mark.parametrize("modality", ["ct", "rf", "mg", "dx", "nm"])
def test_each_modality_alone(app, modality):
    _populate(app, studies=15, modalities=[modality])
    with app.app_context():
        kinds = set(db.session.scalars(select(GeneralStudyModuleAttr.modality_type)))

    assert kinds == {modality.upper()}


def test_foreign_key_checks_are_on_again_afterwards(app):
    result = _populate(app, studies=20)
    with app.app_context():
        with db.engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                role = connection.exec_driver_sql("SHOW session_replication_role").scalar()
                assert (result.checked, role) == (False, "origin")
            else:
                enforced = connection.exec_driver_sql("PRAGMA foreign_keys").scalar()
                assert (result.checked, enforced) == (True, 1)


def test_loading_without_the_right_to_skip_checks_keeps_them():
    import psycopg

    from app.dev.bulk import _skip_foreign_key_checks

    class Refusing:
        rolled_back = False

        def execute(self, statement):
            raise psycopg.errors.InsufficientPrivilege("permission denied to set parameter")

        def rollback(self):
            self.rolled_back = True

    connection = Refusing()

    assert _skip_foreign_key_checks(connection) is False
    assert connection.rolled_back
