"""CT Radiation Dose reports (TID 10011): the corpus against OpenREM, and synthetic reports."""
import copy
import datetime as dt

import pydicom
import pytest
from pydicom.dataelem import DataElement

import conformance
import dicom_builders as b
from app.extractors.codes import Code
from app.extractors.ct import extract_ct
from app.extractors.dispatch import extract
from app.extractors.errors import ExtractionError
from app.extractors.sr import root

# Concepts (code value, meaning[, scheme]) as PS3.16 names them.
CT_REPORT = ("113701", "X-Ray Radiation Dose Report")
PROCEDURE_REPORTED = ("121058", "Procedure reported")
HAS_INTENT = ("G-C0E8", "Has Intent", "SRT")
OBSERVER_TYPE = ("121005", "Observer Type")
DEVICE_OBSERVER_UID = ("121012", "Device Observer UID")
DEVICE_OBSERVER_NAME = ("121013", "Device Observer Name")
START = ("113809", "Start of X-Ray Irradiation")
END = ("113810", "End of X-Ray Irradiation")
SCOPE = ("113705", "Scope of Accumulation")
STUDY_UID = ("110180", "Study Instance UID")
SOURCE_OF_DOSE = ("113854", "Source of Dose Information")
ACCUMULATED = ("113811", "CT Accumulated Dose Data")
TOTAL_EVENTS = ("113812", "Total Number of Irradiation Events")
DLP_TOTAL = ("113813", "CT Dose Length Product Total")
ACQUISITION = ("113819", "CT Acquisition")
PROTOCOL = ("125203", "Acquisition Protocol")
TARGET_REGION = ("123014", "Target Region")
ACQUISITION_TYPE = ("113820", "CT Acquisition Type")
RECONSTRUCTION = ("113961", "Reconstruction Algorithm")
PROCEDURE_CONTEXT = ("G-C32C", "Procedure Context", "SRT")
EVENT_UID = ("113769", "Irradiation Event UID")
PARAMETERS = ("113822", "CT Acquisition Parameters")
EXPOSURE_TIME = ("113824", "Exposure Time")
SCANNING_LENGTH = ("113825", "Scanning Length")
SINGLE_COLLIMATION = ("113826", "Nominal Single Collimation Width")
TOTAL_COLLIMATION = ("113827", "Nominal Total Collimation Width")
PITCH = ("113828", "Pitch Factor")
SOURCES = ("113823", "Number of X-Ray Sources")
SOURCE_PARAMETERS = ("113831", "CT X-Ray Source Parameters")
SOURCE_ID = ("113832", "Identification of the X-Ray Source")
KVP = ("113733", "KVP")
MAX_CURRENT = ("113833", "Maximum X-Ray Tube Current")
CURRENT = ("113734", "X-Ray Tube Current")
ROTATION_TIME = ("113834", "Exposure Time per Rotation")
CT_DOSE = ("113829", "CT Dose")
CTDIVOL = ("113830", "Mean CTDIvol")
PHANTOM = ("113835", "CTDIw Phantom Type")
DLP = ("113838", "DLP")
MODULATION = ("113842", "X-Ray Modulation Type")
COMMENT = ("121106", "Comment")
DEVICE_ROLE = ("113876", "Device Role in Procedure")
DEVICE_MANUFACTURER = ("113878", "Device Manufacturer")
PERSON_NAME = ("113870", "Person Name")
PERSON_ROLE = ("113875", "Person Role in Procedure")
ALERT = ("113900", "Dose Check Alert Details")
DLP_ALERT_CONFIGURED = ("113901", "DLP Alert Value Configured")
CTDIVOL_ALERT_CONFIGURED = ("113902", "CTDIvol Alert Value Configured")
DLP_ALERT = ("113903", "DLP Alert Value")
CTDIVOL_ALERT = ("113904", "CTDIvol Alert Value")
ACCUMULATED_DLP_ESTIMATE = ("113905", "Accumulated DLP Forward Estimate")
REASON = ("113907", "Reason for Proceeding")
NOTIFICATION = ("113908", "Dose Check Notification Details")
DLP_NOTIFICATION_CONFIGURED = ("113909", "DLP Notification Value Configured")
CTDIVOL_NOTIFICATION_CONFIGURED = ("113910", "CTDIvol Notification Value Configured")
CTDIVOL_NOTIFICATION = ("113912", "CTDIvol Notification Value")
CTDIVOL_ESTIMATE = ("113914", "CTDIvol Forward Estimate")
SSDE = ("113930", "Size Specific Dose Estimate")
MEASUREMENT_METHOD = ("370129005", "Measurement Method", "SCT")
LATERAL = ("113931", "Measured Lateral Dimension")
AP = ("113932", "Measured AP Dimension")
EFFECTIVE_DIAMETER = ("113933", "Derived Effective Diameter")
WED = ("113980", "Water Equivalent Diameter")
WED_SERIES = ("113985", "Series or Instance used for Water Equivalent Diameter estimation")
WED_Z = ("113986", "Z value of location of Water Equivalent Diameter estimation")

