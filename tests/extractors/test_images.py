"""Image-header extractors: mammography, radiography (CR/DX/PX) and Philips CT dose pages."""
import copy
import datetime as dt
import json
import math
import warnings

import pydicom
import pytest
from pydicom.datadict import dictionary_VR, tag_for_keyword
from pydicom.dataelem import RawDataElement
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence
from pydicom.tag import Tag

import conformance
from app.extractors import dispatch, sop
from app.extractors.codes import Code
from app.extractors.errors import ExtractionError, ExtractorError, NotDoseObject
from dicom_builders import coded, image_dataset, round_trip

IMAGE_IMPORTERS = {"mam": "mg", "dx": "dx", "ct_philips": "ct-philips"}


@pytest.fixture(autouse=True)
def _quiet_pydicom():
    # Malformed values are the point of several tests; pydicom warns about each on assignment.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


# Builders --------------------------------------------------------------------------------------

def dx_image(sop_class=sop.DX_IMAGE_FOR_PRESENTATION, modality="DX", **attributes) -> Dataset:
    return image_dataset(sop_class, modality, **attributes)


def mg_image(sop_class=sop.MG_IMAGE_FOR_PRESENTATION, **attributes) -> Dataset:
    return image_dataset(sop_class, "MG", **attributes)


def code_sequence(value, meaning, scheme="SRT") -> Sequence:
    return Sequence([coded(value, meaning, scheme)])


def raw(ds: Dataset, keyword: str, value: bytes) -> Dataset:
    """Put a value into ``ds`` as its raw bytes, as pydicom holds an element read from a file."""
    tag = Tag(tag_for_keyword(keyword))
    ds[tag] = RawDataElement(tag, dictionary_VR(tag), len(value), value, 0, False, True)
    return ds


def philips_page(scans, total_dlp="1102.44609", **attributes) -> Dataset:
    """A Philips "Dose Info" secondary capture; scans are attribute dicts plus dlp and phantom."""
    ds = image_dataset(sop.SECONDARY_CAPTURE, "CT", SeriesDescription="Dose Info",
                       Manufacturer="Philips", ProtocolName="Abdomen/IH_KUB_2mm", **attributes)
    items = []
    for scan in scans:
        scan = dict(scan)
        dlp, phantom = scan.pop("dlp", None), scan.pop("phantom", None)
        item = Dataset()
        for keyword, value in scan.items():
            setattr(item, keyword, value)
        if dlp is not None:
            item.private_block(0x00E1, "ELSCINT1", create=True).add_new(0x21, "DS", dlp)
        if phantom is not None:
            item.private_block(0x01E1, "ELSCINT1", create=True).add_new(0x26, "CS", phantom)
        items.append(item)
    ds.ExposureDoseSequence = Sequence(items)
    if total_dlp is not None:
        ds.private_block(0x00E1, "ELSCINT1", create=True).add_new(0x21, "DS", total_dlp)
    return ds


SPIRAL_SCAN = {
    "AcquisitionType": "SPIRAL", "SeriesDescription": "PRE KIDNEYS", "KVP": "120",
    "ExposureTime": "6986", "XRayTubeCurrentInuA": "165044.374", "ScanLength": "231",
    "SingleCollimationWidth": 1.5, "TotalCollimationWidth": 24.0,
    "SpiralPitchFactor": 0.8355391387939453, "CTDIvol": 7.200978719152135, "dlp": "196.01",
}
LOCALIZER = {
    "AcquisitionType": "CONSTANT_ANGLE", "KVP": "120", "XRayTubeCurrentInuA": "50000",
    "ScanLength": "700", "SingleCollimationWidth": 0.75, "TotalCollimationWidth": 3.0,
    "CTDIvol": 0.0, "dlp": "0",
}


def projection(record) -> dict:
    return record["projectionxrayradiationdose_set"][0]


def event_of(record) -> dict:
    return projection(record)["irradeventxraydata_set"][0]


def source_of(record) -> dict:
    return event_of(record)["irradeventxraysourcedata_set"][0]


def distances_of(record) -> dict:
    return event_of(record)["irradeventxraymechanicaldata_set"][0][
        "doserelateddistancemeasurements_set"][0]


# The corpus: every image-header file against what OpenREM stored ---------------------------

def corpus_cases():
    expected_dir = conformance.CORPUS / "expected"
    if not expected_dir.is_dir():
        return [pytest.param(None, None, marks=pytest.mark.skip(
            reason=f"reference corpus not found at {conformance.CORPUS}"))]
    cases = []
    for path in sorted(expected_dir.glob("*.json")):
        if not (conformance.CORPUS / "dicom" / f"{path.stem}.dcm").exists():
            continue
        importer = json.loads(path.read_text()).get("importer")
        if importer in IMAGE_IMPORTERS:
            cases.append(pytest.param(path.stem, IMAGE_IMPORTERS[importer], id=path.stem))
    return cases


def corpus_file(name: str) -> Dataset:
    path = conformance.CORPUS / "dicom" / f"{name}.dcm"
    if not path.exists():
        pytest.skip(f"reference corpus file {path.name} not found")
    return pydicom.dcmread(path)


