"""The study tally behind the home page stays equal to a recount after every kind of change."""
import datetime as dt

import flask_migrate
import pytest
from sqlalchemy import select

from app import tally
from app.extensions import db
from app.importing import import_file
from app.models import GeneralStudyModuleAttr, StudyTally
from app.models.tally import NO_DATE, NO_DEVICE
from conformance import CORPUS
from study_records import store_records, study_record

DICOM = CORPUS / "dicom"
needs_corpus = pytest.mark.skipif(not DICOM.is_dir(), reason=f"corpus not found at {CORPUS}")


def kept():
    """The tally as stored: {key: studies}."""
    return {(row.modality_type, row.unique_equipment_name_id, row.study_date): row.studies
            for row in db.session.scalars(select(StudyTally))}


def recounted():
    """The tally as a recount from the study table gives it (the stored one is put back)."""
    before = kept()
    savepoint = db.session.begin_nested()
    tally.rebuild(db.session)
    counted = kept()
    savepoint.rollback()
    assert kept() == before
    return counted


def assert_in_step():
    counts = kept()
    assert counts == recounted()
    stored = db.session.query(GeneralStudyModuleAttr).count()
    assert sum(counts.values()) == stored
    return counts


@needs_corpus
def test_the_whole_corpus_in_one_database(app):
    """Replacements (cumulative and continued reports, report over images), image merges,
    NM merges and duplicates all leave the tally equal to a recount."""
    with app.app_context():
        statuses = [import_file(path).status for path in sorted(DICOM.glob("*.dcm"))]
        assert statuses.count("imported") >= 40
        counts = assert_in_step()
        assert {key[0] for key in counts} >= {"CT", "RF", "MG", "DX", "NM"}
        assert all(n > 0 for n in counts.values())
        # Importing everything again changes nothing.
        for path in sorted(DICOM.glob("*.dcm")):
            import_file(path)
        assert assert_in_step() == counts


@needs_corpus
def test_a_cumulative_report_moves_the_count_not_adds_to_it(app):
    with app.app_context():
        for name in ("CT-RDSR-Siemens-Multi-1.dcm", "CT-RDSR-Siemens-Multi-2.dcm",
                     "CT-RDSR-Siemens-Multi-3.dcm"):
            assert import_file(DICOM / name).status in ("imported", "duplicate")
        counts = assert_in_step()
        assert sum(counts.values()) == db.session.query(GeneralStudyModuleAttr).count()


def test_deletions_single_and_bulk(app, client, login_as):
    login_as("view", "admin")
    ids = store_records(app, [
        study_record("ct", date=dt.date(2026, 1, 5), manufacturer="GE"),
        study_record("ct", date=dt.date(2026, 1, 5), manufacturer="GE"),
        study_record("ct", date=dt.date(2026, 1, 6), manufacturer="Canon"),
        study_record("rf", date=dt.date(2026, 1, 5), manufacturer="GE"),
    ])
    with app.app_context():
        assert sorted(assert_in_step().values()) == [1, 1, 2]
    assert client.post(f"/ct/{ids[0]}/delete").status_code in (200, 302, 303)
    with app.app_context():
        assert sorted(assert_in_step().values()) == [1, 1, 1]
    assert client.post("/ct/delete?manufacturer=ge", data={"confirm_count": "1"}).status_code == 302
    with app.app_context():
        counts = assert_in_step()
        assert sorted(counts.values()) == [1, 1]
        assert {key[0] for key in counts} == {"CT", "RF"}


def test_many_keys_are_recounted_at_once(app, monkeypatch):
    monkeypatch.setattr(tally, "RECOUNT_ABOVE", 3)
    store_records(app, [study_record("dx", date=dt.date(2025, 3, day)) for day in range(1, 8)])
    with app.app_context():
        assert len(assert_in_step()) == 7
        ids = list(db.session.scalars(select(GeneralStudyModuleAttr.id)))
        from app.modalities.deletion import delete_matching

        assert delete_matching(select(GeneralStudyModuleAttr).where(
            GeneralStudyModuleAttr.id.in_(ids[:5])), "DX", "") == 5
        db.session.commit()
        assert len(assert_in_step()) == 2


def test_studies_without_date_modality_or_equipment(app):
    record = study_record("ct", date=None)
    record["modality_type"] = None
    record["generalequipmentmoduleattr_set"] = []
    store_records(app, [record])
    with app.app_context():
        assert assert_in_step() == {("", NO_DEVICE, NO_DATE): 1}


def test_recount_command(app, runner):
    store_records(app, [study_record("mg"), study_record("mg")])
    with app.app_context():
        expected = kept()
        db.session.execute(StudyTally.__table__.delete())
        db.session.commit()
    result = runner.invoke(args=["studies", "recount"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Counted 2 studies."
    with app.app_context():
        assert kept() == expected


def test_the_migration_counts_studies_already_stored(app):
    """Upgrading a database that has studies fills the tally as a recount would."""
    store_records(app, [study_record("ct"), study_record("ct"), study_record("nm")])
    with app.app_context():
        expected = kept()
        db.session.remove()
        flask_migrate.stamp(revision="head")
        flask_migrate.downgrade(revision="7caa17c5a9b6")
        assert "study_tally" not in db.inspect(db.engine).get_table_names()
        flask_migrate.upgrade(revision="head")
        assert kept() == expected
