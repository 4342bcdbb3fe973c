"""``flask import ...`` and ``flask studies ...`` as a person or a script runs them."""
import json
import shutil

import pydicom
import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.study import GeneralStudyModuleAttr
from conformance import CORPUS, NEVER_COMPARED

DICOM = CORPUS / "dicom"
pytestmark = pytest.mark.skipif(not DICOM.is_dir(), reason=f"corpus not found at {CORPUS}")

CT_MULTI = ["CT-RDSR-Siemens-Multi-1.dcm", "CT-RDSR-Siemens-Multi-2.dcm",
            "CT-RDSR-Siemens-Multi-3.dcm"]
MULTI_STUDY_UID = "1.3.6.1.4.1.5962.99.1.792239193.1702185591.1516915727449.3.0"


def invoke(runner, *args):
    """Run a ``flask`` command; fail the test on a traceback in either stream."""
    result = runner.invoke(args=[str(a) for a in args])
    for stream in (result.stdout, result.stderr):
        assert "Traceback" not in stream, stream
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


@pytest.fixture
def batch(tmp_path):
    """A folder tree of corpus files, a damaged copy, a truncated copy and a text file."""
    root = tmp_path / "incoming"
    (root / "ct" / "deeper").mkdir(parents=True)
    (root / "dx").mkdir()
    for name in CT_MULTI[:2]:
        shutil.copy(DICOM / name, root / "ct" / name)
    shutil.copy(DICOM / CT_MULTI[2], root / "ct" / "deeper" / CT_MULTI[2])
    shutil.copy(DICOM / "DX-Im-GE_XR220-1.dcm", root / "dx" / "DX-Im-GE_XR220-1.dcm")
    shutil.copy(DICOM / "ESR_non-dose.dcm", root / "ESR_non-dose.dcm")
    data = (DICOM / "CT-RDSR-GEPixelMed.dcm").read_bytes()
    (root / "cut.dcm").write_bytes(data[: len(data) // 2 + 1])
    (root / "notes.txt").write_text("not an image\n")
    return root


def _studies(app):
    with app.app_context():
        return db.session.scalars(
            select(GeneralStudyModuleAttr).order_by(GeneralStudyModuleAttr.id)).all()


def test_auto_walks_a_folder_recursively_and_reports_each_problem(app, runner, batch):
    result = invoke(runner, "import", "auto", batch)
    lines = result.stderr.splitlines()
    assert sorted(lines) == sorted([
        f"{batch / 'ESR_non-dose.dcm'}: rejected (it is a Enhanced SR titled 'Diagnostic "
        "Imaging Report', not a radiation dose report)",
        f"{batch / 'cut.dcm'}: failed (is truncated (element (0040,A730) runs past the end "
        "of the file))",
        f"{batch / 'notes.txt'}: rejected (is not a DICOM file)",
    ])
    # The cumulative Siemens reports each replace the one before (counted as imported): one
    # CT study; the DX image makes its own.
    assert result.stdout.strip().splitlines()[-1] == (
        "4 imported, 0 duplicates, 2 rejected, 1 failed")
    assert result.exit_code == 1
    studies = _studies(app)
    assert [(s.modality_type, s.study_instance_uid == MULTI_STUDY_UID) for s in studies] == [
        ("CT", True), ("DX", False)]


def test_exit_status_is_zero_when_nothing_failed(runner, batch):
    (batch / "cut.dcm").unlink()
    result = invoke(runner, "import", "auto", batch)
    assert result.stdout.strip() == "4 imported, 0 duplicates, 2 rejected, 0 failed"
    assert result.exit_code == 0


def test_auto_takes_a_list_of_files_as_a_shell_glob_gives_them(app, runner, batch):
    files = sorted((batch / "ct").glob("*.dcm"))
    result = invoke(runner, "import", "auto", *files)
    assert result.exit_code == 0
    assert result.stderr == ""
    assert result.stdout.strip() == "2 imported, 0 duplicates, 0 rejected, 0 failed"
    studies = _studies(app)
    assert len(studies) == 1 and studies[0].number_of_events == 2


def test_importing_again_changes_nothing(app, runner, batch):
    invoke(runner, "import", "auto", batch)
    with app.app_context():
        before = [s.id for s in _studies(app)]
    result = invoke(runner, "import", "auto", batch)
    assert result.stdout.strip().splitlines()[-1] == (
        "0 imported, 4 duplicates, 2 rejected, 1 failed")
    assert [s.id for s in _studies(app)] == before


def test_json_summary_parses_and_counts(runner, batch):
    result = invoke(runner, "import", "auto", "--json", batch)
    summary = json.loads(result.stdout)
    assert {k: summary[k] for k in ("imported", "duplicates", "rejected", "failed")} == {
        "imported": 4, "duplicates": 0, "rejected": 2, "failed": 1}
    by_file = {o["source"].rsplit("/", 1)[-1]: o for o in summary["outcomes"]}
    assert by_file["cut.dcm"]["status"] == "failed"
    assert by_file["cut.dcm"]["message"].startswith("is truncated")
    assert by_file["DX-Im-GE_XR220-1.dcm"]["modality_type"] == "DX"
    assert by_file[CT_MULTI[0]]["study_instance_uid"] == MULTI_STUDY_UID
    assert result.stderr == ""
    assert result.exit_code == 1


def _with_unit(source, target, concept, unit):
    """A copy of a corpus report in which every ``concept`` value is in ``unit``."""
    ds = pydicom.dcmread(source)

    def walk(items):
        for item in items:
            if item.ConceptNameCodeSequence[0].CodeValue == concept:
                for measured in item.MeasuredValueSequence:
                    measured.MeasurementUnitsCodeSequence[0].CodeValue = unit
            walk(item.get("ContentSequence") or ())
    walk(ds.ContentSequence)
    ds.save_as(target, enforce_file_format=True)
    return target


def test_a_value_in_an_unknown_unit_is_a_warning_and_the_rest_is_stored(app, runner, tmp_path):
    odd = _with_unit(DICOM / "RF-RDSR-GE.dcm", tmp_path / "odd.dcm", "122130", "furlong")
    result = invoke(runner, "import", "auto", odd)
    assert result.exit_code == 0
    # One warning per concept and unit, however many events carry it.
    assert [line for line in result.stderr.splitlines() if "furlong" in line] == [
        f"{odd}: warning: 'Dose Area Product' is in unit 'furlong', which cannot be read as "
        "Gy.m2: not stored"]
    assert result.stdout.splitlines()[-1] == (
        "1 imported (1 with warnings), 0 duplicates, 0 rejected, 0 failed")
    with app.app_context():
        study = db.session.scalars(select(GeneralStudyModuleAttr)).one()
        events = [event for dose in study.projectionxrayradiationdose_set
                  for event in dose.irradeventxraydata_set]
        assert study.modality_type == "RF" and len(events) == 8
        assert [event.dose_area_product for event in events] == [None] * 8
        assert all(event.irradeventxraysourcedata_set[0].dose_rp for event in events)

    summary = json.loads(invoke(runner, "import", "auto", "--json", odd).stdout)
    assert summary["duplicates"] == 1 and summary["with_warnings"] == 0


@pytest.mark.parametrize("command, name, modality", [
    ("rdsr", "CT-RDSR-Siemens-Multi-1.dcm", "CT"),
    ("rdsr", "RF-RDSR-Siemens-Zee.dcm", "RF"),
    ("mg", "MG-Im-GE_Seno_1_ForPresentation.dcm", "MG"),
    ("dx", "DX-Im-Carestream_DR7500-1.dcm", "CR"),
    ("ct-philips", "CT-SC-Philips_Brilliance16P.dcm", "CT"),
    ("nm", "NM-PetIm-GE.dcm", "NM"),
])
def test_each_importer_command(app, runner, command, name, modality):
    result = invoke(runner, "import", command, DICOM / name)
    assert result.stdout.strip() == "1 imported, 0 duplicates, 0 rejected, 0 failed"
    assert result.exit_code == 0
    assert [s.modality_type for s in _studies(app)] == [modality]


def test_an_importer_command_refuses_what_it_does_not_read(app, runner):
    result = invoke(runner, "import", "rdsr", DICOM / "DX-Im-GE_XR220-1.dcm")
    assert result.stderr.strip() == (
        f"{DICOM / 'DX-Im-GE_XR220-1.dcm'}: rejected (the structured report has no document "
        "title)")
    assert result.exit_code == 0
    assert _studies(app) == []


def test_a_missing_path_is_a_usage_error_without_traceback(runner, tmp_path):
    result = invoke(runner, "import", "auto", tmp_path / "nowhere")
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_an_unexpected_error_while_storing_is_one_line(app, runner, monkeypatch):
    import app.importing as importing

    def broken(*_args):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(importing, "store", broken)
    result = invoke(runner, "import", "auto", DICOM / CT_MULTI[0])
    assert result.stderr.strip() == (
        f"{DICOM / CT_MULTI[0]}: failed (could not be stored (RuntimeError: disk on fire))")
    assert result.exit_code == 1


# Patient sizes ----------------------------------------------------------------------------------
def test_ptsize_adds_heights_and_weights(app, runner, tmp_path):
    invoke(runner, "import", "auto", DICOM / "CT-RDSR-ToshibaPixelMed.dcm")
    with app.app_context():
        accession = _studies(app)[0].accession_number
    assert accession == "4935683"
    sizes = tmp_path / "sizes.csv"
    sizes.write_text(f"acc,height,weight\n{accession},181.5,92.4\nA-404,170,70\n")
    result = invoke(runner, "import", "ptsize", sizes, "acc", "height", "weight")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "row 3: no study with accession A-404",
        "2 rows read, 1 matched a study, 1 studies updated"]
    with app.app_context():
        patient = db.session.scalars(select(GeneralStudyModuleAttr)).one(
        ).patientstudymoduleattr_set[0]
        # The report carried a weight; without --overwrite it stays.
        assert (patient.patient_size, patient.patient_weight) == (pytest.approx(1.815), 75.0)
    result = invoke(runner, "import", "ptsize", "--overwrite", sizes, "acc", "height", "weight")
    with app.app_context():
        patient = db.session.scalars(select(GeneralStudyModuleAttr)).one(
        ).patientstudymoduleattr_set[0]
        assert patient.patient_weight == 92.4


def test_ptsize_with_a_wrong_column_name_says_which_columns_exist(runner, tmp_path):
    sizes = tmp_path / "sizes.csv"
    sizes.write_text("Accession;Height (cm);Weight (kg)\nA1;180;80\n")
    result = invoke(runner, "import", "ptsize", sizes, "Accession", "Height", "Weight (kg)")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "Error: the file has no column 'Height' (its columns are: Accession, Height (cm), "
        "Weight (kg))")
    assert result.stdout == ""


