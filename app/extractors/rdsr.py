"""Radiation dose structured reports: recognise the template and hand over to its reader.

X-Ray Radiation Dose SRs carry TID 10011 (CT) or TID 10001 (projection X-ray); Enhanced SRs are
accepted only when their root concept says they are dose reports (GE CT, Siemens Arcadis);
Radiopharmaceutical Radiation Dose SRs carry TID 10021.
"""
from pydicom.sr.codedict import codes

from . import sop
from .common import attr, text
from .errors import ExtractionError, NotDoseObject
from .sr import root

XRAY_DOSE_REPORT = codes.DCM.XRayRadiationDoseReport.value  # 113701
RADIOPHARMACEUTICAL_DOSE_REPORT = codes.DCM.RadiopharmaceuticalRadiationDoseReport.value  # 113500
CT_ACCUMULATED_DOSE_DATA = codes.DCM.CTAccumulatedDoseData.value  # 113811
CT_ACQUISITION = codes.DCM.CTAcquisition.value  # 113819
ACCUMULATED_XRAY_DOSE_DATA = "113702"
IRRADIATION_EVENT_XRAY_DATA = codes.DCM.IrradiationEventXRayData.value  # 113706
# Siemens Arcadis Varic summary: an Enhanced SR in the vendor's own coding scheme.
ARCADIS_SUMMARY = ("C-10", "99SMS_RADSUM")

CT_TEMPLATE, PROJECTION_TEMPLATE, RADIOPHARMACEUTICAL_TEMPLATE = "10011", "10001", "10021"


def template_of(ds) -> str:
    """Which dose template the report follows: from the Content Template Sequence, else inferred."""
    report = root(ds)
    concept = report.concept
    sop_class = text(ds, "SOPClassUID")
    if concept is None:
        raise NotDoseObject("the structured report has no document title")
    if concept.code_value == ARCADIS_SUMMARY[0] and concept.coding_scheme_designator == ARCADIS_SUMMARY[1]:
        return PROJECTION_TEMPLATE
    if concept.code_value == RADIOPHARMACEUTICAL_DOSE_REPORT:
        return RADIOPHARMACEUTICAL_TEMPLATE
    if concept.code_value != XRAY_DOSE_REPORT:
        kind = "Enhanced SR" if sop_class == sop.ENHANCED_SR else "structured report"
        raise NotDoseObject(
            f"it is a {kind} titled '{concept.code_meaning or concept.code_value}', not a radiation dose report"
        )
    templates = attr(ds, "ContentTemplateSequence")
    if templates:
        try:
            identifier = text(templates[0], "TemplateIdentifier")
        except (TypeError, IndexError):
            identifier = None
        if identifier in (CT_TEMPLATE, PROJECTION_TEMPLATE):
            return identifier
    children = report.children
    if CT_ACCUMULATED_DOSE_DATA in children or CT_ACQUISITION in children:
        return CT_TEMPLATE
    if ACCUMULATED_XRAY_DOSE_DATA in children or IRRADIATION_EVENT_XRAY_DATA in children:
        return PROJECTION_TEMPLATE
    raise ExtractionError("the dose report follows neither TID 10011 (CT) nor TID 10001 (projection)")


def extract(ds) -> dict:
    """Study record from any radiation dose SR."""
    template = template_of(ds)
    if template == CT_TEMPLATE:
        from .ct import extract_ct

        return extract_ct(ds, root(ds))
    if template == PROJECTION_TEMPLATE:
        from .projection import extract_projection

        return extract_projection(ds, root(ds))
    from .radiopharmaceutical import extract_radiopharmaceutical

    return extract_radiopharmaceutical(ds, root(ds))
