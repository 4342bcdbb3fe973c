"""Coded concepts: the value type for records, and codes absent from pydicom's dictionary."""
from typing import NamedTuple

from pydicom.sr.codedict import codes


class Code(NamedTuple):
    """A coded concept as stored: value, meaning and coding scheme."""

    code_value: str
    code_meaning: str | None = None
    coding_scheme_designator: str | None = None

    def __eq__(self, other):
        # Meanings and schemes vary between vendors; the value identifies the concept.
        if isinstance(other, Code):
            return self.code_value == other.code_value
        if isinstance(other, str):
            return self.code_value == other
        return NotImplemented

    def __hash__(self):
        return hash(self.code_value)


def dcm(keyword: str) -> str:
    """Code value of a DCM concept named by its pydicom keyword (e.g. ``DoseRP`` -> 113738)."""
    return getattr(codes.DCM, keyword).value
