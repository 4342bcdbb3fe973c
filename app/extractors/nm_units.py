"""Units of nuclear medicine quantities that general UCUM scaling does not cover.

Ages come in years, months, weeks or days; volumes as mL or cm3; laboratory values by amount
(mmol/L) or by mass (mg/dL), which only the substance's molar mass relates; specific activity
per amount of substance (Bq/umol). Everything else goes through ``units.convert``.
"""
import math

from .sr import ContentItem
from .units import UnknownUnit, convert

#: Durations in years, for ages (UCUM: a year, mo month, wk week, d day).
_YEARS = {"a": 1.0, "mo": 1 / 12, "wk": 7 / 365.25, "d": 1 / 365.25, "h": 1 / 8766.0}

#: Volumes written as lengths cubed, which UCUM treats as the same thing as litres.
_VOLUMES = {"cm3": "mL", "mm3": "uL", "dm3": "L", "m3": "kL"}

#: Factors between amount and mass concentration for the two laboratory values TID 10024 keeps:
#: glucose (180.16 g/mol) and creatinine (113.12 g/mol).
_CONCENTRATIONS = {
    ("mg/dL", "mmol/L"): 10 / 180.16,
    ("g/L", "mmol/L"): 1000 / 180.16,
    ("umol/L", "mg/dL"): 113.12 / 10000,
    ("mmol/L", "mg/dL"): 113.12 / 10,
}

_AMOUNT_PREFIXES = {"": 1.0, "k": 1e3, "m": 1e-3, "u": 1e-6, "n": 1e-9, "p": 1e-12}

#: Stored unit of specific activity: GBq per micromole.
SPECIFIC_ACTIVITY_UNIT = "GBq/umol"


def concept_name(item: ContentItem) -> str:
    """How a content item is named in messages."""
    if item.concept is None:
        return "A content item"
    return f"'{item.concept.code_meaning or item.concept.code_value}'"


def measured(item: ContentItem, unit: str) -> float | None:
    """The item's non-negative number converted to ``unit``; None, noted, if it cannot be read."""
    value = item.number(nonnegative=True)
    sent = item.unit()
    if value is None or not sent or sent == unit:
        return value
    try:
        return to_unit(value, sent, unit)
    except UnknownUnit:
        item.warn(f"{concept_name(item)} is in unit '{sent}', which cannot be read as {unit}: "
                  "not stored")
        return None


def to_unit(value: float, sent: str, unit: str) -> float:
    """Convert between the units nuclear medicine reports use; UnknownUnit if impossible."""
    if sent == unit:
        return value
    if unit == "a":
        if sent not in _YEARS:
            raise UnknownUnit(sent)
        return value * _YEARS[sent]
    key = (_litre(sent), _litre(unit))
    if key in _CONCENTRATIONS:
        return value * _CONCENTRATIONS[key]
    if unit == SPECIFIC_ACTIVITY_UNIT:
        return molar_activity(value, sent)
    return convert(value, _VOLUMES.get(sent, sent), _VOLUMES.get(unit, unit))


def _litre(unit: str) -> str:
    """UCUM accepts both l and L for the litre: mmol/l is mmol/L."""
    numerator, slash, denominator = unit.rpartition("/")
    if slash and denominator in ("l", "dl", "ml"):
        return f"{numerator}/{denominator[:-1]}L"
    return unit


def molar_activity(value: float, sent: str) -> float:
    """Specific activity in any ``<activity>/<prefix>mol`` unit as GBq/umol."""
    numerator, _, denominator = sent.rpartition("/")
    prefix = denominator[:-3] if denominator.endswith("mol") else None
    if not numerator or prefix not in _AMOUNT_PREFIXES:
        raise UnknownUnit(sent)
    activity_gbq = convert(value, numerator, "GBq")
    return activity_gbq / (_AMOUNT_PREFIXES[prefix] / 1e-6)


def specific_activity(item: ContentItem, warnings: list) -> float | None:
    """Radiopharmaceutical Specific Activity in GBq/umol, or None with a warning.

    Reports may send it in Bq/mol, where values of 1e17 are normal, so the number is read
    without the plausibility ceiling that guards doses.
    """
    measured_values = item.ds.get("MeasuredValueSequence")
    if not measured_values:
        return None
    try:
        raw = measured_values[0].get("FloatingPointValue")
        if raw is None:
            raw = measured_values[0].get("NumericValue")
        value = float(raw) if raw not in (None, "") else None
        if value is None:
            return None
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"{value:g}")
        sent = item.unit()
        if not sent:
            raise UnknownUnit("no unit given")
        return molar_activity(value, sent)
    except (TypeError, ValueError, UnknownUnit) as exc:
        warnings.append(f"{concept_name(item)} cannot be read ({exc}): not stored")
        return None