YES = ("R-0038D", "Yes", "SRT")
NO = ("373067005", "No", "SCT")
OBSERVER_UID = "1.2.826.0.1.3680043.10.1.77"


# Builders -----------------------------------------------------------------------------------
def source(identification, kvp, current, maximum=None, rotation=None, units=("kV", "mA", "s")):
    """One CT X-Ray Source Parameters container."""
    items = [b.text(SOURCE_ID, identification), b.num(KVP, kvp, units[0]),
             b.num(CURRENT, current, units[1])]
    if maximum is not None:
        items.append(b.num(MAX_CURRENT, maximum, units[1]))
    if rotation is not None:
        items.append(b.num(ROTATION_TIME, rotation, units[2]))
    return b.container(SOURCE_PARAMETERS, items)


def event(uid="1.2.826.0.1.3680043.10.1.1", *, ctdivol=12.34, dlp=456.7, ctdivol_unit="mGy",
          dlp_unit="mGy.cm", parameters=None, dose_extra=(), extra=(), reverse=False):
    """A complete CT Acquisition container (TID 10013) with one X-ray source."""
    if parameters is None:
        parameters = [
            b.num(EXPOSURE_TIME, 7.49, "s"),
            b.num(SCANNING_LENGTH, 487, "mm"),
            b.num(SINGLE_COLLIMATION, 0.625, "mm"),
            b.num(TOTAL_COLLIMATION, 40, "mm"),
            b.num(PITCH, 0.984, "{ratio}"),
            b.num(SOURCES, 1, "{X-Ray sources}"),
            source("A", 120, 200, maximum=250, rotation=0.5),
        ]
    dose = [b.num(CTDIVOL, ctdivol, ctdivol_unit),
            b.code(PHANTOM, ("113691", "IEC Body Dosimetry Phantom")),
            b.num(DLP, dlp, dlp_unit), *dose_extra]
    items = [
        b.text(PROTOCOL, "Abdomen Routine"),
        b.code(TARGET_REGION, ("T-D4000", "Abdomen", "SRT")),
        b.code(ACQUISITION_TYPE, ("P5-08001", "Spiral Acquisition", "SRT")),
        b.code(PROCEDURE_CONTEXT, ("P5-0808E", "CT without contrast", "SRT")),
        *([b.uid(EVENT_UID, uid)] if uid else []),
        b.container(PARAMETERS, list(reversed(parameters)) if reverse else parameters),
        b.container(CT_DOSE, list(reversed(dose)) if reverse else dose),
        *extra,
    ]
    return b.container(ACQUISITION, list(reversed(items)) if reverse else items)


def observer_items():
    return [
        b.code(OBSERVER_TYPE, ("121007", "Device"), "HAS OBS CONTEXT"),
        b.uid(DEVICE_OBSERVER_UID, OBSERVER_UID, "HAS OBS CONTEXT"),
        b.text(DEVICE_OBSERVER_NAME, "CT01", "HAS OBS CONTEXT"),
    ]


def report(*events, accumulated=None, root_extra=(), observers=True):
    """A TID 10011 report holding ``events``."""
    if accumulated is None:
        accumulated = [b.num(TOTAL_EVENTS, len(events), "{events}"),
                       b.num(DLP_TOTAL, 913.4, "mGy.cm")]
    items = [
        b.with_children(
            b.code(PROCEDURE_REPORTED, ("P5-08000", "Computed Tomography X-Ray", "SRT"),
                   "HAS CONCEPT MOD"),
            [b.code(HAS_INTENT, ("R-408C3", "Diagnostic Intent", "SRT"), "HAS CONCEPT MOD")]),
        *(observer_items() if observers else []),
        b.datetime_item(START, "20240315101702.5", "HAS OBS CONTEXT"),
        b.datetime_item(END, "20240315102310", "HAS OBS CONTEXT"),
        b.with_children(b.code(SCOPE, ("113014", "Study"), "HAS OBS CONTEXT"),
                        [b.uid(STUDY_UID, "1.2.826.0.1.3680043.10.1.99", "HAS PROPERTIES")]),
        *([b.container(ACCUMULATED, accumulated)] if accumulated != [] else []),
        *events,
        b.code(SOURCE_OF_DOSE, ("113856", "Automated Data Collection")),
        *root_extra,
    ]
    return b.sr_dataset(CT_REPORT, items, template="10011")


