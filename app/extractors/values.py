"""DICOM value representations turned into plain Python values.

Sources are often slightly wrong (legacy date formats, padded strings, multi-valued attributes
where one value is expected), so these functions accept what can be read unambiguously and
return None for the rest rather than failing the whole object.
"""
import datetime as dt
import math
import re

from pydicom.multival import MultiValue
from pydicom.valuerep import PersonName

_DATE = re.compile(r"(\d{4})[.\-]?(\d{2})[.\-]?(\d{2})")
_TIME = re.compile(r"(\d{2}):?(?:(\d{2}):?(?:(\d{2})(?:[.,](\d{1,6}))?)?)?")
_DATETIME = re.compile(
    r"(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:[.,](\d{1,6}))?(?:[+\-]\d{4})?"
)

#: Separator for attributes that carry several values where Kerma stores one string.
MULTI_VALUE_SEPARATOR = " | "


def text_of(value) -> str | None:
    """A DICOM string value as ``str``: multiple values joined, empty as None, NULs removed."""
    if value is None:
        return None
    if isinstance(value, (MultiValue, list, tuple)):
        parts = [text_of(v) for v in value]
        joined = MULTI_VALUE_SEPARATOR.join(p for p in parts if p)
        return joined or None
    if isinstance(value, PersonName):
        value = str(value)
    elif isinstance(value, bytes):
        value = value.decode("latin-1")
    else:
        value = str(value)
    # PostgreSQL cannot store NUL characters; padding and stray control bytes carry no meaning.
    value = value.replace("\x00", "").strip()
    return value or None


def single(value):
    """The one value of an attribute that should hold one; None if it holds several."""
    if isinstance(value, (MultiValue, list, tuple)):
        return value[0] if len(value) == 1 else None
    return value


def parse_date(value) -> dt.date | None:
    """DA (``YYYYMMDD``, or the legacy ``YYYY.MM.DD``) as a date."""
    value = text_of(single(value))
    if not value:
        return None
    match = _DATE.fullmatch(value)
    if not match:
        return None
    try:
        return dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def parse_time(value) -> dt.time | None:
    """TM (``HHMMSS.FFFFFF``, partial or with colons) as a time."""
    value = text_of(single(value))
    if not value:
        return None
    match = _TIME.fullmatch(value)
    if not match:
        return None
    hours, minutes, seconds, fraction = match.groups()
    try:
        return dt.time(
            int(hours),
            int(minutes or 0),
            min(int(seconds or 0), 59),  # DICOM allows a leap second 60
            int((fraction or "0").ljust(6, "0")),
        )
    except ValueError:
        return None


def parse_datetime(value) -> dt.datetime | None:
    """DT (``YYYYMMDDHHMMSS.FFFFFF&ZZXX``, possibly partial) as a naive local date-time."""
    value = text_of(single(value))
    if not value:
        return None
    match = _DATETIME.fullmatch(value)
    if not match:
        return None
    year, month, day, hour, minute, second, fraction = match.groups()
    try:
        return dt.datetime(
            int(year),
            int(month or 1),
            int(day or 1),
            int(hour or 0),
            int(minute or 0),
            min(int(second or 0), 59),
            int((fraction or "0").ljust(6, "0")),
        )
    except ValueError:
        return None


def combine(date: dt.date | None, time: dt.time | None) -> dt.datetime | None:
    """Date and time attributes joined; a missing time means midnight."""
    if date is None:
        return None
    return dt.datetime.combine(date, time or dt.time())


def finite_or_none(value: float | None) -> float | None:
    """The value if it is a finite, plausible number, else None."""
    if value is None or not math.isfinite(value) or abs(value) > 1e12:
        return None
    return value
