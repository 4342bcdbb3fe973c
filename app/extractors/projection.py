"""TID 10001 Projection X-Ray Radiation Dose: fluoroscopy, radiography and mammography RDSRs.

The report holds one Accumulated X-Ray Dose container per acquisition plane (TID 10002) and
one Irradiation Event X-Ray Data container per event and plane (TID 10003, whose detector,
source and mechanical parts, TIDs 10003a/b/c, are included as siblings in the same
container). Large fluoroscopy reports carry thousands of events, so each container's children
are read once and looked up by concept; nothing else below them is parsed.

The Siemens Arcadis Varic summary, an Enhanced SR with the vendor's own codes, is read here
too (``extract_arcadis_summary``).
"""
import uuid
import xml.etree.ElementTree as ElementTree

from pydicom.sr.codedict import codes

from .codes import Code
from .common import header_record, meta
from .errors import ExtractionError, ExtractorError
from .rdsr import ARCADIS_SUMMARY
from .participants import (
    device_participants,
    observer_contexts,
    person_participants,
)
from .sr import Children, ContentItem
from .units import convert

DCM = codes.DCM

# TID 10001 --------------------------------------------------------------------------------
PROCEDURE_REPORTED = DCM.ProcedureReported.value  # 121058
HAS_INTENT = ("G-C0E8", codes.SCT.HasIntent.value)  # SRT and its SNOMED CT successor
ACQUISITION_DEVICE_TYPE = DCM.AcquisitionDeviceType.value  # 122142
SCOPE_OF_ACCUMULATION = DCM.ScopeOfAccumulation.value  # 113705
DETECTOR_DATA_AVAILABLE = DCM.XRayDetectorDataAvailable.value  # 113945
SOURCE_DATA_AVAILABLE = DCM.XRaySourceDataAvailable.value  # 113943
MECHANICAL_DATA_AVAILABLE = DCM.XRayMechanicalDataAvailable.value  # 113944
COMMENT = DCM.Comment.value  # 121106
SOURCE_OF_DOSE_INFORMATION = DCM.SourceOfDoseInformation.value  # 113854
ACCUMULATED_XRAY_DOSE = DCM.AccumulatedXRayDoseData.value  # 113702
IRRADIATION_EVENT = DCM.IrradiationEventXRayData.value  # 113706

PROJECTION_XRAY = DCM.ProjectionXRay.value  # 113704
MAMMOGRAPHY = ("P5-40010", "71651007")  # SRT and SNOMED CT
FLUOROSCOPY_GUIDED = DCM.FluoroscopyGuidedProjectionRadiographySystem.value  # 113957
INTEGRATED = DCM.IntegratedProjectionRadiographySystem.value  # 113958
CASSETTE_BASED = DCM.CassetteBasedProjectionRadiographySystem.value  # 113959

# TID 10002 and the accumulation templates it includes (10004, 10005, 10006, 10007) --------
ACQUISITION_PLANE = DCM.AcquisitionPlane.value  # 113764
SINGLE_PLANE = Code(DCM.SinglePlane.value, "Single Plane", "DCM")  # 113622
CALIBRATION = DCM.Calibration.value  # 122505
DOSE_MEASUREMENT_DEVICE = DCM.DoseMeasurementDevice.value  # 113794
CALIBRATION_DATE = DCM.CalibrationDatetime.value  # 113723
CALIBRATION_FACTOR = DCM.CalibrationFactor.value  # 122322
CALIBRATION_UNCERTAINTY = DCM.CalibrationUncertainty.value  # 113763
CALIBRATION_RESPONSIBLE_PARTY = DCM.CalibrationResponsibleParty.value  # 113724
DOSE_AREA_PRODUCT_TOTAL = DCM.DoseAreaProductTotal.value  # 113722
DOSE_RP_TOTAL = DCM.DoseRPTotal.value  # 113725
FLUORO_DAP_TOTAL = DCM.FluoroDoseAreaProductTotal.value  # 113726
FLUORO_DOSE_RP_TOTAL = DCM.FluoroDoseRPTotal.value  # 113728
TOTAL_FLUORO_TIME = DCM.TotalFluoroTime.value  # 113730
ACQUISITION_DAP_TOTAL = DCM.AcquisitionDoseAreaProductTotal.value  # 113727
ACQUISITION_DOSE_RP_TOTAL = DCM.AcquisitionDoseRPTotal.value  # 113729
TOTAL_ACQUISITION_TIME = DCM.TotalAcquisitionTime.value  # 113855
TOTAL_RADIOGRAPHIC_FRAMES = DCM.TotalNumberOfRadiographicFrames.value  # 113731
REFERENCE_POINT_DEFINITION = DCM.ReferencePointDefinition.value  # 113780
ACCUMULATED_AGD = DCM.AccumulatedAverageGlandularDose.value  # 111637
DETECTOR_TYPE = DCM.DetectorType.value  # 113947
LATERALITY = ("G-C171", codes.SCT.Laterality.value)

