"""CT: studies with a CT dose report (TID 10011) or a CT dose screen."""
from ..models.ct import CtIrradiationEventData
from ..models.study import GeneralStudyModuleAttr as Study
from . import columns as col
from . import filtering as f
from .base import Column, ModalityConfig
from .loading import CT_DETAIL, SSDE_VALUES

PROTOCOL = f.TextFilter("protocol", "Acquisition protocol",
                        column=CtIrradiationEventData.acquisition_protocol, where=f.on_ct_event)

CT = ModalityConfig(
    key="ct",
    title="CT",
    modality_types=("CT",),
    filters=(
        f.DATE, f.STUDY_DESCRIPTION, f.PROCEDURE, f.REQUESTED_PROCEDURE, PROTOCOL,
        f.INSTITUTION, f.MANUFACTURER, f.MODEL, f.STATION, f.AGE, f.WEIGHT, f.ACCESSION,
        f.RangeFilter("dlp", "Study DLP", column=Study.total_dlp, unit="mGy·cm"),
        f.DISPLAY_NAME, f.STANDARD_NAME, f.TEST_DATA, f.EVENTS_TOTAL,
        f.EventCountFilter("spiral", "Num. spiral events", column=Study.number_of_spiral),
        f.EventCountFilter("axial", "Num. axial events", column=Study.number_of_axial),
        # Constant angle acquisitions are the localisers (scout views).
        f.EventCountFilter("localisers", "Num. localisers", column=Study.number_of_const_angle),
        f.EventCountFilter("stationary", "Num. stationary events",
                           column=Study.number_of_stationary),
        f.PATIENT_NAME, f.PATIENT_ID,
    ),
    columns=col.LEADING + (
        col.EVENTS,
        Column("Total DLP (mGy·cm)", lambda s: s.total_dlp, sort="dlp", kind="number", places=1),
        Column("Max SSDE (mGy)", col.highest_ssde, kind="number", places=1),
    ),
    list_options=(SSDE_VALUES,),
    orderings=("date", "study_description", "institution", "manufacturer", "model",
               "display_name", "events", "dlp"),
    detail_template="modality/ct_study.html",
    detail_options=CT_DETAIL,
)