@pytest.mark.parametrize("name, importer", corpus_cases())
def test_corpus_file_matches_openrem(name, importer):
    ds = pydicom.dcmread(conformance.CORPUS / "dicom" / f"{name}.dcm")
    assert dispatch.importer_for(ds) == importer
    record = dispatch.extract(ds)
    assert record["_meta"]["importer"] == importer
    expected = conformance.load_expected(name)
    result = conformance.compare_study(record, expected["studies"][0], record=True,
                                       file=f"{name}.dcm")
    print(result.report())
    assert not result.mismatches, result.report()
    assert result.compared > 100


def test_corpus_kodak_filters_and_distance():
    record = dispatch.extract(corpus_file("DX-Im-Carestream_DR7500-2"))
    filters = source_of(record)["xrayfilters_set"]
    assert [(f["xray_filter_material"].code_value, f["xray_filter_thickness_minimum"],
             f["xray_filter_thickness_maximum"]) for f in filters] == [
        ("C-120F9", 0.94, 1.06), ("C-127F9", 0.194, 0.206)]
    assert all(f["xray_filter_type"] == "113653" for f in filters)
    assert distances_of(record)["distance_source_to_detector"] == pytest.approx(1150.0)
    assert event_of(record)["dose_area_product"] == pytest.approx(1.0157e-4)


def test_corpus_hologic_projection_skips_time_check():
    record = dispatch.extract(corpus_file("MG-Im-Hologic-PropProj"))
    assert record["_meta"]["skip_time_duplicate_check"] is True
    assert record["_meta"]["acquisition_datetime"] == dt.datetime(2014, 5, 22, 12, 2, 55)
    accumulated = projection(record)["accumxraydose_set"][0]["accummammographyxraydose_set"]
    assert accumulated == [{"accumulated_average_glandular_dose": pytest.approx(0.26),
                            "laterality": Code("T-04020")}]


def test_corpus_philips_page():
    ds = corpus_file("CT-SC-Philips_Brilliance16P")
    record = dispatch.extract(ds)
    dose = record["ctradiationdose_set"][0]
    total = dose["ctaccumulateddosedata_set"][0]["ct_dose_length_product_total"]
    assert total == pytest.approx(1102.44609)
    events = dose["ctirradiationeventdata_set"]
    assert [e["dlp"] for e in events] == pytest.approx([0.0, 196.01, 248.585973, 657.85012])
    uids = [e["irradiation_event_uid"] for e in events]
    assert len(set(uids)) == 4
    assert uids == [e["irradiation_event_uid"] for e in
                    dispatch.extract(ds)["ctradiationdose_set"][0]["ctirradiationeventdata_set"]]


# Mammography ---------------------------------------------------------------------------------

def senographe(**attributes) -> Dataset:
    values = dict(
        ImageLaterality="L", ProtocolName="ROUTINE", KVP="29", XRayTubeCurrent="61",
        ExposureTime="834", Exposure="52", ExposureInuAs="51800", FocalSpots="0.3",
        AnodeTargetMaterial="RHODIUM", FilterMaterial="RHODIUM", BodyPartThickness="53",
        CompressionForce="50", FieldOfViewDimensions=[229, 191], OrganDose="0.01373",
        EntranceDoseInmGy="5.071", CommentsOnRadiationDose="31 %", ExposureControlMode="AUTOMATIC",
        ExposureControlModeDescription="AOP standard", Grid=["RECIPROCATING", "FOCUSED"],
        DistanceSourceToDetector="660", DistanceSourceToEntrance="607",
        EstimatedRadiographicMagnificationFactor="1", PositionerPrimaryAngle="0",
        AcquisitionDate="20130412", AcquisitionTime="124147",
        AnatomicRegionSequence=code_sequence("T-04000", "BREAST"),
        ViewCodeSequence=code_sequence("R-10242", "cranio-caudal"),
    )
    values.update(attributes)
    return mg_image(**values)


def test_mammography_image_values_in_stored_units():
    record = dispatch.extract(senographe())
    assert record["modality_type"] == "MG"
    assert record["procedure_code_meaning"] == "ROUTINE"
    assert projection(record)["procedure_reported"] == Code("P5-40010")
    event = event_of(record)
    assert event["laterality"] == Code("G-A101")
    assert event["image_view"] == Code("R-10242")
    assert event["anatomical_structure"] == event["target_region"] == Code("T-04000")
    assert event["entrance_exposure_at_rp"] == pytest.approx(5.071)
    assert event["percent_fibroglandular_tissue"] == pytest.approx(31.0)
    assert event["comment"] == "AOP standard"
    assert event["date_time_started"] == dt.datetime(2013, 4, 12, 12, 41, 47)
    source = source_of(record)
    assert source["average_glandular_dose"] == pytest.approx(1.373)  # 0.01373 dGy
    assert source["collimated_field_area"] == pytest.approx(0.043739)  # 229 mm x 191 mm
    assert source["average_xray_tube_current"] == 61.0
    assert source["exposure_time"] == 834.0
    assert source["exposure_set"] == [{"exposure": 51800.0}]
    assert source["kvp_set"] == [{"kvp": 29.0}]
    assert source["xraytubecurrent_set"] == [{"xray_tube_current": 61.0}]
    assert source["anode_target_material"] == Code("C-167F9")
    assert source["xrayfilters_set"][0]["xray_filter_material"] == Code("C-167F9")
    assert source["exposure_control_mode"] == "AUTOMATIC"
    assert [g["xray_grid"].code_value for g in source["xraygrid_set"]] == ["111642", "111643"]
    mechanical = event_of(record)["irradeventxraymechanicaldata_set"][0]
    assert mechanical["compression_thickness"] == 53.0
    assert mechanical["compression_force"] == 50.0
    assert mechanical["column_angulation"] == 0.0
    assert distances_of(record)["distance_source_to_entrance_surface"] == 607.0
    accumulated = projection(record)["accumxraydose_set"][0]["accummammographyxraydose_set"]
    assert accumulated == [{"accumulated_average_glandular_dose": pytest.approx(1.373),
                            "laterality": Code("T-04030")}]
    meta = record["_meta"]
    assert meta["importer"] == "mg"
    assert meta["skip_time_duplicate_check"] is False
    assert meta["acquisition_datetime"] == dt.datetime(2013, 4, 12, 12, 41, 47)


