"""Unit conversion for measured values, from the UCUM codes that SR content items carry.

Vendors report the same quantity in different units (DAP in Gy.m2, dGy.cm2 or cGy.cm2; dose at
the reference point in Gy or mGy), and they do not always spell them as UCUM does: ``Gy.cm^2``,
``mGy*cm``, ``µGy.m²``, ``Gycm2``, ``MGY``. Every number is converted from the unit it was sent
in to the unit Kerma stores in two steps:

1. ``normalise`` rewrites the common variants to UCUM syntax (``^``, ``*``, ``·``, spaces,
   superscript powers, the micro sign, units run together without the ``.``).
2. ``parse`` reads a UCUM expression into a scale factor and a dimension, which covers every
   prefix and power without a table of pairs.
Before parsing, the unit is looked up among ``COMMON_UNITS``, the units each stored quantity
is reported in, first as written and then without regard to case; that is how ``MGY`` and
``MGy`` (which UCUM reads as megagray, a dose no patient receives) are read as mGy.
"""
import re
from functools import lru_cache

_PREFIXES = {
    "Y": 1e24, "Z": 1e21, "E": 1e18, "P": 1e15, "T": 1e12, "G": 1e9, "M": 1e6, "k": 1e3,
    "h": 1e2, "da": 1e1, "d": 1e-1, "c": 1e-2, "m": 1e-3, "u": 1e-6, "n": 1e-9, "p": 1e-12,
    "f": 1e-15,
}

# Base units with their scale in SI and their dimension (powers of named base quantities).
_UNITS = {
    "Gy": (1.0, {"dose": 1}),
    "Sv": (1.0, {"equivalent-dose": 1}),
    "m": (1.0, {"length": 1}),
    "g": (1e-3, {"mass": 1}),
    "s": (1.0, {"time": 1}),
    "min": (60.0, {"time": 1}),
    "h": (3600.0, {"time": 1}),
    "d": (86400.0, {"time": 1}),
    "A": (1.0, {"current": 1}),
    "V": (1.0, {"voltage": 1}),
    "Bq": (1.0, {"activity": 1}),
    "Ci": (3.7e10, {"activity": 1}),
    "mol": (1.0, {"amount": 1}),
    "L": (1e-3, {"length": 3}),
    "l": (1e-3, {"length": 3}),
    "N": (1.0, {"force": 1}),
    "Pa": (1.0, {"pressure": 1}),
    "Hz": (1.0, {"time": -1}),
    "deg": (1.0, {"angle": 1}),
    "%": (0.01, {}),
    "1": (1.0, {}),
}

#: Spellings that devices send in place of the UCUM code, each with the UCUM code it means,
#: where the rules of ``normalise`` do not already give it.
VENDOR_SPELLINGS = {
    "uAs": "uA.s",
    "mAs": "mA.s",
    "As": "A.s",
    "pulse/s": "{pulse}/s",
    "pulses/s": "{pulses}/s",
    "kVp": "kV",
    "sec": "s",
    "msec": "ms",
    "cc": "mL",
    "mGy/mAs": "mGy/(mA.s)",
    "mGy/mA.s": "mGy/(mA.s)",
    "mGy/100mAs": "mGy/(100.mA.s)",
    "mSv/mGy.cm": "mSv/(mGy.cm)",
    "mSv/mGycm": "mSv/(mGy.cm)",
    "mSv/(mGycm)": "mSv/(mGy.cm)",
}

#: Words devices send as the "unit" of a count or a ratio (UCUM writes them as annotations,
#: ``{events}``); compared without regard to case.
COUNT_WORDS = frozenset({
    "event", "events", "pulse", "pulses", "frame", "frames", "image", "images", "source",
    "sources", "x-ray source", "x-ray sources", "ratio", "count", "counts", "no units",
    "no unit", "none", "unitless",
})

