"""Deliberate differences from OpenREM shared by all importers (see docs/import.md)."""

MULTI_VALUE = ("several Software Versions values are joined with ' | ', not written as a "
               "Python list")
BIRTH_DATE_AFTER_STUDY = ("a birth date after the study date (anonymised as 9999-01-01) is "
                          "ignored; the age comes from Patient's Age instead of a negative number")

DOCUMENTED = [
    ("MG-Im-Hologic-PropProj*", "*.software_versions", MULTI_VALUE),
    ("NM-NmIm-*", "*.software_versions", MULTI_VALUE),
    ("NM-*", "patientstudymoduleattr_set[0].patient_age_decimal", BIRTH_DATE_AFTER_STUDY),
]
