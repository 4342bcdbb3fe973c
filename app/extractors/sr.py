"""Reading SR content trees: content items, their concepts and typed values.

A dose report is a tree of content items. Extractors walk only the containers their template
needs, so every item is wrapped lazily: nothing below an item is parsed until it is asked for.
That keeps the largest fluoroscopy reports (thousands of events) fast.

One odd value does not make a report unreadable. Every item of a tree shares the list of
warnings its root was made with: a number that is not a number, not finite, implausibly large,
negative where only positive values make sense, or in a unit that cannot be converted is read
as absent and noted there, naming the concept and the value; a code that is not a code of its
coding scheme is kept as sent and noted (``vocabulary``). Only a tree that cannot be walked
raises ``ExtractionError``.
"""
import math

from pydicom.dataelem import RawDataElement

from . import vocabulary
from .codes import Code
from .sequences import RawItem, read_sequence
from .units import UnknownUnit, convert
from .values import parse_date, parse_datetime, parse_time, text_of

# Tags as plain ints: they are dict keys in every lookup, and int comparison is the fastest.
CONCEPT_NAME = 0x0040A043
VALUE_TYPE = 0x0040A040
CONTENT = 0x0040A730
MEASURED_VALUE = 0x0040A300
NUMERIC_VALUE = 0x0040A30A
FLOAT_VALUE = 0x0040A161
UNITS = 0x004008EA
CONCEPT_CODE = 0x0040A168
TEXT_VALUE = 0x0040A160
UID_VALUE = 0x0040A124
DATETIME_VALUE = 0x0040A120
DATE_VALUE = 0x0040A121
TIME_VALUE = 0x0040A122
PERSON_NAME = 0x0040A123
CODE_VALUE = 0x00080100
CODING_SCHEME = 0x00080102
CODE_MEANING = 0x00080104
LONG_CODE_VALUE = 0x00080119
URN_CODE_VALUE = 0x00080120
RELATIONSHIP = 0x0040A010

# Larger magnitudes than this are not doses, lengths or times of any real exposure; they come
# from corrupt or hostile objects and would overflow sums and exports.
LARGEST_PLAUSIBLE = 1e12

_UNREAD = object()


class OddValue(ValueError):
    """A value that cannot be read as what its concept means; the item is read as absent."""


def code_of(item) -> Code | None:
    """The first code of a code sequence item (a Dataset), or None."""
    value = _code_value(item)
    if value is None:
        return None
    return Code(value, text_of(_get(item, CODE_MEANING)), text_of(_get(item, CODING_SCHEME)))


def _code_value(item) -> str | None:
    """The code value of a code sequence item, from whichever of its three forms is present."""
    if item is None:
        return None
    value = _get(item, CODE_VALUE) or _get(item, LONG_CODE_VALUE) or _get(item, URN_CODE_VALUE)
    return None if value is None else str(value).strip()


# Attributes of content items decoded straight from their bytes when those are plain ASCII.
# pydicom's general conversion (character sets, validation) of the many small values in a
# report with thousands of items costs more than everything else the extraction does.
_PLAIN_TEXT = frozenset({
    CODE_VALUE, CODING_SCHEME, CODE_MEANING, LONG_CODE_VALUE, URN_CODE_VALUE, VALUE_TYPE,
    RELATIONSHIP, UID_VALUE, NUMERIC_VALUE, DATETIME_VALUE, DATE_VALUE, TIME_VALUE, TEXT_VALUE,
})
# Value representations with a single value, where a backslash is an ordinary character.
_SINGLE_VALUED = frozenset({TEXT_VALUE})


def _get(ds, tag):
    if type(ds) is RawItem:
        return ds.value(tag)
    element = ds.get_item(tag)
    if element is None:
        return None
    if type(element) is RawDataElement:
        raw = element.value
        if tag in _PLAIN_TEXT:
            # ESC introduces ISO 2022 code extensions, which only pydicom decodes correctly.
            if raw is not None and raw.isascii() and b"\x1b" not in raw:
                text = raw.decode("ascii").rstrip("\x00 ")
                if "\\" in text and tag not in _SINGLE_VALUED:
                    return [part.strip() for part in text.split("\\")]
                return text
        else:
            items = read_sequence(element, ds)
            if items is not None:
                return items
        element = ds[tag]
    return element.value


def _first(ds, tag):
    """First item of a sequence attribute, or None."""
    seq = _get(ds, tag)
    if not seq:
        return None
    try:
        return seq[0]
    except (TypeError, IndexError):
        return None


