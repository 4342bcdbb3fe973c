"""Projection X-ray dose reports (TID 10001): the corpus against OpenREM, and synthetic reports."""
import json
import random
import warnings

import pytest
from pydicom import dcmread
from pydicom.uid import ImplicitVRLittleEndian

import conformance
from app.extractors import sr
from app.extractors.dispatch import extract
from app.extractors.errors import ExtractionError, ExtractorError
from app.extractors.projection import generated_event_uid
from app.importing.reading import Unreadable, read_dataset as read_file
from dicom_builders import (
    code,
    container,
    datetime_item,
    num,
    pname,
    round_trip,
    sr_dataset,
    text,
    uid,
    with_children,
)

# Corpus ------------------------------------------------------------------------------------
PREFIXES = ("RF", "DX-RDSR", "MG-RDSR", "Dual-")


def _corpus_files() -> list[str]:
    """Corpus files that OpenREM imported with its RDSR importer as RF, DX or MG."""
    folder = conformance.CORPUS / "dicom"
    if not folder.is_dir():
        return []
    names = []
    for path in sorted(folder.glob("*.dcm")):
        if not path.name.startswith(PREFIXES) or not conformance.expected_path(path.name).exists():
            continue
        if conformance.load_expected(path.name).get("importer") == "rdsr":
            names.append(path.name)
    return names


CORPUS_FILES = _corpus_files()


@pytest.mark.skipif(not CORPUS_FILES, reason=f"corpus not found at {conformance.CORPUS}")
@pytest.mark.parametrize("name", CORPUS_FILES or ["no corpus"])
def test_corpus_report_matches_openrem(name):
    record = extract(read_file(conformance.CORPUS / "dicom" / name))
    expected = conformance.load_expected(name)["studies"][0]
    result = conformance.compare_study(record, expected, record=True, file=name)
    assert result.compared > 100
    assert not result.mismatches, result.report()


@pytest.mark.skipif("RF-RDSR-Philips_Azurion.dcm" not in CORPUS_FILES, reason="corpus not found")
def test_byte_reader_gives_the_same_record_as_pydicom(monkeypatch):
    path = conformance.CORPUS / "dicom" / "RF-RDSR-Philips_Azurion.dcm"
    fast = extract(dcmread(path))
    # Without the byte reader every sequence goes through pydicom's own parser.
    monkeypatch.setattr(sr, "read_sequence", lambda raw, dataset: None)
    slow = extract(dcmread(path))
    assert fast == slow
    assert len(fast["projectionxrayradiationdose_set"][0]["irradeventxraydata_set"]) == 89


def _undefined_lengths(dataset):
    """Mark every sequence and item for undefined-length encoding, as many devices write them."""
    for element in dataset:
        if element.VR == "SQ":
            element.is_undefined_length = True
            for item in element.value:
                item.is_undefined_length_sequence_item = True
                _undefined_lengths(item)


@pytest.mark.parametrize("implicit", [True, False], ids=["implicit-vr", "explicit-vr"])
def test_read_file_gives_the_same_record_as_dcmread(tmp_path, implicit):
    ds = report([
        accumulated(fluoro_totals(5e-5, 12)),
        event([num(DAP, 1.5, "dGy.cm2"), num(KVP, "70\\72", "kV"),
               with_children(code(("113876", "Device Role in Procedure"), ("113859", "Irradiating Device")),
                             [text(("113878", "Device Manufacturer"), "ACME", "HAS PROPERTIES")])]),
    ])
    if implicit:
        ds.file_meta.TransferSyntaxUID = ImplicitVRLittleEndian
    _undefined_lengths(ds)
    path = tmp_path / "report.dcm"
    ds.save_as(path, enforce_file_format=True)
    fast = read_file(path)
    assert type(fast.get_item(0x0040A730)).__name__ == "RawDataElement"
    record = extract(fast)
    assert record == extract(dcmread(path))
    assert first_event(record)["dose_area_product"] == pytest.approx(1.5e-5)
    assert [row["kvp"] for row in source(record)["kvp_set"]] == [70.0, 72.0]
    # The elements after the content tree are read too.
    assert fast.ContentTemplateSequence[0].TemplateIdentifier == "10001"


