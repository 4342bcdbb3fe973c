"""The localizer calibration page: admins set a CT device's calibration from values or a water
phantom localizer, or remove it; each change is audited and recomputes the SSDE of the
device's localizer studies.

Hand-checked values (as in test_ssde_sources): a localizer of a 300 mm water cylinder whose
pixel value is (t + 10 mm) / 0.2 gives Dw = 300 mm under slope 0.2, intercept −10, and 10 mGy
CTDIvol (32 cm phantom) gives SSDE = 10 × 3.704369·exp(−1.1015811) = 12.311 mGy. Under slope
0.1, intercept −10 the same pixels give t/2 − 5 mm, Aw = π·300²/8 − 5·W with W the 300 mm wide
row: Dw = 2·sqrt(Aw/π) = 2·sqrt(11250 − 477.5) = 207.6 mm, SSDE = 10 × 3.704369 ×
exp(−0.762287) = 17.28 mGy. A 250 mm cylinder gives 14.792 mGy.
"""
import io
import re

import pytest
from pydicom import dcmread
from pydicom.uid import generate_uid
from sqlalchemy import select

from app.extensions import db
from app.importing import import_file
from app.models.auth import AuditLog
from app.models.ct import CtIrradiationEventData
from app.models.ssde import CtLocalizerProfile, LocalizerCalibration
from app.ssde.calibration import calibrate_device
from app.ssde.localizer import calibrate
from dicom_builders import ct_localizer
from study_records import store_records, study_record

PAGE = "/admin/equipment/localizer-calibration"


def _localizer_study(app, tmp_path, diameter=300.0, slope=0.2, intercept=-10.0, **builder):
    """A CT study of 10 mGy CTDIvol with a localizer imported; the localizer's identity id."""
    uid = generate_uid()
    store_records(app, [study_record("ct", uid=uid, dlp=300.0, ctdivol=10.0, events=("spiral",))])
    path = tmp_path / f"scout-{uid}.dcm"
    ct_localizer(path, uid, [diameter], slope=slope, intercept=intercept, **builder)
    with app.app_context():
        assert import_file(path).status == "imported"
        return db.session.scalars(select(CtLocalizerProfile.unique_equipment_name_id)
                                  .where(CtLocalizerProfile.study_instance_uid == uid)).one()


def _ssde(app):
    with app.app_context():
        return [(e.ssde, e.ssde_method, e.ssde_diameter) for e in db.session.scalars(
            select(CtIrradiationEventData).order_by(CtIrradiationEventData.id))]


def _calibrations(app):
    with app.app_context():
        return [(c.unique_equipment_name_id, c.slope, c.intercept, c.phantom_diameter)
                for c in db.session.scalars(select(LocalizerCalibration))]


def _audit(app):
    with app.app_context():
        return [(a.action, a.target, a.details, a.username) for a in db.session.scalars(
            select(AuditLog).where(AuditLog.action.like("ssde.%")).order_by(AuditLog.id))]


def _phantom_bytes(**changes):
    """A water phantom localizer (250 mm, pixel value = (t + 10 mm) / 0.1) as file bytes."""
    ds = ct_localizer(None, generate_uid(), [250.0], slope=0.1, intercept=-10.0)
    for keyword, value in changes.items():
        setattr(ds, keyword, value)
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()


def _message(html):
    return re.sub(r"\s+", " ", html)


def test_the_equipment_page_links_to_the_calibration_page(app, client, login_as):
    login_as("view", "admin")
    page = client.get("/admin/equipment/").data.decode()
    assert f'href="{PAGE}"' in page
    assert 'id="no-calibrations"' in client.get(PAGE).data.decode()


