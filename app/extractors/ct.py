"""CT Radiation Dose reports (PS3.16 TID 10011) as study records.

The report root holds the procedure, the observer context, the scope of accumulation, one
CT Accumulated Dose Data container (TID 10012) and one CT Acquisition container per irradiation
event (TID 10013, with TID 10014 Scanning Length and TID 10015 CT Dose Check Details inside).
Each container is read once through its children, looked up by concept code, so items may come
in any order and any optional item may be missing. Numbers are converted from the unit each
item carries to the unit Kerma stores (docs/architecture.md).
"""
import re
import uuid

from pydicom.sr.codedict import codes

from . import participants
from .common import header_record, meta
from .errors import ExtractionError
from .sr import Children, ContentItem

_DCM = codes.DCM

# TID 10011 CT Radiation Dose (root) -------------------------------------------------------
PROCEDURE_REPORTED = _DCM.ProcedureReported.value  # 121058
START_OF_XRAY_IRRADIATION = _DCM.StartOfXRayIrradiation.value  # 113809
END_OF_XRAY_IRRADIATION = _DCM.EndOfXRayIrradiation.value  # 113810
SCOPE_OF_ACCUMULATION = _DCM.ScopeOfAccumulation.value  # 113705
SOURCE_OF_DOSE_INFORMATION = _DCM.SourceOfDoseInformation.value  # 113854
COMMENT = _DCM.Comment.value  # 121106
CT_ACCUMULATED_DOSE_DATA = _DCM.CTAccumulatedDoseData.value  # 113811
CT_ACQUISITION = _DCM.CTAcquisition.value  # 113819

# SNOMED concepts are sent with their SNOMED CT identifier or with the retired SNOMED-RT code
# that older reports use (PS3.16 Annex O lists both); either identifies the concept.
HAS_INTENT = (codes.SCT.HasIntent.value, "G-C0E8")  # 363703001
PROCEDURE_CONTEXT = (codes.SCT.ProcedureContext.value, "G-C32C")  # 408730004
MEASUREMENT_METHOD = (codes.SCT.MeasurementMethod.value, "G-C036")  # 370129005
YES = (codes.SCT.Yes.value, "R-0038D")  # 373066001
NO = (codes.SCT.No.value, "R-00339")  # 373067005

# TID 10012 CT Accumulated Dose Data --------------------------------------------------------
TOTAL_NUMBER_OF_IRRADIATION_EVENTS = _DCM.TotalNumberOfIrradiationEvents.value  # 113812
CT_DOSE_LENGTH_PRODUCT_TOTAL = _DCM.CTDoseLengthProductTotal.value  # 113813
CT_EFFECTIVE_DOSE_TOTAL = _DCM.CTEffectiveDoseTotal.value  # 113814
REFERENCE_AUTHORITY = _DCM.ReferenceAuthority.value  # 121406
PATIENT_MODEL = _DCM.PatientModel.value  # 113815
CONDITION_EFFECTIVE_DOSE_MEASURED = _DCM.ConditionEffectiveDoseMeasured.value  # 113816
EFFECTIVE_DOSE_PHANTOM_TYPE = _DCM.EffectiveDosePhantomType.value  # 113817
DOSIMETER_TYPE = _DCM.DosimeterType.value  # 113818