# Synthetic reports ---------------------------------------------------------------------------
SINGLE = ("113622", "Single Plane")
PLANE_A, PLANE_B = ("113620", "Plane A"), ("113621", "Plane B")
PROJECTION = ("113704", "Projection X-Ray")
MAMMOGRAPHY = ("P5-40010", "Mammography", "SRT")
FLUORO_GUIDED = ("113957", "Fluoroscopy-Guided Projection Radiography System")
INTEGRATED = ("113958", "Integrated Projection Radiography System")
CASSETTE = ("113959", "Cassette-based Projection Radiography System")

ACQUISITION_PLANE = ("113764", "Acquisition Plane")
EVENT_UID = ("113769", "Irradiation Event UID")
DAP = ("122130", "Dose Area Product")
DOSE_RP = ("113738", "Dose (RP)")
KVP = ("113733", "KVP")
TUBE_CURRENT = ("113734", "X-Ray Tube Current")
PULSE_WIDTH = ("113793", "Pulse Width")
NUMBER_OF_PULSES = ("113768", "Number of Pulses")
LATERALITY = ("G-C171", "Laterality", "SRT")


def report(items, procedure=PROJECTION, device_type=None, **attributes):
    """A TID 10001 report with a device observer and the given root items."""
    root = [with_children(
        code(("121058", "Procedure reported"), procedure, "HAS CONCEPT MOD"),
        [code(("G-C0E8", "Has Intent", "SRT"), ("R-408C3", "Diagnostic Intent", "SRT"),
              "HAS CONCEPT MOD")],
    )]
    if device_type:
        root.append(code(("122142", "Acquisition Device Type"), device_type))
    root += [
        code(("121005", "Observer Type"), ("121007", "Device"), "HAS OBS CONTEXT"),
        uid(("121012", "Device Observer UID"), "1.2.826.0.1.3680043.10.1", "HAS OBS CONTEXT"),
        text(("121013", "Device Observer Name"), "ROOM1", "HAS OBS CONTEXT"),
    ]
    return sr_dataset(("113701", "X-Ray Radiation Dose Report"), root + list(items),
                      template="10001", **attributes)


def accumulated(items, plane=SINGLE):
    return container(("113702", "Accumulated X-Ray Dose Data"),
                     [code(ACQUISITION_PLANE, plane, "HAS CONCEPT MOD"), *items])


def event(items, plane=SINGLE, event_uid="1.2.826.0.1.3680043.10.99.1"):
    head = [code(ACQUISITION_PLANE, plane, "HAS CONCEPT MOD")]
    if event_uid:
        head.append(uid(EVENT_UID, event_uid))
    return container(("113706", "Irradiation Event X-Ray Data"), head + list(items))


def fluoro_totals(dap=0.0, time=0.0, unit="Gy.m2"):
    return [num(("113726", "Fluoro Dose Area Product Total"), dap, unit),
            num(("113730", "Total Fluoro Time"), time, "s")]


@pytest.fixture
def read(tmp_path):
    """Write a dataset to a file and extract it, as an import does."""
    def read(ds):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pydicom warns about the deliberately bad values
            return extract(round_trip(ds, tmp_path / "report.dcm"))
    return read


def dose(record):
    return record["projectionxrayradiationdose_set"][0]


def first_event(record):
    return dose(record)["irradeventxraydata_set"][0]


def source(record, index=0):
    return dose(record)["irradeventxraydata_set"][index]["irradeventxraysourcedata_set"][0]


@pytest.mark.parametrize("on_disk", [True, False], ids=["file", "in-memory"])
def test_dap_in_dgy_cm2_and_cgy_cm2_is_stored_in_gy_m2(read, on_disk):
    ds = report([
        accumulated([num(("113722", "Dose Area Product Total"), 250, "cGy.cm2")]),
        event([num(DAP, 12.5, "dGy.cm2")]),
    ])
    record = read(ds) if on_disk else extract(ds)
    assert first_event(record)["dose_area_product"] == pytest.approx(12.5e-5)
    totals = dose(record)["accumxraydose_set"][0]["accumintegratedprojradiogdose_set"][0]
    assert totals["dose_area_product_total"] == pytest.approx(250e-6)