class ContentItem:
    """One SR content item: a concept name and a value of some type.

    ``warnings`` is the list shared by every item of the tree, where odd values are noted.
    """

    __slots__ = ("ds", "code_value", "warnings", "_concept_item", "_concept", "_children")

    def __init__(self, ds, warnings: list | None = None):
        self.ds = ds
        self.warnings = [] if warnings is None else warnings
        self._concept_item = _first(ds, CONCEPT_NAME)
        #: The concept name's code value, the key templates dispatch on. Meaning and scheme
        #: are read only when asked for: most items are looked up by code value alone.
        self.code_value = _code_value(self._concept_item)
        self._concept = _UNREAD
        self._children = None

    @property
    def concept(self) -> Code | None:
        """The concept name as a Code."""
        if self._concept is _UNREAD:
            self._concept = code_of(self._concept_item) if self.code_value is not None else None
        return self._concept

    @property
    def value_type(self) -> str | None:
        """CONTAINER, NUM, CODE, TEXT, UIDREF, DATETIME, PNAME, ..."""
        return text_of(_get(self.ds, VALUE_TYPE))

    @property
    def children(self) -> "Children":
        """The items directly below this one, grouped by concept."""
        if self._children is None:
            self._children = Children(_get(self.ds, CONTENT) or (), self.warnings)
        return self._children

    def warn(self, message: str):
        """Note something odd about this item, once."""
        if message not in self.warnings:
            self.warnings.append(message)

    # Typed values -------------------------------------------------------------------------
    def number(self, unit: str | None = None, nonnegative: bool = False,
               where: str | None = None) -> float | None:
        """The numeric value, converted to ``unit`` (UCUM) when given; None if unreadable.

        A value that cannot be read is noted in the tree's warnings (``where`` says where in
        the report the item is, for that note) and read as absent.
        """
        measured = _first(self.ds, MEASURED_VALUE)
        if measured is None:
            return None
        raw = _get(measured, FLOAT_VALUE)
        if raw is None:
            raw = _get(measured, NUMERIC_VALUE)
        try:
            value = to_float(raw)
            if value is None:
                return None
            self._check(value, nonnegative)
            sent_unit = self.unit_of(measured)
            if unit and sent_unit and sent_unit != unit:
                value = self._converted(value, sent_unit, unit)
        except OddValue as exc:
            self._note(exc, where)
            return None
        return value

    def numbers(self, unit: str | None = None, nonnegative: bool = False,
                where: str | None = None) -> list[float]:
        """Every value of a multi-valued NUM item (per-pulse kVp, mA...), converted to ``unit``.

        Numeric Value is DS with VM 1-n, so one item may carry one value per pulse. Values
        that cannot be read are left out and noted.
        """
        measured = _first(self.ds, MEASURED_VALUE)
        if measured is None:
            return []
        raw = _get(measured, FLOAT_VALUE)
        if raw is None:
            raw = _get(measured, NUMERIC_VALUE)
        if raw is None or raw == "":
            return []
        if isinstance(raw, (str, bytes, int, float)) or not hasattr(raw, "__iter__"):
            raw = [raw]
        sent_unit = self.unit_of(measured)
        values = []
        for each in raw:
            try:
                value = to_float(each)
                if value is None:
                    continue
                self._check(value, nonnegative)
                if unit and sent_unit and sent_unit != unit:
                    value = self._converted(value, sent_unit, unit)
            except OddValue as exc:
                self._note(exc, where)
                continue
            values.append(value)
        return values

    def unit(self) -> str | None:
        """The UCUM code of the numeric value's measurement unit."""
        measured = _first(self.ds, MEASURED_VALUE)
        return self.unit_of(measured) if measured is not None else None

    @staticmethod
    def unit_of(measured) -> str | None:
        unit = code_of(_first(measured, UNITS))
        return unit.code_value if unit else None

    def code(self) -> Code | None:
        """The coded value of a CODE item; a code of no vocabulary Kerma knows is noted."""
        code = code_of(_first(self.ds, CONCEPT_CODE))
        if code is not None:
            problem = vocabulary.problem(code)
            if problem:
                self.warn(f"{self._name()} is {_quoted(code)}, {problem}: stored as sent")
        return code

    def text(self) -> str | None:
        """The value of a TEXT item (or any item's text-like value)."""
        return text_of(_get(self.ds, TEXT_VALUE))

    def uid(self) -> str | None:
        """The value of a UIDREF item."""
        return text_of(_get(self.ds, UID_VALUE))

    def datetime(self):
        """The value of a DATETIME item as a naive datetime."""
        return parse_datetime(_get(self.ds, DATETIME_VALUE))

    def date(self):
        """The value of a DATE item."""
        return parse_date(_get(self.ds, DATE_VALUE))

    def time(self):
        """The value of a TIME item."""
        return parse_time(_get(self.ds, TIME_VALUE))

    def person_name(self) -> str | None:
        """The value of a PNAME item as its DICOM string (components joined by ^)."""
        return text_of(_get(self.ds, PERSON_NAME))

    def value(self):
        """Whatever the item holds, by its value type: text, code, uid, number..."""
        value_type = self.value_type
        if value_type == "CODE":
            return self.code()
        if value_type == "NUM":
            return self.number()
        if value_type == "UIDREF":
            return self.uid()
        if value_type == "DATETIME":
            return self.datetime()
        if value_type == "PNAME":
            return self.person_name()
        return self.text()

    def _check(self, value, nonnegative):
        if not math.isfinite(value):
            raise OddValue(f"is not a finite number ({value})")
        if abs(value) > LARGEST_PLAUSIBLE:
            raise OddValue(f"has an implausible value ({value:g})")
        if nonnegative and value < 0:
            raise OddValue(f"is negative ({value:g})")

    def _converted(self, value: float, sent: str, unit: str) -> float:
        try:
            return convert(value, sent, unit)
        except UnknownUnit:
            raise OddValue(f"is in unit '{_short(sent)}', which cannot be read as {unit}") from None

    def _note(self, problem: OddValue, where: str | None):
        place = f" in {where}" if where else ""
        self.warn(f"{self._name()}{place} {problem}: not stored")

    def _name(self):
        if self.concept is None:
            return "A content item"
        return f"'{_short(self.concept.code_meaning or self.concept.code_value)}'"

    def __repr__(self):
        return f"<ContentItem {self.code_value} {self.value_type}>"


