"""The quick reader gives the dataset pydicom's own reading gives, element for element.

``read_dicom`` makes the dataset from its walk over the element headers where it can describe
the file exactly, and lets pydicom read it otherwise; either way every element, nested ones
included, must have the VR and value ``dcmread(..., stop_before_pixels=True)`` gives.
"""
import struct
from io import BytesIO

import pytest
from pydicom import dcmread
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian, ImplicitVRLittleEndian, generate_uid

from app.extractors.lightread import _file_meta, _layout, read_dicom
from conformance import CORPUS
from dicom_builders import coded

CORPUS_FILES = sorted((CORPUS / "dicom").glob("*.dcm")) if (CORPUS / "dicom").is_dir() else []


def _elements(ds, prefix="") -> dict:
    """Every element as path -> (VR, value), sequences walked."""
    found = {}
    for element in ds:
        path = f"{prefix}{element.tag}"
        if element.VR == "SQ":
            found[path] = ("SQ", len(element.value))
            for index, item in enumerate(element.value):
                found.update(_elements(item, f"{path}[{index}]."))
        else:
            found[path] = (element.VR, repr(element.value))
    return found


def _assert_read_as_pydicom_reads(data: bytes):
    quick = read_dicom(data)
    reference = dcmread(BytesIO(data), stop_before_pixels=True)
    assert _elements(quick) == _elements(reference)
    assert _elements(quick.file_meta) == _elements(reference.file_meta)
    assert quick.original_encoding == reference.original_encoding
    assert quick.original_character_set == reference.original_character_set
    assert quick.preamble == reference.preamble


def _made_from_walk(data: bytes) -> bool:
    layout = _layout(data)
    if layout is None:  # not walked at all: pydicom reads the whole file
        return False
    meta, _, walk = layout
    return walk.exact and meta is not None


@pytest.mark.skipif(not CORPUS_FILES, reason=f"corpus not found at {CORPUS}")
@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda path: path.name)
def test_every_corpus_file_reads_as_pydicom_reads_it(path):
    _assert_read_as_pydicom_reads(path.read_bytes())


@pytest.mark.skipif(not CORPUS_FILES, reason=f"corpus not found at {CORPUS}")
def test_most_corpus_files_are_made_from_the_walk():
    walked = [path.name for path in CORPUS_FILES if _made_from_walk(path.read_bytes())]
    # One file (a Hologic projection image) carries an element pydicom must interpret.
    assert len(walked) >= len(CORPUS_FILES) - 1


def _image(transfer_syntax, undefined_sequences=False) -> bytes:
    return _encoded(_image_dataset(undefined_sequences), transfer_syntax)


def _image_dataset(undefined_sequences=False) -> Dataset:
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.20"
    ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
    ds.SpecificCharacterSet = "ISO_IR 192"
    ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID = generate_uid()
    ds.PatientName = "Ærøskøbing^Zoë"
    ds.StudyDescription = ""  # an empty value
    ds.Modality = "NM"
    ds.Rows, ds.Columns, ds.BitsAllocated = 2, 2, 16
    ds.RadiopharmaceuticalInformationSequence = Sequence([Dataset()])
    item = ds.RadiopharmaceuticalInformationSequence[0]
    item.Radiopharmaceutical = "Tc-99m"
    item.RadionuclideCodeSequence = Sequence([coded("C-163A8", "^99m^Technetium", "SRT")])
    ds.add_new(0x00090010, "LO", "KERMA TEST")  # a private block
    ds.add_new(0x00091001, "DS", "1.5")
    if undefined_sequences:
        for element in ds.iterall():
            if element.VR == "SQ":
                element.is_undefined_length = True
                for nested in element.value:
                    nested.is_undefined_length_sequence_item = True
    ds.PixelData = b"\x00\x01" * 4
    return ds


def _encoded(ds, transfer_syntax) -> bytes:
    ds.file_meta.TransferSyntaxUID = transfer_syntax
    buffer = BytesIO()
    ds.save_as(buffer, implicit_vr=transfer_syntax == ImplicitVRLittleEndian,
               little_endian=True, enforce_file_format=True)
    return buffer.getvalue()


@pytest.mark.parametrize("transfer_syntax", [ExplicitVRLittleEndian, ImplicitVRLittleEndian])
@pytest.mark.parametrize("undefined_sequences", [False, True])
def test_a_written_image_reads_as_pydicom_reads_it(transfer_syntax, undefined_sequences):
    data = _image(transfer_syntax, undefined_sequences)

    assert _made_from_walk(data)
    _assert_read_as_pydicom_reads(data)
    ds = read_dicom(data)
    assert str(ds.PatientName) == "Ærøskøbing^Zoë"
    assert ds.RadiopharmaceuticalInformationSequence[0].RadionuclideCodeSequence[0].CodeValue \
        == "C-163A8"
    assert "PixelData" not in ds


@pytest.mark.parametrize("written, announced", [
    (ImplicitVRLittleEndian, ExplicitVRLittleEndian),
    (ExplicitVRLittleEndian, ImplicitVRLittleEndian)])
def test_a_file_written_otherwise_than_announced_is_left_to_pydicom(written, announced):
    ds = _image_dataset()
    meta_from, data_from = _encoded(ds, announced), _encoded(ds, written)
    data = meta_from[:_file_meta(meta_from)[0]] + data_from[_file_meta(data_from)[0]:]

    assert _layout(data) is None
    with pytest.warns(UserWarning, match="using (im|ex)plicit VR for reading"):
        assert str(read_dicom(data).PatientName) == str(ds.PatientName)


def test_a_command_group_is_left_to_pydicom():
    data = _image(ImplicitVRLittleEndian)
    meta_end = _file_meta(data)[0]
    affected_sop_class = b"1.2.840.10008.5.1.4.1.1.20\x00"
    command = struct.pack("<HHI", 0x0000, 0x0002, len(affected_sop_class)) + affected_sop_class
    data = data[:meta_end] + command + data[meta_end:]

    assert not _made_from_walk(data)
    _assert_read_as_pydicom_reads(data)
    assert read_dicom(data)[0x00000002].value == "1.2.840.10008.5.1.4.1.1.20"