def test_vendor_unit_spelling_gym2_is_read(read):
    record = read(report([event([num(DAP, 3.2e-5, "Gym2"),
                                 num(("113736", "Exposure"), 9586, "uAs")])]))
    assert first_event(record)["dose_area_product"] == pytest.approx(3.2e-5)
    assert source(record)["exposure_set"] == [{"exposure": pytest.approx(9586.0)}]


def test_dose_rp_in_mgy_is_stored_in_gy(read):
    record = read(report([
        accumulated([num(("113725", "Dose (RP) Total"), 420, "mGy"),
                     num(("113728", "Fluoro Dose (RP) Total"), 120, "mGy")]),
        event([num(DOSE_RP, 2.5, "mGy")]),
    ]))
    assert source(record)["dose_rp"] == pytest.approx(0.0025)
    plane = dose(record)["accumxraydose_set"][0]
    assert plane["accumprojxraydose_set"][0]["dose_rp_total"] == pytest.approx(0.42)
    assert plane["accumprojxraydose_set"][0]["fluoro_dose_rp_total"] == pytest.approx(0.12)
    assert plane["accumintegratedprojradiogdose_set"][0]["dose_rp_total"] == pytest.approx(0.42)


def test_per_pulse_values_become_one_row_each(read):
    record = read(report([event([
        num(KVP, "70\\72\\74", "kV"),
        num(TUBE_CURRENT, "10\\12\\14", "mA"),
        num(PULSE_WIDTH, 4, "ms"),
        num(PULSE_WIDTH, 6, "ms"),
        num(NUMBER_OF_PULSES, 3, "1"),
    ])]))
    data = source(record)
    assert [row["kvp"] for row in data["kvp_set"]] == [70.0, 72.0, 74.0]
    assert [row["xray_tube_current"] for row in data["xraytubecurrent_set"]] == [10.0, 12.0, 14.0]
    assert [row["pulse_width"] for row in data["pulsewidth_set"]] == [4.0, 6.0]
    # Not in the report: the mean pulse width times the pulses, and the mean current.
    assert data["exposure_time"] == pytest.approx(15.0)
    assert data["average_xray_tube_current"] == pytest.approx(12.0)


def test_times_filters_and_distances_in_stored_units(read):
    record = read(report([event([
        num(("113824", "Exposure Time"), 0.25, "s"),
        num(("113742", "Irradiation Duration"), 1500, "ms"),
        num(("113790", "Collimated Field Area"), 600, "cm2"),
        num(("113788", "Collimated Field Height"), 20, "cm"),
        num(("113750", "Distance Source to Detector"), 1.15, "m"),
        container(("113771", "X-Ray Filters"), [
            code(("113772", "X-Ray Filter Type"), ("113650", "Strip filter")),
            code(("113757", "X-Ray Filter Material"), ("C-127F9", "Copper or Copper compound", "SRT")),
            num(("113758", "X-Ray Filter Thickness Minimum"), 0.02, "cm"),
            num(("113773", "X-Ray Filter Thickness Maximum"), 0.3, "mm"),
        ]),
    ])]))
    data = source(record)
    assert data["exposure_time"] == pytest.approx(250.0)  # ms
    assert data["irradiation_duration"] == pytest.approx(1.5)  # s
    assert data["collimated_field_area"] == pytest.approx(0.06)
    assert data["collimated_field_height"] == pytest.approx(200.0)
    assert data["xrayfilters_set"] == [{
        "xray_filter_type": ("113650", "Strip filter", "DCM"),
        "xray_filter_material": ("C-127F9", "Copper or Copper compound", "SRT"),
        "xray_filter_thickness_minimum": pytest.approx(0.2),
        "xray_filter_thickness_maximum": pytest.approx(0.3),
    }]
    distances = first_event(record)["irradeventxraymechanicaldata_set"][0][
        "doserelateddistancemeasurements_set"][0]
    assert distances["distance_source_to_detector"] == pytest.approx(1150.0)


