"""Bad input: damaged, hostile and absurd objects.

The bar: every such object gives an Outcome with a one-line reason that names the file (never
a traceback), and when it is not imported not one row is written in any table. Where the
damage is harmless (a 10,000-character description, a flipped byte in a string) the object is
imported, with strings cut to their column's size. Re-importing an imported object changes
nothing.
"""
import copy
import math
import random
import re
import struct
from functools import lru_cache
from io import BytesIO

import pydicom
import pytest
from pydicom.dataelem import DataElement, RawDataElement
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence
from pydicom.tag import Tag
from sqlalchemy import select

import dicom_builders as b
from app.extensions import db
from app.importing import import_file
from app.models.study import GeneralStudyModuleAttr
from app.models.tree import string_lengths
from conformance import CORPUS
from import_checks import check_outcome, empty_tables, import_bytes, row_counts, stored_rows

DICOM = CORPUS / "dicom"
FILES = sorted(p.name for p in DICOM.glob("*.dcm")) if DICOM.is_dir() else []
needs_corpus = pytest.mark.skipif(not FILES, reason=f"corpus not found at {CORPUS}")
# pydicom warns about the invalid values these tests feed it on purpose.
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning:pydicom")

STATUSES = {"imported", "duplicate", "rejected", "failed"}
CT_REPORT = "CT-RDSR-Siemens-Multi-2.dcm"
SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'


# Helpers --------------------------------------------------------------------------------------
def to_bytes(ds: Dataset, implicit=False) -> bytes:
    """A dataset as a DICOM file (explicit or implicit VR little endian)."""
    ds = copy.deepcopy(ds)
    ds.file_meta.TransferSyntaxUID = (pydicom.uid.ImplicitVRLittleEndian if implicit
                                      else pydicom.uid.ExplicitVRLittleEndian)
    buffer = BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()


@lru_cache(maxsize=None)
def corpus_bytes(name) -> bytes:
    return (DICOM / name).read_bytes()


def corpus_dataset(name) -> Dataset:
    return pydicom.dcmread(BytesIO(corpus_bytes(name)))


def content_items(ds, concept=None):
    """Every content item below ``ds`` (depth first), or those with this concept code."""
    for item in ds.get("ContentSequence") or ():
        names = item.get("ConceptNameCodeSequence") or ()
        if concept is None or (names and names[0].get("CodeValue") == concept):
            yield item
        yield from content_items(item, concept)


def stored_study():
    return db.session.scalars(select(GeneralStudyModuleAttr)).one()


def ct_dose_report(ctdivol=12.34, dlp=456.7, comment="Routine abdomen"):
    """A small, valid CT dose report with one acquisition."""
    concept = ("113819", "CT Acquisition")
    return b.sr_dataset(("113701", "X-Ray Radiation Dose Report"), [
        b.code(("121058", "Procedure reported"), ("P5-08000", "Computed Tomography X-Ray", "SRT")),
        b.container(("113811", "CT Accumulated Dose Data"), [
            b.num(("113812", "Total Number of Irradiation Events"), 1, "{events}"),
            b.num(("113813", "CT Dose Length Product Total"), dlp, "mGy.cm"),
        ]),
        b.container(concept, [
            b.text(("125203", "Acquisition Protocol"), "Abdomen"),
            b.code(("113820", "CT Acquisition Type"), ("P5-08001", "Spiral Acquisition", "SRT")),
            b.uid(("113769", "Irradiation Event UID"), "1.2.826.0.1.3680043.10.1.5"),
            b.container(("113829", "CT Dose"), [
                b.num(("113830", "Mean CTDIvol"), ctdivol, "mGy"),
                b.num(("113838", "DLP"), dlp, "mGy.cm"),
            ]),
            b.text(("121106", "Comment"), comment),
        ]),
    ], template="10011")


# Empty, missing and non-DICOM files ------------------------------------------------------------
def test_empty_file_is_rejected(app, tmp_path):
    with app.app_context():
        outcome = import_bytes(tmp_path, b"", "empty.dcm")
    assert (outcome.status, outcome.message) == ("rejected", "is empty")


