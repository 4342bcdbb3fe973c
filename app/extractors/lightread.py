"""Reading a DICOM file quickly, and only when it is whole.

Before pydicom reads a file, its top-level elements are walked from header to header (values
are skipped, not decoded): a file whose last element runs past its end was cut short in
transfer or on disk, and pydicom would silently read the part that is there. Such a file is
refused here with the element it ends in, so a damaged object is never half imported.

The walk also finds the sequences of undefined length (the usual encoding in implicit VR
files and in many image headers). pydicom parses such a sequence while it reads the file,
building a Dataset for every item, which for the content tree of the largest fluoroscopy
reports costs seconds and for an image header's many sequences most of its reading time. So
they are kept as raw elements, parsed only when an extractor asks for them: the Content
Sequence by ``app.extractors.sequences``, the others by pydicom. Sequences of defined length
pydicom leaves raw by itself. Nothing from the pixel data on is read.

As the walk has found every top-level element, the dataset is made from it directly: each
element becomes the raw element pydicom's reader would have made (tag, VR as written, length,
value bytes), decoded by pydicom when an extractor reads it. pydicom's own reading, which
walks the same headers again through a file object, took most of a small object's reading
time. A file this walk cannot describe exactly (a command group, an undefined-length element
that is not a sequence, an encoding other than the one announced) is read by pydicom, with
the undefined-length sequences cut out as before.

Only the little endian transfer syntaxes are walked; a deflated or big endian file, or one
whose element headers the walk cannot follow (an unknown VR), is left to pydicom as it is.
"""
import struct
from io import BytesIO
from typing import NamedTuple

from pydicom import dcmread
from pydicom.charset import default_encoding
from pydicom.datadict import dictionary_VR
from pydicom.dataelem import RawDataElement, empty_value_for_VR
from pydicom.dataset import FileDataset, FileMetaDataset
from pydicom.tag import BaseTag

from .errors import ExtractionError

CONTENT_SEQUENCE = 0x0040A730
PIXEL_DATA = 0x7FE00010
#: Where pydicom's ``stop_before_pixels`` stops: float, double float and plain pixel data.
PIXELS_FROM = frozenset({0x7FE00008, 0x7FE00009, PIXEL_DATA})
ITEM, ITEM_END, SEQUENCE_END = 0xFFFEE000, 0xFFFEE00D, 0xFFFEE0DD
UNDEFINED = 0xFFFFFFFF
IMPLICIT_LE, EXPLICIT_LE = "1.2.840.10008.1.2", "1.2.840.10008.1.2.1"
# Transfer syntaxes whose data set is not explicit VR little endian as written.
_NOT_WALKED = {"1.2.840.10008.1.2.2", "1.2.840.10008.1.2.1.99", "1.2.840.10008.1.2.8.1"}
#: Dose reports nest a handful of levels; far deeper nesting is a corrupt or hostile object.
MAX_DEPTH = 50

_LONG_VRS = frozenset({b"OB", b"OD", b"OF", b"OL", b"OV", b"OW", b"SQ", b"SV", b"UC", b"UN",
                       b"UR", b"UT", b"UV"})
_KNOWN_VRS = _LONG_VRS | {vr.encode() for vr in (
    "AE AS AT CS DA DS DT FD FL IS LO LT PN SH SL SS ST TM UI UL US").split()}
_HEADER = struct.Struct("<HHI")  # group, element, 32-bit length (implicit VR, items)
_EXPLICIT = struct.Struct("<HH2sH")  # group, element, VR, 16-bit length
_UINT32 = struct.Struct("<I")


class LightReadError(ExtractionError):
    """The bytes do not hold a whole, readable DICOM encoding; the message says where."""


class _Unwalkable(Exception):
    """The element headers cannot be followed here; pydicom reads the file as it is."""


class _Element(NamedTuple):
    tag: int
    vr: bytes | None  # as written (explicit VR), or None (implicit VR)
    length: int
    value_start: int


class _Walk(NamedTuple):
    #: Every top-level element before the pixel data, in file order.
    elements: list
    #: ``(tag, start, value start, end)`` of the top-level sequences of undefined length.
    sequences: list
    #: Where the pixel data element starts (None without one).
    pixels: int | None
    #: False when ``elements`` cannot stand for pydicom's reading (see the module docstring).
    exact: bool