# TID 10013 CT Irradiation Event Data -------------------------------------------------------
ACQUISITION_PROTOCOL = _DCM.AcquisitionProtocol.value  # 125203
TARGET_REGION = _DCM.TargetRegion.value  # 123014
CT_ACQUISITION_TYPE = _DCM.CTAcquisitionType.value  # 113820
RECONSTRUCTION_ALGORITHM = _DCM.ReconstructionAlgorithm.value  # 113961
IRRADIATION_EVENT_UID = _DCM.IrradiationEventUID.value  # 113769
IRRADIATION_EVENT_LABEL = _DCM.IrradiationEventLabel.value  # 113605
LABEL_TYPE = _DCM.LabelType.value  # 113606
CT_ACQUISITION_PARAMETERS = _DCM.CTAcquisitionParameters.value  # 113822
EXPOSURE_TIME = _DCM.ExposureTime.value  # 113824
NOMINAL_SINGLE_COLLIMATION_WIDTH = _DCM.NominalSingleCollimationWidth.value  # 113826
NOMINAL_TOTAL_COLLIMATION_WIDTH = _DCM.NominalTotalCollimationWidth.value  # 113827
PITCH_FACTOR = _DCM.PitchFactor.value  # 113828
NUMBER_OF_XRAY_SOURCES = _DCM.NumberOfXRaySources.value  # 113823
CT_XRAY_SOURCE_PARAMETERS = _DCM.CTXRaySourceParameters.value  # 113831
IDENTIFICATION_OF_THE_XRAY_SOURCE = _DCM.IdentificationOfTheXRaySource.value  # 113832
KVP = _DCM.KVP.value  # 113733
MAXIMUM_XRAY_TUBE_CURRENT = _DCM.MaximumXRayTubeCurrent.value  # 113833
XRAY_TUBE_CURRENT = _DCM.XRayTubeCurrent.value  # 113734
EXPOSURE_TIME_PER_ROTATION = _DCM.ExposureTimePerRotation.value  # 113834
XRAY_FILTER_ALUMINUM_EQUIVALENT = _DCM.XRayFilterAluminumEquivalent.value  # 113821
CT_DOSE = _DCM.CTDose.value  # 113829
MEAN_CTDIVOL = _DCM.MeanCtdivol.value  # 113830
CTDIW_PHANTOM_TYPE = _DCM.CtdiwPhantomType.value  # 113835
CTDIFREEAIR_CALCULATION_FACTOR = _DCM.CtdifreeairCalculationFactor.value  # 113836
MEAN_CTDIFREEAIR = _DCM.MeanCtdifreeair.value  # 113837
DLP = _DCM.DLP.value  # 113838
EFFECTIVE_DOSE = _DCM.EffectiveDose.value  # 113839
EFFECTIVE_DOSE_CONVERSION_FACTOR = _DCM.EffectiveDoseConversionFactor.value  # 113840
XRAY_MODULATION_TYPE = _DCM.XRayModulationType.value  # 113842

# Size-specific dose estimation and water equivalent diameter (TID 10013, CP 1525)
SIZE_SPECIFIC_DOSE_ESTIMATE = _DCM.SizeSpecificDoseEstimate.value  # 113930
MEASURED_LATERAL_DIMENSION = _DCM.MeasuredLateralDimension.value  # 113931
MEASURED_AP_DIMENSION = _DCM.MeasuredAPDimension.value  # 113932
DERIVED_EFFECTIVE_DIAMETER = _DCM.DerivedEffectiveDiameter.value  # 113933
WATER_EQUIVALENT_DIAMETER = _DCM.WaterEquivalentDiameter.value  # 113980
# (113985, DCM, "Series or Instance used for Water Equivalent Diameter estimation")
WED_SERIES_OR_INSTANCE = "113985"
WED_Z_LOCATION = _DCM.ZValueOfLocationOfWaterEquivalentDiameterEstimation.value  # 113986

# TID 10014 Scanning Length -----------------------------------------------------------------
SCANNING_LENGTH = _DCM.ScanningLength.value  # 113825
LENGTH_OF_RECONSTRUCTABLE_VOLUME = _DCM.LengthOfReconstructableVolume.value  # 113893
EXPOSED_RANGE = _DCM.ExposedRange.value  # 113899
TOP_Z_RECONSTRUCTABLE_VOLUME = _DCM.TopZLocationOfReconstructableVolume.value  # 113895
BOTTOM_Z_RECONSTRUCTABLE_VOLUME = _DCM.BottomZLocationOfReconstructableVolume.value  # 113896
TOP_Z_SCANNING_LENGTH = _DCM.TopZLocationOfScanningLength.value  # 113897
BOTTOM_Z_SCANNING_LENGTH = _DCM.BottomZLocationOfScanningLength.value  # 113898
FRAME_OF_REFERENCE_UID = _DCM.FrameOfReferenceUID.value  # 112227