def test_missing_file_fails_naming_the_reason(app, tmp_path):
    with app.app_context():
        outcome = import_file(tmp_path / "gone.dcm", source="gone.dcm")
        check_outcome(outcome, "gone.dcm")
        assert row_counts() == {name: 0 for name in row_counts()}
    assert outcome.message.startswith("cannot be opened")


@pytest.mark.parametrize("kind, data", [
    ("text", b"Patient: Doe\nDose: 12 mGy\n" * 40),
    ("html", b"<html><body><script>alert(1)</script></body></html>"),
    ("png", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8),
    ("zip", b"PK\x03\x04" + b"\x00" * 500),
    ("zeros", b"\x00" * 4096),
    ("random", random.Random(7).randbytes(10_000)),
    ("short", b"DICM"),
])
def test_non_dicom_files_are_rejected(app, tmp_path, kind, data):
    with app.app_context():
        outcome = import_bytes(tmp_path, data, f"{kind}.bin")
    assert outcome.status == "rejected"
    assert outcome.message == "is not a DICOM file"


@pytest.mark.parametrize("tail", [b"", b"\x00" * 7, b"garbage!" * 50,
                                  random.Random(3).randbytes(2000)])
def test_a_preamble_followed_by_garbage_is_not_imported(app, tmp_path, tail):
    with app.app_context():
        outcome = import_bytes(tmp_path, b"\x00" * 128 + b"DICM" + tail, "fake.dcm")
    assert outcome.message.startswith(("is not a DICOM file", "is truncated", "is damaged"))


# Truncation ------------------------------------------------------------------------------------
def _content_tree_offsets(data: bytes) -> list[int]:
    """Offsets just inside the start and the end of the top-level content tree."""
    start = data.find(b"\x40\x00\x30\xa7", 132)
    if start < 0:
        return []
    offsets = [start + 3, start + 7, start + 11, start + 31]
    from app.extractors.lightread import _layout
    layout = _layout(data)
    spans = [span for span in layout[2].sequences if span[1] == start] if layout else []
    if spans:
        end = spans[0][3]
    else:
        explicit = data[start + 4:start + 6] == b"SQ"
        length = struct.unpack_from("<I", data, start + (8 if explicit else 4))[0]
        end = start + (12 if explicit else 8) + length
    offsets += [end - 1, end - 5, end - 9, end - 31]
    return [o for o in offsets if 132 < o < len(data)]


def _truncation_offsets(data: bytes) -> list[int]:
    """Every twentieth of the file, and around the content tree. All odd: elements have even
    lengths, so a cut at an even offset may fall between two elements, where nothing shows
    that more was to come."""
    size = len(data)
    offsets = {size * k // 20 for k in range(1, 20)} | set(_content_tree_offsets(data))
    return sorted(offset | 1 for offset in offsets)


@needs_corpus
@pytest.mark.parametrize("name", FILES)
def test_truncated_corpus_file_is_refused(app, tmp_path, name):
    data = corpus_bytes(name)
    with app.app_context():
        for offset in _truncation_offsets(data):
            outcome = import_bytes(tmp_path, data[:offset], name)
            if offset < 132:
                assert outcome.message == "is not a DICOM file", (offset, outcome.line())
            else:
                assert "truncated" in outcome.message, (offset, outcome.line())


# Flipped, inserted and deleted bytes, swapped lengths: a seeded mutation loop ---------------
#: Files small enough to mutate by the thousand; the large fluoroscopy reports and NM images
#: are covered by truncation above and by a few mutants each below.
MUTATED = [name for name in FILES if (DICOM / name).stat().st_size < 100_000]
LARGE = [name for name in FILES if name not in MUTATED]
VR_CODES = rb"SQ|UI|CS|LO|SH|DS|DA|TM|DT|PN|UT|ST|LT|FD|FL|US|UL|SS|SL|IS|OB|OW|UN|AS|AE"
_HEADER = re.compile(rb"(?s)(?=[\x02-\x7f][\x00-\x7f]..(?:" + VR_CODES + rb"))")


@lru_cache(maxsize=None)
def element_headers(name) -> list[int]:
    """Positions that look like explicit VR element headers, for the length-swap mutation."""
    data = corpus_bytes(name)
    return [m.start() for m in _HEADER.finditer(data, 132)]


def mutate(rng: random.Random, name: str) -> tuple[str, bytes]:
    """One seeded mutation of a corpus file: (what was done, the bytes)."""
    data = bytearray(corpus_bytes(name))
    size = len(data)
    kind = rng.choice(("truncate", "flip", "flip", "insert", "delete", "length", "length"))
    if kind == "truncate":
        del data[rng.randrange(132, size):]
    elif kind == "flip":
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(132, size)] ^= 1 << rng.randrange(8)
    elif kind == "insert":
        at = rng.randrange(132, size)
        data[at:at] = rng.randbytes(rng.randint(1, 16))
    elif kind == "delete":
        at = rng.randrange(132, size)
        del data[at:at + rng.randint(1, 16)]
    else:
        headers = element_headers(name)
        first, second = rng.sample(headers, 2) if len(headers) > 1 else (headers[0], headers[0])
        long_vr = bytes(data[first + 4:first + 6]) in (b"SQ", b"UT", b"OB", b"OW", b"UN")
        if rng.random() < 0.5:
            # Swap the length fields of two elements.
            a, b_ = data[first + 6:first + 8], data[second + 6:second + 8]
            data[first + 6:first + 8], data[second + 6:second + 8] = b_, a
        elif long_vr:
            data[first + 8:first + 12] = rng.choice((
                rng.randrange(2 ** 32), 0xFFFFFFFF, 0, size)).to_bytes(4, "little")
        else:
            data[first + 6:first + 8] = rng.randrange(2 ** 16).to_bytes(2, "little")
    return kind, bytes(data)


