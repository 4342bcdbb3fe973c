"""filter_studies: every filter type, on every modality, straight from query arguments."""
import datetime

import pytest
from werkzeug.datastructures import MultiDict

from app.modalities import CT, DX, MG, NM, RF
from app.modalities.filtering import apply_filters, filter_studies
from study_records import (CRANIO_CAUDAL, MEDIO_LATERAL_OBLIQUE, TECHNETIUM, make_studies,
                           store_records, study_ids, study_record)


def ids(app, config, args, pid=False):
    """Ids of the studies the filter selects, as a set."""
    return set(study_ids(app, filter_studies(config, args, pid=pid)))


def test_only_the_modality_s_own_studies(app, config, modality):
    others = [key for key in ("ct", "rf", "mg", "dx", "nm") if key != modality]
    own = make_studies(app, modality)
    for other in others:
        make_studies(app, other)
    assert ids(app, config, {}) == set(own)


def test_radiography_covers_dx_cr_and_px(app):
    dx, cr, px = make_studies(app, "dx", {"modality_type": "DX"}, {"modality_type": "CR"},
                              {"modality_type": "PX"})
    assert ids(app, DX, {}) == {dx, cr, px}


def test_date_range_is_inclusive(app, config, modality):
    early, middle, late = make_studies(app, modality, {"date": datetime.date(2024, 1, 1)},
                                       {"date": datetime.date(2024, 2, 15)},
                                       {"date": datetime.date(2024, 3, 31)})
    assert ids(app, config, {"date_from": "2024-02-15"}) == {middle, late}
    assert ids(app, config, {"date_until": "2024-02-15"}) == {early, middle}
    assert ids(app, config, {"date_from": "2024-01-02", "date_until": "2024-03-30"}) == {middle}


def test_text_filters_are_case_insensitive_contains(app, config, modality):
    chest, head = make_studies(
        app, modality,
        {"description": "CT Chest with contrast", "procedure": "Thorax scan",
         "requested_procedure": "Thorax please"},
        {"description": "Head routine", "procedure": "Brain", "requested_procedure": "Brain"})
    assert ids(app, config, {"study_description": "CHEST"}) == {chest}
    assert ids(app, config, {"study_description": "routine"}) == {head}
    assert ids(app, config, {"procedure": "thor"}) == {chest}
    assert ids(app, config, {"requested_procedure": "BRAIN"}) == {head}


def test_like_wildcards_in_the_search_text_match_themselves(app, config, modality):
    percent, plain = make_studies(app, modality, {"description": "Dose 100% reduced"},
                                  {"description": "Dose 1000 reduced"})
    assert ids(app, config, {"study_description": "100%"}) == {percent}
    assert ids(app, config, {"study_description": "1_0"}) == set()


def test_equipment_filters(app, config, modality):
    one, two = make_studies(
        app, modality,
        {"institution": "St Elsewhere", "manufacturer": "GE", "model": "Revolution",
         "station": "CT01"},
        {"institution": "County General", "manufacturer": "Siemens", "model": "Force",
         "station": "CT02"})
    assert ids(app, config, {"institution": "elsewhere"}) == {one}
    assert ids(app, config, {"manufacturer": "siem"}) == {two}
    assert ids(app, config, {"model": "REVOL"}) == {one}
    assert ids(app, config, {"station": "ct02"}) == {two}


def test_display_name_contains_or_equals_when_quoted(app, config, modality):
    # The display name is "<institution> <station>" by default.
    short, longer = make_studies(app, modality, {"institution": "Clinic", "station": "X1"},
                                 {"institution": "Clinic", "station": "X10"})
    assert ids(app, config, {"display_name": "clinic x1"}) == {short, longer}
    assert ids(app, config, {"display_name": '"Clinic X1"'}) == {short}


def test_accession_number_plain_and_hashed(app, config, modality, identifiers):
    identifiers(accession_hashed=True)
    hashed, = make_studies(app, modality, {"accession": "A12345"})
    assert ids(app, config, {"accession": "A12345"}) == {hashed}
    # A digest matches only the whole number, never a part of it.
    assert ids(app, config, {"accession": "1234"}) == set()


def test_accession_number_plain_is_contains(app, config, modality):
    first, second = make_studies(app, modality, {"accession": "XA-991"}, {"accession": "XB-992"})
    assert ids(app, config, {"accession": "xa"}) == {first}
    assert ids(app, config, {"accession": "99"}) == {first, second}