def ct_record(ds) -> dict:
    return extract_ct(ds, root(ds))["ctradiationdose_set"][0]


def events_of(ds) -> list[dict]:
    return ct_record(ds)["ctirradiationeventdata_set"]


# The corpus against what OpenREM stored --------------------------------------------------------
def _ct_rdsr_files():
    folder = conformance.CORPUS / "dicom"
    if not folder.is_dir():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"corpus not found at {folder}"))]
    names = []
    for path in sorted(folder.glob("*.dcm")):
        expected = conformance.expected_path(path.name)
        if not expected.exists():
            continue
        reference = conformance.load_expected(path.name)
        studies = reference.get("studies") or []
        if reference.get("importer") == "rdsr" and studies and studies[0].get("modality_type") == "CT":
            names.append(path.name)
    return names


CT_FILES = _ct_rdsr_files()


def _read(name):
    return pydicom.dcmread(conformance.CORPUS / "dicom" / name)


def test_corpus_has_the_ct_reports():
    if CT_FILES and not isinstance(CT_FILES[0], str):
        pytest.skip("corpus not found")
    assert "NM-CT-RDSR-Siemens.dcm" in CT_FILES
    assert "CT-ESR-GE_VCT.dcm" in CT_FILES
    assert not any(name.startswith("CT-SC-") for name in CT_FILES)
    assert len(CT_FILES) == 12


@pytest.mark.parametrize("name", CT_FILES)
def test_corpus_file_matches_openrem(name):
    record = extract(_read(name))
    expected = conformance.load_expected(name)
    result = conformance.compare_study(record, expected["studies"][0], record=True, file=name)
    assert not result.mismatches, result.report()
    assert result.compared > 100
    device_observer_uid = expected["studies"][0]["generalequipmentmoduleattr_set"][0][
        "unique_equipment_name"]["device_observer_uid"]
    assert record["_meta"]["device_observer_uid"] == device_observer_uid
    assert record["_meta"]["template"] == "10011"
    assert record["_meta"]["importer"] == "rdsr"


def _corpus(name):
    if not isinstance(CT_FILES[0], str):
        pytest.skip("corpus not found")
    return extract(_read(name))


def test_corpus_dual_source_flash():
    record = _corpus("CT-RDSR-Siemens_Flash-QA-DS.dcm")
    dose = record["ctradiationdose_set"][0]
    assert dose["ctaccumulateddosedata_set"][0]["total_number_of_irradiation_events"] == 9
    assert dose["ctaccumulateddosedata_set"][0]["ct_dose_length_product_total"] == 1590.0
    first = dose["ctirradiationeventdata_set"][0]
    assert [(s["identification_of_the_xray_source"], s["kvp"], s["xray_tube_current"])
            for s in first["ctxraysourceparameters_set"]] == [("A", 100.0, 399.0),
                                                               ("B", 140.0, 308.0)]
    assert first["mean_ctdivol"] == 15.45
    assert first["dlp"] == 29.67  # sent as "mGycm"
    assert first["xray_modulation_type"] == "OFF"  # only in the Siemens comment
    assert first["number_of_xray_sources"] == 2


def test_corpus_toshiba_dose_check():
    record = _corpus("CT-RDSR-Toshiba_DoseCheck.dcm")
    check = record["ctradiationdose_set"][0]["ctirradiationeventdata_set"][1][
        "ctdosecheckdetails_set"][0]
    assert check["dlp_alert_value_configured"] is True
    assert check["dlp_alert_value"] == 100.0
    assert check["ctdivol_alert_value"] == 10.0
    assert check["accumulated_dlp_forward_estimate"] == 502.4
    assert check["accumulated_ctdivol_forward_estimate"] == 10.6
    assert check["dlp_notification_value_configured"] is False
    assert check["tid1020_alert"][0]["person_name"] == "Luuk"
    assert check["tid1020_alert"][0]["person_role_in_procedure_cid"] == Code("113850")
    assert check["tid1020_notification"] == []


def test_corpus_toshiba_multi_valued_sd_imports():
    record = _corpus("CT-RDSR-Toshiba_MultiValSD.dcm")
    events = record["ctradiationdose_set"][0]["ctirradiationeventdata_set"]
    assert len(events) == 3
    assert events[2]["xray_modulation_type"] == "3D/3D"
    assert events[2]["dlp"] == 136.9
    assert events[0]["target_region"] is None  # a Target Region item without its code


def test_corpus_pet_ct_report_is_ct():
    record = _corpus("NM-CT-RDSR-Siemens.dcm")
    assert record["modality_type"] == "CT"
    assert record["_meta"]["device_observer_uid"] == "11090"