MUTATION_CHUNKS, MUTANTS_PER_CHUNK = 20, 100


@needs_corpus
@pytest.mark.parametrize("chunk", range(MUTATION_CHUNKS))
def test_mutated_corpus_files(app, tmp_path, chunk):
    """2,000 seeded mutants of the corpus: each gives a clean outcome and no stray rows."""
    rng = random.Random(chunk)
    statuses = set()
    with app.app_context():
        for number in range(MUTANTS_PER_CHUNK):
            name = rng.choice(MUTATED)
            kind, data = mutate(rng, name)
            label = f"{name}#{chunk}.{number}.{kind}"
            outcome = import_bytes(tmp_path, data, label, allowed=STATUSES - {"duplicate"})
            statuses.add(outcome.status)
            if outcome.status == "imported":
                counts = row_counts()
                again = import_bytes(tmp_path, data, label, allowed=("duplicate",))
                assert again.study_id == outcome.study_id
                assert row_counts() == counts, f"re-import changed rows: {label}"
                empty_tables(counts)
    assert "failed" in statuses


@needs_corpus
@pytest.mark.parametrize("name", LARGE)
def test_mutated_large_files(app, tmp_path, name):
    rng = random.Random(name)
    with app.app_context():
        for number in range(4):
            kind, data = mutate(rng, name)
            outcome = import_bytes(tmp_path, data, f"{name}#{number}.{kind}",
                                   allowed=STATUSES - {"duplicate"})
            if outcome.status == "imported":
                empty_tables(row_counts())


@needs_corpus
def test_a_flipped_byte_in_a_string_value_is_harmless(app, tmp_path):
    data = bytearray(corpus_bytes(CT_REPORT))
    description = corpus_dataset(CT_REPORT).StudyDescription
    at = data.index(description.encode()) + 1
    data[at] ^= 0x20  # a letter changes case
    with app.app_context():
        outcome = import_bytes(tmp_path, bytes(data), CT_REPORT, allowed=("imported",))
        changed = description[0] + description[1].swapcase() + description[2:]
        assert stored_study().study_description == changed
    assert outcome.modality_type == "CT"


# Missing identity ------------------------------------------------------------------------------
@needs_corpus
@pytest.mark.parametrize("name", [CT_REPORT, "RF-RDSR-Siemens-Zee.dcm", "MG-RDSR-Hologic_2D.dcm",
                                  "DX-Im-GE_XR220-1.dcm", "MG-Im-GE_Seno_1_ForPresentation.dcm",
                                  "CT-SC-Philips_Brilliance16P.dcm", "NM-RRDSR-Siemens.dcm",
                                  "NM-PetIm-GE.dcm"])