def _short(text, limit: int = 64) -> str:
    """A value quoted in a message: damaged objects make them huge."""
    text = str(text)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _quoted(code: Code) -> str:
    meaning = f" '{_short(code.code_meaning)}'" if code.code_meaning else ""
    return f"({_short(code.code_value)}, {_short(code.coding_scheme_designator or '')}){meaning}"


class Children:
    """The content items below one container, looked up by concept code value."""

    __slots__ = ("items", "_by_concept")

    def __init__(self, datasets, warnings: list | None = None):
        warnings = [] if warnings is None else warnings
        self.items = [ContentItem(ds, warnings) for ds in datasets]
        by_concept = {}
        for item in self.items:
            by_concept.setdefault(item.code_value, []).append(item)
        self._by_concept = by_concept

    def __iter__(self):
        return iter(self.items)

    def __len__(self):
        return len(self.items)

    def __contains__(self, concept):
        return concept in self._by_concept

    def all(self, concept: str) -> list[ContentItem]:
        """Every item with this concept, in document order."""
        return self._by_concept.get(concept, [])

    def first(self, concept: str) -> ContentItem | None:
        """The first item with this concept, or None."""
        found = self._by_concept.get(concept)
        return found[0] if found else None

    def number(self, concept: str, unit: str | None = None, nonnegative: bool = False,
               where: str | None = None):
        """Numeric value of the first item with this concept, in ``unit``."""
        item = self.first(concept)
        return item.number(unit, nonnegative, where) if item else None

    def code(self, concept: str) -> Code | None:
        """Coded value of the first item with this concept."""
        item = self.first(concept)
        return item.code() if item else None

    def text(self, concept: str) -> str | None:
        """Text value of the first item with this concept."""
        item = self.first(concept)
        return item.text() if item else None

    def uid(self, concept: str) -> str | None:
        """UID value of the first item with this concept."""
        item = self.first(concept)
        return item.uid() if item else None

    def datetime(self, concept: str):
        """Date-time value of the first item with this concept."""
        item = self.first(concept)
        return item.datetime() if item else None

    def person_name(self, concept: str) -> str | None:
        """Person name value of the first item with this concept."""
        item = self.first(concept)
        return item.person_name() if item else None


def root(ds, warnings: list | None = None) -> ContentItem:
    """The document's root container (the SR dataset itself is the root content item).

    Odd values anywhere in the tree are noted in ``warnings`` (a new list when not given,
    found as ``root(ds).warnings``).
    """
    return ContentItem(ds, warnings)


def to_float(raw) -> float | None:
    """A DS/FD value as float; tolerates decimal commas and stray spaces; None if empty.

    OddValue when the value is not a number at all.
    """
    if raw is None or raw == "":
        return None
    if isinstance(raw, (int, float)):
        return float(raw)
    if isinstance(raw, bytes):  # a number sent with a binary VR: read its characters
        raw = raw.decode("latin-1")
    try:
        if not isinstance(raw, str) and hasattr(raw, "__len__") and not hasattr(raw, "real"):
            raw = raw[0]  # a multi-valued DS: the first value is the measurement
        return float(raw)
    except (TypeError, ValueError, IndexError):
        pass
    text = str(raw).strip().replace(",", ".")
    try:
        return float(text)
    except ValueError:
        raise OddValue(f"is not a number ({text[:40]!r})") from None
