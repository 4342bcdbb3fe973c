"""SSDE from patient sizes outside the dose report: CT localizers (AAPM 220) and the
patient-size import, and their order after the report's own sizes.

Hand-checked values: a uniform water cylinder of diameter D has water-equivalent area
Aw = π·D²/4 in every row, so Dw = 2·sqrt(Aw/π) = D. With D = 250 mm and CTDIvol 10 mGy in the
32 cm phantom, SSDE = 10 × 3.704369·exp(−0.03671937 × 25) = 14.792 mGy; with D = 300 mm,
10 × 3.704369·exp(−1.1015811) = 12.311 mGy. The synthetic localizer samples the cylinder's
path 2·sqrt(R² − x²) at 1 mm column spacing, rounded to 0.1 mm: the sum over the pixels
differs from π·D²/4 by less than 0.1 %, so Dw is within 0.5 mm of D.
AP 200 mm, lateral 300 mm: √(200 × 300) = 244.949 mm, f = 3.704369·exp(−0.899442) = 1.5069,
SSDE = 15.069 mGy for 10 mGy.
"""
import io
import re

import pytest
from pydicom.uid import ExplicitVRLittleEndian, generate_uid
from sqlalchemy import select

from app.extensions import db
from app.importing import import_file
from app.models.ct import CtIrradiationEventData
from app.models.ssde import CtLocalizerProfile
from app.ssde.localizer import calibrate, mean_diameter, profile
from dicom_builders import ct_localizer as _localizer
from study_records import store_records, study_record

def test_a_water_cylinder_gives_its_diameter():
    ds = _localizer(None, generate_uid(), [250.0])
    rows = profile(ds).rows
    assert len(rows) == 25 and rows[0][0] == 0.0 and rows[-1][0] == -48.0
    diameter, _ = mean_diameter(rows, 0.1, 0.0)
    assert diameter == pytest.approx(250.0, abs=0.5)


def test_the_event_range_selects_rows():
    rows = profile(_localizer(None, generate_uid(), [250.0, 300.0])).rows
    # Rows 0–24 at z 0…−48 mm are 250 mm, rows 25–49 at z −50…−98 mm are 300 mm.
    assert mean_diameter(rows, 0.1, 0.0, (-10.0, -40.0)) == (pytest.approx(250.0, abs=0.5), True)
    assert mean_diameter(rows, 0.1, 0.0, (-60.0, -90.0)) == (pytest.approx(300.0, abs=0.5), True)
    whole, inside = mean_diameter(rows, 0.1, 0.0, (500.0, 600.0))
    assert (whole, inside) == (pytest.approx(275.0, abs=0.5), False)


def test_calibration_from_a_phantom_localizer():
    # Pixel value = (t + 10 mm) / 0.1: air is 100, slope 0.1 mm, intercept −10 mm.
    ds = _localizer(None, generate_uid(), [250.0], slope=0.1, intercept=-10.0)
    slope, intercept = calibrate(ds, 250.0)
    assert slope == pytest.approx(0.1, rel=2e-3)
    assert intercept == pytest.approx(-10.0, abs=0.2)
    assert mean_diameter(profile(ds).rows, slope, intercept)[0] == pytest.approx(250.0, abs=1.0)


def _ct(uid, ctdivol=10.0, sizes=None):
    record = study_record("ct", uid=uid, dlp=300.0, ctdivol=ctdivol, events=("spiral", "spiral"))
    events = record["ctradiationdose_set"][0]["ctirradiationeventdata_set"]
    events[0]["scanninglength_set"] = [{"top_z_location_of_scanning_length": -10.0,
                                        "bottom_z_location_of_scanning_length": -40.0}]
    if sizes:
        events[0]["sizespecificdoseestimation_set"] = [sizes]
    return record


def _events(app):
    with app.app_context():
        return [(e.ssde, e.ssde_method, e.ssde_diameter) for e in db.session.scalars(
            select(CtIrradiationEventData).order_by(CtIrradiationEventData.id))]


def _calibrate(runner, phantom, diameter=250.0):
    result = runner.invoke(args=["ssde", "calibrate", "--phantom", str(phantom),
                                 "--phantom-diameter", str(diameter)])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("localizer_first", [True, False])