def test_admin_sets_slope_and_intercept_and_the_ssde_follows(app, client, login_as, tmp_path):
    device = _localizer_study(app, tmp_path)
    admin = login_as("view", "admin")
    assert _ssde(app) == [(None, None, None)]
    listing = client.get(PAGE).data.decode()
    row = listing.split(f'data-identity="{device}"')[1].split("</tr>")[0]
    assert "Acme Medical" in row and "Scanner 1" in row and "CT1" in row
    assert "none: no SSDE" in row and re.search(r'<td class="text-end number">1</td>', row)

    response = client.post(f"{PAGE}/{device}", data={"slope": "0.2", "intercept": "-10"},
                           follow_redirects=True)
    assert response.status_code == 200
    assert "SSDE recomputed for 1 study" in response.text
    assert "saved: 0.2 mm × pixel value − 10 mm; SSDE recomputed for 1 study" in response.text
    assert "0.2 mm × pixel value − 10 mm" in client.get(f"{PAGE}/{device}").text
    assert _calibrations(app) == [(device, 0.2, -10.0, None)]
    ssde, method, diameter = _ssde(app)[0]
    assert method == "localizer" and diameter == pytest.approx(300.0, abs=1.0)
    assert ssde == pytest.approx(12.311, abs=0.05)
    row = response.text.split(f'data-identity="{device}"')[1].split("</tr>")[0]
    assert '<td class="text-end number slope">0.2</td>' in row
    assert '<td class="text-end number intercept">-10</td>' in row

    client.post(f"{PAGE}/{device}", data={"slope": "0.1", "intercept": "-10"})
    assert _calibrations(app) == [(device, 0.1, -10.0, None)]
    ssde, _, diameter = _ssde(app)[0]
    assert diameter == pytest.approx(207.6, abs=1.0) and ssde == pytest.approx(17.28, abs=0.1)
    assert _audit(app) == [
        ("ssde.calibration", f"device identity {device}",
         "none -> slope 0.2 mm, intercept -10 mm", admin.username),
        ("ssde.calibration", f"device identity {device}",
         "slope 0.2 mm, intercept -10 mm -> slope 0.1 mm, intercept -10 mm", admin.username)]


@pytest.mark.parametrize("slope, intercept", [("0", "0"), ("-0.1", "0"), ("abc", "0"),
                                              ("0.1", ""), ("inf", "0")])
def test_a_slope_not_above_zero_or_a_missing_value_is_refused(app, client, login_as, tmp_path,
                                                               slope, intercept):
    device = _localizer_study(app, tmp_path)
    login_as("view", "admin")
    response = client.post(f"{PAGE}/{device}", data={"slope": slope, "intercept": intercept})
    assert response.status_code == 400 and "is-invalid" in response.text
    assert _calibrations(app) == [] and _audit(app) == []


def test_a_phantom_upload_derives_the_calibration(app, client, login_as, tmp_path):
    device = _localizer_study(app, tmp_path, diameter=250.0, slope=0.1, intercept=-10.0)
    login_as("view", "admin")
    data = _phantom_bytes()
    response = client.post(f"{PAGE}/{device}/phantom", data={
        "phantom": (io.BytesIO(data), "water_phantom.dcm"), "phantom_diameter": "250"},
        content_type="multipart/form-data", follow_redirects=True)
    assert response.status_code == 200 and "SSDE recomputed for 1 study" in response.text
    slope, intercept = calibrate(dcmread(io.BytesIO(data)), 250.0)
    [(stored_device, stored_slope, stored_intercept, diameter)] = _calibrations(app)
    assert (stored_device, diameter) == (device, 250.0)
    assert (stored_slope, stored_intercept) == (pytest.approx(slope, rel=1e-12),
                                                pytest.approx(intercept, rel=1e-12, abs=1e-12))
    assert stored_slope == pytest.approx(0.1, rel=2e-3)
    ssde, method, _ = _ssde(app)[0]
    assert method == "localizer" and ssde == pytest.approx(14.792, abs=0.08)
    [(action, _, details, _)] = _audit(app)
    assert action == "ssde.calibration" and details.startswith("none -> slope ")
    assert details.endswith("(phantom 250 mm)")