def test_age_range(app, config, modality):
    child, adult, old = make_studies(app, modality, {"age": 8.5}, {"age": 40.0}, {"age": 81.0})
    assert ids(app, config, {"age_min": "18"}) == {adult, old}
    assert ids(app, config, {"age_min": "8.5", "age_max": "40"}) == {child, adult}
    assert ids(app, config, {"age_max": "8"}) == set()


@pytest.mark.parametrize("key", ["ct", "rf", "dx", "nm"])
def test_weight_range(app, key):
    config = {"ct": CT, "rf": RF, "dx": DX, "nm": NM}[key]
    light, heavy = make_studies(app, key, {"weight": 55.0}, {"weight": 120.0})
    assert ids(app, config, {"weight_min": "100"}) == {heavy}
    assert ids(app, config, {"weight_max": "55"}) == {light}


def test_possible_test_patients_are_left_out_unless_asked_for(app, config, modality,
                                                              test_patient_pattern):
    patient, phantom = make_studies(app, modality, {"patient_name": "SMITH^ANNA"},
                                    {"patient_name": "QA^PHANTOM"})
    assert ids(app, config, {}) == {patient}
    assert ids(app, config, {"test_data": "no"}) == {patient}
    assert ids(app, config, {"test_data": ""}) == {patient}
    assert ids(app, config, {"test_data": "yes"}) == {patient, phantom}


def test_patient_name_and_id_only_for_the_pid_role(app, config, modality, identifiers):
    identifiers(name_hashed=False, id_hashed=False)
    smith, jones = make_studies(app, modality,
                                {"patient_name": "SMITH^ANNA", "patient_id": "X100"},
                                {"patient_name": "JONES^BOB", "patient_id": "X200"})
    assert ids(app, config, {"patient_name": "smith"}, pid=True) == {smith}
    assert ids(app, config, {"patient_id": "200"}, pid=True) == {jones}
    # Without the pid role the arguments are ignored, not used to probe names.
    assert ids(app, config, {"patient_name": "smith"}) == {smith, jones}


def test_hashed_patient_name_and_id_match_the_hashed_search_text(app, config, modality,
                                                                identifiers):
    identifiers(name_hashed=True, id_hashed=True)
    smith, jones = make_studies(app, modality,
                                {"patient_name": "SMITH^ANNA", "patient_id": "X100"},
                                {"patient_name": "JONES^BOB", "patient_id": "X200"})
    assert ids(app, config, {"patient_name": "SMITH^ANNA"}, pid=True) == {smith}
    assert ids(app, config, {"patient_id": "X200"}, pid=True) == {jones}
    assert ids(app, config, {"patient_name": "SMITH"}, pid=True) == set()


@pytest.mark.parametrize("key", ["ct", "rf", "mg", "dx"])
def test_number_of_events(app, key):
    config = {"ct": CT, "rf": RF, "mg": MG, "dx": DX}[key]
    many_events = {"ct": {"events": ("spiral",) * 3}, "rf": {"events": 3},
                   "mg": {"views": (CRANIO_CAUDAL,) * 3}, "dx": {"event_daps": (1e-5,) * 3}}
    one_event = {"ct": {"events": ("spiral",)}, "rf": {"events": 1},
                 "mg": {"views": (CRANIO_CAUDAL,)}, "dx": {"event_daps": (1e-5,)}}
    three, one = make_studies(app, key, many_events[key], one_event[key])
    assert ids(app, config, {"events": "3"}) == {three}
    assert ids(app, config, {"events": "1"}) == {one}
    assert ids(app, config, {"events": "some"}) == {three, one}
    assert ids(app, config, {"events": "more"}) == set()


def test_ct_event_count_filters(app):
    scout_spiral, two_spirals, axial, stationary = make_studies(
        app, "ct", {"events": ("localiser", "spiral")}, {"events": ("spiral", "spiral")},
        {"events": ("localiser", "axial", "axial")}, {"events": ("stationary",) * 12})
    assert ids(app, CT, {"spiral": "1"}) == {scout_spiral}
    assert ids(app, CT, {"spiral": "0"}) == {axial, stationary}
    assert ids(app, CT, {"spiral": "some"}) == {scout_spiral, two_spirals}
    assert ids(app, CT, {"axial": "2"}) == {axial}
    assert ids(app, CT, {"localisers": "1", "spiral": "1"}) == {scout_spiral}
    assert ids(app, CT, {"stationary": "more"}) == {stationary}
    assert ids(app, CT, {"events": "more"}) == {stationary}


def test_ct_dlp_range_and_protocol(app):
    low, high = make_studies(app, "ct", {"dlp": 120.0, "events": ("spiral",)},
                             {"dlp": 980.5, "events": ("axial",)})
    assert ids(app, CT, {"dlp_min": "500"}) == {high}
    assert ids(app, CT, {"dlp_max": "120"}) == {low}
    assert ids(app, CT, {"protocol": "AXIAL"}) == {high}