def test_mammography_exposure_in_mas_when_no_uas():
    ds = senographe()
    del ds.ExposureInuAs
    assert source_of(dispatch.extract(ds))["exposure_set"] == [{"exposure": 52000.0}]


def test_mammography_zero_compression_force_means_not_measured():
    record = dispatch.extract(senographe(CompressionForce="0"))
    assert event_of(record)["irradeventxraymechanicaldata_set"][0]["compression_force"] is None


def test_mammography_view_from_view_position_and_modifiers():
    ds = senographe(ViewPosition="MLO")
    del ds.ViewCodeSequence
    assert event_of(dispatch.extract(ds))["image_view"] == Code("R-10226")

    view = coded("R-10242", "cranio-caudal", "SRT")
    view.ViewModifierCodeSequence = code_sequence("R-102D6", "magnification")
    record = dispatch.extract(senographe(ViewCodeSequence=Sequence([view])))
    assert event_of(record)["imageviewmodifier_set"] == [{"image_view_modifier": Code("R-102D6")}]


def test_mammography_series_laterality_and_both_breasts():
    ds = senographe(Laterality="R")
    del ds.ImageLaterality
    record = dispatch.extract(ds)
    assert event_of(record)["laterality"] == Code("G-A100")
    assert projection(record)["accumxraydose_set"][0]["accummammographyxraydose_set"][0][
        "laterality"] == Code("T-04020")
    record = dispatch.extract(senographe(ImageLaterality="B"))
    assert projection(record)["accumxraydose_set"][0]["accummammographyxraydose_set"][0][
        "laterality"] == Code("T-04080")


def test_mammography_without_organ_dose_has_no_accumulated_agd():
    ds = senographe()
    del ds.OrganDose
    record = dispatch.extract(ds)
    assert source_of(record)["average_glandular_dose"] is None
    assert projection(record)["accumxraydose_set"][0]["accummammographyxraydose_set"] == []


def test_ge_radiological_thickness_read_by_private_creator():
    ds = senographe()
    # The GE block placed at 0x11 rather than 0x10: found by its creator, not a fixed tag.
    ds.add_new(0x00450010, "LO", "OTHER VENDOR")
    ds.add_new(0x00451049, "DS", "99")
    ds.private_block(0x0045, "GEMS_SENO_02", create=True).add_new(0x49, "DS", "45")
    assert distances_of(dispatch.extract(ds))["radiological_thickness"] == 45.0


def test_hologic_projection_secondary_capture():
    ds = senographe(sop_class=sop.SECONDARY_CAPTURE, ImageType=["ORIGINAL", "PRIMARY"],
                    FilterMaterial="ALUMINUM", FilterThicknessMinimum="0.7",
                    FilterThicknessMaximum="0.7")
    assert dispatch.importer_for(ds) == "mg"
    record = dispatch.extract(ds)
    assert record["_meta"]["skip_time_duplicate_check"] is True
    assert source_of(record)["xrayfilters_set"] == [{
        "xray_filter_material": Code("C-120F9"),
        "xray_filter_thickness_minimum": 0.7, "xray_filter_thickness_maximum": 0.7}]
    derived = senographe(sop_class=sop.SECONDARY_CAPTURE, ImageType=["DERIVED", "SECONDARY"])
    with pytest.raises(NotDoseObject):
        dispatch.importer_for(derived)


@pytest.mark.parametrize("value, message", [
    ("NaN", "not a finite number"), ("-0.01", "negative"), ("1e300", "implausible"),
    ("lots", "not a number"),
])
def test_a_mammography_organ_dose_that_is_not_a_dose_is_not_stored_and_named(value, message):
    ds = senographe()
    good = dispatch.extract(copy.deepcopy(ds))
    record = dispatch.extract(raw(ds, "OrganDose", value.encode()))
    assert source_of(record)["average_glandular_dose"] is None
    assert source_of(good)["average_glandular_dose"] is not None
    # Everything else of the exposure is stored as before.
    assert source_of(record)["kvp_set"] == source_of(good)["kvp_set"]
    assert event_of(record)["irradiation_event_uid"] == event_of(good)["irradiation_event_uid"]
    [warning] = [w for w in record["_meta"]["warnings"] if "Organ Dose" in w]
    assert message in warning and warning.endswith(": not stored")


