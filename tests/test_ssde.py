"""Size-specific dose estimates of CT events (AAPM Reports 204 and 220): the factors, the
choice of patient size, import, ``flask ssde recompute``, and where the values are shown.

Expected factors were worked out by hand from AAPM Report 204's fit f = a·exp(−b·D)
(32 cm phantom a = 3.704369, b = 0.03671937; 16 cm phantom a = 1.874799, b = 0.03871313):
e.g. D = 25 cm in the 32 cm phantom, b·D = 0.9179843, exp(−0.9179843) = 0.399318,
f = 3.704369 × 0.399318 = 1.4792. Rounded to two places they are the factors AAPM 204
tabulates for effective diameter (2.76 at 8 cm, 1.78 at 20 cm, 1.23 at 30 cm, 0.71 at 45 cm
for the 32 cm phantom), and f = 1 near D = ln(a)/b = 35.7 cm, where the patient is the size
of the phantom in water-equivalent terms.
"""
import csv
import io

import pytest
from sqlalchemy import select, update

from app.extensions import db
from app.extractors.codes import Code
from app.models.ct import CtIrradiationEventData
from app.ssde.aapm import (AP_AND_LATERAL, EFFECTIVE_DIAMETER, WATER_EQUIVALENT_DIAMETER,
                           Size, conversion_factor, estimate)
from study_records import store_records, study_record

BODY, HEAD = "113691", "113690"
HEAD_PHANTOM = Code("113690", "IEC Head Dosimetry Phantom", "DCM")


@pytest.mark.parametrize("diameter_cm, phantom, factor", [
    (8, 32, 2.7615), (20, 32, 1.7774), (25, 32, 1.4792), (30, 32, 1.2311), (45, 32, 0.7097),
    (8, 16, 1.3755), (15, 16, 1.0490), (20, 16, 0.8644), (45, 16, 0.3284),
])
def test_conversion_factors_are_aapm_204s(diameter_cm, phantom, factor):
    assert conversion_factor(diameter_cm, phantom) == pytest.approx(factor, abs=5e-5)


def test_the_factor_is_one_where_the_patient_matches_the_body_phantom():
    assert conversion_factor(35.66, 32) == pytest.approx(1.0, abs=2e-4)


def test_the_water_equivalent_diameter_comes_first():
    found = estimate(10.0, BODY, [Size(derived_effective_diameter=300.0),
                                  Size(water_equivalent_diameter=250.0)])
    assert found.method == WATER_EQUIVALENT_DIAMETER and found.diameter == 250.0
    assert found.ssde == pytest.approx(14.792, abs=5e-4)  # 10 mGy × 1.4792


def test_then_the_effective_diameter_then_ap_and_lateral():
    found = estimate(10.0, BODY, [Size(derived_effective_diameter=300.0,
                                       measured_ap_dimension=200.0,
                                       measured_lateral_dimension=300.0)])
    assert (found.method, found.diameter) == (EFFECTIVE_DIAMETER, 300.0)
    assert found.ssde == pytest.approx(12.311, abs=5e-4)
    # √(200 mm × 300 mm) = 244.95 mm; f(24.495 cm) = 3.704369·exp(−0.899442) = 1.5069.
    found = estimate(10.0, BODY, [Size(measured_ap_dimension=200.0,
                                       measured_lateral_dimension=300.0)])
    assert found.method == AP_AND_LATERAL
    assert found.diameter == pytest.approx(244.949, abs=1e-3)
    assert found.ssde == pytest.approx(15.069, abs=5e-4)


def test_the_head_phantom_uses_the_16_cm_factors():
    found = estimate(50.0, HEAD, [Size(water_equivalent_diameter=150.0)])
    assert found.ssde == pytest.approx(52.45, abs=5e-3)  # 50 mGy × 1.0490


