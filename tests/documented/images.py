"""Deliberate differences from OpenREM in the image-header importers (see docs/import-images.md)."""

MISSING_STUDY_DATE = ("an image with no study, content or series date is stored with the study "
                      "date 1900-01-01, as for every other object, so it sorts last and date "
                      "filters treat it alike; OpenREM's DX importer left the date empty")
MG_FILTER_THICKNESS = ("the filter thickness sent in Filter Thickness Minimum/Maximum is stored; "
                       "OpenREM's mammography image importer ignored it")
PHILIPS_SOP_RECORDED = ("the dose screen's SOP Instance UID is recorded with the study, as for "
                        "every imported object, so the same screen sent again is a duplicate; "
                        "OpenREM's Philips importer recorded none")

DOCUMENTED = [
    ("CT-SC-Philips*", "objectuidsprocessed_set (rows)", PHILIPS_SOP_RECORDED),
    ("DX-Im-Date-Missing*", "study_date", MISSING_STUDY_DATE),
    ("MG-Im-Hologic-PropProj*", "*.xrayfilters_set[0].xray_filter_thickness_m*imum",
     MG_FILTER_THICKNESS),
]