def test_corpus_ge_enhanced_sr():
    record = _corpus("CT-ESR-GE_VCT.dcm")
    events = record["ctradiationdose_set"][0]["ctirradiationeventdata_set"]
    assert record["_meta"]["sop_class_uid"] == "1.2.840.10008.5.1.4.1.1.88.22"
    assert len(events) == 27
    assert events[0]["nominal_total_collimation_width"] == 450.0


def test_corpus_participants_openrem_leaves_out():
    record = _corpus("CT-RDSR-GEPixelMed.dcm")
    dose = record["ctradiationdose_set"][0]
    assert dose["personparticipant_set"][0]["person_role_in_procedure_cid"] == Code("113850")
    event = dose["ctirradiationeventdata_set"][1]
    assert event["irradiation_event_label"] == "1"
    assert event["label_type"] == Code("113607", "Series Number")
    assert event["personparticipant_set"][0]["organization_name"] == "Royal Marsden Hospital"
    assert event["scanninglength_set"][0]["bottom_z_location_of_reconstructable_volume"] == -2.5


# Synthetic reports ----------------------------------------------------------------------------------
def test_whole_report():
    ds = report(event())
    record = extract(ds)
    assert record["modality_type"] == "CT"
    assert record["study_instance_uid"] == ds.StudyInstanceUID
    assert record["_meta"]["device_observer_uid"] == OBSERVER_UID
    assert record["_meta"]["warnings"] == []
    dose = record["ctradiationdose_set"][0]
    assert dose["procedure_reported"] == Code("P5-08000")
    assert dose["has_intent"] == Code("R-408C3")
    assert dose["start_of_xray_irradiation"] == dt.datetime(2024, 3, 15, 10, 17, 2, 500000)
    assert dose["end_of_xray_irradiation"] == dt.datetime(2024, 3, 15, 10, 23, 10)
    assert dose["scope_of_accumulation"] == Code("113014")
    assert dose["uid_type"] == Code("110180")
    assert dose["source_of_dose_information"] == Code("113856")
    assert dose["sourceofctdoseinformation_set"] == []
    assert dose["observercontext_set"][0]["device_observer_name"] == "CT01"
    accumulated = dose["ctaccumulateddosedata_set"][0]
    assert accumulated["total_number_of_irradiation_events"] == 1
    assert isinstance(accumulated["total_number_of_irradiation_events"], int)
    assert accumulated["ct_dose_length_product_total"] == 913.4
    (row,) = dose["ctirradiationeventdata_set"]
    assert row["acquisition_protocol"] == "Abdomen Routine"
    assert row["target_region"] == Code("T-D4000")
    assert row["ct_acquisition_type"] == Code("P5-08001")
    assert row["procedure_context"] == Code("P5-0808E")
    assert row["irradiation_event_uid"] == "1.2.826.0.1.3680043.10.1.1"
    assert row["exposure_time"] == 7.49
    assert row["nominal_single_collimation_width"] == 0.625
    assert row["nominal_total_collimation_width"] == 40.0
    assert row["pitch_factor"] == 0.984
    assert row["number_of_xray_sources"] == 1
    assert row["mean_ctdivol"] == 12.34
    assert row["ctdiw_phantom_type"] == Code("113691")
    assert row["dlp"] == 456.7
    assert row["scanninglength_set"] == [{
        "scanning_length": 487.0, "length_of_reconstructable_volume": None,
        "exposed_range": None, "top_z_location_of_reconstructable_volume": None,
        "bottom_z_location_of_reconstructable_volume": None,
        "top_z_location_of_scanning_length": None, "bottom_z_location_of_scanning_length": None,
        "frame_of_reference_uid": None,
    }]
    assert row["ctxraysourceparameters_set"] == [{
        "identification_of_the_xray_source": "A", "kvp": 120.0,
        "maximum_xray_tube_current": 250.0, "xray_tube_current": 200.0,
        "exposure_time_per_rotation": 0.5, "xray_filter_aluminum_equivalent": None,
    }]


def test_read_back_from_a_file(tmp_path):
    ds = b.round_trip(report(event(ctdivol=8.76)), tmp_path / "ct.dcm")
    assert events_of(ds)[0]["mean_ctdivol"] == 8.76