def test_minimal_mammography_image():
    record = dispatch.extract(mg_image())
    event = event_of(record)
    assert event["irradiation_event_uid"] == record["_meta"]["sop_instance_uid"]
    assert event["date_time_started"] is None
    assert event["image_view"] is None and event["laterality"] is None
    source = source_of(record)
    assert source["average_glandular_dose"] is None
    assert source["kvp_set"] == [] and source["exposure_set"] == [] and source["xraygrid_set"] == []
    assert record["_meta"]["warnings"] == []


# Radiography ---------------------------------------------------------------------------------

def test_radiography_image_values_in_stored_units():
    ds = dx_image(
        ProtocolName="ABD_1_VIEW", SeriesDescription="Abdomen", KVP="69.639999",
        XRayTubeCurrent="189", ExposureTime="6", ExposureInuAs="1040", FocalSpots="0.6",
        ImageAndFluoroscopyAreaDoseProduct="0.41", FieldOfViewDimensions=[402, 402],
        ExposureIndex="51.745061", TargetExposureIndex="438.469173", DeviationIndex="-9.3",
        Sensitivity="97.213916", ExposureControlMode="MANUAL", Grid="NONE",
        DistanceSourceToDetector="1150", DistanceSourceToPatient="1000", TableHeight="800",
        AcquisitionDateTime="20140930141133.000000",
        AnatomicRegionSequence=code_sequence("T-D4000", "Abdomen"),
        ViewCodeSequence=code_sequence("R-10206", "antero-posterior"),
    )
    record = dispatch.extract(ds)
    assert record["modality_type"] == "DX"
    assert projection(record)["procedure_reported"] == Code("113704")
    event = event_of(record)
    assert event["dose_area_product"] == pytest.approx(4.1e-6)  # 0.41 dGy·cm²
    assert event["acquisition_protocol"] == "ABD_1_VIEW"
    assert event["comment"] == "Abdomen"
    assert event["image_view"] == Code("R-10206")
    assert event["date_time_started"] == dt.datetime(2014, 9, 30, 14, 11, 33)
    assert event["irradeventxraydetectordata_set"] == [{
        "exposure_index": pytest.approx(51.745061),
        "target_exposure_index": pytest.approx(438.469173),
        "deviation_index": -9.3, "relative_xray_exposure": None, "relative_exposure_unit": None,
        "sensitivity": pytest.approx(97.213916)}]
    source = source_of(record)
    assert source["collimated_field_area"] == pytest.approx(0.161604)
    assert source["exposure_set"] == [{"exposure": 1040.0}]
    assert source["kvp_set"] == [{"kvp": pytest.approx(69.639999)}]
    assert source["average_xray_tube_current"] == 189.0
    assert source["exposure_time"] == 6.0
    assert [g["xray_grid"] for g in source["xraygrid_set"]] == [Code("111646")]
    distances = distances_of(record)
    assert distances["distance_source_to_detector"] == 1150.0
    assert distances["distance_source_to_entrance_surface"] == 1000.0
    assert distances["table_height_position"] == 800.0
    assert projection(record)["accumxraydose_set"][0]["accumintegratedprojradiogdose_set"] == [
        {"dose_area_product_total": pytest.approx(4.1e-6),
         "total_number_of_radiographic_frames": 1}]
    assert record["_meta"]["acquisition_datetime"] == dt.datetime(2014, 9, 30, 14, 11, 33)
    assert record["series_instance_uid"] is None and record["content_time"] is None


@pytest.mark.parametrize("sop_class, modality, stored", [
    (sop.CR_IMAGE, "CR", "CR"),
    (sop.DX_IMAGE_FOR_PROCESSING, "DX", "DX"),
    (sop.DX_IMAGE_FOR_PRESENTATION, "PX", "PX"),
    (sop.CR_IMAGE, "OT", "CR"),
    (sop.DX_IMAGE_FOR_PRESENTATION, "", "DX"),
])
def test_modality_type_is_the_dicom_modality(sop_class, modality, stored):
    ds = dx_image(sop_class, modality, ImageAndFluoroscopyAreaDoseProduct="2.5")
    assert dispatch.importer_for(ds) == "dx"
    record = dispatch.extract(ds)
    assert record["modality_type"] == stored
    assert event_of(record)["dose_area_product"] == pytest.approx(2.5e-5)
    assert bool(record["_meta"]["warnings"]) is (modality != stored)


def test_panoramic_dental_image():
    ds = dx_image(sop.DX_IMAGE_FOR_PRESENTATION, "PX", Manufacturer="PLANMECA",
                  ProtocolName="Panoramic adult", KVP="66", XRayTubeCurrent="8",
                  ExposureTime="16000", ImageAndFluoroscopyAreaDoseProduct="0.96")
    record = dispatch.extract(ds)
    assert record["modality_type"] == "PX"
    assert event_of(record)["acquisition_protocol"] == "Panoramic adult"
    assert event_of(record)["dose_area_product"] == pytest.approx(9.6e-6)
    assert source_of(record)["exposure_time"] == 16000.0