# TID 10003 --------------------------------------------------------------------------------
IRRADIATION_EVENT_UID = DCM.IrradiationEventUID.value  # 113769
IRRADIATION_EVENT_LABEL = DCM.IrradiationEventLabel.value  # 113605
LABEL_TYPE = DCM.LabelType.value  # 113606
DATETIME_STARTED = DCM.DatetimeStarted.value  # 111526
IRRADIATION_EVENT_TYPE = DCM.IrradiationEventType.value  # 113721
ACQUISITION_PROTOCOL = DCM.AcquisitionProtocol.value  # 125203
ANATOMICAL_STRUCTURE = ("T-D0005", codes.SCT.AnatomicalStructure.value)
IMAGE_VIEW = DCM.ImageView.value  # 111031
IMAGE_VIEW_MODIFIER = DCM.ImageViewModifier.value  # 111032
PROJECTION_EPONYMOUS_NAME = DCM.ProjectionEponymousName.value  # 113946
PATIENT_TABLE_RELATIONSHIP = DCM.PatientTableRelationship.value  # 113745
PATIENT_ORIENTATION = DCM.PatientOrientation.value  # 113743
PATIENT_ORIENTATION_MODIFIER = DCM.PatientOrientationModifier.value  # 113744
TARGET_REGION = DCM.TargetRegion.value  # 123014
DOSE_AREA_PRODUCT = DCM.DoseAreaProduct.value  # 122130
HALF_VALUE_LAYER = DCM.HalfValueLayer.value  # 111634
PATIENT_EQUIVALENT_THICKNESS = DCM.PatientEquivalentThickness.value  # 111638
ENTRANCE_EXPOSURE_AT_RP = DCM.EntranceExposureAtRP.value  # 111636
BREAST_COMPOSITION = DCM.BreastComposition.value  # 111006
PERCENT_FIBROGLANDULAR_TISSUE = DCM.PercentFibroglandularTissue.value  # 111046

# TID 10003a detector data
EXPOSURE_INDEX = DCM.ExposureIndex.value  # 113845
TARGET_EXPOSURE_INDEX = DCM.TargetExposureIndex.value  # 113846
DEVIATION_INDEX = DCM.DeviationIndex.value  # 113847

# TID 10003b source data
DOSE_RP = DCM.DoseRP.value  # 113738
AVERAGE_GLANDULAR_DOSE = DCM.AverageGlandularDose.value  # 111631
FLUORO_MODE = DCM.FluoroMode.value  # 113732
PULSE_RATE = DCM.PulseRate.value  # 113791
NUMBER_OF_PULSES = DCM.NumberOfPulses.value  # 113768
DERIVATION = DCM.Derivation.value  # 121401
IRRADIATION_DURATION = DCM.IrradiationDuration.value  # 113742
AVERAGE_TUBE_CURRENT = DCM.AverageXRayTubeCurrent.value  # 113767
# 113735 is the retired code for Exposure Time; older reports still send it.
EXPOSURE_TIME = (DCM.ExposureTime.value, "113735")  # 113824
FOCAL_SPOT_SIZE = DCM.FocalSpotSize.value  # 113766
ANODE_TARGET_MATERIAL = DCM.AnodeTargetMaterial.value  # 111632
COLLIMATED_FIELD_AREA = DCM.CollimatedFieldArea.value  # 113790
COLLIMATED_FIELD_HEIGHT = DCM.CollimatedFieldHeight.value  # 113788
COLLIMATED_FIELD_WIDTH = DCM.CollimatedFieldWidth.value  # 113789
XRAY_GRID = DCM.XRayGrid.value  # 111635
PULSE_WIDTH = DCM.PulseWidth.value  # 113793
KVP = DCM.KVP.value  # 113733
TUBE_CURRENT = DCM.XRayTubeCurrent.value  # 113734
EXPOSURE = DCM.Exposure.value  # 113736
XRAY_FILTERS = DCM.XRayFilters.value  # 113771
FILTER_TYPE = DCM.XRayFilterType.value  # 113772
FILTER_MATERIAL = DCM.XRayFilterMaterial.value  # 113757
FILTER_THICKNESS_MINIMUM = DCM.XRayFilterThicknessMinimum.value  # 113758
FILTER_THICKNESS_MAXIMUM = DCM.XRayFilterThicknessMaximum.value  # 113773

