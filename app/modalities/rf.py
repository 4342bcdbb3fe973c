"""Fluoroscopy: studies with a projection dose report (TID 10001) shown as RF."""
from ..models.projection import IrradEventXRayData
from ..models.study import GeneralStudyModuleAttr as Study
from . import columns as col
from . import filtering as f
from .base import Column, ModalityConfig
from .details import fluoroscopy_context
from .loading import PROJECTION_DETAIL, SKIN_DOSE

PROTOCOL = f.TextFilter("protocol", "Acquisition protocol",
                        column=IrradEventXRayData.acquisition_protocol,
                        where=f.on_projection_event)


def per_plane(a_field, b_field, scale=1.0):
    """A column value: the plane totals, labelled A and B only for a biplane study."""
    def value(study):
        if getattr(study, b_field) is None:
            return col.parts(study, ((None, a_field),), scale)
        return col.parts(study, (("A", a_field), ("B", b_field)), scale)
    return value


def at_alert_level(study, settings) -> bool:
    """Whether either plane's DAP or dose at RP reaches its alert level.

    Planes are compared one by one, never summed: each plane irradiates its own skin area.
    Levels are the settings ``RF_ALERT_DAP_CGYCM2`` (cGy·cm²) and ``RF_ALERT_RP_GY`` (Gy).
    """
    dap_level = settings["RF_ALERT_DAP_CGYCM2"]
    rp_level = settings["RF_ALERT_RP_GY"]
    daps = (col.cgycm2(study.total_dap_a), col.cgycm2(study.total_dap_b))
    doses = (study.total_rp_dose_a, study.total_rp_dose_b)
    return (any(value is not None and value >= dap_level * (1 - 1e-12) for value in daps)
            or any(value is not None and value >= rp_level * (1 - 1e-12) for value in doses))


RF = ModalityConfig(
    key="rf",
    title="Fluoroscopy",
    modality_types=("RF",),
    filters=(
        f.DATE, f.STUDY_DESCRIPTION, f.PROCEDURE, f.REQUESTED_PROCEDURE, PROTOCOL,
        f.INSTITUTION, f.MANUFACTURER, f.MODEL, f.STATION, f.AGE, f.WEIGHT, f.PHYSICIAN,
        f.ACCESSION,
        f.RangeFilter("dap", "Study DAP", column=Study.total_dap, unit="cGy·cm²",
                      per_stored=f.CGYCM2_PER_GYM2),
        f.RangeFilter("rp_dose", "Dose at RP, highest plane", column=f.highest_rp_dose,
                      unit="Gy"),
        f.DISPLAY_NAME, f.STANDARD_NAME, f.TEST_DATA, f.EVENTS_TOTAL, f.PATIENT_NAME, f.PATIENT_ID,
    ),
    columns=col.LEADING + (
        col.EVENTS,
        Column("Total DAP (cGy·cm²)",
               per_plane("total_dap_a", "total_dap_b", f.CGYCM2_PER_GYM2),
               sort="dap", kind="parts", places=1),
        Column("Total dose at RP (Gy)", per_plane("total_rp_dose_a", "total_rp_dose_b"),
               sort="rp_dose", kind="parts", places=None),
        Column("Peak skin dose (Gy)", col.peak_skin_dose, kind="number", places=None),
        Column("Physician", lambda s: s.performing_physician_name),
    ),
    list_options=(SKIN_DOSE,),
    orderings=("date", "study_description", "institution", "manufacturer", "model",
               "display_name", "events", "dap", "rp_dose"),
    detail_template="modality/rf_study.html",
    detail_options=PROJECTION_DETAIL,
    detail_context=fluoroscopy_context,
    highlight=at_alert_level,
    highlight_note=lambda settings: (
        f"Highlighted rows reach an alert level in at least one plane: DAP ≥ "
        f"{settings['RF_ALERT_DAP_CGYCM2']:g} cGy·cm² or dose at RP ≥ "
        f"{settings['RF_ALERT_RP_GY']:g} Gy."),
)
