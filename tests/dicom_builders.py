"""Synthetic DICOM objects for unit tests, built with pydicom.

SR content items are built with ``num``, ``code``, ``text``, ``uid``, ``datetime_item`` and
``container``; ``sr_dataset`` wraps them in a report with the usual header modules, and
``image_dataset`` makes an image header, ``ct_localizer`` a CT localizer image of water
cylinders (for SSDE). Values follow PS3.16; tests set only what they test.
"""
import itertools
import math

from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

_counter = itertools.count(1)


def coded(value, meaning, scheme="DCM") -> Dataset:
    """A code sequence item."""
    item = Dataset()
    item.CodeValue = value
    item.CodingSchemeDesignator = scheme
    item.CodeMeaning = meaning
    return item


def _item(concept, value_type, relationship="CONTAINS"):
    item = Dataset()
    item.RelationshipType = relationship
    item.ValueType = value_type
    value, meaning, *scheme = concept
    item.ConceptNameCodeSequence = Sequence([coded(value, meaning, *(scheme or ["DCM"]))])
    return item


def num(concept, value, unit, unit_meaning=None, relationship="CONTAINS") -> Dataset:
    """A NUM content item; ``concept`` is (code value, meaning[, scheme]), ``unit`` a UCUM code."""
    item = _item(concept, "NUM", relationship)
    measured = Dataset()
    measured.NumericValue = value if isinstance(value, str) else repr(float(value))[:16]
    measured.MeasurementUnitsCodeSequence = Sequence([coded(unit, unit_meaning or unit, "UCUM")])
    item.MeasuredValueSequence = Sequence([measured])
    return item


def code(concept, value, relationship="CONTAINS") -> Dataset:
    """A CODE content item; ``value`` is (code value, meaning[, scheme])."""
    item = _item(concept, "CODE", relationship)
    item.ConceptCodeSequence = Sequence([coded(*value)])
    return item


def text(concept, value, relationship="CONTAINS") -> Dataset:
    """A TEXT content item."""
    item = _item(concept, "TEXT", relationship)
    item.TextValue = value
    return item


def uid(concept, value=None, relationship="CONTAINS") -> Dataset:
    """A UIDREF content item (a fresh UID unless given)."""
    item = _item(concept, "UIDREF", relationship)
    item.UID = value or generate_uid()
    return item


def datetime_item(concept, value, relationship="CONTAINS") -> Dataset:
    """A DATETIME content item; ``value`` is a DICOM DT string."""
    item = _item(concept, "DATETIME", relationship)
    item.DateTime = value
    return item


def pname(concept, value, relationship="CONTAINS") -> Dataset:
    """A PNAME content item."""
    item = _item(concept, "PNAME", relationship)
    item.PersonName = value
    return item


def container(concept, children, relationship="CONTAINS") -> Dataset:
    """A CONTAINER content item holding ``children``."""
    item = _item(concept, "CONTAINER", relationship)
    item.ContinuityOfContent = "SEPARATE"
    item.ContentSequence = Sequence(list(children))
    return item


def with_children(item: Dataset, children) -> Dataset:
    """Give any content item nested children (e.g. modifiers below a CODE item)."""
    item.ContentSequence = Sequence(list(children))
    return item


def header(ds: Dataset, sop_class: str, modality: str, **attributes) -> Dataset:
    """Fill the file meta and the study, patient and equipment modules with plausible values."""
    n = next(_counter)
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = sop_class
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = generate_uid()
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.Modality = modality
    ds.StudyInstanceUID = generate_uid()
    ds.SeriesInstanceUID = generate_uid()
    ds.StudyDate = "20240315"
    ds.StudyTime = "101500"
    ds.AccessionNumber = f"ACC{n:05d}"
    ds.StudyDescription = "Synthetic study"
    ds.PatientName = "Doe^Jane"
    ds.PatientID = f"PID{n:05d}"
    ds.PatientBirthDate = "19700101"
    ds.PatientSex = "F"
    ds.Manufacturer = "Kerma Test Devices"
    ds.InstitutionName = "Test Hospital"
    ds.StationName = "ROOM1"
    ds.ManufacturerModelName = "Model X"
    ds.DeviceSerialNumber = "SN1"
    ds.SoftwareVersions = "1.0"
    for keyword, value in attributes.items():
        setattr(ds, keyword, value)
    return ds


def sr_dataset(title, children, template=None, sop_class="1.2.840.10008.5.1.4.1.1.88.67",
               **attributes) -> Dataset:
    """An SR document: ``title`` is (code value, meaning[, scheme]), ``children`` the root's items."""
    ds = Dataset()
    header(ds, sop_class, "SR", **attributes)
    value, meaning, *scheme = title
    ds.ValueType = "CONTAINER"
    ds.ContinuityOfContent = "SEPARATE"
    ds.ConceptNameCodeSequence = Sequence([coded(value, meaning, *(scheme or ["DCM"]))])
    if template:
        tid = Dataset()
        tid.MappingResource = "DCMR"
        tid.TemplateIdentifier = template
        ds.ContentTemplateSequence = Sequence([tid])
    ds.ContentSequence = Sequence(list(children))
    return ds


def image_dataset(sop_class, modality, **attributes) -> Dataset:
    """An image header (no pixel data) with the common modules filled."""
    return header(Dataset(), sop_class, modality, **attributes)


def round_trip(ds: Dataset, path) -> Dataset:
    """Write ``ds`` to ``path`` as a DICOM file and read it back, as an importer would."""
    from pydicom import dcmread

    ds.save_as(path, enforce_file_format=True)
    return dcmread(path)


#: Columns of ``ct_localizer`` images (1 mm apart).
LOCALIZER_COLUMNS = 400


def ct_localizer(path_or_none, study_uid, diameters, slope=0.1, intercept=0.0, rows_each=25,
               manufacturer="Acme Medical"):
    """A CT localizer of water cylinders: ``rows_each`` rows (2 mm apart, z from 0 down) of
    each diameter in ``diameters``; pixel value = (thickness − intercept) / slope."""
    pixels = []
    for diameter in diameters:
        radius = diameter / 2.0
        row = []
        for j in range(LOCALIZER_COLUMNS):
            x = j - (LOCALIZER_COLUMNS - 1) / 2.0
            path = 2.0 * math.sqrt(radius * radius - x * x) if abs(x) < radius else 0.0
            row.append(int(round((path - intercept) / slope)))
        pixels += row * rows_each
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.2"
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.2"
    ds.StudyInstanceUID = study_uid
    ds.Modality = "CT"
    ds.ImageType = ["ORIGINAL", "PRIMARY", "LOCALIZER"]
    ds.Manufacturer, ds.InstitutionName, ds.StationName = manufacturer, "General Hospital", "CT1"
    ds.ManufacturerModelName = "Scanner 1"
    ds.ImagePositionPatient = [-200.0, 0.0, 0.0]
    ds.ImageOrientationPatient = [1, 0, 0, 0, 0, -1]
    ds.PixelSpacing = [2.0, 1.0]
    ds.Rows, ds.Columns = rows_each * len(diameters), LOCALIZER_COLUMNS
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 0
    ds.PixelData = b"".join(v.to_bytes(2, "little") for v in pixels)
    if path_or_none is not None:
        ds.save_as(path_or_none, enforce_file_format=True)
    return ds