# TID 10003c mechanical data and CID 10008 dose related distance measurements
CRDR_MECHANICAL_CONFIGURATION = DCM.CRDRMechanicalConfiguration.value  # 113956
COMPRESSION_THICKNESS = DCM.CompressionThickness.value  # 111633
COMPRESSION_FORCE = DCM.CompressionForce.value  # 111647
COMPRESSION_PRESSURE = DCM.CompressionPressure.value  # 111648
COMPRESSION_CONTACT_AREA = DCM.CompressionContactArea.value  # 111649
ANGLES = {
    "positioner_primary_angle": DCM.PositionerPrimaryAngle.value,  # 112011
    "positioner_secondary_angle": DCM.PositionerSecondaryAngle.value,  # 112012
    "positioner_primary_end_angle": DCM.PositionerPrimaryEndAngle.value,  # 113739
    "positioner_secondary_end_angle": DCM.PositionerSecondaryEndAngle.value,  # 113740
    "column_angulation": DCM.ColumnAngulation.value,  # 113770
    "table_head_tilt_angle": DCM.TableHeadTiltAngle.value,  # 113754
    "table_horizontal_rotation_angle": DCM.TableHorizontalRotationAngle.value,  # 113755
    "table_cradle_tilt_angle": DCM.TableCradleTiltAngle.value,  # 113756
}
DISTANCE_SOURCE_TO_DETECTOR = DCM.DistanceSourceToDetector.value  # 113750
TABLE_HEIGHT_POSITION = DCM.TableHeightPosition.value  # 113753
DISTANCES = {
    "distance_source_to_isocenter": DCM.DistanceSourceToIsocenter.value,  # 113748
    "distance_source_to_reference_point": DCM.DistanceSourceToReferencePoint.value,  # 113737
    "distance_source_to_detector": DISTANCE_SOURCE_TO_DETECTOR,
    "table_longitudinal_position": DCM.TableLongitudinalPosition.value,  # 113751
    "table_lateral_position": DCM.TableLateralPosition.value,  # 113752
    "table_height_position": TABLE_HEIGHT_POSITION,
    "distance_source_to_table_plane": DCM.DistanceSourceToTablePlane.value,  # 113792
    "table_longitudinal_end_position": DCM.TableLongitudinalEndPosition.value,  # 113759
    "table_lateral_end_position": DCM.TableLateralEndPosition.value,  # 113760
    "table_height_end_position": DCM.TableHeightEndPosition.value,  # 113761
}

# Philips Allura Xper and Azurion private items (coding scheme 99PHI-IXR-XPER), from the
# vendor's DICOM conformance statement.
PHILIPS_SCHEME = "99PHI-IXR-XPER"
PHILIPS_NUMBER_OF_FRAMES = "003"
PHILIPS_WEDGES_AND_SHUTTERS = "005"
PHILIPS_SHUTTERS = {"bottom": "006", "left": "007", "right": "008", "top": "009"}
PHILIPS_TABLE_HEIGHT = "021"

# Siemens Arcadis Varic summary (99SMS_RADSUM): radiographic frames, fluoro time, DAP total.
ARCADIS_FRAMES, ARCADIS_FLUORO_TIME, ARCADIS_DAP_TOTAL = "C-200", "C-202", "C-204"
# The summary's DAP is read as Gy.cm2 when it carries no unit, the unit it is displayed in.
ARCADIS_DEFAULT_DAP_UNIT = "Gy.cm2"

# Siemens patient position codes written in the report comment, as table relationship,
# orientation and orientation modifier (CIDs 21, 19, 20).
HEAD_FIRST = Code("F-10470", "headfirst", "SRT")
FEET_FIRST = Code("F-10480", "feet-first", "SRT")
RECUMBENT = Code("F-10450", "recumbent", "SRT")
SUPINE = Code("F-10340", "supine", "SRT")
PRONE = Code("F-10310", "prone", "SRT")
SIEMENS_POSITIONS = {
    "HFS": (HEAD_FIRST, RECUMBENT, SUPINE),
    "HFP": (HEAD_FIRST, RECUMBENT, PRONE),
    "FFS": (FEET_FIRST, RECUMBENT, SUPINE),
    "FFP": (FEET_FIRST, RECUMBENT, PRONE),
}

# Stored units (docs/architecture.md). Exposure time and pulse width are kept in ms as the
# templates send them; durations and totals of time in s.
GY_M2, GY, MGY, MM, M2, S, MS = "Gy.m2", "Gy", "mGy", "mm", "m2", "s", "ms"
COUNT = "1"  # counts, indices and factors are dimensionless


def extract_projection(ds, report: ContentItem) -> dict:
    """Study record from a TID 10001 report (or the Siemens Arcadis summary)."""
    # Odd values anywhere in the content tree are noted in the report's own list.
    warnings = report.warnings
    record = header_record(ds, warnings)
    try:
        if _is_arcadis_summary(report):
            dose, modality = extract_arcadis_summary(report, warnings), "RF"
        else:
            model_name = record["generalequipmentmoduleattr_set"][0]["manufacturer_model_name"]
            reader = _ProjectionReport(ds, report, warnings, model_name)
            dose, modality = reader.read()
    except ExtractorError:
        raise
    except Exception as exc:  # pydicom and malformed trees raise assorted errors
        raise ExtractionError(
            f"its projection dose report is malformed ({type(exc).__name__}: {exc})"
        ) from None
    record["modality_type"] = modality
    record["projectionxrayradiationdose_set"] = [dose]
    record["_meta"] = meta(
        ds, "rdsr", warnings,
        device_observer_uid=_device_observer_uid(dose["observercontext_set"]),
        template="10001",
    )
    return record


def _is_arcadis_summary(report: ContentItem) -> bool:
    concept = report.concept
    return bool(concept and (concept.code_value, concept.coding_scheme_designator) == ARCADIS_SUMMARY)


def _device_observer_uid(observers: list[dict]) -> str | None:
    for observer in observers:
        if observer.get("device_observer_uid"):
            return observer["device_observer_uid"]
    return None


