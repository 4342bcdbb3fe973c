"""What a query retrieves: the pure decisions of app.network.selection, on C-FIND-like records."""
import pytest

from app.extractors import sop
from app.network.selection import (Candidate, Filters, candidate_series, choose_objects,
                                   matches, split_patterns, study_dropped,
                                   study_dropped_by_description)

BASIC_TEXT_SR = "1.2.840.10008.5.1.4.1.1.88.11"
CT_IMAGE = "1.2.840.10008.5.1.4.1.1.2"


def series(uid, modality, count=None, description=None, station=None):
    return {"uid": uid, "modality": modality, "instances": count, "description": description,
            "station_name": station}


def instances(prefix, count, sop_class=None):
    return [{"uid": f"{prefix}.{n}", "sop_class_uid": sop_class, "number": n}
            for n in range(count, 0, -1)]


def chosen(candidates):
    return sorted((c.instance["uid"], c.reason) for c in choose_objects(candidates))


@pytest.mark.parametrize("value, patterns, expected", [
    ("CT Head", ["head"], True),
    ("CT Head", ["ct*"], True),
    ("CT Head", ["head*"], False),
    ("CT HEAD", ["*h?ad"], True),
    ("Chest PA", ["head", "chest"], True),
    (None, ["head"], False),
    ("", ["head"], False),
])
def test_patterns_ignore_case_and_take_wildcards(value, patterns, expected):
    assert matches(value, patterns) is expected


def test_split_patterns():
    assert split_patterns(" CT*, Head \n chest,,") == ["ct*", "head", "chest"]
    assert split_patterns(None) == []


def test_description_filters():
    filters = Filters(description_include=("thorax",), description_exclude=("*contrast",))
    assert study_dropped_by_description({"description": "CT Thorax"}, filters) is None
    assert study_dropped_by_description({"description": "CT Thorax with contrast"},
                                        filters) == "study description excluded"
    assert study_dropped_by_description({"description": "CT Head"},
                                        filters) == "study description not included"
    assert study_dropped_by_description({"description": None},
                                        filters) == "study description not included"


def test_station_filters_look_at_every_series():
    study = {"uid": "1", "modalities": None}
    both = [series("1.1", "CT", station="CT_ROOM1"), series("1.2", "SR", station="CT_ROOM2")]
    assert study_dropped(study, both, Filters(station_include=("room2",))) is None
    assert study_dropped(study, both, Filters(station_exclude=("ct_room1",))) == \
        "station name excluded"
    assert study_dropped(study, [series("1.1", "CT")], Filters(station_include=("room",))) == \
        "the node gave no station name to include"


def test_modality_filter_uses_modalities_in_study_and_series():
    ct = Filters(modalities=frozenset({"CT"}))
    assert study_dropped({"modalities": ["CT", "SR"]}, [], ct) is None
    assert study_dropped({"modalities": None}, [series("1", "MG")], ct) == \
        "modality not asked for"
    # A study of nothing but a report says no modality: it is kept.
    assert study_dropped({"modalities": None}, [series("1", "SR")], ct) is None
    assert study_dropped({"modalities": None}, [series("1", "SC")], ct) == \
        "modality not asked for"


def test_a_dose_report_wins_over_images():
    report = Candidate(series("1", "SR"), "report",
                       instances("1", 1, sop.XRAY_RADIATION_DOSE_SR))
    images = Candidate(series("2", "MG"), "projection",
                       instances("2", 4, sop.MG_IMAGE_FOR_PRESENTATION))
    assert chosen([report, images]) == [("1.1", "dose report")]


def test_without_a_dose_report_every_projection_image_is_taken():
    text_report = Candidate(series("1", "SR"), "report", instances("1", 1, BASIC_TEXT_SR))
    images = Candidate(series("2", "DX"), "projection", instances("2", 3))
    choices = choose_objects([text_report, images])
    assert sorted(c.instance["uid"] for c in choices) == ["2.1", "2.2", "2.3"]
    assert all(c.whole_series for c in choices)


def test_an_sr_series_of_unknown_class_is_taken_as_a_report():
    report = Candidate(series("1", "SR"), "report", instances("1", 2))
    images = Candidate(series("2", "CR"), "projection", instances("2", 1))
    assert chosen([report, images]) == [("1.1", "dose report"), ("1.2", "dose report")]


def test_nm_and_pt_give_their_first_image_unless_a_radiopharmaceutical_report_exists():
    pet = Candidate(series("2", "PT"), "nuclear", instances("2", 50, sop.PET_IMAGE))
    ct_report = Candidate(series("1", "SR"), "report",
                          instances("1", 1, sop.XRAY_RADIATION_DOSE_SR))
    assert chosen([ct_report, pet]) == [("1.1", "dose report"),
                                        ("2.1", "first image of the series")]
    rrdsr = Candidate(series("3", "SR"), "report",
                      instances("3", 1, sop.RADIOPHARMACEUTICAL_RADIATION_DOSE_SR))
    assert chosen([rrdsr, pet]) == [("3.1", "dose report")]


def test_ct_dose_screens():
    screen = Candidate(series("2", "CT", count=1), "ct-screen",
                       instances("2", 1, sop.SECONDARY_CAPTURE))
    assert chosen([screen]) == [("2.1", "CT dose screen")]
    # A CT image series of two images, classes unknown: taken, Kerma refuses CT images.
    unknown = Candidate(series("3", "CT", count=2), "ct-screen", instances("3", 2))
    assert [uid for uid, _ in chosen([unknown])] == ["3.1", "3.2"]
    known_images = Candidate(series("4", "CT", count=2), "ct-screen", instances("4", 2, CT_IMAGE))
    assert chosen([known_images]) == []
    report = Candidate(series("1", "SR"), "report", instances("1", 1, sop.ENHANCED_SR))
    assert chosen([report, screen]) == [("1.1", "dose report")]


def test_candidate_series():
    found = candidate_series([
        series("1", "SR"), series("2", "CT", count=300), series("3", "CT", count=1),
        series("4", "CT", count=20, description="Dose Info"), series("5", "SC"),
        series("6", "MG"), series("7", "PX"), series("8", "NM"), series("9", "OT"),
    ])
    assert [(c.series["uid"], c.kind) for c in found] == [
        ("1", "report"), ("3", "ct-screen"), ("4", "ct-screen"), ("5", "ct-screen"),
        ("6", "projection"), ("7", "projection"), ("8", "nuclear")]
    stored = candidate_series([series("1", "SR"), series("6", "MG"), series("8", "NM")],
                              has_stored_report=True)
    assert [c.series["uid"] for c in stored] == ["1", "8"]