@pytest.mark.parametrize("ctdivol, phantom, sizes", [
    (None, BODY, [Size(water_equivalent_diameter=250.0)]),
    (10.0, None, [Size(water_equivalent_diameter=250.0)]),
    (10.0, "113692", [Size(water_equivalent_diameter=250.0)]),  # another phantom code
    (10.0, BODY, []),
    (10.0, BODY, [Size(measured_lateral_dimension=300.0)]),  # lateral alone: no fitted factor
    (10.0, BODY, [Size(water_equivalent_diameter=70.0)]),  # below the report's 8 cm
    (10.0, BODY, [Size(water_equivalent_diameter=460.0)]),  # above its 45 cm
    (10.0, BODY, [Size(water_equivalent_diameter=0.0)]),
])
def test_no_estimate_without_what_it_needs(ctdivol, phantom, sizes):
    assert estimate(ctdivol, phantom, sizes) is None


def _ct_with_sizes(*sizes, phantom=None, ctdivol=10.0):
    record = study_record("ct", dlp=300.0, ctdivol=ctdivol, events=("spiral", "localiser"))
    events = record["ctradiationdose_set"][0]["ctirradiationeventdata_set"]
    events[0]["sizespecificdoseestimation_set"] = [dict(size) for size in sizes]
    if phantom is not None:
        events[0]["ctdiw_phantom_type"] = phantom
    return record


def _events(app):
    with app.app_context():
        return [(e.ssde, e.ssde_method, e.ssde_diameter) for e in db.session.scalars(
            select(CtIrradiationEventData).order_by(CtIrradiationEventData.id))]


def test_import_stores_the_estimate_and_its_method(app):
    store_records(app, [_ct_with_sizes({"water_equivalent_diameter": 250.0,
                                        "size_specific_dose_estimate": 15.0})])
    (ssde, method, diameter), localiser = _events(app)
    assert ssde == pytest.approx(14.792, abs=5e-4)
    assert (method, diameter) == ("water_equivalent_diameter", 250.0)
    assert localiser == (None, None, None)  # no size recorded for it


def test_recompute_fills_stored_events(app, runner):
    store_records(app, [_ct_with_sizes({"derived_effective_diameter": 300.0}),
                        _ct_with_sizes({"water_equivalent_diameter": 150.0},
                                       phantom=HEAD_PHANTOM, ctdivol=50.0)])
    with app.app_context():  # as after the upgrade that added the columns
        db.session.execute(update(CtIrradiationEventData).values(
            ssde=None, ssde_method=None, ssde_diameter=None))
        db.session.commit()
    result = runner.invoke(args=["ssde", "recompute", "--batch-size", "3"])
    assert result.exit_code == 0, result.output
    assert "4 CT events read, SSDE changed on 2." in result.output
    values = _events(app)
    assert values[0][0] == pytest.approx(12.311, abs=5e-4)
    assert values[0][1:] == ("effective_diameter", 300.0)
    assert values[2][0] == pytest.approx(52.45, abs=5e-3)
    assert values[2][1:] == ("water_equivalent_diameter", 150.0)
    again = runner.invoke(args=["ssde", "recompute"])
    assert "4 CT events read, SSDE changed on 0." in again.output


def test_detail_page_list_and_export_show_it(app, client, login_as):
    [study_id] = store_records(app, [_ct_with_sizes({"water_equivalent_diameter": 250.0})])
    login_as("view", "export")
    page = client.get(f"/ct/{study_id}").get_data(as_text=True)
    assert "SSDE (AAPM 204/220)" in page and "14.79" in page
    assert "Water eq. diameter" in page
    listing = client.get("/ct/").get_data(as_text=True)
    assert "Max SSDE (mGy)" in listing and "14.8" in listing
    export = client.get("/exports/ct.csv").get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(export)))
    header, row = rows[0], rows[1]
    assert float(row[header.index("E1 SSDE (mGy)")]) == pytest.approx(14.792, abs=5e-4)
    assert row[header.index("E1 SSDE size from")] == "water_equivalent_diameter"
    assert float(row[header.index("E1 SSDE diameter (mm)")]) == 250.0
