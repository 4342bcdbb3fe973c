"""The quantities a DRL can be set for, and where Kerma stores each of them.

A quantity is configuration: the modalities it applies to, the stored column and its unit,
and the rows that carry it (the study, or each irradiation event or administration). Adding a
quantity is adding an entry here.
"""
from dataclasses import dataclass
from typing import Callable

from sqlalchemy import Select, String, literal, or_, select

from ..models.codes import ContextID
from ..models.ct import CtIrradiationEventData, CtRadiationDose
from ..models.nm import RadiopharmaceuticalAdministrationEventData, RadiopharmaceuticalRadiationDose
from ..models.projection import (
    IrradEventXRayData,
    IrradEventXRaySourceData,
    ProjectionXRayRadiationDose,
)
from ..models.study import GeneralStudyModuleAttr as Study


@dataclass(frozen=True)
class Quantity:
    key: str
    label: str
    modalities: tuple[str, ...]
    unit: str  # the stored unit (UCUM)
    per: str  # "study", "event" or "administration": what one value describes
    #: (value, study_id, row_id, protocol) for every row carrying the quantity, with the
    #: study table in its FROM (so that conditions on ``Study`` apply without a join);
    #: ``protocol`` is the event's acquisition protocol, or None where the value describes
    #: the study.
    values: Callable[[], Select]


def _study_value(column):
    return lambda: select(column.label("value"), Study.id.label("study_id"),
                          Study.id.label("row_id"), _no_protocol())


def _no_protocol():
    return literal(None, String).label("protocol")


#: CT Acquisition Type (CID 10013) of localizers: their CTDIvol is not a sequence's.
CONSTANT_ANGLE = "113805"


def _ct_events():
    event = CtIrradiationEventData
    return (select(event.mean_ctdivol.label("value"),
                   CtRadiationDose.general_study_module_attr_id.label("study_id"),
                   event.id.label("row_id"), event.acquisition_protocol.label("protocol"))
            .join(CtRadiationDose, CtRadiationDose.id == event.ct_radiation_dose_id)
            .join(Study, Study.id == CtRadiationDose.general_study_module_attr_id)
            .outerjoin(ContextID, ContextID.id == event.ct_acquisition_type_id)
            .where(or_(ContextID.code_value.is_(None), ContextID.code_value != CONSTANT_ANGLE)))


def _mg_views():
    return (select(IrradEventXRaySourceData.average_glandular_dose.label("value"),
                   ProjectionXRayRadiationDose.general_study_module_attr_id.label("study_id"),
                   IrradEventXRayData.id.label("row_id"),
                   IrradEventXRayData.acquisition_protocol.label("protocol"))
            .join(IrradEventXRayData,
                  IrradEventXRayData.id == IrradEventXRaySourceData.irrad_event_xray_data_id)
            .join(ProjectionXRayRadiationDose, ProjectionXRayRadiationDose.id
                  == IrradEventXRayData.projection_xray_radiation_dose_id)
            .join(Study, Study.id == ProjectionXRayRadiationDose.general_study_module_attr_id))


def _administrations():
    event = RadiopharmaceuticalAdministrationEventData
    return (select(event.administered_activity.label("value"),
                   RadiopharmaceuticalRadiationDose.general_study_module_attr_id.label("study_id"),
                   event.id.label("row_id"), _no_protocol())
            .join(RadiopharmaceuticalRadiationDose, RadiopharmaceuticalRadiationDose.id
                  == event.radiopharmaceutical_radiation_dose_id)
            .join(Study, Study.id == RadiopharmaceuticalRadiationDose.general_study_module_attr_id))


QUANTITIES = {q.key: q for q in (
    Quantity("dlp", "DLP per examination", ("CT",), "mGy.cm", "study",
             _study_value(Study.total_dlp)),
    # Localizers are left out: DRLs give the CTDIvol of the imaging sequences.
    Quantity("ctdivol", "CTDIvol per sequence", ("CT",), "mGy", "event", _ct_events),
    Quantity("dap", "DAP per examination", ("DX", "CR", "RF"), "Gy.m2", "study",
             _study_value(Study.total_dap)),
    Quantity("agd", "Average glandular dose per view", ("MG",), "mGy", "event", _mg_views),
    Quantity("activity", "Administered activity", ("NM",), "MBq", "administration",
             _administrations),
)}