def test_an_object_without_study_instance_uid_fails(app, tmp_path, name):
    ds = corpus_dataset(name)
    del ds.StudyInstanceUID
    with app.app_context():
        outcome = import_bytes(tmp_path, to_bytes(ds), name)
    assert (outcome.status, outcome.message) == ("failed", "it has no Study Instance UID")


@needs_corpus
@pytest.mark.parametrize("keyword", ["StudyInstanceUID", "SOPInstanceUID"])
def test_a_uid_too_long_to_store_fails_rather_than_being_cut(app, tmp_path, keyword):
    # A cut UID would no longer match the object on re-import, which would then be stored twice.
    ds = corpus_dataset(CT_REPORT)
    setattr(ds, keyword, "1.2." + "3" * 9_996)
    with app.app_context():
        outcome = import_bytes(tmp_path, to_bytes(ds), CT_REPORT)
    assert "longer than" in outcome.message and "10000" in outcome.message


# Malformed content trees -------------------------------------------------------------------------
def _malformed(ds, change):
    """A copy of ``ds`` with ``change(ds)`` applied."""
    ds = copy.deepcopy(ds)
    change(ds)
    return ds


def _first(ds, concept):
    return next(content_items(ds, concept))


def _set_value_type(concept, value_type):
    def change(ds):
        _first(ds, concept).ValueType = value_type
    return change


def _drop(concept, keyword):
    def change(ds):
        delattr(_first(ds, concept), keyword)
    return change


def _replace_element(concept, tag, vr, value):
    def change(ds):
        item = _first(ds, concept)
        item[tag] = DataElement(tag, vr, value)
    return change


def set_numeric_value(item, value: str):
    """Write ``value`` as the item's Numeric Value as it is, however malformed."""
    measured = item.MeasuredValueSequence[0]
    measured[0x0040A30A] = RawDataElement(Tag(0x0040A30A), "DS", len(value), value.encode(),
                                          0, False, True)


def _numeric_value(concept, value):
    def change(ds):
        set_numeric_value(_first(ds, concept), value)
    return change


def _empty_sequence(concept, keyword):
    def change(ds):
        setattr(_first(ds, concept), keyword, Sequence([]))
    return change


def _drop_concept_names(ds):
    for item in content_items(ds):
        if "ConceptNameCodeSequence" in item:
            del item.ConceptNameCodeSequence


#: Damage to the report's one acquisition, and what comes of it: the CTDIvol stored (the
#: damage hit nothing the importer needs, or left the value unreadable and so absent), or the
#: start of the failure message. DLP is 456.7 mGy.cm throughout unless noted.
MALFORMED = {
    "CTDIvol as a CODE item": (_set_value_type("113830", "CODE"), 12.34),
    "DLP as a CONTAINER": (_set_value_type("113838", "CONTAINER"), 12.34),
    "acquisition as a NUM": (_set_value_type("113819", "NUM"), 12.34),
    "value type missing": (_drop("113830", "ValueType"), 12.34),
    "CTDIvol without a measured value": (_drop("113830", "MeasuredValueSequence"), None),
    "CTDIvol with an empty measured value": (
        _empty_sequence("113830", "MeasuredValueSequence"), None),
    "CTDIvol without units": (lambda ds: delattr(
        _first(ds, "113830").MeasuredValueSequence[0], "MeasurementUnitsCodeSequence"), 12.34),
    "CTDIvol in an unknown unit": (lambda ds: setattr(
        _first(ds, "113830").MeasuredValueSequence[0].MeasurementUnitsCodeSequence[0],
        "CodeValue", "furlong"), None),
    "CTDIvol not a number": (_numeric_value("113830", "twelve"), None),
    "CTDIvol empty": (_numeric_value("113830", ""), None),
    "acquisition type without a code": (_drop("113820", "ConceptCodeSequence"), 12.34),
    "acquisition type with an empty code": (
        _empty_sequence("113820", "ConceptCodeSequence"), 12.34),
    "event UID missing its value": (_drop("113769", "UID"), 12.34),
    "protocol missing its text": (_drop("125203", "TextValue"), 12.34),
    "concept name missing on every item": (_drop_concept_names, "no events"),
    "concept name code without a value": (lambda ds: delattr(
        _first(ds, "113830").ConceptNameCodeSequence[0], "CodeValue"), None),
    "acquisition with no children": (_empty_sequence("113819", "ContentSequence"), None),
    "concept name as a string": (
        _replace_element("113830", 0x0040A043, "LO", "Mean CTDIvol"),
        "the CT dose report's content tree is malformed near irradiation event 1"),
    "content sequence as text": (
        _replace_element("113819", 0x0040A730, "UT", "not a sequence"),
        "the CT dose report's content tree is malformed near irradiation event 1"),
    "measured value as a number": (
        _replace_element("113830", 0x0040A300, "FD", 12.5), None),
    "numeric value as binary": (lambda ds: _first(ds, "113830").MeasuredValueSequence[0]
                                .__setitem__(0x0040A30A, DataElement(0x0040A30A, "OB",
                                                                     b"\x00\x01\x02\x03")),
                                None),
    "event UID as a sequence": (
        _replace_element("113769", 0x0040A124, "SQ", Sequence([Dataset()])), 12.34),
    "text value as a sequence": (
        _replace_element("125203", 0x0040A160, "SQ", Sequence([Dataset()])), 12.34),
}