# Reading helpers -------------------------------------------------------------------------
def _first(children: Children, concepts) -> ContentItem | None:
    """First item of any of several equivalent concepts (e.g. an SRT code and its SCT twin)."""
    for concept in concepts:
        item = children.first(concept)
        if item is not None:
            return item
    return None


def _code_of(item: ContentItem | None) -> Code | None:
    return item.code() if item is not None else None


def _count(value: float | None) -> int | float | None:
    """A count as int when it is whole (counts are sent as DS, e.g. '27')."""
    if value is not None and value.is_integer():
        return int(value)
    return value


def _code_or_text(item: ContentItem | None) -> tuple[Code | None, str | None]:
    """(code, text) of an item the templates allow as either, e.g. Reference Point Definition."""
    if item is None:
        return None, None
    if item.value_type == "CODE":
        return item.code(), None
    return None, item.text()


def _private(children: Children, code_value: str) -> ContentItem | None:
    """A Philips private item, recognised by its coding scheme as well as its code."""
    for item in children.all(code_value):
        if item.concept.coding_scheme_designator == PHILIPS_SCHEME:
            return item
    return None


def _xml(text: str | None):
    """A vendor comment parsed as XML, or None. Entity declarations are refused."""
    if not text or not text.lstrip().startswith("<") or "<!" in text:
        return None
    try:
        return ElementTree.fromstring(text)
    except ElementTree.ParseError:
        return None