def test_localizer_before_or_after_the_report(app, runner, tmp_path, localizer_first):
    uid = generate_uid()
    _localizer(tmp_path / "phantom.dcm", generate_uid(), [250.0])
    _localizer(tmp_path / "scout.dcm", uid, [250.0, 300.0])
    with app.app_context():
        if localizer_first:
            outcome = import_file(tmp_path / "scout.dcm")
            assert outcome.status == "imported", outcome.line()
            assert any("no localizer calibration" in w for w in outcome.warnings)
    _calibrate(runner, tmp_path / "phantom.dcm")
    store_records(app, [_ct(uid)])
    with app.app_context():
        if not localizer_first:
            outcome = import_file(tmp_path / "scout.dcm")
            assert outcome.status == "imported" and not outcome.warnings, outcome.report()
    (ssde1, method1, d1), (ssde2, method2, d2) = _events(app)
    assert method1 == method2 == "localizer"
    assert d1 == pytest.approx(250.0, abs=1.0)  # the event's scanned range: the 250 mm rows
    assert ssde1 == pytest.approx(14.792, abs=0.06)
    assert d2 == pytest.approx(275.0, abs=1.0)  # no range: the whole localizer
    # Re-import of the same localizer changes nothing.
    with app.app_context():
        again = import_file(tmp_path / "scout.dcm")
        assert again.status == "duplicate"
        assert db.session.query(CtLocalizerProfile).count() == 1  # the phantom is not kept
    assert _events(app)[0][2] == d1


def test_without_calibration_no_ssde(app, tmp_path):
    uid = generate_uid()
    store_records(app, [_ct(uid)])
    _localizer(tmp_path / "scout.dcm", uid, [250.0])
    with app.app_context():
        outcome = import_file(tmp_path / "scout.dcm")
    assert outcome.status == "imported" and outcome.warnings
    assert _events(app)[0] == (None, None, None)


def test_a_corrupt_localizer_is_reported_not_raised(app, tmp_path):
    ds = _localizer(None, generate_uid(), [250.0])
    ds.PixelData = ds.PixelData[:100]
    ds.save_as(tmp_path / "short.dcm", enforce_file_format=True)
    ds = _localizer(None, generate_uid(), [250.0])
    ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]  # an axial image called a localizer
    ds.save_as(tmp_path / "axial.dcm", enforce_file_format=True)
    with app.app_context():
        short = import_file(tmp_path / "short.dcm")
        axial = import_file(tmp_path / "axial.dcm")
    assert short.status == "failed" and "truncated" in short.message
    assert "short.dcm" in short.line()
    assert axial.status == "failed" and "z" in axial.message


def _size_csv(tmp_path, rows):
    path = tmp_path / "sizes.csv"
    path.write_text("uid,height,weight,ap,lat,wed\n" + "".join(
        ",".join(str(v) for v in row) + "\n" for row in rows))
    return path


def test_size_import_ap_and_lateral(app, runner, tmp_path):
    uid = generate_uid()
    store_records(app, [_ct(uid)])
    path = _size_csv(tmp_path, [(uid, 170, 70, 20, 30, "")])
    result = runner.invoke(args=["import", "ptsize", str(path), "uid", "height", "weight",
                                 "--si-uid", "--ap-column", "ap", "--lateral-column", "lat",
                                 "--wed-column", "wed", "--size-unit", "cm"])
    assert result.exit_code == 0, result.output
    ssde, method, diameter = _events(app)[0]
    assert method == "size_import_ap_lateral"
    assert diameter == pytest.approx(244.949, abs=1e-3)
    assert ssde == pytest.approx(15.069, abs=5e-4)


def test_priority_report_then_localizer_then_size_import(app, runner, tmp_path):
    reported, localized, imported = generate_uid(), generate_uid(), generate_uid()
    store_records(app, [_ct(reported, sizes={"water_equivalent_diameter": 300.0}),
                        _ct(localized), _ct(imported)])
    _localizer(tmp_path / "phantom.dcm", generate_uid(), [250.0])
    _calibrate(runner, tmp_path / "phantom.dcm")
    for n, uid in enumerate((reported, localized)):
        _localizer(tmp_path / f"scout{n}.dcm", uid, [250.0])
        with app.app_context():
            assert import_file(tmp_path / f"scout{n}.dcm").status == "imported"
    path = _size_csv(tmp_path, [(uid, "", "", "", "", 200) for uid in (reported, localized,
                                                                         imported)])
    result = runner.invoke(args=["import", "ptsize", str(path), "uid", "height", "weight",
                                 "--si-uid", "--wed-column", "wed"])
    assert result.exit_code == 0, result.output
    methods = [(m, round(d)) for _, m, d in _events(app)[::2]]
    assert methods == [("water_equivalent_diameter", 300), ("localizer", 250),
                       ("size_import_wed", 200)]
    # 200 mm: f = 3.704369·exp(−0.7343874) = 1.7774.
    assert _events(app)[4][0] == pytest.approx(17.774, abs=5e-4)