def test_biplane_reports_keep_each_plane(read):
    record = read(report([
        accumulated(fluoro_totals(2e-4, 30) + [num(("113722", "Dose Area Product Total"), 3e-4, "Gy.m2")],
                    plane=PLANE_A),
        accumulated(fluoro_totals(1e-4, 20) + [num(("113722", "Dose Area Product Total"), 1e-4, "Gy.m2")],
                    plane=PLANE_B),
        event([num(DAP, 2e-5, "Gy.m2")], plane=PLANE_A, event_uid="1.2.826.0.1.3680043.10.99.1"),
        event([num(DAP, 1e-5, "Gy.m2")], plane=PLANE_B, event_uid="1.2.826.0.1.3680043.10.99.2"),
    ]))
    planes = dose(record)["accumxraydose_set"]
    assert [plane["acquisition_plane"].code_value for plane in planes] == ["113620", "113621"]
    assert [plane["accumprojxraydose_set"][0]["fluoro_dose_area_product_total"] for plane in planes] \
        == [pytest.approx(2e-4), pytest.approx(1e-4)]
    assert [plane["accumprojxraydose_set"][0]["total_fluoro_time"] for plane in planes] == [30.0, 20.0]
    events = dose(record)["irradeventxraydata_set"]
    assert [(e["acquisition_plane"].code_value, e["dose_area_product"]) for e in events] == [
        ("113620", pytest.approx(2e-5)), ("113621", pytest.approx(1e-5))]
    assert record["modality_type"] == "RF"


@pytest.mark.parametrize("procedure, device_type, model, totals, modality", [
    (MAMMOGRAPHY, None, "Model X", [], "MG"),
    (MAMMOGRAPHY, INTEGRATED, "Model X", [], "MG"),
    (PROJECTION, FLUORO_GUIDED, "Model X", fluoro_totals(0, 0), "RF"),
    (PROJECTION, INTEGRATED, "Azurion", fluoro_totals(0, 0), "RF"),
    (PROJECTION, INTEGRATED, "Model X", fluoro_totals(5e-5, 12), "DX"),
    (PROJECTION, CASSETTE, "Model X", [], "DX"),
    (PROJECTION, None, "Model X", fluoro_totals(5e-5, 0), "RF"),
    (PROJECTION, None, "Model X", fluoro_totals(0, 3.5), "RF"),
    (PROJECTION, None, "Model X", fluoro_totals(0, 0), "DX"),
    (PROJECTION, None, "Model X", [], "DX"),
], ids=["mammography", "mammography-with-device-type", "fluoroscopy-guided",
        "azurion-sent-as-integrated", "integrated", "cassette", "fluoro-dap", "fluoro-time",
        "no-fluoro", "no-totals"])
def test_modality_decision(read, procedure, device_type, model, totals, modality):
    record = read(report([accumulated(totals)], procedure=procedure, device_type=device_type,
                         ManufacturerModelName=model))
    assert record["modality_type"] == modality


def test_accumulation_templates_follow_the_device_type(read):
    totals = fluoro_totals(5e-5, 12) + [num(("113722", "Dose Area Product Total"), 9e-5, "Gy.m2"),
                                        num(("113731", "Total Number of Radiographic Frames"), 4, "1"),
                                        code(("113947", "Detector Type"), ("113950", "Direct Detector"))]

    def plane(device_type, model="Model X"):
        record = read(report([accumulated(totals)], device_type=device_type,
                             ManufacturerModelName=model))
        return dose(record)["accumxraydose_set"][0]

    integrated = plane(INTEGRATED)
    assert integrated["accumprojxraydose_set"] == []
    assert integrated["accumintegratedprojradiogdose_set"][0]["total_number_of_radiographic_frames"] == 4
    azurion = plane(INTEGRATED, "Azurion 7 M20")
    assert azurion["accumprojxraydose_set"][0]["total_fluoro_time"] == 12.0
    cassette = plane(CASSETTE)
    assert cassette["accumcassettebsdprojradiogdose_set"] == [{
        "detector_type": ("113950", "Direct Detector", "DCM"),
        "total_number_of_radiographic_frames": 4}]
    assert cassette["accumintegratedprojradiogdose_set"] == []