class _ProjectionReport:
    """One pass over a TID 10001 report."""

    def __init__(self, ds, report: ContentItem, warnings: list, model_name: str | None):
        self.ds = ds
        self.report = report
        self.warnings = warnings
        self.model_name = model_name or ""
        self.device_kind = None

    def read(self) -> tuple[dict, str]:
        children = self.report.children
        procedure_item = children.first(PROCEDURE_REPORTED)
        procedure = _code_of(procedure_item)
        has_intent = None
        if procedure_item is not None:
            has_intent = _code_of(_first(procedure_item.children, HAS_INTENT))
        device_type = children.code(ACQUISITION_DEVICE_TYPE)
        if not _is_mammography(procedure):
            self.device_kind = self._device_kind(device_type)
        templates = self._accumulation_templates(procedure)
        position = self._siemens_patient_position(children.all(COMMENT))

        accumulated = [self._accumulated(item, templates)
                       for item in children.all(ACCUMULATED_XRAY_DOSE)]
        sop_instance_uid = self.ds.get("SOPInstanceUID", "")
        events = [self._event(item, index, sop_instance_uid, position)
                  for index, item in enumerate(children.all(IRRADIATION_EVENT), start=1)]
        dose = {
            "procedure_reported": procedure,
            "has_intent": has_intent,
            "acquisition_device_type_cid": device_type,
            "scope_of_accumulation": children.code(SCOPE_OF_ACCUMULATION),
            "xray_detector_data_available": _flag(
                children, DETECTOR_DATA_AVAILABLE, "X-Ray Detector Data Available"),
            "xray_source_data_available": _flag(
                children, SOURCE_DATA_AVAILABLE, "X-Ray Source Data Available"),
            "xray_mechanical_data_available": _flag(
                children, MECHANICAL_DATA_AVAILABLE, "X-Ray Mechanical Data Available"),
            "comment": children.text(COMMENT),
            "source_of_dose_information": children.code(SOURCE_OF_DOSE_INFORMATION),
            "accumxraydose_set": accumulated,
            "irradeventxraydata_set": events,
            "observercontext_set": observer_contexts(children),
            "personparticipant_set": person_participants(children),
        }
        return dose, self._modality(procedure, accumulated)

    # Modality and the accumulation templates that apply (TID 10002 conditions) ----------
    def _device_kind(self, device_type: Code | None) -> str | None:
        """'fluoro', 'integrated', 'cassette' or None, from the Acquisition Device Type."""
        if device_type is None:
            return None
        meaning = device_type.code_meaning or ""
        # Philips Azurion reports itself as integrated radiography although it is a
        # fluoroscopy system (reported to OpenREM as its issue 673).
        if (device_type.code_value == FLUOROSCOPY_GUIDED or "Fluoroscopy-Guided" in meaning
                or "Azurion" in self.model_name):
            return "fluoro"
        if device_type.code_value == INTEGRATED or "Integrated" in meaning:
            return "integrated"
        if device_type.code_value == CASSETTE_BASED or "Cassette-based" in meaning:
            return "cassette"
        self.warnings.append(
            f"unknown Acquisition Device Type '{meaning or device_type.code_value}': "
            "read as if none were given"
        )
        return None

    def _accumulation_templates(self, procedure) -> set:
        """Which of TIDs 10004-10007 the accumulated containers hold, as TID 10002 says."""
        if _is_mammography(procedure):
            return {"mammography"}
        kind = self.device_kind
        if kind == "fluoro":
            # The Azurion, though sent as integrated, carries the fluoroscopy totals too.
            return {"fluoro", "integrated"}
        if kind == "integrated":
            return {"integrated"}
        if kind == "cassette":
            return {"cassette"}
        return {"fluoro", "integrated"}

    def _modality(self, procedure, accumulated) -> str:
        if _is_mammography(procedure):
            return "MG"
        kind = self.device_kind
        if kind == "fluoro":
            return "RF"
        if kind in ("integrated", "cassette"):
            return "DX"
        # No device type: a projection report with fluoroscopy is RF, one without is DX.
        for plane in accumulated:
            for totals in plane["accumprojxraydose_set"]:
                if totals.get("fluoro_dose_area_product_total") or totals.get("total_fluoro_time"):
                    return "RF"
        return "DX"

    # TID 10002 ---------------------------------------------------------------------------
    def _accumulated(self, container: ContentItem, templates: set) -> dict:
        children = container.children
        plane = {
            "acquisition_plane": children.code(ACQUISITION_PLANE),
            "calibration_set": [_calibration(item) for item in children.all(CALIBRATION)],
            "accumprojxraydose_set": [],
            "accummammographyxraydose_set": [],
            "accumcassettebsdprojradiogdose_set": [],
            "accumintegratedprojradiogdose_set": [],
            "deviceparticipant_set": device_participants(children),
        }
        if "fluoro" in templates:
            plane["accumprojxraydose_set"].append(_fluoro_and_acquisition_totals(children))
        if "mammography" in templates:
            plane["accummammographyxraydose_set"] = [
                _mammography_total(item) for item in children.all(ACCUMULATED_AGD)
            ]
        if "cassette" in templates:
            plane["accumcassettebsdprojradiogdose_set"].append({
                "detector_type": children.code(DETECTOR_TYPE),
                "total_number_of_radiographic_frames": _count(
                    children.number(TOTAL_RADIOGRAPHIC_FRAMES, COUNT, nonnegative=True)),
            })
        if "integrated" in templates:
            plane["accumintegratedprojradiogdose_set"].append(_integrated_totals(children))
        return plane

    # TID 10003 ---------------------------------------------------------------------------
    def _event(self, container: ContentItem, index: int, sop_instance_uid: str,
               position) -> dict:
        children = container.children
        event_uid = children.uid(IRRADIATION_EVENT_UID)
        if not event_uid:
            event_uid = generated_event_uid(sop_instance_uid, index)
            self.warnings.append(
                f"irradiation event {index} has no Irradiation Event UID: stored as {event_uid}"
            )
        label_item = children.first(IRRADIATION_EVENT_LABEL)
        anatomy_item = _first(children, ANATOMICAL_STRUCTURE)
        target_item = children.first(TARGET_REGION)
        view_item = children.first(IMAGE_VIEW)
        orientation_item = children.first(PATIENT_ORIENTATION)
        reference_code, reference_text = _code_or_text(children.first(REFERENCE_POINT_DEFINITION))
        composition_code, composition_text = _code_or_text(children.first(BREAST_COMPOSITION))
        comment = children.text(COMMENT)

        laterality = None
        for item in (anatomy_item, target_item):
            if laterality is None and item is not None:
                laterality = _code_of(_first(item.children, LATERALITY))
        if laterality is None:
            laterality = _code_of(_first(children, LATERALITY))

        table_relationship = children.code(PATIENT_TABLE_RELATIONSHIP)
        orientation = _code_of(orientation_item)
        orientation_modifier = None
        if orientation_item is not None:
            orientation_modifier = orientation_item.children.code(PATIENT_ORIENTATION_MODIFIER)
        if orientation_modifier is None:
            orientation_modifier = children.code(PATIENT_ORIENTATION_MODIFIER)
        if position and table_relationship is None and orientation is None:
            table_relationship, orientation, orientation_modifier = position

        modifiers, eponymous_name = [], None
        if view_item is not None:
            below = view_item.children
            modifiers = [{"image_view_modifier": item.code()}
                         for item in below.all(IMAGE_VIEW_MODIFIER)]
            eponymous_name = below.code(PROJECTION_EPONYMOUS_NAME)

        devices = device_participants(children)
        mechanical = _mechanical(children)
        return {
            "acquisition_plane": children.code(ACQUISITION_PLANE),
            "irradiation_event_uid": event_uid,
            "irradiation_event_label": label_item.text() if label_item else None,
            "label_type": label_item.children.code(LABEL_TYPE) if label_item else None,
            "date_time_started": children.datetime(DATETIME_STARTED),
            "irradiation_event_type": children.code(IRRADIATION_EVENT_TYPE),
            "acquisition_protocol": children.text(ACQUISITION_PROTOCOL),
            "anatomical_structure": _code_of(anatomy_item),
            "laterality": laterality,
            "image_view": _code_of(view_item),
            "projection_eponymous_name_cid": eponymous_name,
            "patient_table_relationship_cid": table_relationship,
            "patient_orientation_cid": orientation,
            "patient_orientation_modifier_cid": orientation_modifier,
            "target_region": _code_of(target_item),
            "dose_area_product": children.number(DOSE_AREA_PRODUCT, GY_M2, nonnegative=True),
            "half_value_layer": children.number(HALF_VALUE_LAYER, MM, nonnegative=True),
            "patient_equivalent_thickness": children.number(
                PATIENT_EQUIVALENT_THICKNESS, MM, nonnegative=True),
            "entrance_exposure_at_rp": children.number(
                ENTRANCE_EXPOSURE_AT_RP, MGY, nonnegative=True),
            "reference_point_definition": reference_code,
            "reference_point_definition_text": reference_text,
            "breast_composition": composition_text,
            "breast_composition_cid": composition_code,
            "percent_fibroglandular_tissue": children.number(PERCENT_FIBROGLANDULAR_TISSUE, "%"),
            "comment": comment,
            "imageviewmodifier_set": modifiers,
            "irradeventxraydetectordata_set": [_detector(children, devices)],
            "irradeventxraysourcedata_set": [
                _source(children, devices, reference_code, reference_text, comment, mechanical,
                        self.warnings)],
            "irradeventxraymechanicaldata_set": [mechanical],
            "personparticipant_set": person_participants(children),
        }

    def _siemens_patient_position(self, comments: list[ContentItem]):
        """Patient position that Siemens writes as XML into the report comment, if any."""
        for item in comments:
            root = _xml(item.text())
            position = root.find("PatientPosition/Position") if root is not None else None
            if position is not None:
                code = (position.get("SRData") or "").strip().upper()
                return SIEMENS_POSITIONS.get(code)
        return None