def test_ptsize_json(app, runner, tmp_path):
    invoke(runner, "import", "auto", DICOM / "CT-RDSR-GEPixelMed.dcm")
    with app.app_context():
        uid = _studies(app)[0].study_instance_uid
    sizes = tmp_path / "sizes.csv"
    sizes.write_text(f"uid,h,w\n{uid},175,abc\n")
    result = invoke(runner, "import", "ptsize", "--si-uid", "--json", sizes, "uid", "h", "w")
    assert json.loads(result.stdout) == {
        "rows": 1, "matched": 1, "updated": 1,
        "log": ["row 2: weight 'abc' is not a number; not used"]}


# Studies ----------------------------------------------------------------------------------------
def test_studies_dump_has_the_reference_dump_structure(runner):
    invoke(runner, "import", "auto", *(DICOM / name for name in CT_MULTI))
    result = invoke(runner, "studies", "dump", "--study-uid", MULTI_STUDY_UID, "--json")
    assert result.exit_code == 0
    dump = json.loads(result.stdout)
    reference = json.loads((CORPUS / "expected" / "CT-RDSR-Siemens-Multi-3.json").read_text())
    assert dump["study_count"] == 1
    study, expected = dump["studies"][0], reference["studies"][0]
    _assert_same_keys(study, expected, "study")
    assert study["study_instance_uid"] == MULTI_STUDY_UID
    assert study["number_of_events"] == 3
    assert len(study["objectuidsprocessed_set"]) == 3
    events = study["ctradiationdose_set"][0]["ctirradiationeventdata_set"]
    assert [e["mean_ctdivol"] for e in events] == [
        float(e["mean_ctdivol"]) for e in expected["ctradiationdose_set"][0][
            "ctirradiationeventdata_set"]]