def test_unknown_device_type_falls_back_to_the_fluoroscopy_totals(read):
    record = read(report([accumulated(fluoro_totals(5e-5, 12))],
                         device_type=("999999", "Imaginary System", "99TEST")))
    assert record["modality_type"] == "RF"
    assert dose(record)["accumxraydose_set"][0]["accumprojxraydose_set"][0]["total_fluoro_time"] == 12.0
    assert any("Imaginary System" in message for message in record["_meta"]["warnings"])


def test_mammography_agd_per_breast_and_event_details(read):
    breast = ("T-04000", "Breast", "SRT")
    record = read(report([
        accumulated([
            with_children(num(("111637", "Accumulated Average Glandular Dose"), 1.3, "mGy"),
                          [code(LATERALITY, ("T-04030", "Left breast", "SRT"), "HAS CONCEPT MOD")]),
            with_children(num(("111637", "Accumulated Average Glandular Dose"), 1.28, "mGy"),
                          [code(LATERALITY, ("T-04020", "Right breast", "SRT"), "HAS CONCEPT MOD")]),
        ]),
        event([
            with_children(code(("T-D0005", "Anatomical structure", "SRT"), breast),
                          [code(LATERALITY, ("G-A100", "Right", "SRT"), "HAS CONCEPT MOD")]),
            with_children(code(("111031", "Image View"), ("R-10242", "cranio-caudal", "SRT")),
                          [code(("111032", "Image View Modifier"), ("R-102D2", "spot compression", "SRT"),
                                "HAS CONCEPT MOD")]),
            num(("111631", "Average Glandular Dose"), 0.95, "mGy"),
            num(("111636", "Entrance Exposure at RP"), 4.15, "mGy"),
            num(("111634", "Half Value Layer"), 0.54, "mm"),
            num(("111633", "Compression Thickness"), 46.1, "mm"),
            num(("111647", "Compression Force"), 80, "N"),
            code(("111632", "Anode Target Material"), ("C-164F9", "Tungsten or Tungsten compound", "SRT")),
            code(("111635", "X-Ray Grid"), ("111646", "No grid")),
        ]),
    ], procedure=MAMMOGRAPHY))
    assert record["modality_type"] == "MG"
    totals = dose(record)["accumxraydose_set"][0]["accummammographyxraydose_set"]
    assert [(row["laterality"].code_value, row["accumulated_average_glandular_dose"]) for row in totals] \
        == [("T-04030", 1.3), ("T-04020", 1.28)]
    assert dose(record)["accumxraydose_set"][0]["accumprojxraydose_set"] == []
    mg_event = first_event(record)
    assert mg_event["laterality"].code_value == "G-A100"
    assert mg_event["anatomical_structure"].code_meaning == "Breast"
    assert mg_event["imageviewmodifier_set"] == [{"image_view_modifier": ("R-102D2", "spot compression", "SRT")}]
    assert mg_event["entrance_exposure_at_rp"] == 4.15
    assert source(record)["average_glandular_dose"] == 0.95
    assert source(record)["xraygrid_set"] == [{"xray_grid": ("111646", "No grid", "DCM")}]
    mechanical = mg_event["irradeventxraymechanicaldata_set"][0]
    assert (mechanical["compression_thickness"], mechanical["compression_force"]) == (46.1, 80.0)