def _flag(children: Children, concept: str, meaning: str) -> Code | None:
    """One of the root's 'data available' flags (Yes/No).

    Hologic Selenia Dimensions sends X-Ray Detector Data Available under another concept's
    code value (113745) with the right meaning, so the meaning is the fallback.
    """
    item = children.first(concept)
    if item is None:
        wanted = meaning.lower()
        for candidate in children:
            if candidate.code_value in (IRRADIATION_EVENT, ACCUMULATED_XRAY_DOSE):
                continue
            name = candidate.concept
            if candidate.value_type == "CODE" and (name.code_meaning or "").lower() == wanted:
                item = candidate
                break
    return _code_of(item)


def _is_mammography(procedure: Code | None) -> bool:
    if procedure is None:
        return False
    return procedure.code_value in MAMMOGRAPHY or "Mammography" in (procedure.code_meaning or "")


def generated_event_uid(sop_instance_uid: str, index: int) -> str:
    """A stable UID for an event the report left without one: from the report and position.

    Importing the same report twice gives the same UIDs, so duplicate detection still works.
    """
    name = f"{sop_instance_uid}/irradiation-event/{index}"
    return f"2.25.{uuid.uuid5(uuid.NAMESPACE_OID, name).int}"


def _calibration(container: ContentItem) -> dict:
    children = container.children
    return {
        "dose_measurement_device": children.code(DOSE_MEASUREMENT_DEVICE),
        "calibration_date": children.datetime(CALIBRATION_DATE),
        "calibration_factor": children.number(CALIBRATION_FACTOR, COUNT),
        "calibration_uncertainty": children.number(CALIBRATION_UNCERTAINTY, "%"),
        "calibration_responsible_party": children.text(CALIBRATION_RESPONSIBLE_PARTY),
    }


def _fluoro_and_acquisition_totals(children: Children) -> dict:
    """TID 10004, read from the accumulated container's children."""
    reference_code, reference_text = _code_or_text(children.first(REFERENCE_POINT_DEFINITION))
    number = children.number
    return {
        "fluoro_dose_area_product_total": number(FLUORO_DAP_TOTAL, GY_M2, nonnegative=True),
        "fluoro_dose_rp_total": number(FLUORO_DOSE_RP_TOTAL, GY, nonnegative=True),
        "total_fluoro_time": number(TOTAL_FLUORO_TIME, S, nonnegative=True),
        "acquisition_dose_area_product_total": number(ACQUISITION_DAP_TOTAL, GY_M2, nonnegative=True),
        "acquisition_dose_rp_total": number(ACQUISITION_DOSE_RP_TOTAL, GY, nonnegative=True),
        "total_acquisition_time": number(TOTAL_ACQUISITION_TIME, S, nonnegative=True),
        "dose_area_product_total": number(DOSE_AREA_PRODUCT_TOTAL, GY_M2, nonnegative=True),
        "dose_rp_total": number(DOSE_RP_TOTAL, GY, nonnegative=True),
        "total_number_of_radiographic_frames": _count(
            number(TOTAL_RADIOGRAPHIC_FRAMES, COUNT, nonnegative=True)),
        "reference_point_definition": reference_text,
        "reference_point_definition_code": reference_code,
    }


def _integrated_totals(children: Children) -> dict:
    """TID 10007, read from the accumulated container's children."""
    reference_code, reference_text = _code_or_text(children.first(REFERENCE_POINT_DEFINITION))
    return {
        "dose_area_product_total": children.number(DOSE_AREA_PRODUCT_TOTAL, GY_M2, nonnegative=True),
        "dose_rp_total": children.number(DOSE_RP_TOTAL, GY, nonnegative=True),
        "total_number_of_radiographic_frames": _count(
            children.number(TOTAL_RADIOGRAPHIC_FRAMES, COUNT, nonnegative=True)),
        "reference_point_definition_code": reference_code,
        "reference_point_definition": reference_text,
    }


