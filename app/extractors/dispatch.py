"""Choose the extractor for a DICOM object from its SOP class and a few attributes."""
import re

from . import sop
from .common import text
from .errors import ExtractionError, NotDoseObject

_UID = re.compile(r"[0-9]+(\.[0-9]+)*")

#: The importer names, as the ``flask import`` sub-commands and ``_meta["importer"]`` use them.
IMPORTERS = ("rdsr", "mg", "dx", "ct-philips", "nm")
#: A CT localizer: not a dose object, read for the patient's size (app/ssde).
LOCALIZER = "ct-localizer"


def importer_for(ds) -> str:
    """Name of the importer that reads this object; NotDoseObject when none does."""
    sop_class = text(ds, "SOPClassUID")
    modality = (text(ds, "Modality") or "").upper()
    if sop_class in sop.SR_CLASSES:
        return "rdsr"
    if sop_class in sop.MG_CLASSES:
        return "mg"
    if sop_class in sop.DX_CLASSES:
        return "mg" if modality == "MG" else "dx"
    if sop_class in sop.NM_CLASSES:
        return "nm"
    if sop_class == sop.SECONDARY_CAPTURE:
        if (text(ds, "SeriesDescription") or "").strip() == "Dose Info":
            return "ct-philips"
        image_type = (text(ds, "ImageType") or "").upper()
        if modality == "MG" and "ORIGINAL" in image_type:
            return "mg"
        raise NotDoseObject("it is a secondary capture that carries no dose information Kerma reads")
    if sop_class == sop.CT_IMAGE_STORAGE:
        from ..ssde.localizer import is_localizer

        if is_localizer(ds):
            return LOCALIZER
        raise NotDoseObject("it is a CT image, not a localizer or a dose object Kerma reads")
    if not sop_class:
        raise NotDoseObject("it has no SOP Class UID")
    if not _UID.fullmatch(sop_class):
        # Damage, not a kind of object: quoting it would print the bytes that follow it.
        raise ExtractionError("its SOP Class UID is not a valid UID (the file is damaged)")
    raise NotDoseObject(f"its SOP class {sop_class} is not a dose object Kerma imports")


def extract(ds, importer: str | None = None) -> dict:
    """Study record from a dataset, with the named importer or the one chosen for it."""
    importer = importer or importer_for(ds)
    if importer == "rdsr":
        from .rdsr import extract as extract_rdsr

        return extract_rdsr(ds)
    if importer == "mg":
        from .mammography import extract as extract_mammography

        return extract_mammography(ds)
    if importer == "dx":
        from .radiography import extract as extract_radiography

        return extract_radiography(ds)
    if importer == "ct-philips":
        from .ct_philips import extract as extract_ct_philips

        return extract_ct_philips(ds)
    if importer == "nm":
        from .nm_image import extract as extract_nm_image

        return extract_nm_image(ds)
    raise ValueError(f"unknown importer {importer!r}")