# TID 10015 CT Dose Check Details -----------------------------------------------------------
DOSE_CHECK_ALERT_DETAILS = _DCM.DoseCheckAlertDetails.value  # 113900
DLP_ALERT_VALUE_CONFIGURED = _DCM.DLPAlertValueConfigured.value  # 113901
CTDIVOL_ALERT_VALUE_CONFIGURED = _DCM.CtdivolAlertValueConfigured.value  # 113902
DLP_ALERT_VALUE = _DCM.DLPAlertValue.value  # 113903
CTDIVOL_ALERT_VALUE = _DCM.CtdivolAlertValue.value  # 113904
ACCUMULATED_DLP_FORWARD_ESTIMATE = _DCM.AccumulatedDLPForwardEstimate.value  # 113905
ACCUMULATED_CTDIVOL_FORWARD_ESTIMATE = _DCM.AccumulatedCtdivolForwardEstimate.value  # 113906
REASON_FOR_PROCEEDING = _DCM.ReasonForProceeding.value  # 113907
DOSE_CHECK_NOTIFICATION_DETAILS = _DCM.DoseCheckNotificationDetails.value  # 113908
DLP_NOTIFICATION_VALUE_CONFIGURED = _DCM.DLPNotificationValueConfigured.value  # 113909
CTDIVOL_NOTIFICATION_VALUE_CONFIGURED = _DCM.CtdivolNotificationValueConfigured.value  # 113910
DLP_NOTIFICATION_VALUE = _DCM.DLPNotificationValue.value  # 113911
CTDIVOL_NOTIFICATION_VALUE = _DCM.CtdivolNotificationValue.value  # 113912
DLP_FORWARD_ESTIMATE = _DCM.DLPForwardEstimate.value  # 113913
CTDIVOL_FORWARD_ESTIMATE = _DCM.CtdivolForwardEstimate.value  # 113914

# Stored units (docs/architecture.md) as UCUM codes; counts and ratios are dimensionless.
MGY, MGY_CM, MM, S, KV, MA, MSV = "mGy", "mGy.cm", "mm", "s", "kV", "mA", "mSv"
COUNT = RATIO = "1"
CTDIFREEAIR_FACTOR, EFFECTIVE_DOSE_FACTOR = "mGy/(mA.s)", "mSv/(mGy.cm)"

# How a negative value is treated: a negative dose or technique value is not stored, with a
# warning; z locations are signed by nature.
DOSE, SIZE, SIGNED = "dose", "size", "signed"

# Siemens scanners put the modulation type only into the event comment:
# "..., X-ray Modulation Type = XYZ, ..."
_SIEMENS_MODULATION = re.compile(r"X-ray Modulation Type\s*=\s*([^,]+)", re.IGNORECASE)


def extract_ct(ds, report: ContentItem) -> dict:
    """Study record from a TID 10011 CT Radiation Dose report whose root item is ``report``."""
    # Odd values anywhere in the content tree are noted in the report's own list.
    warnings = report.warnings
    record = header_record(ds, warnings)
    record["modality_type"] = "CT"
    reader = _Reader(ds, warnings)
    try:
        dose = reader.radiation_dose(report.children)
    except (AttributeError, TypeError, ValueError, KeyError, IndexError) as exc:
        # pydicom hands back whatever a malformed object holds (a string where a sequence
        # belongs, an item without its value): such a tree cannot be read.
        raise ExtractionError(
            f"the CT dose report's content tree is malformed near {reader.where} "
            f"({type(exc).__name__}: {exc})"
        ) from None
    record["ctradiationdose_set"] = [dose]
    device_observer_uid = next(
        (row["device_observer_uid"] for row in dose["observercontext_set"]
         if row.get("device_observer_uid")),
        None,
    ) or report.children.uid(participants.DEVICE_OBSERVER_UID)
    record["_meta"] = meta(
        ds, "rdsr", warnings, device_observer_uid=device_observer_uid, template="10011"
    )
    return record