@pytest.mark.parametrize("attributes, protocol", [
    ({"ProtocolName": "CHEST PA", "SeriesDescription": "Series"}, "CHEST PA"),
    ({"Manufacturer": "TOSHIBA_MEC", "SoftwareVersions": "TM_TFD_1.0",
      "ImageComments": "Knee lat", "SeriesDescription": "Series"}, "Knee lat"),
    ({"Manufacturer": "Other", "ImageComments": "not a protocol", "SeriesDescription": "Series"},
     "Series"),
    ({"PerformedProtocolCodeSequence": code_sequence("P1", "Hand 2 views", "99LOCAL")},
     "Hand 2 views"),
    ({}, None),
])
def test_protocol_fallback_chain(attributes, protocol):
    record = dispatch.extract(dx_image(**attributes))
    assert event_of(record)["acquisition_protocol"] == protocol


@pytest.mark.parametrize("attributes, description", [
    ({"StudyDescription": "XR CHEST", "SeriesDescription": "AP"}, "XR CHEST"),
    ({"SeriesDescription": "AP"}, "AP"),
    ({"ProcedureCodeSequence": code_sequence("XRCH", "Chest X-ray", "99LOCAL")}, "Chest X-ray"),
    ({}, None),
])
def test_study_description_fallback_chain(attributes, description):
    ds = dx_image(**attributes)
    if "StudyDescription" not in attributes:
        del ds.StudyDescription
    assert dispatch.extract(ds)["study_description"] == description


def _request_item(**attributes) -> Dataset:
    item = Dataset()
    for keyword, value in attributes.items():
        setattr(item, keyword, value)
    return item


@pytest.mark.parametrize("attributes, requested", [
    ({"RequestedProcedureCodeSequence": code_sequence("R1", "Chest", "99LOCAL"),
      "ProcedureCodeSequence": code_sequence("P1", "Other", "99LOCAL")}, ("R1", "Chest")),
    ({"RequestAttributesSequence": Sequence([_request_item(
        RequestedProcedureCodeSequence=code_sequence("R2", "Knee", "99LOCAL"))])}, ("R2", "Knee")),
    ({"RequestAttributesSequence": Sequence([_request_item(
        RequestedProcedureDescription="Ankle")])}, (None, "Ankle")),
    ({"ProcedureCodeSequence": code_sequence("P3", "Pelvis", "99LOCAL"),
      "RequestedProcedureDescription": "ignored"}, ("P3", "Pelvis")),
    ({"RequestedProcedureDescription": "Spine"}, (None, "Spine")),
    ({"PerformedProtocolCodeSequence": code_sequence("PP", "Hip", "99LOCAL")}, ("PP", "Hip")),
    ({"Manufacturer": "Canon Inc.", "ManufacturerModelName": "CXDI Control Software NE",
      "StudyDescription": "XR HAND"}, (None, "XR HAND")),
    ({"Manufacturer": "CARESTREAM HEALTH", "ManufacturerModelName": "DRX-REVOLUTION",
      "StudyDescription": "XR CHEST"}, (None, "XR CHEST")),
    ({"Manufacturer": "GE Healthcare", "StudyDescription": "XR CHEST"}, (None, None)),
])
def test_requested_procedure_fallback_chain(attributes, requested):
    record = dispatch.extract(dx_image(**attributes))
    assert (record["requested_procedure_code_value"],
            record["requested_procedure_code_meaning"]) == requested


@pytest.mark.parametrize("position, view", [
    ("AP", "R-10206"), ("PA", "R-10214"), ("LL", "R-10236"), ("RL", "R-10232"), ("RLD", None),
])
def test_view_from_view_position(position, view):
    record = dispatch.extract(dx_image(ViewPosition=position))
    assert event_of(record)["image_view"] == (Code(view) if view else None)


def test_view_code_sequence_wins_over_view_position():
    ds = dx_image(ViewPosition="AP", ViewCodeSequence=code_sequence("R-10214", "postero-anterior"))
    assert event_of(dispatch.extract(ds))["image_view"] == Code("R-10214")


def test_kodak_comma_separated_filters(tmp_path):
    ds = dx_image(sop.CR_IMAGE, "CR", Manufacturer="KODAK", ManufacturerModelName="DR 7500",
                  FilterType="WEDGE", DistanceSourceToDetector="11.5")
    raw(ds, "FilterMaterial", b"ALUMINUM,COPPER ")
    raw(ds, "FilterThicknessMinimum", b"1.06,0.206")
    raw(ds, "FilterThicknessMaximum", b"0.94,0.194")
    record = dispatch.extract(round_trip(ds, tmp_path / "kodak.dcm"))
    assert source_of(record)["xrayfilters_set"] == [
        {"xray_filter_type": Code("113653"), "xray_filter_material": Code("C-120F9"),
         "xray_filter_thickness_minimum": 0.94, "xray_filter_thickness_maximum": 1.06},
        {"xray_filter_type": Code("113653"), "xray_filter_material": Code("C-127F9"),
         "xray_filter_thickness_minimum": 0.194, "xray_filter_thickness_maximum": 0.206},
    ]
    # The DR 7500 gives the source to detector distance in dm.
    assert distances_of(record)["distance_source_to_detector"] == pytest.approx(1150.0)