def test_event_fields_observers_and_participants(read):
    record = read(report([event([
        datetime_item(("111526", "DateTime Started"), "20240315101530.25"),
        code(("113721", "Irradiation Event Type"), ("P5-06000", "Fluoroscopy", "SRT")),
        text(("125203", "Acquisition Protocol"), "Abdomen low dose"),
        code(("113745", "Patient Table Relationship"), ("F-10470", "headfirst", "SRT")),
        with_children(code(("113743", "Patient Orientation"), ("F-10450", "recumbent", "SRT")),
                      [code(("113744", "Patient Orientation Modifier"), ("F-10340", "supine", "SRT"),
                            "HAS CONCEPT MOD")]),
        code(("113780", "Reference Point Definition"), ("113860", "15cm from Isocenter toward Source")),
        num(("112011", "Positioner Primary Angle"), -30.5, "deg"),
        num(("113845", "Exposure Index"), 662.18, "1"),
        with_children(pname(("113870", "Person Name"), "Smith^Anna"),
                      [code(("113875", "Person Role in Procedure"),
                            ("113851", "Irradiation Administering"), "HAS PROPERTIES")]),
        with_children(code(("113876", "Device Role in Procedure"), ("113859", "Irradiating Device")),
                      [text(("113878", "Device Manufacturer"), "ACME", "HAS PROPERTIES")]),
    ])]))
    fluoro = first_event(record)
    assert fluoro["date_time_started"].isoformat() == "2024-03-15T10:15:30.250000"
    assert fluoro["acquisition_protocol"] == "Abdomen low dose"
    assert fluoro["patient_orientation_modifier_cid"].code_meaning == "supine"
    assert fluoro["reference_point_definition"].code_value == "113860"
    assert fluoro["irradeventxraymechanicaldata_set"][0]["positioner_primary_angle"] == -30.5
    assert fluoro["irradeventxraydetectordata_set"][0]["exposure_index"] == 662.18
    assert fluoro["personparticipant_set"][0]["person_name"] == "Smith^Anna"
    assert fluoro["personparticipant_set"][0]["person_role_in_procedure_cid"].code_value == "113851"
    assert source(record)["deviceparticipant_set"][0]["device_manufacturer"] == "ACME"
    observer = dose(record)["observercontext_set"][0]
    assert observer["device_observer_uid"] == "1.2.826.0.1.3680043.10.1"
    assert observer["device_observer_name"] == "ROOM1"
    assert record["_meta"]["device_observer_uid"] == "1.2.826.0.1.3680043.10.1"
    assert record["_meta"]["template"] == "10001"
    assert record["_meta"]["importer"] == "rdsr"


def test_siemens_xml_comments_give_position_and_intensifier_size(read):
    record = read(report([
        event([text(("121106", "Comment"),
                    '<FluoroData><iiDiameter SRData="220"/><NumOfFrames SRData="24"/></FluoroData>')]),
        text(("121106", "Comment"),
             '<Root><PatientPosition><Position SRData="FFP "/></PatientPosition></Root>'),
    ]))
    fluoro = first_event(record)
    assert source(record)["ii_field_size"] == 220
    assert (fluoro["patient_table_relationship_cid"].code_meaning,
            fluoro["patient_orientation_cid"].code_meaning,
            fluoro["patient_orientation_modifier_cid"].code_meaning) == ("feet-first", "recumbent", "prone")


def test_event_without_uid_gets_a_stable_generated_one(read):
    ds = report([event([num(DAP, 1e-5, "Gy.m2")], event_uid=None),
                 event([num(DAP, 2e-5, "Gy.m2")], event_uid=None)])
    record = read(ds)
    uids = [e["irradiation_event_uid"] for e in dose(record)["irradeventxraydata_set"]]
    sop_uid = str(ds.SOPInstanceUID)
    assert uids == [generated_event_uid(sop_uid, 1), generated_event_uid(sop_uid, 2)]
    assert uids[0] != uids[1] and all(u.startswith("2.25.") and len(u) <= 64 for u in uids)
    assert read(ds)["projectionxrayradiationdose_set"][0]["irradeventxraydata_set"][0][
        "irradiation_event_uid"] == uids[0]
    assert sum("no Irradiation Event UID" in message for message in record["_meta"]["warnings"]) == 2


@pytest.mark.filterwarnings("ignore:Invalid value for VR DS")
@pytest.mark.parametrize("value, problem", [("NaN", "is not a finite number (nan)"),
                                            ("-2.5", "is negative (-2.5)")])
