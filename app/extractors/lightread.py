"""A fast reader for the content tree of structured reports.

pydicom builds a full Dataset object for every content item of a report, which for the largest
fluoroscopy reports (hundreds of events, a quarter of a million elements) costs seconds. The
dose templates need a small part of that tree, so this reader indexes the encoded bytes
instead: an item's elements are located when the item is first looked at, values are decoded
when they are asked for, and items of defined length below an item nobody opens are never
parsed. The document header still goes through pydicom (character sets, value
representations), read from the file with the content tree cut out.

Only the transfer syntaxes dose reports are sent in are handled here (implicit and explicit VR
little endian); anything else falls back to pydicom.
"""
import struct
from io import BytesIO

from pydicom import dcmread
from pydicom.charset import decode_bytes
from pydicom.datadict import dictionary_VR, keyword_for_tag, tag_for_keyword

from .errors import ExtractionError

CONTENT_SEQUENCE = 0x0040A730
ITEM, ITEM_END, SEQUENCE_END = 0xFFFEE000, 0xFFFEE00D, 0xFFFEE0DD
UNDEFINED = 0xFFFFFFFF
IMPLICIT_LE, EXPLICIT_LE = "1.2.840.10008.1.2", "1.2.840.10008.1.2.1"
_LONG_VRS = {b"OB", b"OD", b"OF", b"OL", b"OV", b"OW", b"SQ", b"SV", b"UC", b"UN", b"UR",
             b"UT", b"UV"}
_TEXT_VRS = {"SH", "LO", "ST", "LT", "UT", "PN", "UC"}
_UINT32 = struct.Struct("<I")
_TAG_LENGTH = struct.Struct("<HHI")
_TAG_VR_SHORT = struct.Struct("<HH2sH")


class LightReadError(ExtractionError):
    """The bytes do not hold a readable DICOM encoding."""


class Element:
    """A located element: its VR and where its value lies; decoded on first use."""

    __slots__ = ("vr", "start", "length", "owner", "_value")

    def __init__(self, vr, start, length, owner):
        self.vr, self.start, self.length, self.owner = vr, start, length, owner
        self._value = _UNSET

    @property
    def value(self):
        if self._value is _UNSET:
            self._value = self.owner._decode(self)
        return self._value


_UNSET = object()


class LightDataset:
    """One item of a content tree; looks enough like a pydicom Dataset for the extractors."""

    __slots__ = ("_buffer", "_start", "_end", "_implicit", "_encodings", "_elements")

    def __init__(self, buffer, start, end, implicit, encodings, elements=None):
        self._buffer, self._start, self._end = buffer, start, end
        self._implicit, self._encodings = implicit, encodings
        self._elements = elements

    # The pydicom-like interface --------------------------------------------------------
    def get(self, key, default=None):
        element = self._index().get(_tag(key))
        if element is None:
            return default
        # pydicom returns the element for a tag and the value for a keyword.
        return element.value if isinstance(key, str) else element

    def __getitem__(self, key):
        element = self._index().get(_tag(key))
        if element is None:
            raise KeyError(key)
        return element

    def __contains__(self, key):
        return _tag(key) in self._index()

    def __getattr__(self, keyword):
        if keyword.startswith("_"):
            raise AttributeError(keyword)
        tag = tag_for_keyword(keyword)
        element = self._index().get(tag) if tag is not None else None
        if element is None:
            raise AttributeError(keyword)
        return element.value

    def __iter__(self):
        return iter(self._index().values())

    def keys(self):
        return self._index().keys()

    def dir(self):
        return [keyword_for_tag(t) for t in self._index()]

    # Parsing -----------------------------------------------------------------------------
    def _index(self):
        if self._elements is None:
            self._elements, _ = _parse_elements(
                self._buffer, self._start, self._end, self._implicit, self._encodings, self)
        return self._elements

    def _decode(self, element):
        if element.vr == "SQ":
            raise AssertionError("sequences are decoded when parsed")
        raw = self._buffer[element.start:element.start + element.length]
        vr = element.vr
        if vr == "FD":
            values = struct.unpack(f"<{len(raw) // 8}d", raw)
            return values[0] if len(values) == 1 else list(values)
        if vr == "FL":
            values = struct.unpack(f"<{len(raw) // 4}f", raw)
            return values[0] if len(values) == 1 else list(values)
        if vr in ("US", "UL", "SS", "SL"):
            fmt = {"US": "H", "UL": "I", "SS": "h", "SL": "i"}[vr]
            size = struct.calcsize(fmt)
            values = struct.unpack(f"<{len(raw) // size}{fmt}", raw)
            return values[0] if len(values) == 1 else list(values)
        if vr in _TEXT_VRS:
            text = decode_bytes(bytes(raw), self._encodings, set())
        else:
            text = bytes(raw).decode("latin-1")
        text = text.rstrip(" \x00")
        if vr in ("UT", "ST", "LT"):
            return text
        if "\\" in text:
            return [part.strip() for part in text.split("\\")]
        return text.strip()


