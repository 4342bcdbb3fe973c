"""Deliberate differences from OpenREM in the image-header importers (see docs/import-images.md)."""

MISSING_STUDY_DATE = ("an image with no study, content or series date is stored with the study "
                      "date 1900-01-01, as for every other object, so it sorts last and date "
                      "filters treat it alike; OpenREM's DX importer left the date empty")
MG_FILTER_THICKNESS = ("the filter thickness sent in Filter Thickness Minimum/Maximum is stored; "
                       "OpenREM's mammography image importer ignored it")

DOCUMENTED = [
    ("DX-Im-Date-Missing*", "study_date", MISSING_STUDY_DATE),
    ("MG-Im-Hologic-PropProj*", "*.xrayfilters_set[0].xray_filter_thickness_m*imum",
     MG_FILTER_THICKNESS),
]
