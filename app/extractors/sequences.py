"""Sequences of an SR content tree read straight from their bytes.

pydicom leaves the sequences of an explicit VR file unparsed until they are used, and then
builds a full ``Dataset`` for every item, which for a fluoroscopy report with thousands of
events costs seconds. The content tree needs none of what a ``Dataset`` offers beyond looking
up an element by tag, so its sequences are read here into ``RawItem`` objects: a dict from tag
to value representation and bytes, each value decoded only when it is asked for and nested
sequences parsed only when they are entered.

Little endian transfer syntaxes only (explicit and implicit VR); big endian data, retired
from the standard, is left to pydicom.

Implicit VR files usually give their sequences an undefined length, and pydicom then parses
the whole content tree while reading the file; ``app.extractors.lightread`` reads such a
file with the content tree left as bytes, for this reader.
"""
import struct

from pydicom.charset import convert_encodings
from pydicom.datadict import dictionary_VR, keyword_dict
from pydicom.dataelem import DataElement, RawDataElement, convert_raw_data_element
from pydicom.tag import Tag

from .errors import ExtractionError

_ELEMENT_HEADER = struct.Struct("<HHI")  # group, element, 32-bit length (implicit VR, items)
_EXPLICIT_HEADER = struct.Struct("<HH2sH")  # group, element, VR, 16-bit length
_LONG_LENGTH = struct.Struct("<I")
# Explicit VR elements with these VRs have a 32-bit length after two reserved bytes.
_LONG_VRS = frozenset({b"OB", b"OD", b"OF", b"OL", b"OV", b"OW", b"SQ", b"SV", b"UC", b"UN",
                       b"UR", b"UT", b"UV"})
_VR_NAMES = {name.encode(): name for name in (
    "AE", "AS", "AT", "CS", "DA", "DS", "DT", "FD", "FL", "IS", "LO", "LT", "OB", "OD", "OF",
    "OL", "OV", "OW", "PN", "SH", "SL", "SQ", "SS", "ST", "SV", "TM", "UC", "UI", "UL", "UN",
    "UR", "US", "UT", "UV")}
_ITEM, _ITEM_END, _SEQUENCE_END = 0xFFFEE000, 0xFFFEE00D, 0xFFFEE0DD
_UNDEFINED = 0xFFFFFFFF
#: Dose reports nest a handful of levels; far deeper nesting is a corrupt or hostile object.
MAX_DEPTH = 50
# Text VRs whose value is never split at backslashes (VM 1 by definition).
_SINGLE_VALUE_TEXT = frozenset({"LT", "ST", "UT", "UR"})
_TEXT_VRS = frozenset({"AE", "AS", "CS", "DA", "DS", "DT", "IS", "LO", "PN", "SH", "TM", "UC",
                       "UI"}) | _SINGLE_VALUE_TEXT
_BINARY = {"FD": "d", "FL": "f", "US": "H", "UL": "I", "SS": "h", "SL": "i"}


class _Context:
    """What every item of one file shares: the VR encoding and the character sets."""

    __slots__ = ("implicit", "encodings")

    def __init__(self, implicit: bool, encodings):
        self.implicit = implicit
        self.encodings = encodings


def read_sequence(raw: RawDataElement, dataset) -> list["RawItem"] | None:
    """The items of a still unparsed sequence element of ``dataset``, or None if not ours.

    None means the element is not a little endian sequence this module reads; the caller
    then lets pydicom convert it.
    """
    if not raw.is_little_endian or raw.value is None:
        return None
    if raw.VR is None and not (raw.is_implicit_VR and _implicit_vr(raw.tag) == "SQ"):
        return None
    if raw.VR not in (None, "SQ"):
        return None
    context = _Context(raw.is_implicit_VR, _encodings(dataset))
    items, _ = _parse_sequence(memoryview(raw.value), 0, len(raw.value), context)
    return items


def _encodings(dataset):
    charset = dataset.get(0x00080005) if hasattr(dataset, "get") else None
    try:
        return convert_encodings(charset.value if charset is not None else None)
    except Exception:  # an unknown character set: pydicom's default with replacement
        return convert_encodings(None)


_IMPLICIT_VRS: dict[int, str] = {}


def _implicit_vr(tag: int) -> str:
    """The dictionary VR of a tag (implicit VR data carries none); UN for unknown tags."""
    vr = _IMPLICIT_VRS.get(tag)
    if vr is None:
        try:
            vr = dictionary_VR(tag)
        except KeyError:
            vr = "UN"
        if len(_IMPLICIT_VRS) < 10_000:  # private tags vary; keep the cache bounded
            _IMPLICIT_VRS[tag] = vr
    return vr