#: Damage that leaves one value unreadable: the import says which, in a warning.
WARNED = {
    "CTDIvol in an unknown unit": "'Mean CTDIvol' in irradiation event 1 is in unit 'furlong', "
                                  "which cannot be read as mGy: not stored",
    "CTDIvol not a number": "'Mean CTDIvol' in irradiation event 1 is not a number ('twelve'): "
                            "not stored",
    "numeric value as binary": "'Mean CTDIvol' in irradiation event 1 is not a number",
}


#: Sequences written as something else. In implicit VR the dictionary says "sequence", so their
#: bytes are read as a sequence and found broken.
NOT_A_SEQUENCE = {"concept name as a string", "content sequence as text",
                  "measured value as a number"}


@pytest.mark.parametrize("implicit", [False, True], ids=["explicit", "implicit"])
@pytest.mark.parametrize("case", MALFORMED)
def test_malformed_content_tree(app, tmp_path, case, implicit):
    change, expected = MALFORMED[case]
    if implicit and case in NOT_A_SEQUENCE:
        expected = "a sequence holds element"
    ds = _malformed(ct_dose_report(), change)
    with app.app_context():
        outcome = import_bytes(tmp_path, to_bytes(ds, implicit), "malformed.dcm",
                               allowed=("imported", "failed"))
        if isinstance(expected, str) and expected != "no events":
            assert outcome.status == "failed"
            assert outcome.message.startswith(expected), outcome.message
            return
        assert outcome.status == "imported", outcome.line()
        if case in WARNED and not (implicit and case in NOT_A_SEQUENCE):
            assert any(warning.startswith(WARNED[case]) for warning in outcome.warnings), \
                outcome.warnings
        events = stored_study().ctradiationdose_set[0].ctirradiationeventdata_set
        if expected == "no events":
            assert events == []
        else:
            assert [event.mean_ctdivol for event in events] == [expected]


def test_a_report_without_a_document_title_is_rejected(app, tmp_path):
    ds = ct_dose_report()
    del ds.ConceptNameCodeSequence
    with app.app_context():
        outcome = import_bytes(tmp_path, to_bytes(ds), "untitled.dcm")
    assert (outcome.status, outcome.message) == (
        "rejected", "the structured report has no document title")