def _mammography_total(item: ContentItem) -> dict:
    """TID 10005: one accumulated AGD per breast, the laterality as its concept modifier."""
    return {
        "accumulated_average_glandular_dose": item.number(MGY, nonnegative=True),
        "laterality": _code_of(_first(item.children, LATERALITY)),
    }


def _detector(children: Children, devices: list[dict]) -> dict:
    """TID 10003a."""
    return {
        "exposure_index": children.number(EXPOSURE_INDEX, COUNT),
        "target_exposure_index": children.number(TARGET_EXPOSURE_INDEX, COUNT),
        "deviation_index": children.number(DEVIATION_INDEX, COUNT),
        "deviceparticipant_set": devices,
    }


def _source(children: Children, devices, reference_code, reference_text, comment,
            mechanical, warnings: list) -> dict:
    """TID 10003b, with the per-pulse and filter rows."""
    number = children.number
    derivation_code, derivation_text = _code_or_text(children.first(DERIVATION))
    number_of_pulses = number(NUMBER_OF_PULSES, COUNT, nonnegative=True)
    if number_of_pulses is None:
        frames = _private(children, PHILIPS_NUMBER_OF_FRAMES)
        number_of_pulses = frames.number(COUNT, nonnegative=True) if frames else None
    pulse_widths = _rows(children, PULSE_WIDTH, MS, "pulse_width")
    tube_currents = _rows(children, TUBE_CURRENT, "mA", "xray_tube_current")
    source = {
        "dose_rp": number(DOSE_RP, GY, nonnegative=True),
        "reference_point_definition": reference_text,
        "reference_point_definition_code": reference_code,
        "average_glandular_dose": number(AVERAGE_GLANDULAR_DOSE, MGY, nonnegative=True),
        "fluoro_mode": children.code(FLUORO_MODE),
        "pulse_rate": number(PULSE_RATE, "{pulse}/s", nonnegative=True),
        "number_of_pulses": number_of_pulses,
        "derivation": derivation_text,
        "derivation_cid": derivation_code,
        "irradiation_duration": number(IRRADIATION_DURATION, S, nonnegative=True),
        "average_xray_tube_current": number(AVERAGE_TUBE_CURRENT, "mA", nonnegative=True),
        "exposure_time": _first_number(children, EXPOSURE_TIME, MS),
        "focal_spot_size": number(FOCAL_SPOT_SIZE, MM, nonnegative=True),
        "anode_target_material": children.code(ANODE_TARGET_MATERIAL),
        "collimated_field_area": _size(children, COLLIMATED_FIELD_AREA, M2, warnings),
        "collimated_field_height": _size(children, COLLIMATED_FIELD_HEIGHT, MM, warnings),
        "collimated_field_width": _size(children, COLLIMATED_FIELD_WIDTH, MM, warnings),
        "ii_field_size": _siemens_ii_field_size(comment),
        "xraygrid_set": [{"xray_grid": item.code()} for item in children.all(XRAY_GRID)],
        "pulsewidth_set": pulse_widths,
        "kvp_set": _rows(children, KVP, "kV", "kvp"),
        "xraytubecurrent_set": tube_currents,
        "exposure_set": _rows(children, EXPOSURE, "uA.s", "exposure"),
        "xrayfilters_set": [_filter(item) for item in children.all(XRAY_FILTERS)],
        "deviceparticipant_set": devices,
    }
    _philips_collimation(children, source, mechanical)
    # Derived where the report leaves them out, as the stored values have always been:
    # exposure time from the pulses, average tube current from the per-pulse currents.
    if not source["exposure_time"] and number_of_pulses and pulse_widths:
        widths = [row["pulse_width"] for row in pulse_widths]
        source["exposure_time"] = sum(widths) / len(widths) * number_of_pulses
    if not source["average_xray_tube_current"] and tube_currents:
        currents = [row["xray_tube_current"] for row in tube_currents]
        source["average_xray_tube_current"] = sum(currents) / len(currents)
    return source


def _size(children: Children, concept: str, unit: str, warnings: list) -> float | None:
    """A field size; negative sizes (Philips Azurion sends some) are stored as unknown."""
    value = children.number(concept, unit)
    if value is not None and value < 0:
        message = "negative collimated field sizes are stored as unknown"
        if message not in warnings:
            warnings.append(message)
        return None
    return None if value is None else value + 0.0  # no negative zero


def _first_number(children: Children, concepts, unit: str) -> float | None:
    item = _first(children, concepts)
    return item.number(unit, nonnegative=True) if item else None


def _rows(children: Children, concept: str, unit: str, field: str) -> list[dict]:
    """One row per value: several items, or one item with one value per pulse."""
    return [{field: value}
            for item in children.all(concept)
            for value in item.numbers(unit, nonnegative=True)]


def _filter(container: ContentItem) -> dict:
    children = container.children
    return {
        "xray_filter_type": children.code(FILTER_TYPE),
        "xray_filter_material": children.code(FILTER_MATERIAL),
        "xray_filter_thickness_minimum": children.number(FILTER_THICKNESS_MINIMUM, MM, nonnegative=True),
        "xray_filter_thickness_maximum": children.number(FILTER_THICKNESS_MAXIMUM, MM, nonnegative=True),
    }