def test_rf_dap_is_entered_in_cgycm2(app):
    # 1.5e-3 Gy·m² is 1500 cGy·cm²; 4e-4 Gy·m² is 400 cGy·cm².
    big, small = make_studies(app, "rf", {"dap_a": 1.5e-3}, {"dap_a": 4e-4})
    assert ids(app, RF, {"dap_min": "1000"}) == {big}
    assert ids(app, RF, {"dap_max": "400"}) == {small}
    assert ids(app, RF, {"dap_min": "401", "dap_max": "1499"}) == set()


def test_rf_dose_at_rp_filter_takes_the_higher_plane(app):
    biplane, single = make_studies(app, "rf", {"dap_a": 1e-3, "rp_a": 0.5, "dap_b": 1e-3,
                                               "rp_b": 2.5},
                                   {"rp_a": 1.0})
    assert ids(app, RF, {"rp_dose_min": "2"}) == {biplane}
    assert ids(app, RF, {"rp_dose_max": "1.0"}) == {single}


def test_rf_physician_and_protocol(app):
    smith, other = make_studies(app, "rf", {"physician": "Dr Smith", "protocol": "Cardiac"},
                                {"physician": "Dr Jones", "protocol": "Abdomen"})
    assert ids(app, RF, {"physician": "SMITH"}) == {smith}
    assert ids(app, RF, {"protocol": "abd"}) == {other}


def test_dx_study_and_acquisition_dap(app):
    # Study DAP 30 cGy·cm² from events of 10 and 20; the other study 5 cGy·cm² in one event.
    two, one = make_studies(app, "dx", {"dap": 3e-5, "event_daps": (1e-5, 2e-5)},
                            {"dap": 5e-6, "event_daps": (5e-6,)})
    assert ids(app, DX, {"dap_min": "10"}) == {two}
    assert ids(app, DX, {"acquisition_dap_min": "15"}) == {two}
    assert ids(app, DX, {"acquisition_dap_min": "6", "acquisition_dap_max": "9"}) == set()
    assert ids(app, DX, {"acquisition_dap_max": "5"}) == {one}


def test_mg_view_thickness_exposure_control_and_agd(app):
    cc, mlo = make_studies(
        app, "mg",
        {"views": (CRANIO_CAUDAL,), "thickness": 42.0, "exposure_control": "AUTO_FILTER",
         "agd_left": 1.1, "agd_right": None},
        {"views": (MEDIO_LATERAL_OBLIQUE,), "thickness": 65.0, "exposure_control": "MANUAL",
         "agd_left": None, "agd_right": 2.4})
    assert ids(app, MG, {"view": "cranio"}) == {cc}
    assert ids(app, MG, {"thickness_min": "50", "thickness_max": "70"}) == {mlo}
    assert ids(app, MG, {"exposure_control": "manual"}) == {mlo}
    assert ids(app, MG, {"agd_min": "2"}) == {mlo}
    assert ids(app, MG, {"agd_max": "1.1"}) == {cc}


def test_nm_activity_and_radiopharmaceutical(app):
    fdg, bone = make_studies(app, "nm", {"activity": 350.0},
                             {"activity": 700.0, "agent": TECHNETIUM})
    assert ids(app, NM, {"activity_min": "500"}) == {bone}
    assert ids(app, NM, {"activity_max": "350"}) == {fdg}
    assert ids(app, NM, {"radiopharmaceutical": "fluorodeoxy"}) == {fdg}


def test_unreadable_values_are_reported_and_ignored(app, config, modality):
    study, = make_studies(app, modality)
    result = apply_filters(config, {"date_from": "yesterday", "age_min": "old"})
    assert result.errors == {"date": "“yesterday” is not a date (YYYY-MM-DD).",
                             "age": "“old” is not a number."}
    assert ids(app, config, {"date_from": "yesterday", "age_min": "old"}) == {study}


def test_filters_combine(app):
    match, wrong_date, wrong_make = store_records(app, [
        study_record("ct", date=datetime.date(2024, 5, 1), manufacturer="GE", dlp=600.0),
        study_record("ct", date=datetime.date(2023, 5, 1), manufacturer="GE", dlp=600.0),
        study_record("ct", date=datetime.date(2024, 5, 1), manufacturer="Canon", dlp=600.0),
    ])
    args = MultiDict({"date_from": "2024-01-01", "manufacturer": "ge", "dlp_min": "500"})
    assert ids(app, CT, args) == {match}
