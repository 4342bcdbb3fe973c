"""Charts: numbers aggregated by the database equal those computed independently."""
import csv
import datetime
import io
import json
import re
import statistics
from collections import Counter

import pydicom
import pytest
from sqlalchemy import select

from app.extensions import db
from app.extractors.dispatch import extract
from app.importing import import_file
from app.models.auth import User
from app.models.study import UniqueEquipmentNames
from conformance import CORPUS
from study_records import store_records, study_record

DICOM = CORPUS / "dicom"
#: CT corpus objects of seven different studies.
CT_FILES = ["CT-ESR-GE_VCT.dcm", "CT-RDSR-GEPixelMed.dcm", "CT-RDSR-Siemens_Flash-QA-DS.dcm",
            "CT-RDSR-ToshibaPixelMed.dcm", "CT-RDSR-Toshiba_DoseCheck.dcm",
            "CT-RDSR-Toshiba_MultiValSD.dcm", "CT-SC-Philips_Brilliance16P.dcm"]


def chart_data(page_text, key):
    """The numbers a chart is drawn from, as the page gives them to the browser."""
    match = re.search(rf"id=\"chart-{key}-plot\"[^>]*data-chart='([^']*)'", page_text)
    assert match, f"no chart {key}"
    return json.loads(match.group(1).replace("&#34;", '"').replace("&amp;", "&"))


def _quartiles(values):
    """percentile_cont's 25th, 50th and 75th percentiles."""
    if len(values) == 1:
        return values[0], values[0], values[0]
    return tuple(statistics.quantiles(values, n=4, method="inclusive"))


@pytest.fixture
def ct_corpus(app):
    if not DICOM.is_dir():
        pytest.skip(f"corpus not found at {CORPUS}")
    records = []
    with app.app_context():
        for name in CT_FILES:
            assert import_file(DICOM / name).status == "imported"
            records.append(extract(pydicom.dcmread(DICOM / name)))
    return records


def test_ctdivol_per_protocol_equals_medians_of_the_corpus(client, login_as, ct_corpus):
    expected = {}
    for record in ct_corpus:
        for dose in record["ctradiationdose_set"]:
            for event in dose["ctirradiationeventdata_set"]:
                if event.get("mean_ctdivol") is not None:
                    protocol = event.get("acquisition_protocol") or "(none)"
                    expected.setdefault(protocol, []).append(event["mean_ctdivol"])
    login_as("view")
    page = client.get("/charts/ct/?chart=ctdivol_protocol&statistic=median")
    assert page.status_code == 200
    rows = {row["category"]: row for row in chart_data(page.text, "ctdivol_protocol")["rows"]}
    assert set(rows) == set(expected)
    for protocol, values in expected.items():
        q1, median, q3 = _quartiles(sorted(values))
        row = rows[protocol]
        assert row["n"] == len(values)
        assert row["median"] == pytest.approx(median)
        assert (row["q1"], row["q3"]) == (pytest.approx(q1), pytest.approx(q3))
        assert row["mean"] == pytest.approx(statistics.fmean(values))
        assert (row["min"], row["max"]) == (pytest.approx(min(values)), pytest.approx(max(values)))


def test_dlp_per_study_description_and_a_filter_that_changes_it(client, login_as, ct_corpus):
    totals = {}
    for record in ct_corpus:
        dlp = record["ctradiationdose_set"][0]["ctaccumulateddosedata_set"][0][
            "ct_dose_length_product_total"]
        totals.setdefault(record.get("study_description") or "(none)", []).append(dlp)
    login_as("view")
    rows = chart_data(client.get("/charts/ct/?chart=dlp_study_description").text,
                      "dlp_study_description")["rows"]
    assert {r["category"]: (r["n"], pytest.approx(r["median"])) for r in rows} == {
        name: (len(v), pytest.approx(statistics.median(v))) for name, v in totals.items()}
    filtered = chart_data(client.get(
        "/charts/ct/?chart=dlp_study_description&study_description=chest").text,
        "dlp_study_description")["rows"]
    assert [(r["category"], r["n"]) for r in filtered] == [("CT Chest With Contrast", 1)]


def test_workload_counts_studies_per_weekday_and_hour(app, client, login_as):
    when = [(datetime.date(2024, 3, 4), datetime.time(9, 15)),   # Monday
            (datetime.date(2024, 3, 4), datetime.time(9, 45)),
            (datetime.date(2024, 3, 9), datetime.time(23, 5))]   # Saturday
    store_records(app, [study_record("ct", date=d, time=t, dlp=100) for d, t in when])
    login_as("view")
    rows = chart_data(client.get("/charts/ct/?chart=workload").text, "workload")["rows"]
    assert [(r["category"], r["hour"], r["n"]) for r in rows] == [
        ("Monday", 9, 2), ("Saturday", 23, 1)]


