"""Every modality's charts from real corpus objects: the numbers the page draws equal those
computed here from the extracted records, without the database."""
import csv
import io
import statistics

import pydicom
import pytest

from app.charts.definitions import CHARTS
from app.extractors.dispatch import extract
from app.importing import import_file
from conformance import CORPUS
from study_records import store_records, study_record
from test_charts import _quartiles, chart_data

DICOM = CORPUS / "dicom"
FILES = {
    "ct": ["CT-RDSR-Siemens_Flash-QA-DS.dcm", "CT-RDSR-ToshibaPixelMed.dcm",
           "NM-CT-RDSR-Siemens.dcm", "CT-RDSR-GEPixelMed.dcm"],
    "rf": ["Dual-RDSR-RF.dcm", "RF-RDSR-Philips_Allura.dcm", "RF-RDSR-Philips_Azurion.dcm",
           "RF-RDSR-GE.dcm", "RF-RDSR-Siemens-Zee.dcm", "RF-RDSR-GE-OECEliteMiniView.dcm"],
    "mg": ["MG-RDSR-Hologic_2D.dcm", "MG-RDSR-GEPristina-2D.dcm", "MG-RDSR-Hologic_mix.dcm",
           "MG-Im-GE-SenDS-scaled.dcm", "MG-Im-Hologic-PropProj.dcm"],
    "dx": ["DX-Im-Carestream_DRX.dcm", "DX-Im-GE_XR220-1.dcm", "DX-Im-GE_XR220-2.dcm",
           "DX-RDSR-Canon_CXDI.dcm", "DX-RDSR-Carestream_DRXEvolution.dcm", "Dual-RDSR-DX.dcm"],
    "nm": ["NM-RRDSR-Siemens.dcm", "NM-PetIm-GE.dcm", "NM-NmIm-Siemens.dcm",
           "NM-NmIm-Siemens-s1-1.dcm"],
}
PLANE_B = "113621"


def imported(app, modality):
    if not DICOM.is_dir():
        pytest.skip(f"corpus not found at {CORPUS}")
    records = []
    with app.app_context():
        for name in FILES[modality]:
            assert import_file(DICOM / name).status == "imported", name
            records.append(extract(pydicom.dcmread(DICOM / name)))
    return records


def rows_of(client, modality, key, **options):
    query = "&".join(f"{k}={v}" for k, v in {"chart": key, "statistic": "median",
                                              **options}.items())
    page = client.get(f"/charts/{modality}/?{query}")
    assert page.status_code == 200
    return chart_data(page.text, key)


def assert_statistics(rows, expected, scale=1.0, key=lambda row: row["category"]):
    """Each row's count, median, quartiles and mean equal those of the expected values."""
    got = {key(row): row for row in rows}
    assert set(got) == set(expected)
    for name, values in expected.items():
        values = sorted(v * scale for v in values)
        q1, median, q3 = _quartiles(values)
        row = got[name]
        assert row["n"] == len(values), name
        assert row["median"] == pytest.approx(median), name
        assert (row["q1"], row["q3"]) == (pytest.approx(q1), pytest.approx(q3)), name
        assert row["mean"] == pytest.approx(statistics.fmean(values)), name


def meaning(code):
    return code.code_meaning if code is not None else "(none)"


def projection_events(records):
    for record in records:
        for dose in record.get("projectionxrayradiationdose_set", []):
            yield from dose.get("irradeventxraydata_set", [])


def group(pairs):
    grouped = {}
    for category, value in pairs:
        if value is not None:
            grouped.setdefault(category, []).append(value)
    return grouped


def test_ct_ctdivol_against_weight_in_bands(app, client, login_as):
    records = imported(app, "ct")
    points = []
    for record in records:
        weight = record["patientstudymoduleattr_set"][0].get("patient_weight")
        for event in record["ctradiationdose_set"][0]["ctirradiationeventdata_set"]:
            if weight and event.get("mean_ctdivol") is not None:
                points.append((event.get("acquisition_protocol") or "(none)", weight // 10 * 10,
                               weight, event["mean_ctdivol"]))
    assert {p[1] for p in points} == {70.0, 110.0}  # two weights known, one study has none
    login_as("view")
    spec = rows_of(client, "ct", "ctdivol_weight")
    assert_statistics(spec["rows"], group(((p[0], p[1]), p[3]) for p in points),
                      key=lambda row: (row["category"], row["band"]))
    assert sorted(spec["points"]) == sorted([w, v, protocol] for protocol, _, w, v in points)
    assert spec["x_unit"] == "kg" and spec["unit"] == "mGy"