def _tag(key):
    if isinstance(key, str):
        tag = tag_for_keyword(key)
        return -1 if tag is None else tag
    return int(key)


def _parse_elements(buffer, pos, end, implicit, encodings, owner):
    """Index the elements from ``pos``; stops at ``end`` or an item delimiter.

    Returns the index and the position after the last byte read.
    """
    elements = {}
    unpack_tag_length = _TAG_LENGTH.unpack_from
    unpack_tag_vr = _TAG_VR_SHORT.unpack_from
    unpack_u32 = _UINT32.unpack_from
    size = len(buffer)
    limit = size if end is None else end
    vr_names = _VR_NAMES
    while pos < limit:
        if pos + 8 > size:
            raise LightReadError("the content tree is truncated")
        if implicit:
            group, elem, length = unpack_tag_length(buffer, pos)
            tag = (group << 16) | elem
            value_start = pos + 8
            vr = dictionary_vr(tag) if group != 0xFFFE else ""
        else:
            group, elem, vr_bytes, length = unpack_tag_vr(buffer, pos)
            tag = (group << 16) | elem
            if group == 0xFFFE:
                length = unpack_u32(buffer, pos + 4)[0]
                vr = ""
                value_start = pos + 8
            else:
                vr = vr_names.get(vr_bytes)
                if vr is None:
                    raise LightReadError(f"element ({group:04X},{elem:04X}) has no valid VR")
                if vr in _LONG_VR_NAMES:
                    length = unpack_u32(buffer, pos + 8)[0]
                    value_start = pos + 12
                else:
                    value_start = pos + 8
        if tag == ITEM_END:
            return elements, pos + 8
        if group == 0xFFFE:
            raise LightReadError(f"unexpected delimiter ({group:04X},{elem:04X})")
        if vr == "SQ" or (length == UNDEFINED and vr in ("UN", "OB")):
            items, pos = _parse_sequence(buffer, value_start, length, implicit, encodings)
            element = Element("SQ", value_start, 0, owner)
            element._value = items
        else:
            if length == UNDEFINED:
                raise LightReadError(f"element ({group:04X},{elem:04X}) has no length")
            pos = value_start + length
            if pos > size:
                raise LightReadError("the content tree is truncated")
            element = Element(vr, value_start, length, owner)
        elements[tag] = element
    if end is not None and pos != end:
        raise LightReadError("an item's length does not match its content")
    return elements, pos


_ALL_VRS = ("AE AS AT CS DA DS DT FD FL IS LO LT OB OD OF OL OV OW PN SH SL SQ SS ST SV TM UC "
            "UI UL UN UR US UT UV").split()
_VR_NAMES = {vr.encode("ascii"): vr for vr in _ALL_VRS}
_LONG_VR_NAMES = {vr.decode("ascii") for vr in _LONG_VRS}


def _parse_sequence(buffer, pos, length, implicit, encodings):
    """The items of a sequence and the position after it."""
    items = []
    end = None if length == UNDEFINED else pos + length
    unpack = _TAG_LENGTH.unpack_from
    while end is None or pos < end:
        if pos + 8 > len(buffer):
            raise LightReadError("the content tree is truncated")
        group, elem, item_length = unpack(buffer, pos)
        tag = (group << 16) | elem
        pos += 8
        if tag == SEQUENCE_END:
            break
        if tag != ITEM:
            raise LightReadError(f"expected a sequence item, found ({group:04X},{elem:04X})")
        if item_length == UNDEFINED:
            item = LightDataset(buffer, pos, None, implicit, encodings)
            item._elements, pos = _parse_elements(buffer, pos, None, implicit, encodings, item)
        else:
            if pos + item_length > len(buffer):
                raise LightReadError("the content tree is truncated")
            # Parsed only when someone looks inside.
            item = LightDataset(buffer, pos, pos + item_length, implicit, encodings)
            pos += item_length
        items.append(item)
    if end is not None and pos != end:
        raise LightReadError("a sequence's length does not match its items")
    return items, pos