def test_split_per_system_and_csv(app, client, login_as):
    store_records(app, [study_record("ct", description="Head", station=station, dlp=dlp)
                        for station, dlp in (("ROOM1", 100), ("ROOM1", 300), ("ROOM2", 900))])
    with app.app_context():
        names = dict(db.session.execute(select(UniqueEquipmentNames.station_name,
                                               UniqueEquipmentNames.display_name)).all())
    login_as("view")
    page = client.get("/charts/ct/?chart=dlp_study_description&split=1")
    rows = chart_data(page.text, "dlp_study_description")["rows"]
    assert sorted((r["system"], r["n"], r["median"]) for r in rows) == sorted([
        (names["ROOM1"], 2, 200.0), (names["ROOM2"], 1, 900.0)])
    download = client.get("/charts/ct/dlp_study_description.csv?split=1")
    table = list(csv.DictReader(io.StringIO(download.data.decode("utf-8-sig"))))
    assert sorted((r["System"], r["Count"], r["Median (mGy·cm)"]) for r in table) == sorted([
        (names["ROOM1"], "2", "200"), (names["ROOM2"], "1", "900")])


def test_the_choices_are_remembered_for_the_user_and_the_url_wins(client, login_as, app,
                                                                  log_in):
    store_records(app, [study_record("ct", dlp=100)])
    user = login_as("view")
    client.get("/charts/ct/?chart=workload&statistic=mean")
    with app.app_context():
        saved = json.loads(db.session.get(User, user.id).chart_options)
    assert saved["ct"] == {"chart": ["workload"], "statistic": "mean", "split": "",
                           "order": "name", "drl": None}
    client.post("/logout")
    log_in(user)  # another login of the same user
    remembered = client.get("/charts/ct/")
    assert 'id="chart-workload-plot"' in remembered.text
    assert 'id="chart-dlp_month-plot"' not in remembered.text
    assert '<option value="mean" selected>' in remembered.text
    assert 'id="chart-dlp_month-plot"' in client.get("/charts/ct/?chart=dlp_month").text


@pytest.mark.parametrize("modality, record", [
    ("rf", study_record("rf", description="Barium swallow", dap_a=0.0012)),
    ("dx", study_record("dx", description="Chest PA", dap=0.00015)),
    ("mg", study_record("mg", agd_left=1.2, agd_right=1.4)),
    ("nm", study_record("nm", description="Bone scan", activity=600.0)),
])
def test_every_modality_has_its_charts(app, client, login_as, modality, record):
    store_records(app, [record])
    login_as("view")
    page = client.get(f"/charts/{modality}/")
    assert page.status_code == 200
    charts = re.findall(r"id=\"chart-(\w+)-plot\"", page.text)
    assert "workload" in charts and len(charts) >= 2, charts


def test_nm_activity_per_study_description(app, client, login_as):
    store_records(app, [study_record("nm", description="Bone scan", activity=a)
                        for a in (500.0, 600.0, 800.0)]
                  + [study_record("nm", description="Thyroid", activity=80.0)])
    login_as("view")
    rows = chart_data(client.get("/charts/nm/?chart=activity_study_description").text,
                      "activity_study_description")["rows"]
    assert [(r["category"], r["n"], r["median"]) for r in rows] == [
        ("Bone scan", 3, 600.0), ("Thyroid", 1, 80.0)]


def test_unit_conversion_for_dap(app, client, login_as):
    store_records(app, [study_record("dx", description="Chest PA", dap=0.00015)])  # Gy.m2
    login_as("view")
    rows = chart_data(client.get("/charts/dx/?chart=dap_study_description").text,
                      "dap_study_description")["rows"]
    assert rows[0]["median"] == pytest.approx(150.0)  # cGy.cm2


def test_an_unknown_modality_is_not_found(client, login_as):
    login_as("view")
    assert client.get("/charts/xx/").status_code == 404


def test_the_list_links_to_its_charts_with_its_filters(client, login_as):
    login_as("view")
    page = client.get("/ct/?study_description=head")
    assert 'id="charts-link" href="/charts/ct/?study_description=head"' in page.text


def test_drl_lines_come_from_the_chosen_set_in_the_chart_unit(app, client, login_as):
    from app.drl.naming import assign
    from app.drl.sets import load_set

    store_records(app, [study_record("ct", description="HEAD ROUTINE", dlp=600),
                        study_record("ct", description="CHEST", dlp=200),
                        study_record("dx", description="Chest PA", dap=0.00015)])
    with app.app_context():
        drl_set = load_set("modality,examination,quantity,value,unit\n"
                           "CT,Head,dlp,790,mGy.cm\nDX,Chest PA,dap,0.1,Gy.cm2\n", "Local")
        set_id = drl_set.id
        assign("CT", [("study_description", "HEAD ROUTINE")], "Head")
        assign("DX", [("study_description", "Chest PA")], "Chest PA")
    login_as("view")
    ct = chart_data(client.get(f"/charts/ct/?chart=dlp_study_description&drl={set_id}").text,
                    "dlp_study_description")["rows"]
    assert {r["category"]: r["drl"] for r in ct} == {"CHEST": None, "HEAD ROUTINE": 790.0}
    dx = chart_data(client.get(f"/charts/dx/?chart=dap_study_description&drl={set_id}").text,
                    "dap_study_description")["rows"]
    assert dx[0]["drl"] == pytest.approx(10.0)  # 0.1 Gy.cm2 in cGy.cm2
    without = chart_data(client.get("/charts/ct/?chart=dlp_study_description&drl=").text,
                         "dlp_study_description")["rows"]
    assert all("drl" not in r for r in without)