def _assert_same_keys(ours, theirs, path):
    """Every key of the reference dump is in ours, at every level (features outside the import
    excepted)."""
    missing = set(theirs) - set(ours) - NEVER_COMPARED
    assert not missing, f"{path}: {sorted(missing)}"
    for key, value in theirs.items():
        if key.endswith("_set") and isinstance(value, list) and value and ours.get(key):
            _assert_same_keys(ours[key][0], value[0], f"{path}.{key}")


def test_studies_dump_of_an_unknown_uid_is_empty(runner):
    result = invoke(runner, "studies", "dump", "--study-uid", "1.2.3")
    assert json.loads(result.stdout) == {"study_count": 0, "studies": []}


def test_studies_dump_needs_a_uid_or_all(runner):
    result = invoke(runner, "studies", "dump")
    assert result.exit_code == 2
    assert "give --study-uid UID or --all" in result.stderr


def test_studies_count_by_modality(runner):
    invoke(runner, "import", "auto", *(DICOM / name for name in (
        "CT-RDSR-GEPixelMed.dcm", "CT-RDSR-ToshibaPixelMed.dcm", "DX-Im-GE_XR220-1.dcm",
        "RF-RDSR-Siemens-Zee.dcm")))
    assert invoke(runner, "studies", "count", "--modality", "CT").stdout.strip() == "2"
    assert invoke(runner, "studies", "count", "--modality", "dx").stdout.strip() == "1"
    assert invoke(runner, "studies", "count", "--modality", "MG").stdout.strip() == "0"
    assert invoke(runner, "studies", "count").stdout.strip() == "4"
    assert invoke(runner, "studies", "count", "--modality", "XA").exit_code == 2