def test_ct_ctdivol_per_month_and_sequences_per_protocol(app, client, login_as):
    records = imported(app, "ct")
    month, protocols = {}, {}
    for record in records:
        for event in record["ctradiationdose_set"][0]["ctirradiationeventdata_set"]:
            protocol = event.get("acquisition_protocol") or "(none)"
            protocols[protocol] = protocols.get(protocol, 0) + 1
            if event.get("mean_ctdivol") is not None:
                month.setdefault(record["study_date"].strftime("%Y-%m"), []).append(
                    event["mean_ctdivol"])
    login_as("view")
    assert_statistics(rows_of(client, "ct", "ctdivol_month")["rows"], month)
    counted = rows_of(client, "ct", "sequences_protocol")["rows"]
    assert {row["category"]: row["n"] for row in counted} == protocols
    ordered = rows_of(client, "ct", "sequences_protocol", order="count")["rows"]
    assert [row["n"] for row in ordered] == sorted(protocols.values(), reverse=True)


def test_rf_dose_at_reference_point_takes_the_higher_plane(app, client, login_as):
    records = imported(app, "rf")
    expected = {}
    for record in records:
        planes = {}
        dose = record["projectionxrayradiationdose_set"][0]
        for accumulated in dose.get("accumxraydose_set", []):
            plane = accumulated.get("acquisition_plane")
            side = "B" if plane is not None and plane.code_value == PLANE_B else "A"
            for projection in accumulated.get("accumprojxraydose_set", []):
                if projection.get("dose_rp_total") is not None:
                    planes[side] = planes.get(side, 0.0) + projection["dose_rp_total"]
        if planes:
            expected.setdefault(record.get("study_description") or "(none)", []).append(
                max(planes.values()))
    login_as("view")
    spec = rows_of(client, "rf", "rp_study_description")
    assert spec["unit"] == "Gy"
    assert_statistics(spec["rows"], expected)


def test_rf_dose_at_reference_point_of_a_biplane_system(app, client, login_as):
    store_records(app, [study_record("rf", description="Cardiac", rp_a=a, rp_b=b)
                        for a, b in ((1.0, 3.0), (2.0, 0.5), (4.0, None))])
    login_as("view")
    rows = rows_of(client, "rf", "rp_study_description")["rows"]
    assert [(r["category"], r["n"], r["median"], r["max"]) for r in rows] == [
        ("Cardiac", 3, 3.0, 4.0)]  # the higher plane of each: 3, 2 and 4 Gy


