"""Where the projection (TID 10001) extractor deliberately differs from what OpenREM stored.

Each difference is one where OpenREM's value is wrong or missing per PS3.16; the reasons are
explained to users in docs/import-projection.md.
"""

BY_CODE = ("the item is read by its code value; OpenREM matched the code meaning exactly and "
           "missed it because the device spells the meaning differently")
FIELD_SIZE = ("Collimated Field Height and Width (113788, 113789) are read from the report; "
              "OpenREM reads them only from Philips private shutter positions")
EVENT_PERSONS = ("person participants of an irradiation event (TID 1020) are read; OpenREM "
                 "never reads them")
ACCUMULATED_DEVICE = ("the device participant of the accumulated dose (TID 10002) is read; "
                      "OpenREM never reads it")
LABEL_TYPE = ("the Label Type below an Irradiation Event Label is read; OpenREM looks for it "
              "on the label itself and never finds it")
EQUIVALENT_THICKNESS = ("Patient Equivalent Thickness (111638) is read; OpenREM never reads it")
OBSERVERS = ("the report lists both observer types before their details; person details go to "
             "the person observer and device details to the device observer, where OpenREM "
             "stored the device twice and dropped the person")
TEXT_PADDING = ("leading and trailing white space of text values is not kept, as for every "
                "other text value")

DOCUMENTED = [
    ("DX-RDSR-Carestream_DRXEvolution.dcm", "projectionxrayradiationdose_set[0].observercontext_set[0].*",
     OBSERVERS),
    ("Dual-RDSR-*", "projectionxrayradiationdose_set[0].comment", TEXT_PADDING),
    ("RF-No-kVp-and-others.dcm", "*.irradeventxraydata_set[*].personparticipant_set (rows)",
     EVENT_PERSONS),
    ("RF-RDSR-GE-OECEliteMiniView.dcm", "*.irradeventxraydata_set[*].label_type", LABEL_TYPE),
    ("RF-RDSR-GE*", "*.observercontext_set[0].device_observer_physical_location_during_observation",
     BY_CODE),
    ("RF-RDSR-GE.dcm", "projectionxrayradiationdose_set[0].scope_of_accumulation", BY_CODE),
    ("RF-RDSR-GE.dcm", "*.total_number_of_radiographic_frames", BY_CODE),
    ("RF-RDSR-GE.dcm", "*.accumxraydose_set[0].deviceparticipant_set (rows)", ACCUMULATED_DEVICE),
    ("RF-RDSR-Eurocolumbus.dcm", "*.calibration_set[0].calibration_date",
     BY_CODE + " ('Calibration DateTime', the meaning's newer name)"),
    ("RF-RDSR-Philips_Azurion.dcm", "*.irradeventxraydata_set[*].patient_equivalent_thickness",
     EQUIVALENT_THICKNESS),
] + [
    (file, f"*.irradeventxraysourcedata_set[0].{field}", FIELD_SIZE)
    for file in ("MG-RDSR-GEPristina-2D.dcm", "RF-RDSR-Eurocolumbus.dcm", "RF-RDSR-Philips_Azurion.dcm")
    for field in ("collimated_field_height", "collimated_field_width")
]
