"""Unit conversion for measured values, from the UCUM codes that SR content items carry.

Vendors report the same quantity in different units (DAP in Gy.m2, dGy.cm2 or cGy.cm2; dose at
the reference point in Gy or mGy), so every number is converted from the unit it was sent in to
the unit Kerma stores. UCUM unit strings are parsed into a scale factor and a dimension, which
covers every prefix and power without a table of pairs.
"""
import re
from functools import lru_cache

_PREFIXES = {
    "Y": 1e24, "Z": 1e21, "E": 1e18, "P": 1e15, "T": 1e12, "G": 1e9, "M": 1e6, "k": 1e3,
    "h": 1e2, "da": 1e1, "d": 1e-1, "c": 1e-2, "m": 1e-3, "u": 1e-6, "n": 1e-9, "p": 1e-12,
    "f": 1e-15,
}

# Base units with their scale in SI and their dimension (a name per base quantity).
_UNITS = {
    "Gy": (1.0, "dose"),
    "Sv": (1.0, "equivalent-dose"),
    "m": (1.0, "length"),
    "g": (1e-3, "mass"),
    "s": (1.0, "time"),
    "min": (60.0, "time"),
    "h": (3600.0, "time"),
    "d": (86400.0, "time"),
    "A": (1.0, "current"),
    "V": (1.0, "voltage"),
    "Bq": (1.0, "activity"),
    "Ci": (3.7e10, "activity"),
    "L": (1e-3, "volume"),
    "l": (1e-3, "volume"),
    "N": (1.0, "force"),
    "Pa": (1.0, "pressure"),
    "Hz": (1.0, "frequency"),
    "deg": (1.0, "angle"),
    "%": (0.01, ""),
    "1": (1.0, ""),
}


#: Spellings that devices send in place of the UCUM code, each with the UCUM code it means.
#: Seen in fluoroscopy and radiography dose reports (the unit separator or the braces left out).
VENDOR_SPELLINGS = {
    "Gym2": "Gy.m2",
    "Gycm2": "Gy.cm2",
    "dGycm2": "dGy.cm2",
    "cGycm2": "cGy.cm2",
    "mGycm2": "mGy.cm2",
    "uGym2": "uGy.m2",
    "uAs": "uA.s",
    "mAs": "mA.s",
    "pulse/s": "{pulse}/s",
    "pulses/s": "{pulses}/s",
}


class UnknownUnit(ValueError):
    """The unit string is not one Kerma can convert."""


@lru_cache(maxsize=512)
def parse(unit: str) -> tuple[float, tuple]:
    """Return (scale to SI, dimension) of a UCUM unit string such as ``dGy.cm2`` or ``mA.s``."""
    text = unit.strip()
    text = VENDOR_SPELLINGS.get(text, text)
    # Drop UCUM annotations in braces, e.g. {pulse}/s or ms{pulse}.
    while "{" in text and "}" in text:
        start = text.index("{")
        text = text[:start] + text[text.index("}", start) + 1:]
    if not text:
        return 1.0, ()
    scale, dims = 1.0, {}
    for sign, term in _terms(text):
        factor, dim, power = _term(term)
        scale *= factor ** (power * sign)
        if dim:
            dims[dim] = dims.get(dim, 0) + power * sign
    return scale, tuple(sorted((k, v) for k, v in dims.items() if v))


def _terms(text):
    """Split ``a.b/c`` into (+1, a), (+1, b), (-1, c): in UCUM "/" divides by the next term only."""
    sign, current = 1, ""
    for char in text:
        if char in "./":
            if current:
                yield sign, current
            current, sign = "", (-1 if char == "/" else 1)
        else:
            current += char
    if current:
        yield sign, current


def _term(term):
    """Parse one factor, e.g. ``cm2`` -> (0.01, 'length', 2)."""
    match = re.fullmatch(r"([^\d-]*)(-?\d*)", term)
    if not match:
        raise UnknownUnit(term)
    symbol, power_text = match.groups()
    if symbol == "":
        # A bare number: the "1" of dimensionless units.
        return 1.0, "", 1
    power = int(power_text) if power_text not in ("", "-") else 1
    if symbol in _UNITS:
        factor, dim = _UNITS[symbol]
        return factor, dim, power
    for prefix in ("da", *_PREFIXES):
        rest = symbol[len(prefix):]
        if symbol.startswith(prefix) and rest in _UNITS and rest not in ("%", "1"):
            factor, dim = _UNITS[rest]
            return _PREFIXES[prefix] * factor, dim, power
    raise UnknownUnit(term)


def convert(value: float, from_unit: str, to_unit: str) -> float:
    """Convert ``value`` from one UCUM unit to another of the same dimension."""
    if from_unit == to_unit:
        return value
    from_scale, from_dim = parse(from_unit)
    to_scale, to_dim = parse(to_unit)
    if from_dim != to_dim:
        raise UnknownUnit(f"{from_unit} cannot be converted to {to_unit}")
    # Scales are products of powers of ten; rounding the ratio keeps 1 dGy.cm2 exactly 1e-5 Gy.m2.
    return value * float(f"{from_scale / to_scale:.12g}")