#: For each unit Kerma stores, the units the quantity is reported in and the factor that
#: converts a value in that unit to the stored unit. ``parse`` gives the same factors (a test
#: checks every entry); the table is what a unit that differs only in case is matched against.
COMMON_UNITS = {
    "Gy.m2": {  # dose area product
        "Gy.m2": 1.0, "dGy.m2": 0.1, "cGy.m2": 0.01, "mGy.m2": 1e-3, "uGy.m2": 1e-6,
        "Gy.dm2": 0.01, "dGy.dm2": 1e-3, "mGy.dm2": 1e-5,
        "Gy.cm2": 1e-4, "dGy.cm2": 1e-5, "cGy.cm2": 1e-6, "mGy.cm2": 1e-7, "uGy.cm2": 1e-10,
        "Gy.mm2": 1e-6, "mGy.mm2": 1e-9,
    },
    "Gy": {"Gy": 1.0, "dGy": 0.1, "cGy": 0.01, "mGy": 1e-3, "uGy": 1e-6},
    "mGy": {"Gy": 1e3, "dGy": 100.0, "cGy": 10.0, "mGy": 1.0, "uGy": 1e-3},
    "mGy.cm": {"mGy.cm": 1.0, "mGy.mm": 0.1, "mGy.m": 100.0, "Gy.cm": 1e3, "cGy.cm": 10.0,
               "uGy.cm": 1e-3},
    "mSv": {"Sv": 1e3, "mSv": 1.0, "uSv": 1e-3},
    "mm": {"mm": 1.0, "cm": 10.0, "dm": 100.0, "m": 1e3, "um": 1e-3},
    "m": {"m": 1.0, "cm": 0.01, "mm": 1e-3},
    "m2": {"m2": 1.0, "dm2": 0.01, "cm2": 1e-4, "mm2": 1e-6},
    "mm2": {"mm2": 1.0, "cm2": 100.0, "m2": 1e6},
    "s": {"s": 1.0, "ms": 1e-3, "us": 1e-6, "min": 60.0, "h": 3600.0},
    "ms": {"ms": 1.0, "s": 1e3, "us": 1e-3},
    "mA": {"mA": 1.0, "A": 1e3, "uA": 1e-3},
    "uA.s": {"uA.s": 1.0, "mA.s": 1e3, "A.s": 1e6},
    "kV": {"kV": 1.0, "V": 1e-3},
    "MBq": {"MBq": 1.0, "Bq": 1e-6, "kBq": 1e-3, "GBq": 1e3, "mCi": 37.0, "uCi": 0.037,
            "Ci": 3.7e4},
    "kg": {"kg": 1.0, "g": 1e-3},
    "deg": {"deg": 1.0},
    "N": {"N": 1.0, "daN": 10.0, "kN": 1e3},
    "kPa": {"kPa": 1.0, "Pa": 1e-3, "hPa": 0.1},
    "{pulse}/s": {"{pulse}/s": 1.0, "/s": 1.0, "Hz": 1.0},
    "%": {"%": 1.0},
    "1": {"1": 1.0},
}

_FOLDED = {stored: {unit.lower(): factor for unit, factor in units.items()}
           for stored, units in COMMON_UNITS.items()}

# Units run together without the multiplication dot: "dGycm2", "mGycm", "uGym2".
_GLUED = re.compile(r"([munpcdk]?Gy)([munpcd]?m)(\d?)")
_SUPERSCRIPTS = str.maketrans({"²": "2", "³": "3", "¹": "1", "⁻": "-", "µ": "u", "μ": "u",
                               "·": ".", "×": ".", "*": "."})


class UnknownUnit(ValueError):
    """The unit string is not one Kerma can convert."""


@lru_cache(maxsize=1024)
def normalise(unit: str) -> str:
    """The UCUM code that a unit as devices write it stands for (``Gy.cm^2`` -> ``Gy.cm2``)."""
    text = unit.strip()
    if text in VENDOR_SPELLINGS:
        return VENDOR_SPELLINGS[text]
    if text.lower() in COUNT_WORDS:
        return "1"
    text = text.translate(_SUPERSCRIPTS).replace("^", "")
    # A space between two symbols multiplies them ("mGy cm"); spaces next to operators go.
    text = re.sub(r"\s*([./()])\s*", r"\1", text)
    text = re.sub(r"\s+", ".", text)
    text = VENDOR_SPELLINGS.get(text, text)
    glued = _GLUED.fullmatch(text)
    if glued:
        text = f"{glued.group(1)}.{glued.group(2)}{glued.group(3)}"
    return text