def test_calibrate_device_takes_a_dataset_bytes_a_stream_or_a_path(app, tmp_path):
    device = _localizer_study(app, tmp_path)
    data = _phantom_bytes()
    (tmp_path / "phantom.dcm").write_bytes(data)
    expected = calibrate(dcmread(io.BytesIO(data)), 250.0)
    with app.app_context():
        for phantom in (dcmread(io.BytesIO(data)), data, io.BytesIO(data),
                        tmp_path / "phantom.dcm", str(tmp_path / "phantom.dcm")):
            calibration, studies = calibrate_device(device, phantom=phantom, phantom_diameter=250.0)
            assert (calibration.slope, calibration.intercept) == pytest.approx(expected)
            assert studies == 1


def _truncated():
    data = _phantom_bytes()
    return data[:len(data) // 2]


@pytest.mark.parametrize("content, reason", [
    (lambda: b"slope,intercept\n0.1,-10\n", "it is not a DICOM file"),
    (lambda: _phantom_bytes(ImageType=["ORIGINAL", "PRIMARY", "AXIAL"]),
     "it is not a CT localizer"),
    (_truncated, "truncated"),
    (lambda: _phantom_bytes(PixelData=b"\0\1" * 7), "its pixel data are truncated"),
    (lambda: _phantom_bytes(ImageOrientationPatient=[1, 0, 0, 0, 1, 0]),
     "its columns do not run along the patient's length"),
])
def test_a_bad_upload_is_named_with_its_reason_and_stores_nothing(app, client, login_as,
                                                                  tmp_path, content, reason):
    device = _localizer_study(app, tmp_path)
    login_as("view", "admin")
    response = client.post(f"{PAGE}/{device}/phantom", data={
        "phantom": (io.BytesIO(content()), "bad <upload>.dcm"), "phantom_diameter": "250"},
        content_type="multipart/form-data")
    assert response.status_code == 400
    page = _message(response.text)
    assert "bad &lt;upload&gt;.dcm: " in page and reason in page.replace("&#39;", "'")
    assert "Traceback" not in page
    assert _calibrations(app) == [] and _audit(app) == []
    assert _ssde(app) == [(None, None, None)]


def test_a_phantom_upload_needs_a_file_and_a_diameter(app, client, login_as, tmp_path):
    device = _localizer_study(app, tmp_path)
    login_as("view", "admin")
    no_file = client.post(f"{PAGE}/{device}/phantom", data={"phantom_diameter": "250"},
                          content_type="multipart/form-data")
    assert no_file.status_code == 400 and "Choose the phantom&#39;s localizer file." in no_file.text
    no_diameter = client.post(f"{PAGE}/{device}/phantom", data={
        "phantom": (io.BytesIO(_phantom_bytes()), "phantom.dcm"), "phantom_diameter": "0"},
        content_type="multipart/form-data")
    assert no_diameter.status_code == 400 and "Must be above 0." in no_diameter.text
    assert _calibrations(app) == []


def test_removing_asks_first_then_removes_audits_and_recomputes(app, client, login_as, tmp_path):
    device = _localizer_study(app, tmp_path)
    admin = login_as("view", "admin")
    client.post(f"{PAGE}/{device}", data={"slope": "0.2", "intercept": "-10"})
    assert _ssde(app)[0][1] == "localizer"
    asked = client.post(f"{PAGE}/{device}/remove")
    assert asked.status_code == 200 and 'name="confirm" value="yes"' in asked.text
    assert len(_calibrations(app)) == 1
    removed = client.post(f"{PAGE}/{device}/remove", data={"confirm": "yes"},
                          follow_redirects=True)
    assert "removed; SSDE recomputed for 1 study" in removed.text
    assert _calibrations(app) == [] and _ssde(app) == [(None, None, None)]
    assert _audit(app)[-1] == ("ssde.calibration_remove", f"device identity {device}",
                               "slope 0.2 mm, intercept -10 mm -> none", admin.username)
    again = client.post(f"{PAGE}/{device}/remove", data={"confirm": "yes"}, follow_redirects=True)
    assert "Nothing changed: equipment identity" in again.text and len(_audit(app)) == 2


def test_non_admins_are_refused(app, client, login_as, tmp_path):
    device = _localizer_study(app, tmp_path)
    login_as("view", "importsize", "importqr", "export", "pid")
    assert client.get(PAGE).status_code == 403
    assert client.get(f"{PAGE}/{device}").status_code == 403
    assert client.post(f"{PAGE}/{device}", data={"slope": "0.2"}).status_code == 403
    assert client.post(f"{PAGE}/{device}/phantom", data={
        "phantom": (io.BytesIO(_phantom_bytes()), "phantom.dcm"), "phantom_diameter": "250"},
        content_type="multipart/form-data").status_code == 403
    assert client.post(f"{PAGE}/{device}/remove", data={"confirm": "yes"}).status_code == 403
    assert _calibrations(app) == [] and _audit(app) == []


def test_a_post_without_its_csrf_token_is_refused(csrf_app, make_user, tmp_path):
    device = _localizer_study(csrf_app, tmp_path)
    client = csrf_app.test_client()
    user = make_user(roles=("view", "admin"))
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
    assert client.post(f"{PAGE}/{device}", data={"slope": "0.2", "intercept": "-10"}
                       ).status_code == 400
    assert client.post(f"{PAGE}/{device}/phantom", data={
        "phantom": (io.BytesIO(_phantom_bytes()), "phantom.dcm"), "phantom_diameter": "250"},
        content_type="multipart/form-data").status_code == 400
    assert _calibrations(csrf_app) == [] and _audit(csrf_app) == []
    page = client.get(f"{PAGE}/{device}").data.decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(f"{PAGE}/{device}", data={"slope": "0.2", "intercept": "-10",
                                                     "csrf_token": token})
    assert response.status_code == 302
    assert _calibrations(csrf_app) == [(device, 0.2, -10.0, None)]


def test_device_strings_are_escaped(app, client, login_as, tmp_path):
    device = _localizer_study(app, tmp_path, manufacturer="<b>Acme</b>")
    login_as("view", "admin")
    for url in (PAGE, f"{PAGE}/{device}"):
        page = client.get(url).data.decode()
        assert "&lt;b&gt;Acme&lt;/b&gt;" in page and "<b>Acme</b>" not in page


def test_the_command_line_is_audited_too(app, runner, tmp_path):
    device = _localizer_study(app, tmp_path)
    result = runner.invoke(args=["ssde", "calibrate", "--device", str(device), "--slope", "0.2",
                                 "--intercept", "-10"])
    assert result.exit_code == 0, result.output
    assert "SSDE recomputed for 1 studies" in result.output
    removed = runner.invoke(args=["ssde", "calibrate", "--device", str(device), "--remove"])
    assert removed.exit_code == 0, removed.output
    assert "calibration removed; SSDE recomputed for 1 studies" in removed.output
    assert _audit(app) == [
        ("ssde.calibration", f"device identity {device}",
         "none -> slope 0.2 mm, intercept -10 mm", "(command line)"),
        ("ssde.calibration_remove", f"device identity {device}",
         "slope 0.2 mm, intercept -10 mm -> none", "(command line)")]
    assert _calibrations(app) == [] and _ssde(app) == [(None, None, None)]


def test_only_the_devices_own_localizer_studies_are_recomputed(app, client, login_as, tmp_path):
    device = _localizer_study(app, tmp_path)
    other = _localizer_study(app, tmp_path, manufacturer="Other Make")
    assert device != other
    login_as("view", "admin")
    response = client.post(f"{PAGE}/{device}", data={"slope": "0.2", "intercept": "-10"},
                           follow_redirects=True)
    assert "SSDE recomputed for 1 study." in response.text
    (ssde, method, _), untouched = _ssde(app)
    assert method == "localizer" and ssde == pytest.approx(12.311, abs=0.05)
    assert untouched == (None, None, None)
    listing = client.get(PAGE).text
    assert f'data-identity="{device}"' in listing and f'data-identity="{other}"' in listing