class _Reader:
    """Walks one report, collecting warnings and remembering where it is for error messages."""

    def __init__(self, ds, warnings):
        self.ds = ds
        self.warnings = warnings
        self.where = "the report root"

    # TID 10011 ------------------------------------------------------------------------------
    def radiation_dose(self, root: Children) -> dict:
        procedure = root.first(PROCEDURE_REPORTED)
        intent = _first_of(procedure.children, HAS_INTENT) if procedure else None
        intent = intent or _first_of(root, HAS_INTENT)
        scope = root.first(SCOPE_OF_ACCUMULATION)
        uid_item = next((item for item in scope.children if item.value_type == "UIDREF"),
                        None) if scope else None
        sources = [item.code() for item in root.all(SOURCE_OF_DOSE_INFORMATION)]
        sources = [source for source in sources if source]
        dose = {
            "procedure_reported": procedure.code() if procedure else None,
            "has_intent": intent.code() if intent else None,
            "start_of_xray_irradiation": root.datetime(START_OF_XRAY_IRRADIATION),
            "end_of_xray_irradiation": root.datetime(END_OF_XRAY_IRRADIATION),
            "scope_of_accumulation": scope.code() if scope else None,
            "uid_type": uid_item.concept if uid_item else None,
            "comment": root.text(COMMENT),
            # One source fills the column, as OpenREM stores it; the list keeps them all when
            # a report names several (the concept is 1-n).
            "source_of_dose_information": sources[0] if sources else None,
            "sourceofctdoseinformation_set": [
                {"source_of_dose_information": source} for source in sources
            ] if len(sources) > 1 else [],
            "observercontext_set": participants.observer_contexts(root),
            "personparticipant_set": participants.person_participants(root),
        }
        self.where = "the CT Accumulated Dose Data"
        dose["ctaccumulateddosedata_set"] = [
            self.accumulated(item.children) for item in root.all(CT_ACCUMULATED_DOSE_DATA)
        ]
        if not dose["ctaccumulateddosedata_set"]:
            self.warnings.append("the CT dose report has no CT Accumulated Dose Data")
        events = []
        for index, item in enumerate(root.all(CT_ACQUISITION), start=1):
            self.where = f"irradiation event {index}"
            events.append(self.event(item.children, index))
        dose["ctirradiationeventdata_set"] = events
        if not events:
            self.warnings.append("the CT dose report holds no irradiation events")
        return dose

    # TID 10012 ------------------------------------------------------------------------------
    def accumulated(self, items: Children) -> dict:
        effective = items.first(CT_EFFECTIVE_DOSE_TOTAL)
        about = effective.children if effective else Children(())
        authority = about.first(REFERENCE_AUTHORITY)
        condition = about.first(CONDITION_EFFECTIVE_DOSE_MEASURED)
        condition = condition.children if condition else Children(())
        method = _first_of(about, MEASUREMENT_METHOD)
        return {
            "total_number_of_irradiation_events": self.count(
                items.first(TOTAL_NUMBER_OF_IRRADIATION_EVENTS)),
            "ct_dose_length_product_total": self.number(
                items.first(CT_DOSE_LENGTH_PRODUCT_TOTAL), MGY_CM, DOSE),
            "ct_effective_dose_total": self.number(effective, MSV, DOSE),
            "reference_authority_code": authority.code()
            if authority and authority.value_type == "CODE" else None,
            "reference_authority_text": authority.text()
            if authority and authority.value_type != "CODE" else None,
            "measurement_method": method.code() if method else None,
            "patient_model": about.text(PATIENT_MODEL),
            "effective_dose_phantom_type": condition.text(EFFECTIVE_DOSE_PHANTOM_TYPE),
            "dosimeter_type": condition.text(DOSIMETER_TYPE),
            "comment": items.text(COMMENT),
            "deviceparticipant_set": participants.device_participants(items),
            "personparticipant_set": participants.person_participants(items),
        }

    # TID 10013 ------------------------------------------------------------------------------
    def event(self, items: Children, index: int) -> dict:
        acquisition_type = items.first(CT_ACQUISITION_TYPE)
        label = items.first(IRRADIATION_EVENT_LABEL)
        parameters = items.first(CT_ACQUISITION_PARAMETERS)
        parameters = parameters.children if parameters else Children(())
        dose = items.first(CT_DOSE)
        dose = dose.children if dose else Children(())
        effective = dose.first(EFFECTIVE_DOSE)
        effective_about = effective.children if effective else Children(())
        method = _first_of(effective_about, MEASUREMENT_METHOD)
        comment = items.text(COMMENT)
        modulation = items.text(XRAY_MODULATION_TYPE)
        if modulation is None and comment:
            match = _SIEMENS_MODULATION.search(comment)
            if match:
                modulation = match.group(1).strip() or None
        # Reconstruction Algorithm qualifies the CT Acquisition Type (row 4b); a few devices
        # put it beside it instead.
        algorithms = (acquisition_type.children.all(RECONSTRUCTION_ALGORITHM)
                      if acquisition_type else []) + items.all(RECONSTRUCTION_ALGORITHM)
        procedure_context = _first_of(items, PROCEDURE_CONTEXT)
        event = {
            "acquisition_protocol": items.text(ACQUISITION_PROTOCOL),
            "target_region": items.code(TARGET_REGION),
            "ct_acquisition_type": acquisition_type.code() if acquisition_type else None,
            "procedure_context": procedure_context.code() if procedure_context else None,
            "irradiation_event_uid": self.event_uid(items, index),
            "irradiation_event_label": label.text() if label else None,
            "label_type": label.children.code(LABEL_TYPE) if label else None,
            "exposure_time": self.number(parameters.first(EXPOSURE_TIME), S),
            "nominal_single_collimation_width": self.number(
                parameters.first(NOMINAL_SINGLE_COLLIMATION_WIDTH), MM),
            "nominal_total_collimation_width": self.number(
                parameters.first(NOMINAL_TOTAL_COLLIMATION_WIDTH), MM),
            "pitch_factor": self.number(parameters.first(PITCH_FACTOR), RATIO),
            "number_of_xray_sources": self.count(parameters.first(NUMBER_OF_XRAY_SOURCES)),
            "mean_ctdivol": self.number(dose.first(MEAN_CTDIVOL), MGY, DOSE),
            "ctdiw_phantom_type": dose.code(CTDIW_PHANTOM_TYPE),
            "ctdifreeair_calculation_factor": self.number(
                dose.first(CTDIFREEAIR_CALCULATION_FACTOR), CTDIFREEAIR_FACTOR),
            "mean_ctdifreeair": self.number(dose.first(MEAN_CTDIFREEAIR), MGY, DOSE),
            "dlp": self.number(dose.first(DLP), MGY_CM, DOSE),
            "effective_dose": self.number(effective, MSV, DOSE),
            "measurement_method": method.code() if method else None,
            "effective_dose_conversion_factor": self.number(
                effective_about.first(EFFECTIVE_DOSE_CONVERSION_FACTOR), EFFECTIVE_DOSE_FACTOR),
            "xray_modulation_type": modulation,
            "comment": comment,
            "ctreconstructionalgorithm_set": [
                {"reconstruction_algorithm": code}
                for code in (item.code() for item in algorithms) if code
            ],
            "ctxraysourceparameters_set": [
                self.source(item.children) for item in parameters.all(CT_XRAY_SOURCE_PARAMETERS)
            ],
            "scanninglength_set": self.scanning_length(parameters),
            "sizespecificdoseestimation_set": self.size_specific(dose, items),
            "ctdosecheckdetails_set": self.dose_check(dose, items),
            "deviceparticipant_set": participants.device_participants(items),
            "personparticipant_set": participants.person_participants(items),
        }
        return event

    def event_uid(self, items: Children, index: int) -> str:
        """The event's UID; one derived from the SOP Instance UID when the device sent none.

        Duplicate and cumulative-report handling compares event UIDs, so every event needs
        one, and the same object must always get the same UID.
        """
        uid = items.uid(IRRADIATION_EVENT_UID)
        if uid:
            return uid
        sop_uid = str(self.ds.get("SOPInstanceUID", "") or self.ds.get("StudyInstanceUID", ""))
        # A name-based UUID as a UID under the 2.25 root (PS3.5 B.2): same input, same UID.
        name = f"{sop_uid}/CT irradiation event/{index}"
        uid = f"2.25.{uuid.uuid5(uuid.NAMESPACE_OID, name).int}"
        self.warnings.append(
            f"irradiation event {index} has no Irradiation Event UID; "
            f"{uid} was derived from the SOP Instance UID"
        )
        return uid

    def source(self, items: Children) -> dict:
        """One CT X-Ray Source Parameters row; a dual-source scanner reports two."""
        return {
            "identification_of_the_xray_source": items.text(IDENTIFICATION_OF_THE_XRAY_SOURCE),
            "kvp": self.number(items.first(KVP), KV),
            "maximum_xray_tube_current": self.number(items.first(MAXIMUM_XRAY_TUBE_CURRENT), MA),
            "xray_tube_current": self.number(items.first(XRAY_TUBE_CURRENT), MA),
            "exposure_time_per_rotation": self.number(
                items.first(EXPOSURE_TIME_PER_ROTATION), S),
            "xray_filter_aluminum_equivalent": self.number(
                items.first(XRAY_FILTER_ALUMINUM_EQUIVALENT), MM),
        }

    # TID 10014 ------------------------------------------------------------------------------
    def scanning_length(self, parameters: Children) -> list[dict]:
        row = {
            "scanning_length": self.number(parameters.first(SCANNING_LENGTH), MM),
            "length_of_reconstructable_volume": self.number(
                parameters.first(LENGTH_OF_RECONSTRUCTABLE_VOLUME), MM),
            "exposed_range": self.number(parameters.first(EXPOSED_RANGE), MM),
            "top_z_location_of_reconstructable_volume": self.number(
                parameters.first(TOP_Z_RECONSTRUCTABLE_VOLUME), MM, SIGNED),
            "bottom_z_location_of_reconstructable_volume": self.number(
                parameters.first(BOTTOM_Z_RECONSTRUCTABLE_VOLUME), MM, SIGNED),
            "top_z_location_of_scanning_length": self.number(
                parameters.first(TOP_Z_SCANNING_LENGTH), MM, SIGNED),
            "bottom_z_location_of_scanning_length": self.number(
                parameters.first(BOTTOM_Z_SCANNING_LENGTH), MM, SIGNED),
            "frame_of_reference_uid": parameters.uid(FRAME_OF_REFERENCE_UID),
        }
        return [row] if any(value is not None for value in row.values()) else []

    # Size-specific dose estimates ----------------------------------------------------------------
    def size_specific(self, dose: Children, event: Children) -> list[dict]:
        """One row per Size Specific Dose Estimate, with the patient size it was derived from.

        The sizes (lateral, AP, effective and water equivalent diameters) are the items the
        estimate is inferred from, so they sit below it. A water equivalent diameter reported
        without an estimate still makes a row.
        """
        rows = [self.ssde_row(item, item.children)
                for item in dose.all(SIZE_SPECIFIC_DOSE_ESTIMATE) + event.all(
                    SIZE_SPECIFIC_DOSE_ESTIMATE)]
        if not rows:
            lone = dose.all(WATER_EQUIVALENT_DIAMETER) or event.all(WATER_EQUIVALENT_DIAMETER)
            if lone:
                rows.append(self.ssde_row(None, dose if dose.all(WATER_EQUIVALENT_DIAMETER)
                                          else event))
        return rows

    def ssde_row(self, estimate: ContentItem | None, about: Children) -> dict:
        method = _first_of(about, MEASUREMENT_METHOD) if estimate else None
        wed = about.first(WATER_EQUIVALENT_DIAMETER)
        wed_about = wed.children if wed else Children(())
        wed_method = _first_of(wed_about, MEASUREMENT_METHOD)
        return {
            "size_specific_dose_estimate": self.number(estimate, MGY, DOSE),
            "measurement_method": method.code() if method else None,
            "measured_lateral_dimension": self.number(about.first(MEASURED_LATERAL_DIMENSION), MM),
            "measured_ap_dimension": self.number(about.first(MEASURED_AP_DIMENSION), MM),
            "derived_effective_diameter": self.number(about.first(DERIVED_EFFECTIVE_DIAMETER), MM),
            "water_equivalent_diameter": self.number(wed, MM),
            "water_equivalent_diameter_method": wed_method.code() if wed_method else None,
            "wed_estimate_location_z": self.number(wed_about.first(WED_Z_LOCATION), MM, SIGNED),
            "wedseriesorinstances_set": [
                {"wed_series_or_instance": uid}
                for uid in (_referenced_uid(item) for item in wed_about.all(WED_SERIES_OR_INSTANCE))
                if uid
            ],
        }

    # TID 10015 ------------------------------------------------------------------------------
    def dose_check(self, dose: Children, event: Children) -> list[dict]:
        """CT Dose Check Details: the alert and notification containers make one row."""
        alert = dose.first(DOSE_CHECK_ALERT_DETAILS) or event.first(DOSE_CHECK_ALERT_DETAILS)
        notification = (dose.first(DOSE_CHECK_NOTIFICATION_DETAILS)
                        or event.first(DOSE_CHECK_NOTIFICATION_DETAILS))
        if alert is None and notification is None:
            return []
        a = alert.children if alert else Children(())
        n = notification.children if notification else Children(())
        return [{
            "dlp_alert_value_configured": _yes_no(a.first(DLP_ALERT_VALUE_CONFIGURED)),
            "ctdivol_alert_value_configured": _yes_no(a.first(CTDIVOL_ALERT_VALUE_CONFIGURED)),
            "dlp_alert_value": self.number(a.first(DLP_ALERT_VALUE), MGY_CM, DOSE),
            "ctdivol_alert_value": self.number(a.first(CTDIVOL_ALERT_VALUE), MGY, DOSE),
            "accumulated_dlp_forward_estimate": self.number(
                a.first(ACCUMULATED_DLP_FORWARD_ESTIMATE), MGY_CM, DOSE),
            "accumulated_ctdivol_forward_estimate": self.number(
                a.first(ACCUMULATED_CTDIVOL_FORWARD_ESTIMATE), MGY, DOSE),
            "alert_reason_for_proceeding": a.text(REASON_FOR_PROCEEDING),
            "dlp_notification_value_configured": _yes_no(
                n.first(DLP_NOTIFICATION_VALUE_CONFIGURED)),
            "ctdivol_notification_value_configured": _yes_no(
                n.first(CTDIVOL_NOTIFICATION_VALUE_CONFIGURED)),
            "dlp_notification_value": self.number(n.first(DLP_NOTIFICATION_VALUE), MGY_CM, DOSE),
            "ctdivol_notification_value": self.number(
                n.first(CTDIVOL_NOTIFICATION_VALUE), MGY, DOSE),
            "dlp_forward_estimate": self.number(n.first(DLP_FORWARD_ESTIMATE), MGY_CM, DOSE),
            "ctdivol_forward_estimate": self.number(n.first(CTDIVOL_FORWARD_ESTIMATE), MGY, DOSE),
            "notification_reason_for_proceeding": n.text(REASON_FOR_PROCEEDING),
            "tid1020_alert": participants.person_participants(a),
            "tid1020_notification": participants.person_participants(n),
        }]

    # Values ---------------------------------------------------------------------------------
    def number(self, item: ContentItem | None, unit: str, kind: str = SIZE):
        """A NUM item's value in ``unit``, checked for sense according to its kind.

        A value that cannot be read (not a number, a negative dose, a unit that is not one of
        the quantity's) is noted and read as absent; so is a negative length or time.
        """
        if item is None:
            return None
        value = item.number(unit, nonnegative=kind == DOSE, where=self.where)
        if value is not None and value < 0 and kind == SIZE:
            item.warn(f"{_name(item)} in {self.where} is negative ({value:g}): not stored")
            return None
        return value

    def count(self, item: ContentItem | None) -> int | None:
        """A NUM item holding a count (events, X-ray sources) as an int."""
        value = self.number(item, COUNT)
        if value is None:
            return None
        if value != int(value):
            item.warn(f"{_name(item)} in {self.where} is not a whole number ({value:g})")
        return int(round(value))


def _first_of(children: Children, concepts) -> ContentItem | None:
    """The first item with any of the given codes for one concept."""
    for concept in concepts:
        item = children.first(concept)
        if item is not None:
            return item
    return None


def _yes_no(item: ContentItem | None) -> bool | None:
    """A Yes/No coded answer (CID 230) as a bool."""
    if item is None:
        return None
    code = item.code()
    if code is None:
        return None
    if code.code_value in YES:
        return True
    if code.code_value in NO:
        return False
    meaning = (code.code_meaning or "").strip().lower()
    return {"yes": True, "no": False}.get(meaning)


def _referenced_uid(item: ContentItem) -> str | None:
    """A UIDREF's value, or the SOP Instance UID an IMAGE or COMPOSITE item references."""
    uid = item.uid()
    if uid:
        return uid
    referenced = item.ds.get("ReferencedSOPSequence")
    if referenced:
        return str(referenced[0].get("ReferencedSOPInstanceUID", "")).strip() or None
    return None


def _name(item: ContentItem) -> str:
    concept = item.concept
    if concept is None:
        return "a content item"
    return f"'{concept.code_meaning or concept.code_value}'"