class RawItem:
    """One sequence item: elements looked up by tag, values decoded on first use.

    It offers the lookups the content-item reader uses on a pydicom ``Dataset`` (``in``,
    ``get``, ``[]``, ``get_item``, attribute access by keyword) so code written for either
    works with both.
    """

    __slots__ = ("_elements", "_context")

    def __init__(self, elements: dict, context: _Context):
        self._elements = elements
        self._context = context

    def value(self, tag: int):
        """The decoded value of an element, or None when the item lacks it."""
        entry = self._elements.get(tag)
        if entry is None:
            return None
        vr, data = entry
        if vr == "SQ":
            if not isinstance(data, list):
                data, _ = _parse_sequence(data, 0, len(data), self._context)
                self._elements[tag] = ("SQ", data)
            return data
        decoded = self._decode(tag, vr, data)
        self._elements[tag] = (vr, _Decoded(decoded))
        return decoded

    def _decode(self, tag, vr, data):
        if isinstance(data, _Decoded):
            return data.value
        raw = bytes(data)
        if vr in _TEXT_VRS:
            if raw.isascii() and b"\x1b" not in raw:
                text = raw.decode("ascii").rstrip("\x00 ")
                if "\\" in text and vr not in _SINGLE_VALUE_TEXT:
                    return [part.strip() for part in text.split("\\")]
                return text
            element = RawDataElement(Tag(tag), vr, len(raw), raw, 0, self._context.implicit, True)
            return convert_raw_data_element(element, encoding=self._context.encodings).value
        if vr in _BINARY:
            code = _BINARY[vr]
            count = len(raw) // struct.calcsize(code)
            values = struct.unpack(f"<{count}{code}", raw[:count * struct.calcsize(code)])
            return values[0] if count == 1 else list(values)
        return raw

    # The pydicom Dataset lookups ----------------------------------------------------------
    def __contains__(self, key) -> bool:
        return _tag(key) in self._elements

    def get_item(self, key):
        """The element, as pydicom's ``Dataset.get_item`` would give it (here always decoded)."""
        tag = _tag(key)
        if tag not in self._elements:
            return None
        return DataElement(Tag(tag), self._elements[tag][0], self.value(tag))

    def __getitem__(self, key):
        element = self.get_item(key)
        if element is None:
            raise KeyError(key)
        return element

    def get(self, key, default=None):
        """The element for a tag, or the value for a keyword, as ``Dataset.get`` does."""
        if isinstance(key, str):
            return self.value(_tag(key)) if _tag(key) in self._elements else default
        element = self.get_item(key)
        return default if element is None else element

    def __getattr__(self, keyword):
        if keyword.startswith("_") or keyword not in keyword_dict:
            raise AttributeError(keyword)
        tag = keyword_dict[keyword]
        if tag not in self._elements:
            raise AttributeError(keyword)
        return self.value(tag)

    def __iter__(self):
        return (self.get_item(tag) for tag in sorted(self._elements))

    def __len__(self):
        return len(self._elements)

    def __repr__(self):
        return f"<RawItem with {len(self._elements)} elements>"


class _Decoded:
    """Marks an element value that has already been decoded."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value


def _tag(key) -> int:
    if isinstance(key, str):
        try:
            return keyword_dict[key]
        except KeyError:
            raise KeyError(key) from None
    return int(Tag(key))


def _parse_sequence(buffer, position: int, end: int | None, context: _Context, depth: int = 0):
    """Items from ``position`` up to ``end`` (None: up to a sequence delimiter)."""
    if depth > MAX_DEPTH:
        raise ExtractionError(f"its content tree is nested more than {MAX_DEPTH} levels deep")
    items = []
    try:
        while end is None or position < end:
            group, element, length = _ELEMENT_HEADER.unpack_from(buffer, position)
            position += 8
            tag = group << 16 | element
            if tag == _SEQUENCE_END:
                break
            if tag != _ITEM:
                raise ExtractionError(
                    f"a sequence holds element ({group:04X},{element:04X}) where an item belongs"
                )
            if length == _UNDEFINED:
                item, position = _parse_item(buffer, position, None, context, depth)
            else:
                _check_bounds(buffer, position, length)
                item, _ = _parse_item(buffer, position, position + length, context, depth)
                position += length
            items.append(item)
    except struct.error:
        raise ExtractionError("a sequence ends before its last item does") from None
    return items, position


def _parse_item(buffer, position: int, end: int | None, context: _Context, depth: int):
    """One item's elements: headers read, values kept as byte slices."""
    elements = {}
    implicit = context.implicit
    size = len(buffer)
    limit = size if end is None else end
    while position < limit:
        if implicit:
            group, element, length = _ELEMENT_HEADER.unpack_from(buffer, position)
            tag = group << 16 | element
            if tag == _ITEM_END:
                return RawItem(elements, context), position + 8
            vr = _implicit_vr(tag)
            position += 8
        else:
            group, element, vr_bytes, length = _EXPLICIT_HEADER.unpack_from(buffer, position)
            tag = group << 16 | element
            if tag == _ITEM_END:
                return RawItem(elements, context), position + 8
            if vr_bytes in _LONG_VRS:
                length = _LONG_LENGTH.unpack_from(buffer, position + 8)[0]
                position += 12
            else:
                position += 8
            vr = _VR_NAMES.get(vr_bytes) or _vr_name(vr_bytes, tag)
        if length == _UNDEFINED:
            if vr not in ("SQ", "UN"):
                raise ExtractionError(
                    f"element ({group:04X},{element:04X}) has an undefined length but is no sequence"
                )
            # An undefined length sequence ends at its delimiter: parse it to find the end.
            nested = _Context(True, context.encodings) if vr == "UN" else context
            items, position = _parse_sequence(buffer, position, None, nested, depth + 1)
            elements[tag] = ("SQ", items)
            continue
        following = position + length
        if following > size:
            raise ExtractionError("a sequence item is longer than the data that holds it")
        elements[tag] = (vr, buffer[position:following])
        position = following
    if end is None:
        raise ExtractionError("a sequence item has no end")
    return RawItem(elements, context), position


def _vr_name(vr_bytes: bytes, tag: int) -> str:
    try:
        vr = vr_bytes.decode("ascii")
    except UnicodeDecodeError:
        vr = ""
    if not vr.isalpha():
        raise ExtractionError(f"element ({tag >> 16:04X},{tag & 0xFFFF:04X}) has no valid VR")
    return vr


def _check_bounds(buffer, position: int, length: int):
    if position + length > len(buffer):
        raise ExtractionError("a sequence item is longer than the data that holds it")