def _nested_tree(depth: int, implicit: bool, defined: bool) -> bytes:
    """A content sequence nested ``depth`` containers deep, encoded by hand (pydicom's writer
    recurses once per level)."""
    def element(tag, vr, value: bytes):
        group, elem = tag >> 16, tag & 0xFFFF
        if implicit:
            return struct.pack("<HHI", group, elem, len(value)) + value
        if vr in (b"SQ", b"UT", b"UN", b"OB"):
            return struct.pack("<HH2sHI", group, elem, vr, 0, len(value)) + value
        return struct.pack("<HH2sH", group, elem, vr, len(value)) + value

    def item(body: bytes) -> bytes:
        if defined:
            return struct.pack("<HHI", 0xFFFE, 0xE000, len(body)) + body
        return (struct.pack("<HHI", 0xFFFE, 0xE000, 0xFFFFFFFF) + body
                + struct.pack("<HHI", 0xFFFE, 0xE00D, 0))

    def sequence(tag, items: bytes) -> bytes:
        if defined:
            return element(tag, b"SQ", items)
        head = (struct.pack("<HHI", tag >> 16, tag & 0xFFFF, 0xFFFFFFFF) if implicit else
                struct.pack("<HH2sHI", tag >> 16, tag & 0xFFFF, b"SQ", 0, 0xFFFFFFFF))
        return head + items + struct.pack("<HHI", 0xFFFE, 0xE0DD, 0)

    concept = item(element(0x00080100, b"SH", b"113819") + element(0x00080102, b"SH", b"DCM ")
                   + element(0x00080104, b"LO", b"CT Acquisition"))
    common = (element(0x0040A010, b"CS", b"CONTAINS") + element(0x0040A040, b"CS", b"CONTAINER")
              + sequence(0x0040A043, concept))
    body = b""
    # Built from the inside out, iteratively.
    for _ in range(depth):
        body = item(common + (sequence(0x0040A730, body) if body else b""))
    return sequence(0x0040A730, body)


@pytest.mark.parametrize("defined", [False, True], ids=["undefined-length", "defined-length"])
@pytest.mark.parametrize("implicit", [False, True], ids=["explicit", "implicit"])
def test_a_content_tree_nested_thousands_deep(app, tmp_path, implicit, defined):
    ds = ct_dose_report()
    del ds.ContentSequence
    header = to_bytes(ds, implicit)
    data = header + _nested_tree(5_000, implicit, defined)
    with app.app_context():
        if defined:
            # Sequences of defined length are parsed one level at a time, when entered: the
            # extractor reads the levels its template has and never meets the rest.
            outcome = import_bytes(tmp_path, data, "deep.dcm", allowed=("imported", "failed"))
            if outcome.status == "imported":
                assert stored_study().number_of_events == 1
        else:
            outcome = import_bytes(tmp_path, data, "deep.dcm")
            assert outcome.message == "is nested more than 50 levels deep"


# Absurd numbers --------------------------------------------------------------------------------
# One absurd dose does not make a report unreadable: the study is stored with everything else
# it holds, the value is left out, and the import's warning names the quantity.
ABSURD = {"NaN": "NaN", "inf": "inf", "-inf": "-inf", "negative": "-12.5", "1e308": "1e308",
          "1e13": "1e13"}


def import_with_warning(tmp_path, data: bytes, name: str, quantity: str):
    """Import ``data``: stored, with a warning naming ``quantity``; the outcome is returned."""
    outcome = import_bytes(tmp_path, data, name, allowed=("imported",))
    assert outcome.status == "imported", outcome.line()
    assert any(quantity.lower() in warning.lower() and warning.endswith("not stored")
               for warning in outcome.warnings), outcome.warnings
    return outcome


@pytest.mark.parametrize("value", ABSURD.values(), ids=ABSURD.keys())
@pytest.mark.parametrize("concept, name, field", [
    ("113830", "Mean CTDIvol", "mean_ctdivol"), ("113838", "DLP", "dlp"),
    ("113813", "CT Dose Length Product Total", None)])
def test_an_absurd_ct_dose_is_left_out_and_named(app, tmp_path, concept, name, field, value):
    ds = ct_dose_report()
    set_numeric_value(_first(ds, concept), value)
    with app.app_context():
        import_with_warning(tmp_path, to_bytes(ds), "absurd.dcm", name)
        dose = stored_study().ctradiationdose_set[0]
        [event] = dose.ctirradiationeventdata_set
        values = {"mean_ctdivol": event.mean_ctdivol, "dlp": event.dlp}
        for other, expected in (("mean_ctdivol", 12.34), ("dlp", 456.7)):
            assert values[other] == (None if other == field else pytest.approx(expected))
        total = dose.ctaccumulateddosedata_set[0].ct_dose_length_product_total
        assert total == (None if field is None else pytest.approx(456.7))
        assert event.acquisition_protocol == "Abdomen"