def test_an_impossible_dap_is_not_stored_and_named(read, value, problem):
    record = read(report([event([num(DAP, value, "Gy.m2"), num(KVP, 81, "kV")]),
                          event([num(DAP, 2e-5, "Gy.m2")], event_uid="1.2.826.0.1.3680043.10.99.2")]))
    events = dose(record)["irradeventxraydata_set"]
    assert [e["dose_area_product"] for e in events] == [None, 2e-5]
    assert source(record)["kvp_set"] == [{"kvp": 81.0}]
    assert f"'Dose Area Product' {problem}: not stored" in record["_meta"]["warnings"]


def test_a_dap_in_a_unit_that_is_no_area_dose_is_not_stored_and_named(read):
    record = read(report([event([num(DAP, 3, "mGy"), num(KVP, 81, "kV")])]))
    assert first_event(record)["dose_area_product"] is None
    assert source(record)["kvp_set"] == [{"kvp": 81.0}]
    assert ("'Dose Area Product' is in unit 'mGy', which cannot be read as Gy.m2: not stored"
            in record["_meta"]["warnings"])


@pytest.mark.parametrize("unit, factor", [
    ("Gy.cm^2", 1e-4), ("Gy*cm2", 1e-4), ("Gy cm²", 1e-4), ("µGy.m2", 1e-6), ("mGycm2", 1e-7),
    ("dGy.cm2", 1e-5), ("MGY.CM2", 1e-7),
])
def test_a_dap_written_as_vendors_write_units_is_converted(read, unit, factor):
    # A fluoroscopy Enhanced SR from a vendor wrote the dose-area product in Gy.cm^2.
    record = read(report([event([num(DAP, 12.5, unit)])], device_type=FLUORO_GUIDED,
                         sop_class="1.2.840.10008.5.1.4.1.1.88.22"))
    assert first_event(record)["dose_area_product"] == pytest.approx(12.5 * factor, rel=1e-12)
    assert record["_meta"]["warnings"] == []


def test_non_ascii_text_in_the_content_tree_is_decoded(read):
    record = read(report([event([text(("125203", "Acquisition Protocol"), "Thorax pä")])],
                         SpecificCharacterSet="ISO_IR 100"))
    assert first_event(record)["acquisition_protocol"] == "Thorax pä"


def _report_bytes(tmp_path):
    ds = report([
        accumulated(fluoro_totals(5e-5, 12)),
        *[event([num(DAP, 1e-5 * n, "Gy.m2"), num(KVP, 70 + n, "kV"),
                 code(("113721", "Irradiation Event Type"), ("P5-06000", "Fluoroscopy", "SRT"))],
                event_uid=f"1.2.826.0.1.3680043.10.99.{n}") for n in range(1, 6)],
    ])
    path = tmp_path / "report.dcm"
    ds.save_as(path, enforce_file_format=True)
    data = path.read_bytes()
    header = data.index(b"\x40\x00\x30\xa7SQ\x00\x00")
    length = int.from_bytes(data[header + 8:header + 12], "little")
    return path, data, header + 12, header + 12 + length


def test_a_broken_sequence_is_an_extraction_error(tmp_path):
    path, data, start, _ = _report_bytes(tmp_path)
    second_item = data.index(b"\xfe\xff\x00\xe0", start + 8)
    broken = data[:second_item] + b"\x08\x00\x00\x01" + data[second_item + 4:]
    path.write_bytes(broken)
    with pytest.raises(ExtractionError, match="where an item belongs"):
        extract(dcmread(path))


def test_damaged_reports_raise_only_extractor_errors(tmp_path):
    path, data, start, end = _report_bytes(tmp_path)
    rng = random.Random(10001)
    outcomes = {"read": 0, "refused": 0}
    for _ in range(150):
        damaged = bytearray(data)
        for _ in range(rng.randint(1, 6)):
            damaged[rng.randrange(start, end)] = rng.randrange(256)
        path.write_bytes(bytes(damaged))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ds = dcmread(path)
            try:
                extract(ds)
                outcomes["read"] += 1
            except ExtractorError:
                outcomes["refused"] += 1
    assert outcomes["refused"] > 0 and outcomes["read"] > 0