def test_single_filter_keeps_its_type_and_orders_thicknesses():
    record = dispatch.extract(dx_image(FilterType="WEDGE", FilterMaterial="ALUMINUM",
                                       FilterThicknessMinimum="1.06", FilterThicknessMaximum="0.94",
                                       DistanceSourceToDetector="11.5"))
    assert source_of(record)["xrayfilters_set"] == [{
        "xray_filter_type": Code("113651"), "xray_filter_material": Code("C-120F9"),
        "xray_filter_thickness_minimum": 0.94, "xray_filter_thickness_maximum": 1.06}]
    # Only the Kodak DR 7500 gets the dm correction.
    assert distances_of(record)["distance_source_to_detector"] == 11.5


def test_no_filter_and_siemens_copper_filter_type():
    record = dispatch.extract(dx_image(FilterType="NONE"))
    assert source_of(record)["xrayfilters_set"] == [{"xray_filter_type": Code("111609")}]
    record = dispatch.extract(dx_image(FilterType="CU_0.2_MM"))
    assert source_of(record)["xrayfilters_set"] == [{
        "xray_filter_type": Code("113653"), "xray_filter_material": Code("C-127F9"),
        "xray_filter_thickness_minimum": 0.2, "xray_filter_thickness_maximum": 0.2}]


def test_decimal_values_in_integer_string_attributes(tmp_path):
    ds = dx_image(ExposureTime="19.5", XRayTubeCurrent="400.7", Exposure="2.5")
    record = dispatch.extract(round_trip(ds, tmp_path / "decimals.dcm"))
    source = source_of(record)
    assert source["exposure_time"] == 19.5
    assert source["average_xray_tube_current"] == 400.7
    assert source["exposure_set"] == [{"exposure": 2500.0}]


def test_raw_decimal_in_integer_string_and_decimal_comma():
    ds = raw(dx_image(), "ExposureTime", b"19.5")
    raw(ds, "ImageAndFluoroscopyAreaDoseProduct", b"12,5")
    record = dispatch.extract(ds)
    assert source_of(record)["exposure_time"] == 19.5
    assert event_of(record)["dose_area_product"] == pytest.approx(1.25e-4)


def test_wrong_length_elements_are_ignored_with_a_warning():
    ds = dx_image(KVP="80", Exposure="10")
    raw(ds, "ExposureInmAs", b"\x01\x02\x03\x04\x05")  # FD needs 8 bytes
    raw(ds, "EntranceDose", b"\x01\x02\x03")  # US needs 2
    record = dispatch.extract(ds)
    assert source_of(record)["exposure_set"] == [{"exposure": 10000.0}]
    assert source_of(record)["kvp_set"] == [{"kvp": 80.0}]
    assert "ExposureInmAs has a malformed value and was ignored" in record["_meta"]["warnings"]


@pytest.mark.parametrize("manufacturer, unit", [
    ("CARESTREAM HEALTH", "EI (Mbels)"), ("Agfa", "lgM (Bels)"), ("FUJIFILM Corporation", "S ()"),
    ("Canon Inc.", "REX ()"), ("Philips Medical Systems", "EI ()"), ("SIEMENS", "EXI (μGy)"),
    ("GE Healthcare", None),
])
def test_relative_exposure_unit_by_vendor(manufacturer, unit):
    record = dispatch.extract(dx_image(Manufacturer=manufacturer, RelativeXRayExposure="1460"))
    detector = event_of(record)["irradeventxraydetectordata_set"][0]
    assert detector["relative_xray_exposure"] == 1460.0
    assert detector["relative_exposure_unit"] == unit


def test_abbreviated_grid_terms_in_sent_order():
    record = dispatch.extract(dx_image(Grid=["RECIPROCATING", "FO"], GridFocalDistance="1828.8",
                                       GridAspectRatio=[12, 1]))
    source = source_of(record)
    assert [g["xray_grid"].code_value for g in source["xraygrid_set"]] == ["111643", "111642"]
    assert source["grid_focal_distance"] == pytest.approx(1828.8)
    assert source["grid_aspect_ratio"] == 12.0


def test_exposure_control_description_appended_to_comment():
    record = dispatch.extract(dx_image(SeriesDescription="Chest",
                                       ExposureControlModeDescription="AEC centre"))
    assert event_of(record)["comment"] == "Chest, AEC centre"


@pytest.mark.parametrize("value, message", [
    ("NaN", "not a finite number"), ("inf", "not a finite number"), ("-3.2", "negative"),
    ("1e300", "implausible"), ("n/a", "not a number"),
])
def test_a_dap_that_is_not_a_dose_is_not_stored_and_named(value, message):
    ds = dx_image(ImageAndFluoroscopyAreaDoseProduct="1.25")
    good = dispatch.extract(copy.deepcopy(ds))
    record = dispatch.extract(raw(ds, "ImageAndFluoroscopyAreaDoseProduct", value.encode()))
    assert event_of(record)["dose_area_product"] is None
    assert event_of(good)["dose_area_product"] is not None
    assert source_of(record)["kvp_set"] == source_of(good)["kvp_set"]
    [warning] = [w for w in record["_meta"]["warnings"] if "Area Dose Product" in w]
    assert message in warning and warning.endswith(": not stored")