_VR_CACHE = {}


def dictionary_vr(tag):
    """The VR of a tag in implicit VR encoding (private and unknown tags read as UN)."""
    vr = _VR_CACHE.get(tag)
    if vr is None:
        try:
            vr = dictionary_VR(tag)
        except KeyError:
            vr = "UN"
        if " or " in vr:
            vr = vr.split(" or ")[0]
        _VR_CACHE[tag] = vr
    return vr


def read_report(data: bytes):
    """(header Dataset, content tree items) of a report file, or None to use pydicom instead.

    The header is read by pydicom from the file without its content tree; the tree is a list
    of LightDataset items.
    """
    if len(data) < 132 or data[128:132] != b"DICM":
        return None
    meta_end = _file_meta_end(data)
    if meta_end is None:
        return None
    meta = dcmread(BytesIO(data[:meta_end]), stop_before_pixels=True)
    syntax = str(meta.file_meta.get("TransferSyntaxUID", ""))
    if syntax not in (IMPLICIT_LE, EXPLICIT_LE):
        return None
    implicit = syntax == IMPLICIT_LE
    # Filled once the header (and its Specific Character Set) has been read; items keep a
    # reference to this list and decode text only when asked.
    encodings = []
    span = _top_level_span(memoryview(data), meta_end, implicit, CONTENT_SEQUENCE, encodings)
    if span is None:
        return None
    start, value_start, length, stop, items = span
    header = dcmread(BytesIO(data[:start] + data[stop:]), stop_before_pixels=True)
    encodings[:] = _encodings(header)
    if items is None:
        items, _ = _parse_sequence(memoryview(data), value_start, length, implicit, encodings)
    return header, items


def read_dicom(data: bytes):
    """A Dataset (pixel data skipped) whose content tree, if any, is read the fast way.

    ``app.extractors.sr.root`` finds the fast content tree on the dataset; everything else
    reads the dataset like any pydicom Dataset.
    """
    report = read_report(data)
    if report is None:
        return dcmread(BytesIO(data), stop_before_pixels=True)
    header, items = report
    object.__setattr__(header, "_content_items", items)
    return header


def _encodings(header):
    from pydicom.charset import convert_encodings

    charset = header.get("SpecificCharacterSet") or "ISO_IR 6"
    return convert_encodings(charset)


def _file_meta_end(data):
    """Position after the file meta group (explicit VR little endian by definition)."""
    pos = 132
    while pos + 8 <= len(data):
        group = struct.unpack_from("<H", data, pos)[0]
        if group != 0x0002:
            return pos
        vr = data[pos + 4:pos + 6]
        if vr in _LONG_VRS:
            length = _UINT32.unpack_from(data, pos + 8)[0]
            pos += 12 + length
        else:
            length = struct.unpack_from("<H", data, pos + 6)[0]
            pos += 8 + length
    return None


def _top_level_span(buffer, pos, implicit, wanted, encodings):
    """(start, value start, length, end, parsed items or None) of a top-level element."""
    size = len(buffer)
    while pos + 8 <= size:
        group, elem, length = _TAG_LENGTH.unpack_from(buffer, pos)
        tag = (group << 16) | elem
        start = pos
        if implicit:
            value_start = pos + 8
            vr = dictionary_vr(tag)
        else:
            vr_bytes = bytes(buffer[pos + 4:pos + 6])
            if vr_bytes in _LONG_VRS:
                length = _UINT32.unpack_from(buffer, pos + 8)[0]
                value_start = pos + 12
            else:
                length = struct.unpack_from("<H", buffer, pos + 6)[0]
                value_start = pos + 8
            vr = vr_bytes.decode("latin-1")
        items = None
        if length == UNDEFINED:
            if vr not in ("SQ", "UN", "OB"):
                return None
            items, stop = _parse_sequence(buffer, value_start, length, implicit, encodings)
        else:
            stop = value_start + length
        if tag == wanted:
            return start, value_start, length, stop, items
        if tag > wanted:
            return None
        pos = stop
    return None
