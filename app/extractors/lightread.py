"""Reading a DICOM file quickly, and only when it is whole.

Before pydicom reads a file, its top-level elements are walked from header to header (values
are skipped, not decoded): a file whose last element runs past its end was cut short in
transfer or on disk, and pydicom would silently read the part that is there. Such a file is
refused here with the element it ends in, so a damaged object is never half imported.

The walk also finds the sequences of undefined length (the usual encoding in implicit VR
files and in many image headers). pydicom parses such a sequence while it reads the file,
building a Dataset for every item, which for the content tree of the largest fluoroscopy
reports costs seconds and for an image header's many sequences most of its reading time. So
they are cut out before pydicom reads the rest and put back as raw elements, parsed only when
an extractor asks for them: the Content Sequence by ``app.extractors.sequences``, the others by
pydicom. Sequences of defined length pydicom leaves raw by itself. Nothing from the pixel data
on is handed to pydicom, which would stop there anyway.

Only the little endian transfer syntaxes are walked; a deflated or big endian file, or one
whose element headers the walk cannot follow (an unknown VR), is left to pydicom as it is.
"""
import struct
from io import BytesIO

from pydicom import dcmread
from pydicom.datadict import dictionary_VR
from pydicom.dataelem import RawDataElement
from pydicom.tag import Tag

from .errors import ExtractionError

CONTENT_SEQUENCE = 0x0040A730
PIXEL_DATA = 0x7FE00010
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


def read_dicom(data: bytes):
    """The dataset in ``data`` (pixel data skipped); LightReadError if the file is not whole.

    Top-level sequences of undefined length are left unparsed, as raw elements.
    """
    layout = _layout(data)
    if layout is None:
        return dcmread(BytesIO(data), stop_before_pixels=True)
    _, implicit, (sequences, pixels) = layout
    if not sequences and pixels is None:
        return dcmread(BytesIO(data), stop_before_pixels=True)
    pieces, kept_from = [], 0
    for _, start, _, stop in sequences:
        pieces.append(data[kept_from:start])
        kept_from = stop
    pieces.append(data[kept_from:pixels])
    header = dcmread(BytesIO(b"".join(pieces)), stop_before_pixels=True)
    for tag, _, value_start, stop in sequences:
        value = data[value_start:stop - 8]  # without the sequence delimitation item
        header[tag] = RawDataElement(
            Tag(tag), None if implicit else "SQ", len(value), value, 0, implicit, True)
    return header


def _layout(data: bytes):
    """(end of file meta, implicit VR, (sequence spans, pixel data start)), or None.

    None when the file is not one this module walks. Raises LightReadError when an element
    runs past the end of the file.
    """
    if len(data) < 132 or data[128:132] != b"DICM":
        return None
    meta_end, syntax = _file_meta(data)
    if syntax in _NOT_WALKED or not syntax:
        return None
    implicit = syntax == IMPLICIT_LE
    try:
        content = _walk(memoryview(data), meta_end, implicit)
    except _Unwalkable:
        return None
    return meta_end, implicit, content


def _file_meta(data):
    """Position after the file meta group (explicit VR little endian by definition) and the
    Transfer Syntax UID it names."""
    pos, size, syntax = 132, len(data), None
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
        pos = value_start + length
    if pos + 8 > size:
        raise LightReadError("is truncated (it ends in or just after its file meta information)")
    return pos, syntax


def _walk(buffer, pos, implicit):
    """Walk the top-level elements to the end of the file.

    Returns the spans ``(tag, start, value start, end)`` of the sequences of undefined
    length, and where the pixel data element starts (None without one).
    """
    size = len(buffer)
    sequences, pixels = [], None
    while pos < size:
        if pos + 8 > size:
            if any(buffer[pos:]):
                raise LightReadError("is truncated (it ends inside an element header)")
            break  # a few bytes of zero padding
        start = pos
        group, elem, vr, length = _element_header(buffer, pos, implicit)
        tag = group << 16 | elem
        if tag == PIXEL_DATA and pixels is None:
            pixels = start
        pos += 8 if implicit or vr not in _LONG_VRS else 12
        if length == UNDEFINED:
            if not (vr in (b"SQ", b"UN", b"OB") or (implicit and vr is None)):
                raise _Unwalkable
            value_start = pos
            try:
                pos = _skip_sequence(buffer, pos, implicit or vr == b"UN", 1)
            except struct.error:
                raise _truncated(group, elem) from None
            if vr == b"SQ" and pixels is None:
                sequences.append((tag, start, value_start, pos))
        else:
            pos += length
            if pos > size:
                raise _truncated(group, elem)
    return sequences, pixels


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
