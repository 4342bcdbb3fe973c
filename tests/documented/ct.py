"""Deliberate differences from OpenREM in CT dose report imports (see docs/import-ct.md)."""

UID_TYPE = ("the UID type below Scope of Accumulation (TID 10011, CID 10001) is stored; "
            "OpenREM leaves uid_type empty")
OBSERVER_LOCATION = ("Device Observer Physical Location During Observation is read by its code "
                     "(121017); OpenREM matches the code meaning's capitalisation and misses it")
EVENT_LABEL = ("Irradiation Event Label and its Label Type (TID 10013) are stored; OpenREM "
               "does not read them")
FRAME_OF_REFERENCE = ("the Frame of Reference UID of the scanning length (TID 10014) is stored; "
                      "OpenREM does not read it")
PERSON_PARTICIPANTS = ("person participants (TID 1020) of the report and of each irradiation "
                       "event are stored; OpenREM stores none for CT")

_EVENTS = "ctradiationdose_set[0].ctirradiationeventdata_set[*]"

DOCUMENTED = [
    ("CT-RDSR-*", "ctradiationdose_set[0].uid_type", UID_TYPE),
    ("CT-ESR-*", "ctradiationdose_set[0].uid_type", UID_TYPE),
    ("NM-CT-RDSR-*", "ctradiationdose_set[0].uid_type", UID_TYPE),
    ("CT-RDSR-Siemens-*",
     "ctradiationdose_set[0].observercontext_set[*]."
     "device_observer_physical_location_during_observation", OBSERVER_LOCATION),
    ("NM-CT-RDSR-Siemens*",
     "ctradiationdose_set[0].observercontext_set[*]."
     "device_observer_physical_location_during_observation", OBSERVER_LOCATION),
    ("CT-RDSR-GEPixelMed*", f"{_EVENTS}.irradiation_event_label", EVENT_LABEL),
    ("CT-RDSR-GEPixelMed*", f"{_EVENTS}.label_type", EVENT_LABEL),
    ("CT-RDSR-GEPixelMed*", f"{_EVENTS}.scanninglength_set[*].frame_of_reference_uid",
     FRAME_OF_REFERENCE),
    ("CT-RDSR-*PixelMed*", "ctradiationdose_set[0].personparticipant_set (rows)",
     PERSON_PARTICIPANTS),
    ("CT-RDSR-*PixelMed*", f"{_EVENTS}.personparticipant_set (rows)", PERSON_PARTICIPANTS),
]
