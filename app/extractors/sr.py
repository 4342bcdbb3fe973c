"""Reading SR content trees: content items, their concepts and typed values.

A dose report is a tree of content items. Extractors walk only the containers their template
needs, so every item is wrapped lazily: nothing below an item is parsed until it is asked for.
That keeps the largest fluoroscopy reports (thousands of events) fast.
"""
import math

from pydicom.tag import Tag

from .codes import Code
from .errors import ExtractionError
from .units import UnknownUnit, convert
from .values import parse_date, parse_datetime, parse_time, text_of

CONCEPT_NAME = Tag(0x0040, 0xA043)
VALUE_TYPE = Tag(0x0040, 0xA040)
CONTENT = Tag(0x0040, 0xA730)
MEASURED_VALUE = Tag(0x0040, 0xA300)
NUMERIC_VALUE = Tag(0x0040, 0xA30A)
FLOAT_VALUE = Tag(0x0040, 0xA161)
UNITS = Tag(0x0040, 0x08EA)
CONCEPT_CODE = Tag(0x0040, 0xA168)
TEXT_VALUE = Tag(0x0040, 0xA160)
UID_VALUE = Tag(0x0040, 0xA124)
DATETIME_VALUE = Tag(0x0040, 0xA120)
DATE_VALUE = Tag(0x0040, 0xA121)
TIME_VALUE = Tag(0x0040, 0xA122)
PERSON_NAME = Tag(0x0040, 0xA123)
CODE_VALUE = Tag(0x0008, 0x0100)
CODING_SCHEME = Tag(0x0008, 0x0102)
CODE_MEANING = Tag(0x0008, 0x0104)
LONG_CODE_VALUE = Tag(0x0008, 0x0119)
URN_CODE_VALUE = Tag(0x0008, 0x0120)
RELATIONSHIP = Tag(0x0040, 0xA010)

# Larger magnitudes than this are not doses, lengths or times of any real exposure; they come
# from corrupt or hostile objects and would overflow sums and exports.
LARGEST_PLAUSIBLE = 1e12


def code_of(item) -> Code | None:
    """The first code of a code sequence item (a Dataset), or None."""
    if item is None:
        return None
    value = _get(item, CODE_VALUE) or _get(item, LONG_CODE_VALUE) or _get(item, URN_CODE_VALUE)
    if value is None:
        return None
    return Code(
        str(value).strip(),
        text_of(_get(item, CODE_MEANING)),
        text_of(_get(item, CODING_SCHEME)),
    )


def _get(ds, tag):
    element = ds.get(tag)
    return None if element is None else element.value


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
    """One SR content item: a concept name and a value of some type."""

    __slots__ = ("ds", "concept", "_children")

    def __init__(self, ds):
        self.ds = ds
        self.concept = code_of(_first(ds, CONCEPT_NAME))
        self._children = None

    @property
    def code_value(self) -> str | None:
        """The concept name's code value, the key templates dispatch on."""
        return self.concept.code_value if self.concept else None

    @property
    def value_type(self) -> str | None:
        """CONTAINER, NUM, CODE, TEXT, UIDREF, DATETIME, PNAME, ..."""
        return text_of(_get(self.ds, VALUE_TYPE))

    @property
    def children(self) -> "Children":
        """The items directly below this one, grouped by concept."""
        if self._children is None:
            self._children = Children(_get(self.ds, CONTENT) or ())
        return self._children

    # Typed values -------------------------------------------------------------------------
    def number(self, unit: str | None = None, nonnegative: bool = False) -> float | None:
        """The numeric value, converted to ``unit`` (UCUM) when given."""
        measured = _first(self.ds, MEASURED_VALUE)
        if measured is None:
            return None
        raw = _get(measured, FLOAT_VALUE)
        if raw is None:
            raw = _get(measured, NUMERIC_VALUE)
        value = to_float(raw)
        if value is None:
            return None
        self._check(value, nonnegative)
        sent_unit = self.unit_of(measured)
        if unit and sent_unit and sent_unit != unit:
            try:
                value = convert(value, sent_unit, unit)
            except UnknownUnit as exc:
                raise ExtractionError(
                    f"{self._name()} is in unit '{sent_unit}', which cannot be read as {unit} ({exc})"
                ) from None
        return value

    def unit(self) -> str | None:
        """The UCUM code of the numeric value's measurement unit."""
        measured = _first(self.ds, MEASURED_VALUE)
        return self.unit_of(measured) if measured is not None else None

    @staticmethod
    def unit_of(measured) -> str | None:
        unit = code_of(_first(measured, UNITS))
        return unit.code_value if unit else None

    def code(self) -> Code | None:
        """The coded value of a CODE item."""
        return code_of(_first(self.ds, CONCEPT_CODE))

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
            raise ExtractionError(f"{self._name()} is not a finite number")
        if abs(value) > LARGEST_PLAUSIBLE:
            raise ExtractionError(f"{self._name()} has an implausible value ({value:g})")
        if nonnegative and value < 0:
            raise ExtractionError(f"{self._name()} is negative ({value:g})")

    def _name(self):
        if self.concept is None:
            return "A content item"
        return f"'{self.concept.code_meaning or self.concept.code_value}'"

    def __repr__(self):
        return f"<ContentItem {self.code_value} {self.value_type}>"


class Children:
    """The content items below one container, looked up by concept code value."""

    __slots__ = ("items", "_by_concept")

    def __init__(self, datasets):
        self.items = [ContentItem(ds) for ds in datasets]
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

    def number(self, concept: str, unit: str | None = None, nonnegative: bool = False):
        """Numeric value of the first item with this concept, in ``unit``."""
        item = self.first(concept)
        return item.number(unit, nonnegative) if item else None

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


def root(ds) -> ContentItem:
    """The document's root container (the SR dataset itself is the root content item).

    A dataset read by ``lightread.read_dicom`` carries its content tree in the fast form.
    """
    item = ContentItem(ds)
    fast = getattr(ds, "_content_items", None)
    if fast is not None:
        item._children = Children(fast)
    return item


def to_float(raw) -> float | None:
    """A DS/FD value as float; tolerates decimal commas and stray spaces; None if empty."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, (int, float)):
        return float(raw)
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
        raise ExtractionError(f"'{text[:40]}' is not a number") from None
