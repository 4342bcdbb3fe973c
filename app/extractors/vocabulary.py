"""Whether a coded value is a code of the vocabularies the dose templates draw on.

A code Kerma does not know is not a reason to refuse a report: it is stored as sent, and the
import notes it, so a physicist sees that a device sent a mistyped or invented code where a
standard one belongs (``problem``).

Codes are checked against the vocabularies as the DICOM standard uses them (pydicom's copy of
PS3.16): DICOM's own codes (DCM, Annex D), the SNOMED CT codes of its context groups with the
SNOMED-RT codes they replaced (SRT, also sent as SNM3; Annex O), and the LOINC, UCUM and other
schemes of PS3.16. Membership of one context group is deliberately not required: the groups
change between editions (CID 10006 lists copper as 66925006 now and listed "Copper or Copper
compound", C-127F9, before), and a report written to an earlier edition is valid. DCM and
SNOMED codes are recognised by their value whatever scheme they are labelled with, since
devices mislabel them (a DCM code sent as SRT). Private
coding schemes (``99...``, PS3.16 section 8.2) belong to the vendor and are not checked; nor
are schemes Kerma has no dictionary of.
"""
import re
from functools import lru_cache

from pydicom.sr.codedict import Collection
from pydicom.sr.coding import snomed_mapping

#: Schemes pydicom has a dictionary of, each with the schemes it is also sent under.
_DICTIONARIES = {"DCM": "DCM", "SCT": "SCT", "SNOMED-CT": "SCT", "LN": "LN", "UCUM": "UCUM",
                 "NCIt": "NCIt", "RADLEX": "RADLEX", "UMLS": "UMLS", "FMA": "FMA", "MDC": "MDC"}
_SNOMED_RT = ("SRT", "SNM3", "99SDM")

#: SNOMED-RT codes of earlier editions' context groups that Annex O no longer maps: the
#: anode and filter materials of CIDs 10006 and 10016 before they took SNOMED CT's elements.
RETIRED_SNOMED_RT = {
    "C-120F9": "Aluminum or Aluminum compound",
    "C-127F9": "Copper or Copper compound",
    "C-137F9": "Silver or Silver compound",
    "C-150F9": "Molybdenum or Molybdenum compound",
    "C-164F9": "Tungsten or Tungsten compound",
    "C-167F9": "Rhodium or Rhodium compound",
}

#: Schemes whose values follow a rule rather than a list.
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")
_COUNTRY_CODE = re.compile(r"[A-Z]{2}")
_RULES = {"RFC5646": _LANGUAGE_TAG, "RFC3066": _LANGUAGE_TAG, "ISO3166_1": _COUNTRY_CODE}


@lru_cache(maxsize=None)
def _dictionary(scheme: str) -> frozenset:
    """The code values of one of pydicom's coding scheme dictionaries."""
    values = {code.value for code in Collection(scheme).concepts.values()}
    if scheme == "SCT":
        values |= set(snomed_mapping["SCT"])
    return frozenset(values)


@lru_cache(maxsize=None)
def _dicom_codes() -> frozenset:
    """DICOM's own codes and the SNOMED CT and SNOMED-RT codes it uses, in one set."""
    return _dictionary("DCM") | _dictionary("SCT") | frozenset(snomed_mapping["SRT"]) \
        | frozenset(RETIRED_SNOMED_RT)


@lru_cache(maxsize=4096)
def _problem(value: str, scheme: str) -> str | None:
    if not value:
        return "a code without a value"
    if scheme.startswith("99") or not scheme:
        return None
    if scheme in _RULES:
        return None if _RULES[scheme].fullmatch(value) else f"which is not a valid {scheme} code"
    if scheme in _SNOMED_RT or _DICTIONARIES.get(scheme) in ("DCM", "SCT"):
        # Devices mislabel the scheme of standard codes (a DCM code sent as SRT and the
        # reverse); the value alone identifies the concept.
        if value in _dicom_codes():
            return None
        return f"which is not a {scheme} code the DICOM standard uses"
    dictionary = _DICTIONARIES.get(scheme)
    if dictionary is None or value in _dictionary(dictionary):
        return None
    return f"which is not a {scheme} code the DICOM standard uses"


def problem(code) -> str | None:
    """Why ``code`` is not a known code of its coding scheme, or None when it is (or is private)."""
    return _problem((code.code_value or "").strip(), (code.coding_scheme_designator or "").strip())