def read_dicom(data: bytes):
    """The dataset in ``data`` (pixel data skipped); LightReadError if the file is not whole.

    Top-level sequences of undefined length are left unparsed, as raw elements.
    """
    layout = _layout(data)
    if layout is None:
        return dcmread(BytesIO(data), stop_before_pixels=True)
    meta, implicit, walk = layout
    if walk.exact and meta is not None:
        return _dataset(data, meta, implicit, walk)
    if not walk.sequences and walk.pixels is None:
        return dcmread(BytesIO(data), stop_before_pixels=True)
    pieces, kept_from = [], 0
    for _, start, _, stop in walk.sequences:
        pieces.append(data[kept_from:start])
        kept_from = stop
    pieces.append(data[kept_from:walk.pixels])
    header = dcmread(BytesIO(b"".join(pieces)), stop_before_pixels=True)
    for tag, _, value_start, stop in walk.sequences:
        header[tag] = _sequence(data, tag, value_start, stop, implicit)
    return header


def _sequence(data, tag, value_start, stop, implicit) -> RawDataElement:
    """An undefined-length sequence as a raw element (its items unparsed)."""
    value = data[value_start:stop - 8]  # without the sequence delimitation item
    return RawDataElement(BaseTag(tag), None if implicit else "SQ", len(value), value, 0,
                          implicit, True)


def _dataset(data, meta, implicit, walk) -> FileDataset:
    """The dataset pydicom's ``dcmread(stop_before_pixels=True)`` reads, made from the walk."""
    undefined = {tag: (value_start, stop) for tag, _, value_start, stop in walk.sequences}
    elements = {}
    for element in walk.elements:
        span = undefined.get(element.tag)
        raw = _sequence(data, element.tag, *span, implicit) if span else \
            _raw(data, element, implicit)
        elements[raw.tag] = raw
    file_meta = FileMetaDataset({raw.tag: raw for raw in
                                 (_raw(data, element, False) for element in meta)})
    file_meta.set_original_encoding(False, True, default_encoding)
    ds = FileDataset(BytesIO(), elements, data[:128], file_meta, implicit, True)
    ds.set_original_encoding(implicit, True, ds._character_set)
    return ds


def _raw(data, element, implicit) -> RawDataElement:
    """A defined-length element as pydicom's reader makes it."""
    vr = None if element.vr is None else element.vr.decode()
    if element.length:
        value = data[element.value_start:element.value_start + element.length]
    else:
        value = empty_value_for_VR(vr, raw=True)
    return RawDataElement(BaseTag(element.tag), vr, element.length, value, element.value_start,
                          implicit, True)


def _layout(data: bytes):
    """(file meta elements, implicit VR, walk), or None.

    None when the file is not one this module walks; the file meta elements are None when
    pydicom might read them differently. Raises LightReadError when an element runs past the
    end of the file.
    """
    if len(data) < 132 or data[128:132] != b"DICM":
        return None
    meta_end, syntax, meta = _file_meta(data)
    if syntax in _NOT_WALKED or not syntax:
        return None
    implicit = syntax == IMPLICIT_LE
    first_vr = data[meta_end + 4:meta_end + 6]
    if len(first_vr) == 2 and implicit != (not (0x40 < first_vr[0] < 0x5B and
                                               0x40 < first_vr[1] < 0x5B)):
        # Written in the other encoding than announced: pydicom believes the first
        # element's header over the transfer syntax, and reads the file as it is.
        return None
    try:
        walk = _walk(memoryview(data), meta_end, implicit)
    except _Unwalkable:
        return None
    return meta, implicit, walk


def _file_meta(data):
    """Position after the file meta group (explicit VR little endian by definition), the
    Transfer Syntax UID it names, and its elements (None if any is not plainly explicit VR
    with a defined length, which pydicom might read otherwise)."""
    pos, size, syntax, elements, plain = 132, len(data), None, [], True
    while pos + 8 <= size:
        group, elem, vr, length = _EXPLICIT.unpack_from(data, pos)
        if group != 0x0002:
            break
        if vr in _LONG_VRS:
            if pos + 12 > size:
                break
            length = _UINT32.unpack_from(data, pos + 8)[0]
            value_start = pos + 12
        else:
            value_start = pos + 8
        if value_start + length > size:
            raise _truncated(group, elem)
        if elem == 0x0010:
            syntax = data[value_start:value_start + length].decode("latin-1").strip(" \x00")
        elements.append(_Element(group << 16 | elem, vr, length, value_start))
        plain = plain and vr in _KNOWN_VRS and vr != b"SQ" and length != UNDEFINED
        pos = value_start + length
    if pos + 8 > size:
        raise LightReadError("is truncated (it ends in or just after its file meta information)")
    return pos, syntax, elements if plain else None