def test_units_are_converted_to_stored_units():
    parameters = [
        b.num(EXPOSURE_TIME, 7490, "ms"),
        b.num(SCANNING_LENGTH, 48.7, "cm"),
        b.num(SINGLE_COLLIMATION, 0.0625, "cm"),
        b.num(TOTAL_COLLIMATION, 4, "cm"),
        source("1", 120000, 0.2, maximum=0.25, rotation=500, units=("V", "A", "ms")),
    ]
    ds = report(
        event(ctdivol=12340, ctdivol_unit="uGy", dlp=0.4567, dlp_unit="Gy.cm",
              parameters=parameters),
        accumulated=[b.num(TOTAL_EVENTS, 1, "{events}"), b.num(DLP_TOTAL, 91.34, "mGy.dm")],
    )
    dose = ct_record(ds)
    row = dose["ctirradiationeventdata_set"][0]
    assert row["mean_ctdivol"] == pytest.approx(12.34)
    assert row["dlp"] == pytest.approx(456.7)
    assert row["exposure_time"] == pytest.approx(7.49)
    assert row["scanninglength_set"][0]["scanning_length"] == pytest.approx(487.0)
    assert row["nominal_single_collimation_width"] == pytest.approx(0.625)
    assert row["nominal_total_collimation_width"] == pytest.approx(40.0)
    source_row = row["ctxraysourceparameters_set"][0]
    assert source_row["kvp"] == pytest.approx(120.0)
    assert source_row["xray_tube_current"] == pytest.approx(200.0)
    assert source_row["maximum_xray_tube_current"] == pytest.approx(250.0)
    assert source_row["exposure_time_per_rotation"] == pytest.approx(0.5)
    assert dose["ctaccumulateddosedata_set"][0]["ct_dose_length_product_total"] == pytest.approx(
        913.4)


def test_siemens_dlp_unit_spelling():
    ds = report(event(dlp=29.67, dlp_unit="mGycm"))
    assert events_of(ds)[0]["dlp"] == 29.67


def test_a_value_in_a_unit_of_another_quantity_is_not_stored_and_named():
    record = extract(report(event(ctdivol=12.34, ctdivol_unit="mm")))
    [row] = record["ctradiationdose_set"][0]["ctirradiationeventdata_set"]
    assert row["mean_ctdivol"] is None
    assert row["dlp"] == 456.7  # the rest of the event is read
    assert ("'Mean CTDIvol' in irradiation event 1 is in unit 'mm', which cannot be read as "
            "mGy: not stored") in record["_meta"]["warnings"]


def test_dual_source_gives_two_rows():
    parameters = [b.num(SOURCES, 2, "{X-Ray sources}"),
                  source("A", 100, 399, maximum=400, rotation=0.28),
                  source("B", 140, 308, maximum=310, rotation=0.28)]
    row = events_of(report(event(parameters=parameters)))[0]
    assert row["number_of_xray_sources"] == 2
    assert [(s["identification_of_the_xray_source"], s["kvp"], s["xray_tube_current"],
             s["maximum_xray_tube_current"]) for s in row["ctxraysourceparameters_set"]] == [
        ("A", 100.0, 399.0, 400.0), ("B", 140.0, 308.0, 310.0)]


def test_missing_optional_containers():
    bare = b.container(ACQUISITION, [
        b.code(TARGET_REGION, ("T-D3000", "Chest", "SRT")),
        b.code(ACQUISITION_TYPE, ("113805", "Constant Angle Acquisition")),
        b.uid(EVENT_UID, "1.2.826.0.1.3680043.10.1.5"),
    ])
    ds = report(bare, accumulated=[], observers=False)
    record = extract(ds)
    dose = record["ctradiationdose_set"][0]
    assert dose["ctaccumulateddosedata_set"] == []
    assert dose["observercontext_set"] == []
    assert record["_meta"]["device_observer_uid"] is None
    assert "the CT dose report has no CT Accumulated Dose Data" in record["_meta"]["warnings"]
    (row,) = dose["ctirradiationeventdata_set"]
    assert row["ct_acquisition_type"] == Code("113805")
    assert row["mean_ctdivol"] is None and row["dlp"] is None and row["exposure_time"] is None
    for child in ("ctxraysourceparameters_set", "scanninglength_set", "ctdosecheckdetails_set",
                  "sizespecificdoseestimation_set", "ctreconstructionalgorithm_set",
                  "deviceparticipant_set", "personparticipant_set"):
        assert row[child] == []


def test_report_without_events_warns():
    record = extract(report())
    assert record["ctradiationdose_set"][0]["ctirradiationeventdata_set"] == []
    assert "the CT dose report holds no irradiation events" in record["_meta"]["warnings"]


