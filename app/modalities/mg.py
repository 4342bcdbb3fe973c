"""Mammography: projection dose reports and image headers of MG studies."""
from ..models.codes import ContextID
from ..models.projection import (IrradEventXRayData, IrradEventXRayMechanicalData,
                                 IrradEventXRaySourceData)
from ..models.study import GeneralStudyModuleAttr as Study
from . import columns as col
from . import filtering as f
from .base import Column, ModalityConfig
from .details import mammography_context
from .loading import PROJECTION_DETAIL

AGD_PARTS = (("Left", "total_agd_left"), ("Right", "total_agd_right"),
             ("Both", "total_agd_both"))

MG = ModalityConfig(
    key="mg",
    title="Mammography",
    modality_types=("MG",),
    filters=(
        f.DATE, f.STUDY_DESCRIPTION, f.PROCEDURE, f.REQUESTED_PROCEDURE,
        f.TextFilter("protocol", "Acquisition protocol",
                     column=IrradEventXRayData.acquisition_protocol,
                     where=f.on_projection_event),
        f.TextFilter("view", "View code", column=ContextID.code_meaning, where=f.on_image_view,
                     help="e.g. cranio-caudal, medio-lateral oblique"),
        f.RangeFilter("thickness", "Breast thickness",
                      column=IrradEventXRayMechanicalData.compression_thickness,
                      where=f.on_projection_mechanics, unit="mm"),
        f.TextFilter("exposure_control", "Exposure control mode",
                     column=IrradEventXRaySourceData.exposure_control_mode,
                     where=f.on_projection_source),
        f.AGE, f.INSTITUTION, f.MANUFACTURER, f.MODEL, f.STATION, f.ACCESSION,
        f.AnyColumnRangeFilter("agd", "Accumulated AGD, a breast", unit="mGy",
                               columns=(Study.total_agd_left, Study.total_agd_right,
                                        Study.total_agd_both)),
        f.DISPLAY_NAME, f.STANDARD_NAME, f.EVENTS_TOTAL, f.TEST_DATA, f.PATIENT_NAME, f.PATIENT_ID,
    ),
    columns=col.LEADING + (
        col.EVENTS,
        Column("Accumulated AGD (mGy)", lambda s: col.parts(s, AGD_PARTS), sort="agd_left",
               kind="parts", places=2),
    ),
    orderings=("date", "study_description", "procedure", "institution", "manufacturer",
               "model", "display_name", "events", "agd_left", "agd_right"),
    detail_template="modality/mg_study.html",
    detail_options=PROJECTION_DETAIL,
    detail_context=mammography_context,
)