def _walk(buffer, pos, implicit) -> _Walk:
    """Walk the top-level elements to the end of the file."""
    size = len(buffer)
    elements, sequences, pixels, exact = [], [], None, True
    while pos < size:
        if pos + 8 > size:
            if any(buffer[pos:]):
                raise LightReadError("is truncated (it ends inside an element header)")
            break  # a few bytes of zero padding
        start = pos
        group, elem, vr, length = _element_header(buffer, pos, implicit)
        tag = group << 16 | elem
        if tag in PIXELS_FROM and pixels is None:
            pixels = start
        pos += 8 if implicit or vr not in _LONG_VRS else 12
        if pixels is None:
            elements.append(_Element(tag, None if implicit else vr, length, pos))
            if group in (0x0000, 0x0002) or tag in (ITEM, ITEM_END, SEQUENCE_END):
                exact = False  # a command group, or elements pydicom reads otherwise
        if length == UNDEFINED:
            if not (vr in (b"SQ", b"UN", b"OB") or (implicit and vr is None)):
                raise _Unwalkable
            value_start = pos
            try:
                pos = _skip_sequence(buffer, pos, implicit or vr == b"UN", 1)
            except struct.error:
                raise _truncated(group, elem) from None
            if pixels is None:
                if vr == b"SQ":
                    sequences.append((tag, start, value_start, pos))
                else:
                    exact = False  # pydicom decides what it is
        else:
            pos += length
            if pos > size:
                raise _truncated(group, elem)
    return _Walk(elements, sequences, pixels, exact)


def _element_header(buffer, pos, implicit):
    """(group, element, VR bytes or None for implicit VR, length) at ``pos``."""
    if implicit:
        group, elem, length = _HEADER.unpack_from(buffer, pos)
        return group, elem, _implicit_vr(group << 16 | elem), length
    group, elem, vr, length = _EXPLICIT.unpack_from(buffer, pos)
    if vr not in _KNOWN_VRS:
        if vr.isalpha() and vr.isupper():
            raise LightReadError(f"is damaged (element ({group:04X},{elem:04X}) has an unknown "
                                 f"value representation '{vr.decode()}')")
        raise _Unwalkable  # perhaps implicit VR where explicit was announced: pydicom copes
    if vr in _LONG_VRS:
        length = _UINT32.unpack_from(buffer, pos + 8)[0]
    return group, elem, vr, length


def _implicit_vr(tag):
    """The dictionary VR (as bytes) of a tag in implicit VR data; None for unknown tags."""
    try:
        return dictionary_VR(tag)[:2].encode()
    except KeyError:
        return None


def _skip_sequence(buffer, pos, implicit, depth):
    """Position after the delimiter of the undefined-length sequence whose items start here."""
    if depth > MAX_DEPTH:
        raise LightReadError(f"is nested more than {MAX_DEPTH} levels deep")
    size = len(buffer)
    while True:
        group, elem, length = _HEADER.unpack_from(buffer, pos)
        pos += 8
        tag = group << 16 | elem
        if tag == SEQUENCE_END:
            return pos
        if tag != ITEM:
            raise LightReadError(
                f"is damaged (a sequence holds element ({group:04X},{elem:04X}) "
                "where an item belongs)")
        if length == UNDEFINED:
            pos = _skip_item(buffer, pos, implicit, depth)
        else:
            pos += length
            if pos > size:
                raise struct.error("past the end")


def _skip_item(buffer, pos, implicit, depth):
    """Position after the delimiter of the undefined-length item whose elements start here."""
    size = len(buffer)
    # Some writers encode the items of an undefined-length UN sequence in explicit VR, where
    # the standard says implicit; as pydicom does, the first element's header decides.
    implicit = bytes(buffer[pos + 4:pos + 6]) not in _KNOWN_VRS
    while True:
        if implicit:
            group, elem, length = _HEADER.unpack_from(buffer, pos)
            vr = None
            pos += 8
        else:
            group, elem, vr, length = _EXPLICIT.unpack_from(buffer, pos)
            if vr in _LONG_VRS:
                length = _UINT32.unpack_from(buffer, pos + 8)[0]
                pos += 12
            else:
                pos += 8
        tag = group << 16 | elem
        if tag == ITEM_END:
            return pos
        if length == UNDEFINED:
            pos = _skip_sequence(buffer, pos, implicit or vr == b"UN", depth + 1)
        else:
            pos += length
            if pos > size:
                raise struct.error("past the end")


def _truncated(group, elem):
    return LightReadError(
        f"is truncated (element ({group:04X},{elem:04X}) runs past the end of the file)")
