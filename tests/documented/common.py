"""Deliberate differences from OpenREM shared by all importers (see docs/import.md)."""

DOCUMENTED = [
    ("*", "software_versions*", "several Software Versions values are joined with ' | ', "
     "not written as a Python list"),
    ("*", "patientstudymoduleattr_set[0].patient_age_decimal",
     "a birth date after the study date (anonymised 9999-01-01) is ignored; the age comes "
     "from Patient's Age instead of a negative number"),
]