def test_damaged_implicit_vr_reports_raise_only_extractor_errors(tmp_path):
    ds = report([accumulated(fluoro_totals(5e-5, 12)),
                 *[event([num(DAP, 1e-5 * n, "Gy.m2"), num(KVP, 70 + n, "kV")],
                         event_uid=f"1.2.826.0.1.3680043.10.99.{n}") for n in range(1, 6)]])
    ds.file_meta.TransferSyntaxUID = ImplicitVRLittleEndian
    _undefined_lengths(ds)
    path = tmp_path / "report.dcm"
    ds.save_as(path, enforce_file_format=True)
    data = path.read_bytes()
    start = data.index(b"\x40\x00\x30\xa7\xff\xff\xff\xff") + 8
    rng = random.Random(10003)
    outcomes = {"read": 0, "refused": 0}
    for _ in range(150):
        damaged = bytearray(data)
        for _ in range(rng.randint(1, 6)):
            damaged[rng.randrange(start, len(data))] = rng.randrange(256)
        path.write_bytes(bytes(damaged))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                extract(read_file(path))
                outcomes["read"] += 1
            except (ExtractorError, Unreadable):  # refused by the extractor or the reader
                outcomes["refused"] += 1
    assert outcomes["refused"] > 0 and outcomes["read"] > 0


# Siemens Arcadis Varic ------------------------------------------------------------------------
def arcadis(dap_unit="Gy.cm2"):
    scheme = "99SMS_RADSUM"
    return sr_dataset(("C-10", "Radiation Summary", scheme), [
        num(("C-200", "Number of Radiographic Frames", scheme), 12, "1"),
        num(("C-202", "Fluoroscopy Time", scheme), 95.5, "s"),
        num(("C-204", "Dose Area Product", scheme), 15.3, dap_unit),
    ], sop_class="1.2.840.10008.5.1.4.1.1.88.22", Modality="SR",
        ManufacturerModelName="ARCADIS Varic")


@pytest.mark.parametrize("unit, dap_gy_m2", [("Gy.cm2", 15.3e-4), ("uGy.m2", 15.3e-6)])
def test_arcadis_summary_is_rf_with_totals(read, unit, dap_gy_m2):
    record = read(arcadis(unit))
    assert record["modality_type"] == "RF"
    plane = dose(record)["accumxraydose_set"][0]
    assert plane["acquisition_plane"].code_value == "113622"
    assert plane["accumprojxraydose_set"][0]["total_fluoro_time"] == 95.5
    integrated = plane["accumintegratedprojradiogdose_set"][0]
    assert integrated["total_number_of_radiographic_frames"] == 12
    assert integrated["dose_area_product_total"] == pytest.approx(dap_gy_m2)
    assert dose(record)["irradeventxraydata_set"] == []
    assert record["_meta"]["template"] == "10001"


def test_arcadis_dap_without_unit_is_read_as_gy_cm2(read):
    ds = arcadis()
    del ds.ContentSequence[2].MeasuredValueSequence[0].MeasurementUnitsCodeSequence
    record = read(ds)
    integrated = dose(record)["accumxraydose_set"][0]["accumintegratedprojradiogdose_set"][0]
    assert integrated["dose_area_product_total"] == pytest.approx(15.3e-4)
    assert any("Gy.cm2" in message for message in record["_meta"]["warnings"])


def test_record_is_plain_data(read):
    record = read(report([accumulated(fluoro_totals(5e-5, 12)), event([num(DAP, 1e-5, "Gy.m2")])]))
    # Everything but dates and codes serialises; nothing pydicom-specific leaks out.
    json.dumps(record, default=lambda value: value.isoformat() if hasattr(value, "isoformat") else str(value))
    assert type(first_event(record)["irradiation_event_uid"]) is str
    assert type(first_event(record)["dose_area_product"]) is float