def test_mg_agd_per_view_and_against_thickness(app, client, login_as):
    records = imported(app, "mg")
    per_view, per_band = [], []
    for event in projection_events(records):
        agd = event["irradeventxraysourcedata_set"][0].get("average_glandular_dose")
        per_view.append((meaning(event.get("image_view")), agd))
        mechanical = event.get("irradeventxraymechanicaldata_set") or [{}]
        thickness = mechanical[0].get("compression_thickness")
        if thickness:
            per_band.append(((meaning(event.get("image_view")), thickness // 10 * 10), agd))
    login_as("view")
    assert_statistics(rows_of(client, "mg", "agd_view")["rows"], group(per_view))
    expected = group(per_band)
    assert len(expected) >= 3
    assert_statistics(rows_of(client, "mg", "agd_thickness")["rows"], expected,
                      key=lambda row: (row["category"], row["band"]))


def test_dx_kvp_mas_and_dap_per_body_part(app, client, login_as):
    """One value per exposure: the mean of its kVp rows and the sum of its exposure rows."""
    records = imported(app, "dx")
    kvps, mas, anatomy = [], [], []
    for event in projection_events(records):
        protocol = event.get("acquisition_protocol") or "(none)"
        anatomy.append((meaning(event.get("anatomical_structure")), event.get("dose_area_product")))
        sources = event.get("irradeventxraysourcedata_set", [])
        event_kvps = [row["kvp"] for source in sources for row in source.get("kvp_set", [])
                      if row.get("kvp") is not None]
        exposures = [row["exposure"] for source in sources for row in source.get("exposure_set", [])
                     if row.get("exposure") is not None]
        if event_kvps:
            kvps.append((protocol, statistics.fmean(event_kvps)))
        if exposures:
            mas.append((protocol, sum(exposures)))
    assert kvps and mas
    login_as("view")
    assert_statistics(rows_of(client, "dx", "kvp_protocol")["rows"], group(kvps))
    assert_statistics(rows_of(client, "dx", "mas_protocol")["rows"], group(mas), scale=1e-3)
    assert_statistics(rows_of(client, "dx", "dap_body_part")["rows"], group(anatomy), scale=1e6)


def test_nm_activity_per_radiopharmaceutical(app, client, login_as):
    records = imported(app, "nm")
    expected = []
    for record in records:
        for dose in record.get("radiopharmaceuticalradiationdose_set", []):
            for event in dose.get("radiopharmaceuticaladministrationeventdata_set", []):
                agent = event.get("radiopharmaceutical_agent")
                name = (agent.code_meaning if agent is not None and agent.code_meaning
                        else event.get("radiopharmaceutical_agent_string"))
                expected.append((name or "(none)", event.get("administered_activity")))
    assert len(group(expected)) >= 2
    login_as("view")
    assert_statistics(rows_of(client, "nm", "activity_radiopharmaceutical")["rows"],
                      group(expected))


@pytest.mark.parametrize("modality", sorted(CHARTS))
def test_every_chart_of_a_modality_draws_from_its_corpus_studies(app, client, login_as,
                                                                 modality):
    imported(app, modality)
    login_as("view")
    for split in ("", "1"):
        page = client.get(f"/charts/{modality}/?split={split}&"
                          + "&".join(f"chart={c.key}" for c in CHARTS[modality]))
        assert page.status_code == 200
        for chart in CHARTS[modality]:
            assert chart_data(page.text, chart.key)["rows"], (modality, chart.key, split)
            download = client.get(f"/charts/{modality}/{chart.key}.csv?split={split}")
            table = list(csv.reader(io.StringIO(download.data.decode("utf-8-sig"))))
            assert download.status_code == 200 and len(table) > 1, (modality, chart.key)


def test_scatter_points_are_a_stable_sample_beyond_the_limit(app, monkeypatch):
    from sqlalchemy import true

    from app.charts import data
    from app.extensions import db

    store_records(app, [study_record("ct", weight=40 + i % 60, ctdivol=5 + i % 7)
                        for i in range(400)])
    chart = next(c for c in CHARTS["ct"] if c.key == "ctdivol_weight")
    with app.app_context():
        studies = true()
        everything, total = data.scatter_points(db.session, chart, studies)
        assert total == 400 and len(everything) == 400
        sample, total = data.scatter_points(db.session, chart, studies, limit=100)
        again, _ = data.scatter_points(db.session, chart, studies, limit=100)
        assert total == 400 and sample == again
        assert 50 <= len(sample) <= 100
        assert {tuple(p) for p in sample} <= {tuple(p) for p in everything}
        bands = data.chart_rows(db.session, chart, studies)
        assert sum(row["n"] for row in bands) == 400  # bands count every value


@pytest.mark.parametrize("modality", sorted(CHARTS))
def test_charts_computed_together_equal_each_chart_alone(app, modality):
    """A page's charts on one path come from one grouped query on PostgreSQL: its rows are
    those of each chart's own query (means up to the order of summation)."""
    from sqlalchemy import true

    from app.charts import data
    from app.extensions import db

    imported(app, modality)
    with app.app_context():
        shared = [family for family in data.families(CHARTS[modality]) if len(family) > 1]
        assert shared, modality
        for split in (False, True):
            for family in shared:
                together = data.family_rows(db.session, family, true(), split)
                for chart in family:
                    alone = data.chart_rows(db.session, chart, true(), split)
                    assert alone, (chart.key, split)
                    assert len(together[chart.key]) == len(alone), (chart.key, split)
                    for got, expected in zip(together[chart.key], alone):
                        assert got.keys() == expected.keys()
                        for name, value in expected.items():
                            if isinstance(value, float):
                                assert got[name] == pytest.approx(value, rel=1e-9), (chart.key, name)
                            else:
                                assert got[name] == value, (chart.key, name)