def _siemens_ii_field_size(comment: str | None) -> int | None:
    """Image intensifier diameter (mm) that Siemens writes as XML into the event comment."""
    root = _xml(comment)
    element = root.find("iiDiameter") if root is not None else None
    if element is None:
        return None
    try:
        return int(float((element.get("SRData") or "").strip()))
    except ValueError:
        return None


def _philips_collimation(children: Children, source: dict, mechanical: dict):
    """Field size from Philips shutter positions where the standard items are absent or zero.

    The shutters are given at 1 m from the focal spot, so they scale with the source to
    detector distance to give the field at the detector.
    """
    if source["collimated_field_area"] and source["collimated_field_height"] \
            and source["collimated_field_width"]:
        return
    shutters = _private(children, PHILIPS_WEDGES_AND_SHUTTERS)
    distance = mechanical["doserelateddistancemeasurements_set"][0]["distance_source_to_detector"]
    if shutters is None or not distance:
        return
    below = shutters.children
    positions = {}
    for side, code_value in PHILIPS_SHUTTERS.items():
        item = _private(below, code_value)
        positions[side] = item.number(MM) if item else None
    # Each dimension from its own pair of shutters: one unreadable position costs only the
    # dimension it belongs to (and the area).
    scale = distance / 1000
    height = _span(positions["left"], positions["right"], scale)
    width = _span(positions["top"], positions["bottom"], scale)
    if not source["collimated_field_height"] and height:
        source["collimated_field_height"] = height
    if not source["collimated_field_width"] and width:
        source["collimated_field_width"] = width
    if not source["collimated_field_area"] and height and width:
        source["collimated_field_area"] = height * width / 1e6


def _span(one: float | None, other: float | None, scale: float) -> float | None:
    """The field dimension between two opposite shutters, if both positions are known."""
    return (one + other) * scale if one and other else None


def _mechanical(children: Children) -> dict:
    """TID 10003c with its CID 10008 distances."""
    mechanical = {
        "crdr_mechanical_configuration": children.code(CRDR_MECHANICAL_CONFIGURATION),
        **{field: children.number(concept, "deg") for field, concept in ANGLES.items()},
        "compression_thickness": children.number(COMPRESSION_THICKNESS, MM, nonnegative=True),
        "compression_force": children.number(COMPRESSION_FORCE, "N", nonnegative=True),
        "compression_pressure": children.number(COMPRESSION_PRESSURE, "kPa", nonnegative=True),
        "compression_contact_area": children.number(COMPRESSION_CONTACT_AREA, "mm2", nonnegative=True),
    }
    distances = {field: children.number(concept, MM) for field, concept in DISTANCES.items()}
    if distances["table_height_position"] is None:
        # Allura Xper sends the table height only as a private item of the same meaning.
        private_height = _private(children, PHILIPS_TABLE_HEIGHT)
        if private_height is not None:
            distances["table_height_position"] = private_height.number(MM)
    mechanical["doserelateddistancemeasurements_set"] = [distances]
    return mechanical


# Siemens Arcadis Varic ----------------------------------------------------------------------
def extract_arcadis_summary(report: ContentItem, warnings: list) -> dict:
    """The radiation summary of a Siemens Arcadis Varic: totals only, no events."""
    children = report.children
    frames = children.first(ARCADIS_FRAMES)
    fluoro_time = children.first(ARCADIS_FLUORO_TIME)
    dap = children.first(ARCADIS_DAP_TOTAL)
    dap_total = None
    if dap is not None:
        if dap.unit():
            dap_total = dap.number(GY_M2, nonnegative=True)
        else:
            value = dap.number(nonnegative=True)
            if value is not None:
                dap_total = convert(value, ARCADIS_DEFAULT_DAP_UNIT, GY_M2)
                warnings.append("the Arcadis dose area product carries no unit: read as Gy.cm2")
    return {
        "procedure_reported": None,
        "has_intent": None,
        "acquisition_device_type_cid": None,
        "scope_of_accumulation": None,
        "xray_detector_data_available": None,
        "xray_source_data_available": None,
        "xray_mechanical_data_available": None,
        "comment": None,
        "source_of_dose_information": None,
        "accumxraydose_set": [{
            "acquisition_plane": SINGLE_PLANE,
            "calibration_set": [],
            "accumprojxraydose_set": [{
                "total_fluoro_time": fluoro_time.number(S, nonnegative=True) if fluoro_time else None,
            }],
            "accummammographyxraydose_set": [],
            "accumcassettebsdprojradiogdose_set": [],
            "accumintegratedprojradiogdose_set": [{
                "dose_area_product_total": dap_total,
                "total_number_of_radiographic_frames": _count(
                    frames.number(COUNT, nonnegative=True)) if frames else None,
            }],
            "deviceparticipant_set": [],
        }],
        "irradeventxraydata_set": [],
        "observercontext_set": observer_contexts(children),
        "personparticipant_set": [],
    }