def test_dose_check_alert_and_notification():
    alert = b.container(ALERT, [
        b.code(DLP_ALERT_CONFIGURED, YES),
        b.code(CTDIVOL_ALERT_CONFIGURED, NO),
        b.num(DLP_ALERT, 1000, "mGy.cm"),
        b.num(CTDIVOL_ALERT, 80, "mGy"),
        b.num(ACCUMULATED_DLP_ESTIMATE, 1.2, "Gy.cm"),
        b.text(REASON, "Obese patient"),
        b.with_children(b.pname(PERSON_NAME, "Curie^Marie"),
                        [b.code(PERSON_ROLE, ("113850", "Irradiation Authorizing"),
                                "HAS PROPERTIES")]),
    ])
    notification = b.container(NOTIFICATION, [
        b.code(DLP_NOTIFICATION_CONFIGURED, NO),
        b.code(CTDIVOL_NOTIFICATION_CONFIGURED, ("373066001", "Yes", "SCT")),
        b.num(CTDIVOL_NOTIFICATION, 50, "mGy"),
        b.num(CTDIVOL_ESTIMATE, 62.5, "mGy"),
        b.text(REASON, "Clinical need"),
        b.with_children(b.pname(PERSON_NAME, "Roentgen^Wilhelm"),
                        [b.code(PERSON_ROLE, ("113851", "Irradiation Administering"),
                                "HAS PROPERTIES")]),
    ])
    (check,) = events_of(report(event(dose_extra=[alert, notification])))[0][
        "ctdosecheckdetails_set"]
    assert check["dlp_alert_value_configured"] is True
    assert check["ctdivol_alert_value_configured"] is False
    assert check["dlp_alert_value"] == 1000.0
    assert check["ctdivol_alert_value"] == 80.0
    assert check["accumulated_dlp_forward_estimate"] == pytest.approx(1200.0)
    assert check["alert_reason_for_proceeding"] == "Obese patient"
    assert check["dlp_notification_value_configured"] is False
    assert check["ctdivol_notification_value_configured"] is True
    assert check["ctdivol_notification_value"] == 50.0
    assert check["ctdivol_forward_estimate"] == 62.5
    assert check["dlp_notification_value"] is None
    assert check["notification_reason_for_proceeding"] == "Clinical need"
    assert [p["person_name"] for p in check["tid1020_alert"]] == ["Curie^Marie"]
    assert check["tid1020_alert"][0]["person_role_in_procedure_cid"] == Code("113850")
    assert [p["person_name"] for p in check["tid1020_notification"]] == ["Roentgen^Wilhelm"]


def test_size_specific_dose_estimate_with_water_equivalent_diameter():
    ssde = b.with_children(b.num(SSDE, 15.8, "mGy"), [
        b.code(MEASUREMENT_METHOD, ("113988", "Estimated from Water Equivalent Diameter"),
               "HAS CONCEPT MOD"),
        b.num(LATERAL, 35.2, "cm", relationship="INFERRED FROM"),
        b.num(AP, 251, "mm", relationship="INFERRED FROM"),
        b.num(EFFECTIVE_DIAMETER, 297, "mm", relationship="INFERRED FROM"),
        b.with_children(b.num(WED, 27.5, "cm", relationship="INFERRED FROM"), [
            b.code(MEASUREMENT_METHOD, ("113984", "Water Equivalent Diameter From Localizer"),
                   "HAS CONCEPT MOD"),
            b.uid(WED_SERIES, "1.2.826.0.1.3680043.10.1.50", "INFERRED FROM"),
            b.uid(WED_SERIES, "1.2.826.0.1.3680043.10.1.51", "INFERRED FROM"),
            b.num(WED_Z, -120.5, "mm", relationship="HAS PROPERTIES"),
        ]),
    ])
    (row,) = events_of(report(event(dose_extra=[ssde])))[0]["sizespecificdoseestimation_set"]
    assert row["size_specific_dose_estimate"] == 15.8
    assert row["measurement_method"] == Code("113988")
    assert row["measured_lateral_dimension"] == pytest.approx(352.0)
    assert row["measured_ap_dimension"] == 251.0
    assert row["derived_effective_diameter"] == 297.0
    assert row["water_equivalent_diameter"] == pytest.approx(275.0)
    assert row["water_equivalent_diameter_method"] == Code("113984")
    assert row["wed_estimate_location_z"] == -120.5
    assert row["wedseriesorinstances_set"] == [
        {"wed_series_or_instance": "1.2.826.0.1.3680043.10.1.50"},
        {"wed_series_or_instance": "1.2.826.0.1.3680043.10.1.51"}]