@needs_corpus
@pytest.mark.parametrize("value", ABSURD.values(), ids=ABSURD.keys())
@pytest.mark.parametrize("name, concept, quantity", [
    ("RF-RDSR-Siemens-Zee.dcm", "122130", "Dose Area Product"),
    ("RF-RDSR-Siemens-Zee.dcm", "113725", "Dose (RP) Total"),
    ("MG-RDSR-Hologic_2D.dcm", "111637", "Accumulated Average Glandular Dose"),
    ("MG-RDSR-Hologic_2D.dcm", "111631", "Average Glandular Dose"),
])
def test_an_absurd_projection_dose_is_left_out_and_named(app, tmp_path, name, concept,
                                                          quantity, value):
    with app.app_context():
        clean = import_bytes(tmp_path, corpus_bytes(name), name, allowed=("imported",))
        assert clean.status == "imported"
        expected_rows = stored_rows()
        empty_tables(row_counts())
        ds = corpus_dataset(name)
        for item in content_items(ds, concept):
            if "MeasuredValueSequence" in item and item.MeasuredValueSequence:
                set_numeric_value(item, value)
                break
        import_with_warning(tmp_path, to_bytes(ds), name, quantity)
        # Every row of the study is there: only the one value is missing.
        assert stored_rows() == expected_rows


@needs_corpus
@pytest.mark.parametrize("value", ["NaN", "inf", "-5", "1e308"])
@pytest.mark.parametrize("name, keyword, quantity", [
    ("MG-Im-GE_Seno_1_ForPresentation.dcm", "OrganDose", "Organ Dose"),
    ("DX-Im-GE_XR220-1.dcm", "ImageAndFluoroscopyAreaDoseProduct", "Area Dose Product"),
])
def test_an_absurd_image_header_dose_is_left_out_and_named(app, tmp_path, name, keyword,
                                                            quantity, value):
    ds = corpus_dataset(name)
    tag = ds.data_element(keyword).tag
    ds[tag] = RawDataElement(tag, "DS", len(value), value.encode(), 0, False, True)
    with app.app_context():
        import_with_warning(tmp_path, to_bytes(ds), name, quantity)
        assert stored_study().modality_type in ("MG", "DX")


def test_a_floating_point_value_of_nan_is_left_out_and_named(app, tmp_path):
    ds = ct_dose_report()
    _first(ds, "113830").MeasuredValueSequence[0].FloatingPointValue = math.nan
    with app.app_context():
        outcome = import_with_warning(tmp_path, to_bytes(ds), "nan.dcm", "Mean CTDIvol")
        assert ("'Mean CTDIvol' in irradiation event 1 is not a finite number (nan): not stored"
                in outcome.warnings)
        [event] = stored_study().ctradiationdose_set[0].ctirradiationeventdata_set
        assert (event.mean_ctdivol, float(event.dlp)) == (None, pytest.approx(456.7))


# Long strings and markup -------------------------------------------------------------------------
TEXT_VRS = {"LO", "SH", "PN", "ST", "LT", "UT", "CS", "AE", "UC"}
#: Attributes that decide which importer reads an object and what it is; they are not free text.
ROUTING = {"SpecificCharacterSet", "Modality", "SeriesDescription", "ImageType", "PatientSex"}


def _header_text_keywords(ds) -> list[str]:
    return [element.keyword for element in ds
            if element.VR in TEXT_VRS and element.keyword and element.tag.group != 0x0002]


@needs_corpus
@pytest.mark.parametrize("name", [CT_REPORT, "RF-RDSR-Philips_Allura.dcm",
                                  "MG-RDSR-Hologic_2D.dcm", "DX-Im-Carestream_DR7500-1.dcm",
                                  "MG-Im-GE_Seno_1_ForPresentation.dcm",
                                  "CT-SC-Philips_Brilliance16P.dcm", "NM-RRDSR-Siemens.dcm",
                                  "NM-PetIm-GE.dcm"])
def test_ten_thousand_characters_in_every_header_text_field(app, tmp_path, name):
    ds = corpus_dataset(name)
    for keyword in _header_text_keywords(ds):
        if keyword not in ROUTING:
            ds[keyword].value = "W" * 10_000
    with app.app_context():
        import_bytes(tmp_path, to_bytes(ds), name, allowed=("imported",))
        study = stored_study()
        assert study.generalequipmentmoduleattr_set[0].manufacturer == "W" * 256
        if "StudyDescription" in ds:
            assert study.study_description == "W" * 10_000  # a Text column
        _assert_strings_fit(study)
        again = import_bytes(tmp_path, to_bytes(ds), name, allowed=("duplicate",))
        assert again.study_id == study.id


