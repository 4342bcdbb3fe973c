"""Radiography: DX, CR and PX (dental panoramic) studies, from dose reports or image headers."""
from ..models.projection import IrradEventXRayData
from ..models.study import GeneralStudyModuleAttr as Study
from . import columns as col
from . import filtering as f
from .base import Column, ModalityConfig
from .details import radiography_context
from .loading import PROJECTION_DETAIL

DX = ModalityConfig(
    key="dx",
    title="Radiography",
    modality_types=("DX", "CR", "PX"),
    filters=(
        f.DATE, f.STUDY_DESCRIPTION, f.PROCEDURE, f.REQUESTED_PROCEDURE,
        f.TextFilter("protocol", "Acquisition protocol",
                     column=IrradEventXRayData.acquisition_protocol,
                     where=f.on_projection_event),
        f.AGE, f.WEIGHT, f.INSTITUTION, f.MANUFACTURER, f.MODEL, f.STATION, f.ACCESSION,
        f.RangeFilter("dap", "Study DAP", column=Study.total_dap, unit="cGy·cm²",
                      per_stored=f.CGYCM2_PER_GYM2),
        f.RangeFilter("acquisition_dap", "Acquisition DAP",
                      column=IrradEventXRayData.dose_area_product, where=f.on_projection_event,
                      unit="cGy·cm²", per_stored=f.CGYCM2_PER_GYM2),
        f.DISPLAY_NAME, f.STANDARD_NAME, f.EVENTS_TOTAL, f.TEST_DATA, f.PATIENT_NAME, f.PATIENT_ID,
    ),
    columns=col.LEADING + (
        col.EVENTS,
        Column("Total DAP (cGy·cm²)", lambda s: col.cgycm2(s.total_dap), sort="dap",
               kind="number", places=2),
    ),
    orderings=("date", "study_description", "institution", "manufacturer", "model",
               "display_name", "events", "dap"),
    detail_template="modality/dx_study.html",
    detail_options=PROJECTION_DETAIL,
    detail_context=radiography_context,
)