def test_items_in_any_order():
    in_order = report(event(), event("1.2.826.0.1.3680043.10.1.2"))
    shuffled = report(event(reverse=True), event("1.2.826.0.1.3680043.10.1.2", reverse=True))
    # Root items in another order too: events before the accumulated data, observer last.
    shuffled.ContentSequence = list(reversed(shuffled.ContentSequence[-4:])) + list(
        shuffled.ContentSequence[:-4])
    ordered, reordered = ct_record(in_order), ct_record(shuffled)
    assert reordered["ctirradiationeventdata_set"][0]["mean_ctdivol"] == 12.34
    assert ({e["irradiation_event_uid"]: e for e in reordered["ctirradiationeventdata_set"]}
            == {e["irradiation_event_uid"]: e for e in ordered["ctirradiationeventdata_set"]})
    assert reordered["ctaccumulateddosedata_set"] == ordered["ctaccumulateddosedata_set"]
    assert reordered["observercontext_set"] == ordered["observercontext_set"]
    assert reordered["uid_type"] == ordered["uid_type"] == Code("110180")


def test_event_without_uid_gets_a_deterministic_one():
    ds = report(event(uid=None), event(uid=None))
    first, second = extract(ds), extract(copy.deepcopy(ds))
    uids = [e["irradiation_event_uid"]
            for e in first["ctradiationdose_set"][0]["ctirradiationeventdata_set"]]
    assert uids == [e["irradiation_event_uid"]
                    for e in second["ctradiationdose_set"][0]["ctirradiationeventdata_set"]]
    assert uids[0] != uids[1]
    assert all(uid.startswith("2.25.") for uid in uids)
    assert any("irradiation event 2 has no Irradiation Event UID" in warning
               for warning in first["_meta"]["warnings"])
    other = report(event(uid=None))
    assert events_of(other)[0]["irradiation_event_uid"] != uids[0]  # another SOP instance


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("value, problem", [("NaN", "is not a finite number (nan)"),
                                            ("-1.5", "is negative (-1.5)")])
def test_an_impossible_ctdivol_is_not_stored_and_named(value, problem):
    record = extract(report(event(), event("1.2.826.0.1.3680043.10.1.2", ctdivol=value)))
    first, second = record["ctradiationdose_set"][0]["ctirradiationeventdata_set"]
    assert (first["mean_ctdivol"], second["mean_ctdivol"]) == (12.34, None)
    assert second["dlp"] == 456.7
    assert (f"'Mean CTDIvol' in irradiation event 2 {problem}: not stored"
            in record["_meta"]["warnings"])


def test_a_negative_dlp_is_not_stored_and_named():
    record = extract(report(event(dlp=-3)))
    [row] = record["ctradiationdose_set"][0]["ctirradiationeventdata_set"]
    assert (row["dlp"], row["mean_ctdivol"]) == (None, 12.34)
    assert "'DLP' in irradiation event 1 is negative (-3): not stored" in record["_meta"]["warnings"]


def test_negative_technique_value_is_dropped_with_a_warning():
    parameters = [b.num(EXPOSURE_TIME, -1, "s"), b.num(SCANNING_LENGTH, 100, "mm")]
    record = extract(report(event(parameters=parameters)))
    row = record["ctradiationdose_set"][0]["ctirradiationeventdata_set"][0]
    assert row["exposure_time"] is None
    assert row["scanninglength_set"][0]["scanning_length"] == 100.0
    assert ("'Exposure Time' in irradiation event 1 is negative (-1): not stored"
            in record["_meta"]["warnings"])


def test_container_without_concept_name_is_ignored():
    nameless = event("1.2.826.0.1.3680043.10.1.9")
    del nameless.ConceptNameCodeSequence
    events = events_of(report(event(), nameless))
    assert [e["irradiation_event_uid"] for e in events] == ["1.2.826.0.1.3680043.10.1.1"]


def test_wrong_value_type_gives_none():
    # A Mean CTDIvol sent as TEXT carries no measured value: nothing to store, nothing to guess.
    dose_as_text = b.text(CTDIVOL, "12.34")
    broken = b.container(ACQUISITION, [
        b.uid(EVENT_UID, "1.2.826.0.1.3680043.10.1.3"),
        b.container(CT_DOSE, [dose_as_text, b.num(DLP, 10, "mGy.cm")]),
    ])
    row = events_of(report(broken))[0]
    assert row["mean_ctdivol"] is None
    assert row["dlp"] == 10.0


def test_a_number_that_is_not_a_number_is_not_stored_and_named():
    item = b.num(CTDIVOL, 1, "mGy")
    measured = item.MeasuredValueSequence[0]
    measured[0x0040A30A] = DataElement(0x0040A30A, "LO", "twelve")
    record = extract(report(event(dose_extra=[]), b.container(ACQUISITION, [
        b.uid(EVENT_UID, "1.2.826.0.1.3680043.10.1.4"), b.container(CT_DOSE, [item])])))
    first, second = record["ctradiationdose_set"][0]["ctirradiationeventdata_set"]
    assert (first["mean_ctdivol"], second["mean_ctdivol"]) == (12.34, None)
    assert ("'Mean CTDIvol' in irradiation event 2 is not a number ('twelve'): not stored"
            in record["_meta"]["warnings"])