def test_missing_dates():
    ds = dx_image(AcquisitionTime="105116", ContentTime="104610.327")
    del ds.StudyDate
    record = dispatch.extract(ds)
    assert record["study_date"] == dt.date(1900, 1, 1)
    assert record["study_time"] == dt.time(10, 15)
    assert event_of(record)["date_time_started"] is None
    assert record["_meta"]["acquisition_datetime"] is None
    assert "no study, content or series date: stored as 1900-01-01" in record["_meta"]["warnings"]


def test_event_time_from_content_but_never_study_time():
    ds = dx_image(ContentDate="20240315", ContentTime="101733")
    started = event_of(dispatch.extract(ds))["date_time_started"]
    assert started == dt.datetime(2024, 3, 15, 10, 17, 33)
    ds = dx_image(AcquisitionDate="20240315", AcquisitionTime="101701",
                  ContentDate="20240315", ContentTime="101733")
    started = event_of(dispatch.extract(ds))["date_time_started"]
    assert started == dt.datetime(2024, 3, 15, 10, 17, 1)
    assert event_of(dispatch.extract(dx_image()))["date_time_started"] is None


def test_minimal_radiography_image():
    record = dispatch.extract(dx_image())
    event = event_of(record)
    assert event["dose_area_product"] is None
    assert event["irradeventxraydetectordata_set"] == []
    assert source_of(record)["xrayfilters_set"] == []
    assert projection(record)["accumxraydose_set"][0]["accumintegratedprojradiogdose_set"][0][
        "dose_area_product_total"] is None
    assert record["_meta"]["warnings"] == []


def test_long_protocol_name_and_markup_kept_verbatim(tmp_path):
    # Padding spaces at the end are not part of a DICOM value, so the text ends with a letter.
    protocol = ("Chest <b>PA</b> & lateral " * 400)[:9_999] + "Z"
    ds = dx_image(ProtocolName=protocol, StudyDescription="<script>alert('x')</script> & co",
                  SeriesDescription="<i>AP</i>")
    record = dispatch.extract(round_trip(ds, tmp_path / "long.dcm"))
    assert len(protocol) == 10_000
    assert event_of(record)["acquisition_protocol"] == protocol
    assert record["procedure_code_meaning"] == protocol
    assert record["study_description"] == "<script>alert('x')</script> & co"
    assert event_of(record)["comment"] == "<i>AP</i>"


def test_missing_uids_are_extraction_errors():
    ds = dx_image()
    del ds.SOPInstanceUID
    with pytest.raises(ExtractionError, match="SOP Instance UID"):
        dispatch.extract(ds, "dx")
    ds = mg_image()
    del ds.StudyInstanceUID
    with pytest.raises(ExtractionError, match="Study Instance UID"):
        dispatch.extract(ds)


GARBAGE = [b"abc", b"1e999", b"-", b"\\", b"NaN", b"1,2,3", b"", b"\x00\x00", b"12\\x"]
TOLERATED = [
    "KVP", "XRayTubeCurrent", "ExposureTime", "Exposure", "ExposureInuAs", "FocalSpots",
    "FieldOfViewDimensions", "FilterThicknessMinimum", "FilterMaterial", "FilterType", "Grid",
    "GridAspectRatio", "DistanceSourceToDetector", "ViewPosition", "ImageLaterality",
    "AcquisitionDate", "AcquisitionTime", "AcquisitionDateTime", "BodyPartThickness",
    "CompressionForce", "CommentsOnRadiationDose", "ExposureIndex", "DeviationIndex",
    "RelativeXRayExposure", "PatientAge", "PatientSize", "AnodeTargetMaterial",
]
DOSES = ["ImageAndFluoroscopyAreaDoseProduct", "OrganDose", "EntranceDoseInmGy"]


@pytest.mark.parametrize("build", [dx_image, senographe], ids=["dx", "mg"])
@pytest.mark.parametrize("keyword", TOLERATED + DOSES)
def test_malformed_values_never_raise_other_exceptions(build, keyword):
    for value in GARBAGE:
        ds = raw(build(), keyword, value)
        try:
            record = dispatch.extract(ds)
        except ExtractorError:
            # Only a dose that is present and wrong may stop the import.
            assert keyword in DOSES and value not in (b"", b"\x00\x00")
            continue
        assert record["_meta"]["sop_instance_uid"] == ds.SOPInstanceUID


# Philips CT dose pages -----------------------------------------------------------------------