def _assert_strings_fit(row):
    """Every string column of ``row`` and its children is within its column's length."""
    from app.models.tree import child_collections

    for field, length in string_lengths(type(row)).items():
        value = getattr(row, field)
        assert value is None or len(value) <= length, (type(row).__name__, field, len(value))
    for collection in child_collections(type(row)):
        for child in getattr(row, collection):
            _assert_strings_fit(child)


def test_ten_thousand_characters_in_content_items(app, tmp_path):
    ds = ct_dose_report(comment="C" * 10_000)
    for item in content_items(ds):
        for code in item.ConceptNameCodeSequence:
            code.CodeMeaning = "M" * 10_000
        if "TextValue" in item and item.ConceptNameCodeSequence[0].CodeValue == "125203":
            item.TextValue = "P" * 10_000
    with app.app_context():
        import_bytes(tmp_path, to_bytes(ds), "long.dcm", allowed=("imported",))
        study = stored_study()
        event = study.ctradiationdose_set[0].ctirradiationeventdata_set[0]
        assert event.acquisition_protocol == "P" * 10_000 or len(event.acquisition_protocol) <= 256
        assert event.comment.startswith("CCC")
        assert event.mean_ctdivol == pytest.approx(12.34)
        _assert_strings_fit(study)


@needs_corpus
@pytest.mark.parametrize("name", [CT_REPORT, "DX-Im-Carestream_DR7500-1.dcm"])
def test_markup_in_every_text_field_is_stored_verbatim(app, tmp_path, name):
    ds = corpus_dataset(name)
    for keyword in _header_text_keywords(ds):
        if keyword not in ROUTING:
            ds[keyword].value = SCRIPT
    ds.SpecificCharacterSet = "ISO_IR 192"
    with app.app_context():
        import_bytes(tmp_path, to_bytes(ds), name, allowed=("imported",))
        study = stored_study()
        equipment = study.generalequipmentmoduleattr_set[0]
        assert study.study_description == SCRIPT
        assert equipment.institution_name == SCRIPT
        assert equipment.manufacturer_model_name == SCRIPT
        assert equipment.unique_equipment_name.display_name == f"{SCRIPT} {SCRIPT}"


def test_markup_in_content_items_is_stored_verbatim(app, tmp_path):
    ds = ct_dose_report(comment=SCRIPT)
    _first(ds, "125203").TextValue = SCRIPT
    with app.app_context():
        import_bytes(tmp_path, to_bytes(ds), "markup.dcm", allowed=("imported",))
        event = stored_study().ctradiationdose_set[0].ctirradiationeventdata_set[0]
        assert (event.acquisition_protocol, event.comment) == (SCRIPT, SCRIPT)


# Huge files ------------------------------------------------------------------------------------
@pytest.mark.parametrize("where", ["trailing padding", "private element"])
def test_a_fifty_megabyte_padding_element_is_harmless(app, tmp_path, where):
    ds = ct_dose_report()
    padding = b"\x00" * (50 * 1024 * 1024)
    if where == "trailing padding":
        ds.add_new(0xFFFCFFFC, "OB", padding)
    else:
        block = ds.private_block(0x0011, "KERMA TEST", create=True)
        block.add_new(0x01, "OB", padding)
    with app.app_context():
        outcome = import_bytes(tmp_path, to_bytes(ds), "huge.dcm", allowed=("imported",))
        assert stored_study().total_dlp == pytest.approx(456.7)
    assert outcome.modality_type == "CT"


def test_a_fifty_megabyte_file_cut_short_is_refused(app, tmp_path):
    ds = ct_dose_report()
    ds.add_new(0x00111001, "OB", b"\x00" * (50 * 1024 * 1024))
    ds.add_new(0x00110010, "LO", "KERMA TEST")
    data = to_bytes(ds)
    with app.app_context():
        outcome = import_bytes(tmp_path, data[:len(data) - 1000], "huge.dcm")
    assert outcome.message.startswith("is truncated")