@pytest.mark.parametrize("broken", ["code", "content"])
def test_malformed_tree_raises_extraction_error(broken):
    bad_event = event()
    if broken == "code":
        # A CODE item whose Concept Code Sequence holds text instead of a code.
        target = bad_event.ContentSequence[1]
        del target.ConceptCodeSequence
        target[0x0040A168] = DataElement(0x0040A168, "LO", "Abdomen")
    else:
        # A container whose Content Sequence holds text instead of items.
        del bad_event.ContentSequence[5].ContentSequence
        bad_event.ContentSequence[5][0x0040A730] = DataElement(0x0040A730, "LO", "junk")
    ds = report(bad_event)
    with pytest.raises(ExtractionError, match="malformed near irradiation event 1"):
        extract(ds)


def test_participants_in_accumulated_data_and_events():
    device = b.with_children(b.code(DEVICE_ROLE, ("113859", "Irradiating Device")), [
        b.text(DEVICE_MANUFACTURER, "Kerma Test Devices", "HAS PROPERTIES")])
    person = b.with_children(b.pname(PERSON_NAME, "Tech^Tina"), [
        b.code(PERSON_ROLE, ("113851", "Irradiation Administering"), "HAS PROPERTIES")])
    accumulated = [b.num(TOTAL_EVENTS, 1, "{events}"), b.num(DLP_TOTAL, 456.7, "mGy.cm"),
                   copy.deepcopy(device), copy.deepcopy(person)]
    dose = ct_record(report(event(extra=[device, person]), accumulated=accumulated,
                            root_extra=[copy.deepcopy(person)]))
    for row in (dose["ctaccumulateddosedata_set"][0], dose["ctirradiationeventdata_set"][0]):
        assert row["deviceparticipant_set"][0]["device_role_in_procedure"] == Code("113859")
        assert row["deviceparticipant_set"][0]["device_manufacturer"] == "Kerma Test Devices"
        assert row["personparticipant_set"][0]["person_name"] == "Tech^Tina"
    assert dose["personparticipant_set"][0]["person_role_in_procedure_cid"] == Code("113851")


def test_modulation_type_item_wins_over_the_comment():
    comment = b.text(COMMENT, "Internal technical scan parameters: X-ray Modulation Type = "
                              "CARE_DOSE4D, Sn Filter (Tube A) = no")
    from_comment = events_of(report(event(extra=[copy.deepcopy(comment)])))[0]
    assert from_comment["xray_modulation_type"] == "CARE_DOSE4D"
    both = events_of(report(event(extra=[comment, b.text(MODULATION, "XYZ")])))[0]
    assert both["xray_modulation_type"] == "XYZ"
    assert both["comment"].startswith("Internal technical scan parameters")


def test_reconstruction_algorithms_qualify_the_acquisition_type():
    row_event = event()
    acquisition_type = row_event.ContentSequence[2]
    b.with_children(acquisition_type, [
        b.code(RECONSTRUCTION, ("113962", "Filtered Back Projection"), "HAS PROPERTIES"),
        b.code(RECONSTRUCTION, ("113963", "Iterative Reconstruction"), "HAS PROPERTIES"),
    ])
    row = events_of(report(row_event))[0]
    assert row["ct_acquisition_type"] == Code("P5-08001")
    assert row["ctreconstructionalgorithm_set"] == [
        {"reconstruction_algorithm": Code("113962")},
        {"reconstruction_algorithm": Code("113963")}]


def test_several_sources_of_dose_information_are_all_kept():
    second = b.code(SOURCE_OF_DOSE, ("113858", "Manual Entry"))
    dose = ct_record(report(event(), root_extra=[second]))
    assert dose["source_of_dose_information"] == Code("113856")
    assert dose["sourceofctdoseinformation_set"] == [
        {"source_of_dose_information": Code("113856")},
        {"source_of_dose_information": Code("113858")}]


def test_snomed_ct_identifiers_are_read_like_the_retired_codes():
    ds = report(event())
    procedure = ds.ContentSequence[0]
    procedure.ContentSequence[0].ConceptNameCodeSequence[0].CodeValue = "363703001"
    procedure.ContentSequence[0].ConceptNameCodeSequence[0].CodingSchemeDesignator = "SCT"
    context = ds.ContentSequence[8].ContentSequence[3]
    context.ConceptNameCodeSequence[0].CodeValue = "408730004"
    dose = ct_record(ds)
    assert dose["has_intent"] == Code("R-408C3")
    assert dose["ctirradiationeventdata_set"][0]["procedure_context"] == Code("P5-0808E")