def test_the_study_page_names_the_method_and_an_uncalibrated_localizer(app, client, login_as,
                                                                        runner, tmp_path):
    uid, other = generate_uid(), generate_uid()
    [study_id, other_id] = store_records(app, [_ct(uid), _ct(other)])
    _localizer(tmp_path / "scout.dcm", uid, [250.0])
    with app.app_context():
        import_file(tmp_path / "scout.dcm")
    login_as("view")
    page = client.get(f"/ct/{study_id}").get_data(as_text=True)
    assert "no localizer calibration" in page
    _localizer(tmp_path / "phantom.dcm", generate_uid(), [250.0])
    _calibrate(runner, tmp_path / "phantom.dcm")
    page = client.get(f"/ct/{study_id}").get_data(as_text=True)
    assert "CT localizer (water eq. diameter)" in page and "no localizer calibration" not in page


def test_size_upload_page_takes_the_dimension_columns(app, client, login_as):
    app.config["UPLOAD_QUEUE_SIZES"] = False
    uid = generate_uid()
    store_records(app, [_ct(uid)])
    login_as("view", "importsize")
    columns = client.post("/import/sizes", data={"csv_file": (io.BytesIO(
        f"uid;h;w;ap;lat\n{uid};;;20;30\n".encode()), "sizes.csv")},
        content_type="multipart/form-data")
    action = re.search(r'action="(/import/sizes/[0-9a-f]+)"', columns.text).group(1)
    result = client.post(action, data={"id_column": "uid", "height_column": "",
                                       "weight_column": "", "id_type": "si-uid",
                                       "ap_column": "ap", "lateral_column": "lat",
                                       "size_unit": "cm"})
    assert "1 matched a study, 1 studies updated" in result.text
    ssde, method, diameter = _events(app)[0]
    assert method == "size_import_ap_lateral" and ssde == pytest.approx(15.069, abs=5e-4)


def test_calibrate_a_device_by_slope_and_intercept(app, runner, tmp_path):
    uid = generate_uid()
    store_records(app, [_ct(uid)])
    # Pixel value = (t + 10 mm) / 0.2.
    _localizer(tmp_path / "scout.dcm", uid, [300.0], slope=0.2, intercept=-10.0)
    with app.app_context():
        import_file(tmp_path / "scout.dcm")
        device = db.session.scalars(select(CtLocalizerProfile.unique_equipment_name_id)).one()
    missing = runner.invoke(args=["ssde", "calibrate", "--device", "99999", "--slope", "0.2"])
    assert missing.exit_code != 0 and "no equipment identity 99999" in missing.output
    result = runner.invoke(args=["ssde", "calibrate", "--device", str(device), "--slope", "0.2",
                                 "--intercept", "-10"])
    assert result.exit_code == 0, result.output
    ssde, method, diameter = _events(app)[0]
    assert method == "localizer" and diameter == pytest.approx(300.0, abs=1.0)
    assert ssde == pytest.approx(12.311, abs=0.05)  # 10 mGy × f(30 cm) = 12.311


def test_deleting_the_study_deletes_its_sizes(app, runner, tmp_path):
    from app.models.ssde import StudySizeImport
    from app.models.study import GeneralStudyModuleAttr as Study
    from app.modalities.deletion import delete_study

    uid, other = generate_uid(), generate_uid()
    store_records(app, [_ct(uid), _ct(other)])
    _localizer(tmp_path / "scout.dcm", uid, [250.0])
    path = _size_csv(tmp_path, [(uid, 170, 70, 20, 30, ""), (other, 170, 70, 20, 30, "")])
    result = runner.invoke(args=["import", "ptsize", str(path), "uid", "height", "weight",
                                 "--si-uid", "--ap-column", "ap", "--lateral-column", "lat",
                                 "--size-unit", "cm"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert import_file(tmp_path / "scout.dcm").status == "imported"
        delete_study(db.session.scalars(select(Study).where(
            Study.study_instance_uid == uid)).one())
        db.session.commit()
        assert db.session.scalars(select(CtLocalizerProfile.study_instance_uid)).all() == []
        assert db.session.scalars(select(StudySizeImport.study_instance_uid)).all() == [other]