def test_philips_page_events_and_totals():
    ds = philips_page([LOCALIZER, SPIRAL_SCAN], TotalNumberOfExposures=2,
                      StudyDescription="CT Thorax & abdo",
                      CommentsOnRadiationDose="Total DLP=196.0")
    ds.private_block(0x00E1, "ELSCINT1").add_new(0x61, "LO", "Abdomen_Multi_1240_usr.proc")
    record = dispatch.extract(ds)
    assert record["modality_type"] == "CT"
    assert record["study_description"] == "Abdomen/IH_KUB_2mm"
    dose = record["ctradiationdose_set"][0]
    assert dose["comment"] == ("StudyDescription: CT Thorax & abdo. Comments on radiation dose: "
                               "Total DLP=196.0. ProtocolFilename: Abdomen_Multi_1240_usr.proc")
    assert dose["ctaccumulateddosedata_set"] == [{
        "total_number_of_irradiation_events": 2,
        "ct_dose_length_product_total": pytest.approx(1102.44609),
        "comment": "Total DLP=196.0"}]
    localizer, spiral = dose["ctirradiationeventdata_set"]
    assert localizer["ct_acquisition_type"] == Code("113805")
    assert localizer["mean_ctdivol"] == 0.0 and localizer["dlp"] == 0.0
    assert localizer["exposure_time"] is None
    assert spiral["ct_acquisition_type"] == Code("P5-08001")
    assert spiral["acquisition_protocol"] == "PRE KIDNEYS"
    assert spiral["exposure_time"] == pytest.approx(6.986)  # 6986 ms
    assert spiral["mean_ctdivol"] == pytest.approx(7.200978719)
    assert spiral["dlp"] == pytest.approx(196.01)
    assert spiral["pitch_factor"] == pytest.approx(0.83553914)
    assert spiral["nominal_total_collimation_width"] == 24.0
    assert spiral["ctxraysourceparameters_set"] == [{
        "identification_of_the_xray_source": "A", "kvp": 120.0,
        "xray_tube_current": pytest.approx(165.044374)}]
    assert spiral["scanninglength_set"] == [{"scanning_length": 231.0}]
    assert spiral["date_time_started"] is None  # no time stamps on these pages
    assert dose["start_of_xray_irradiation"] is None and dose["end_of_xray_irradiation"] is None
    assert record["_meta"]["importer"] == "ct-philips"


def test_philips_event_uids_are_stable_and_distinct():
    ds = philips_page([LOCALIZER, SPIRAL_SCAN, SPIRAL_SCAN])
    first = [e["irradiation_event_uid"] for e in
             dispatch.extract(ds)["ctradiationdose_set"][0]["ctirradiationeventdata_set"]]
    again = [e["irradiation_event_uid"] for e in
             dispatch.extract(ds)["ctradiationdose_set"][0]["ctirradiationeventdata_set"]]
    assert first == again
    assert len(set(first)) == 3
    other = philips_page([LOCALIZER, SPIRAL_SCAN, SPIRAL_SCAN])
    assert first[0] != dispatch.extract(other)["ctradiationdose_set"][0][
        "ctirradiationeventdata_set"][0]["irradiation_event_uid"]


def test_philips_total_dlp_optional_and_phantom():
    ds = philips_page([dict(SPIRAL_SCAN, phantom="32 CM"), dict(SPIRAL_SCAN, phantom="16 CM")],
                      total_dlp=None)
    dose = dispatch.extract(ds)["ctradiationdose_set"][0]
    assert dose["ctaccumulateddosedata_set"][0]["ct_dose_length_product_total"] is None
    assert [e["ctdiw_phantom_type"] for e in dose["ctirradiationeventdata_set"]] == [
        Code("113691"), Code("113690")]


def test_philips_time_stamps_give_start_and_end():
    ds = philips_page([dict(SPIRAL_SCAN, AcquisitionDateTime="20170516093249"),
                       dict(SPIRAL_SCAN, AcquisitionDateTime="20170516093512")])
    record = dispatch.extract(ds)
    dose = record["ctradiationdose_set"][0]
    assert dose["start_of_xray_irradiation"] == dt.datetime(2017, 5, 16, 9, 32, 49)
    assert dose["end_of_xray_irradiation"] == dt.datetime(2017, 5, 16, 9, 35, 18, 986000)
    assert record["_meta"]["acquisition_datetime"] == dt.datetime(2017, 5, 16, 9, 32, 49)


def test_philips_items_without_acquisition_type_are_not_scans():
    ds = philips_page([{"KVP": "120"}, SPIRAL_SCAN])
    events = dispatch.extract(ds)["ctradiationdose_set"][0]["ctirradiationeventdata_set"]
    assert [e["acquisition_protocol"] for e in events] == ["PRE KIDNEYS"]
    record = dispatch.extract(philips_page([{"KVP": "120"}]))
    assert record["ctradiationdose_set"][0]["ctirradiationeventdata_set"] == []
    assert "the Philips dose page lists no scans that could be read" in record["_meta"]["warnings"]


@pytest.mark.parametrize("scan, field, message", [
    (dict(SPIRAL_SCAN, CTDIvol=math.nan), "mean_ctdivol", "CTDIvol is not a finite number (nan)"),
    (dict(SPIRAL_SCAN, dlp="-196.01"), "dlp", "DLP is negative (-196.01)"),
    (dict(SPIRAL_SCAN, dlp="1e300"), "dlp", "DLP has an implausible value (1e+300)"),
])
def test_philips_doses_that_are_not_doses_are_not_stored_and_named(scan, field, message):
    record = dispatch.extract(philips_page([scan, SPIRAL_SCAN]))
    odd, good = record["ctradiationdose_set"][0]["ctirradiationeventdata_set"]
    assert odd[field] is None and good[field] is not None
    other = {"dlp": "mean_ctdivol", "mean_ctdivol": "dlp"}[field]
    assert odd[other] == good[other]
    assert f"{message}: not stored" in record["_meta"]["warnings"]


def test_philips_page_without_exposure_dose_sequence():
    ds = philips_page([])
    del ds.ExposureDoseSequence
    with pytest.raises(ExtractionError, match="Exposure Dose Sequence"):
        dispatch.extract(ds)