@lru_cache(maxsize=1024)
def parse(unit: str) -> tuple[float, tuple]:
    """Return (scale to SI, dimension) of a UCUM unit string such as ``dGy.cm2`` or ``mA.s``."""
    text = normalise(unit)
    # UCUM annotations in braces: one standing alone is the unit 1 ({pulse}/s, mL/min/{1.73_m2}),
    # one attached to a symbol only comments on it (ms{pulse}).
    text = re.sub(r"(?:^|(?<=[./(]))\{[^{}]*\}", "1", text)
    text = re.sub(r"\{[^{}]*\}", "", text)
    if not text:
        return 1.0, ()
    scale, dims = _Expression(text).read()
    return scale, tuple(sorted((k, v) for k, v in dims.items() if v))


class _Expression:
    """A UCUM term: components joined by "." and "/", with parentheses.

    In UCUM "/" divides by the next component only: ``mSv/mGy.cm`` is (mSv/mGy).cm, and
    mSv/(mGy.cm) needs its parentheses.
    """

    def __init__(self, text: str):
        self.text = text
        self.position = 0

    def read(self) -> tuple[float, dict]:
        scale, dims = self._term()
        if self.position != len(self.text):
            raise UnknownUnit(self.text)
        return scale, dims

    def _term(self) -> tuple[float, dict]:
        sign = 1
        scale, dims = 1.0, {}
        if self._peek() == "/":  # "/s": per second
            self.position += 1
            sign = -1
        while True:
            factor, component = self._component()
            scale *= factor ** sign
            for name, power in component.items():
                dims[name] = dims.get(name, 0) + power * sign
            operator = self._peek()
            if operator not in (".", "/"):
                return scale, dims
            self.position += 1
            sign = -1 if operator == "/" else 1

    def _component(self) -> tuple[float, dict]:
        if self._peek() == "(":
            self.position += 1
            scale, dims = self._term()
            if self._peek() != ")":
                raise UnknownUnit(self.text)
            self.position += 1
            return scale, dims
        match = re.compile(r"[^./()]+").match(self.text, self.position)
        if not match:
            raise UnknownUnit(self.text)
        self.position = match.end()
        return _symbol(match.group())

    def _peek(self) -> str:
        return self.text[self.position] if self.position < len(self.text) else ""


def _symbol(term: str) -> tuple[float, dict]:
    """Parse one factor, e.g. ``cm2`` -> (1e-4, {'length': 2}); a number is a plain factor."""
    if re.fullmatch(r"\d+", term):
        return float(term), {}
    if re.fullmatch(r"10[*^]-?\d+", term):
        return 10.0 ** int(term[3:]), {}
    match = re.fullmatch(r"([^\d-]+)(-?\d*)", term)
    if not match:
        raise UnknownUnit(term)
    symbol, power_text = match.groups()
    power = int(power_text) if power_text not in ("", "-") else 1
    if symbol in _UNITS:
        scale, dims = _UNITS[symbol]
    else:
        for prefix in ("da", *_PREFIXES):
            rest = symbol[len(prefix):]
            if symbol.startswith(prefix) and rest in _UNITS and rest not in ("%", "1"):
                scale, dims = _UNITS[rest]
                scale *= _PREFIXES[prefix]
                break
        else:
            raise UnknownUnit(term)
    return scale ** power, {name: exponent * power for name, exponent in dims.items()}


@lru_cache(maxsize=2048)
def factor(from_unit: str, to_unit: str) -> float:
    """The factor that converts a value in ``from_unit`` to ``to_unit``; UnknownUnit if none."""
    if from_unit == to_unit:
        return 1.0
    unit = normalise(from_unit)
    common = COMMON_UNITS.get(to_unit, {})
    if unit in common:
        return common[unit]
    folded = _FOLDED.get(to_unit, {}).get(unit.lower())
    if folded is not None:
        return folded
    from_scale, from_dim = parse(unit)
    to_scale, to_dim = parse(to_unit)
    if from_dim != to_dim:
        raise UnknownUnit(f"{from_unit} cannot be converted to {to_unit}")
    # Scales are products of powers of ten; rounding the ratio keeps 1 dGy.cm2 exactly
    # 1e-5 Gy.m2.
    return float(f"{from_scale / to_scale:.12g}")


def convert(value: float, from_unit: str, to_unit: str) -> float:
    """Convert ``value`` from one unit (UCUM or a common variant) to another of its dimension."""
    if from_unit == to_unit:
        return value
    return value * factor(from_unit, to_unit)
