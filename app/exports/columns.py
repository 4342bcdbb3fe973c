"""Column specifications: a header that names its unit, where the value comes from, and its
type.

A column's ``source`` names a value in the item's ``Shape`` ("row.mean_ctdivol",
"study.study_date"); an optional ``transform`` converts it (units, codes to words). Units are
converted here, once, so a quantity has the same unit in every export (docs/exports.md).
"""
from dataclasses import dataclass
from typing import Callable, Sequence

# Value types. A number is written as a number, a date as a date, and text is neutralised
# against formula injection in both csv and xlsx.
NUMBER = "number"
TEXT = "text"
DATE = "date"
TIME = "time"
DATETIME = "datetime"

# Unit conversions from the stored units (docs/architecture.md) to the export units, with
# the decimals that keep every stored digit and drop the binary noise of the multiplication.
GY_M2_TO_CGY_CM2 = (1e6, 6)
M2_TO_CM2 = (1e4, 6)
UAS_TO_MAS = (1e-3, 6)
M_TO_CM = (100.0, 4)

# A cell starting with one of these is read as a formula by spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


@dataclass(frozen=True, slots=True)
class Column:
    """One output column: ``header`` (with its unit), ``source`` ("part.field" of the item's
    shape), value ``kind`` and an optional ``transform`` of a value that is not None."""

    header: str
    source: str
    kind: str = TEXT
    transform: Callable | None = None


@dataclass(frozen=True)
class Block:
    """Columns repeated for each item of a study (its events), headed ``E1 ...``, ``E2 ...``.

    ``label`` is a format string with ``{n}`` for the item's number, e.g. ``"E{n}"``;
    ``items(study)`` gives the item tuples, laid out as ``shape`` says.
    """

    label: str
    items: Callable
    shape: object
    columns: tuple[Column, ...]

    def headers(self, count: int) -> list[str]:
        """The headers of ``count`` repetitions of this block."""
        return [f"{self.label.format(n=n)} {column.header}".strip()
                for n in range(1, count + 1) for column in self.columns]


def text(header: str, source: str, transform: Callable | None = None) -> Column:
    """A text column."""
    return Column(header, source, TEXT, transform)


def number(header: str, source: str, unit: tuple[float, int] | None = None,
           transform: Callable | None = None) -> Column:
    """A number column, converted by ``unit`` (factor, decimals) when given."""
    if unit is not None:
        factor, digits = unit
        transform = scale(factor, digits)
    return Column(header, source, NUMBER, transform)


def date(header: str, source: str) -> Column:
    """A date column."""
    return Column(header, source, DATE)


def time(header: str, source: str) -> Column:
    """A time-of-day column."""
    return Column(header, source, TIME)


def datetime(header: str, source: str) -> Column:
    """A date-and-time column."""
    return Column(header, source, DATETIME)


def scale(factor: float, digits: int) -> Callable[[float], float]:
    """A conversion by ``factor``, rounded to ``digits`` decimals."""

    def scaled(value):
        return round(value * factor, digits)

    return scaled


def rescale(value, unit: tuple[float, int]):
    """``value`` converted by ``unit`` (factor, decimals); None stays None."""
    if value is None:
        return None
    return round(value * unit[0], unit[1])


def neutralise(value: str) -> str:
    """Text that a spreadsheet program will not run as a formula (OWASP CSV injection)."""
    if value and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def yes_no(value) -> str | None:
    """'Yes', 'No' or None for a stored boolean."""
    if value is None:
        return None
    return "Yes" if value else "No"


def mean(values: Sequence) -> float | None:
    """Mean of the non-zero, non-None values (per-pulse kVp, mA, pulse width), or None."""
    present = [v for v in values if v]
    if not present:
        return None
    return round(sum(present) / len(present), 9)


def value_range(values: Sequence) -> tuple:
    """(min, max, mean) of the non-None values, or three Nones."""
    present = [v for v in values if v is not None]
    if not present:
        return None, None, None
    return min(present), max(present), round(sum(present) / len(present), 9)


def joined(values, separator: str = " | ") -> str | None:
    """Distinct non-empty texts in order of appearance, joined; None when there are none."""
    seen = list(dict.fromkeys(str(v) for v in values if v not in (None, "")))
    return separator.join(seen) if seen else None
