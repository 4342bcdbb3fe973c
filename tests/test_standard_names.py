"""One standard-name mapping, read by list filters, charts, exports and the DRL comparison."""
import csv
import html
import io
import json
import re

from app.drl.naming import assign
from app.modalities import CT, DX, RF
from app.modalities.filtering import filter_studies
from study_records import make_studies, study_id_set


def _map(app, modality, names, standard_name):
    with app.app_context():
        return assign(modality, names, standard_name)


def test_the_list_filter_follows_descriptions_requested_procedures_and_protocols(app):
    described, requested, protocol, other = make_studies(
        app, "ct", {"description": "CT HEAD"}, {"description": "x", "requested_procedure": "Brain"},
        {"description": "y", "events": ["axial"]}, {"description": "Chest"})
    _map(app, "CT", [("study_description", "CT HEAD"), ("requested_procedure", "Brain"),
                     ("acquisition_protocol", "Protocol axial")], "Head")
    assert study_id_set(app, filter_studies(CT, {"standard_name": '"Head"'})) == {
        described, requested, protocol}
    assert study_id_set(app, filter_studies(CT, {"standard_name": "hea"})) == {
        described, requested, protocol}
    assert other not in study_id_set(app, filter_studies(CT, {"standard_name": "Head"}))


def test_projection_names_map_per_modality_and_cr_counts_as_dx(app):
    fluoro, = make_studies(app, "rf", {"description": "Barium swallow"})
    radiograph, = make_studies(app, "dx", {"description": "Chest PA", "modality_type": "CR"})
    _map(app, "RF", [("study_description", "Barium swallow")], "Swallow")
    _map(app, "DX", [("study_description", "Chest PA")], "Chest")
    assert study_id_set(app, filter_studies(RF, {"standard_name": "swallow"})) == {fluoro}
    assert study_id_set(app, filter_studies(DX, {"standard_name": "chest"})) == {radiograph}
    # The RF mapping is not the DX one.
    assert study_id_set(app, filter_studies(DX, {"standard_name": "swallow"})) == set()


def test_exports_have_a_standard_name_column(app, client, login_as):
    make_studies(app, "ct", {"description": "CT HEAD"}, {"description": "Chest"})
    _map(app, "CT", [("study_description", "CT HEAD")], "Head")
    login_as("view", "export")
    text = client.get("/exports/ct.csv").data.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert sorted((row["Study description"], row["Standard name"]) for row in rows) == [
        ("CT HEAD", "Head"), ("Chest", "")]


def test_charts_group_by_standard_name(app, client, login_as):
    make_studies(app, "ct", {"description": "CT HEAD", "dlp": 800.0},
                 {"description": "Head plain", "dlp": 1000.0}, {"description": "Chest",
                                                                "dlp": 300.0})
    _map(app, "CT", [("study_description", "CT HEAD"), ("study_description", "Head plain")],
         "Head")
    login_as("view")
    page = client.get("/charts/ct/?chart=dlp_standard_name").data.decode()
    match = re.search(r"id=\"chart-dlp_standard_name-plot\"[^>]*data-chart='([^']*)'", page)
    rows = json.loads(html.unescape(match.group(1)))["rows"]
    # Studies with no mapped name are one "(none)" category, as missing descriptions are.
    assert sorted((row["category"], row["n"], row["median"]) for row in rows) == [
        ("(none)", 1, 300.0), ("Head", 2, 900.0)]
